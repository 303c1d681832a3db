package worker

import (
	"context"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/release"
)

// The forge's ports, each declared for what its handlers consume; Forge is
// all of them, as one installation (a GitHub App installation, the GitLab
// instance's token) sees it. github.Forge and gitlab.Forge satisfy it
// (adapters_test.go). Checks are addressed by a bot.CheckRef (GitHub's check
// runs by ID, GitLab's commit statuses by commit and name), comments by a
// bot.CommentRef. Errors wrap bot.ErrNotFound, bot.ErrForbidden, or a
// bot.RateLimited.

// CheckWriter shows and concludes check runs (checkruns.go).
type CheckWriter interface {
	// CreateCheck shows check ref on the forge with status "queued" or
	// "in_progress" and returns ref with its ID.
	CreateCheck(ctx context.Context, ref bot.CheckRef, status, detailsURL string) (bot.CheckRef, error)
	// StartCheck moves ref to in progress.
	StartCheck(ctx context.Context, ref bot.CheckRef) error
	// CompleteCheck concludes ref (Conclusion*) with out.
	CompleteCheck(ctx context.Context, ref bot.CheckRef, conclusion string, out bot.CheckOutput) error
}

// Commenter keeps the sticky comment and answers commands.
type Commenter interface {
	// UpsertStickyComment keeps the one comment marked StickyMarker(key)
	// on pull request pr; created reports a new comment.
	UpsertStickyComment(ctx context.Context, repo bot.Repo, pr int, key, body, botLogin string) (c bot.CommentRef, created bool, err error)
	// UpdateStickyComment updates that comment when there is one and
	// creates none (comment.require_changes on a request without changes);
	// c.ID is 0 when there was none.
	UpdateStickyComment(ctx context.Context, repo bot.Repo, pr int, key, body, botLogin string) (c bot.CommentRef, changed bool, err error)
	// Reply answers comment to on its pull request: in to's thread where
	// the forge has them (to.Discussion), else as a new comment.
	Reply(ctx context.Context, repo bot.Repo, to bot.CommentRef, body string) (bot.CommentRef, error)
	// React acknowledges comment c with a reaction (GitHub's names: "+1",
	// "eyes", …). Reacting twice is no error.
	React(ctx context.Context, repo bot.Repo, c bot.CommentRef, content string) error
}

// PullReader reads a request's current state (its head, labels, merged).
type PullReader interface {
	PullRequestEvent(ctx context.Context, repo bot.Repo, number int) (bot.PullRequest, error)
}

// AccessChecker answers who may build and command.
type AccessChecker interface {
	// Permission is the user's permission name (admin, maintain, write,
	// triage, read, none).
	Permission(ctx context.Context, repo bot.Repo, user string) (string, error)
}

// RepoReader reads the repository: its configuration and the token git
// fetches it with.
type RepoReader interface {
	// FileContent reads path at ref ("" = the default branch); a missing
	// file is bot.ErrNotFound.
	FileContent(ctx context.Context, repo bot.Repo, path, ref string) ([]byte, string, error)
	// GitToken is the token git fetches the repository with.
	GitToken(ctx context.Context) (string, error)
}

// Labeler labels a request: /ok-to-build's grant holds for later pushes
// while the label is on (commands.go).
type Labeler interface {
	AddLabel(ctx context.Context, repo bot.Repo, number int, label string) error
}

// Releaser publishes the releases of a repository (release_push.go).
type Releaser interface {
	// ReleasePublisher publishes the releases of repo (tags, releases,
	// the release request).
	ReleasePublisher(repo bot.Repo) release.Publisher
	// ReleasePusher makes the release commits and tags of the clone in dir
	// on the forge, or is nil: push them from the clone with git and the
	// mirror's token. GitHub makes them through its Git Data API, as the App
	// (verified); GitLab pushes with git.
	ReleasePusher(repo bot.Repo, dir string) release.Pusher
}

// Forge is every port of one forge installation.
type Forge interface {
	CheckWriter
	Commenter
	PullReader
	AccessChecker
	RepoReader
	Labeler
	Releaser
}

// Installations returns the forge client of an installation: forge is
// ForgeGitHub or ForgeGitLab (Event.Forge, Repo.Forge), installationID the
// GitHub App installation (0 on GitLab).
type Installations interface {
	Forge(ctx context.Context, forge string, installationID int64) (Forge, error)
}

// InstallationsFunc adapts a function to Installations.
type InstallationsFunc func(ctx context.Context, forge string, installationID int64) (Forge, error)

// Forge calls f.
func (f InstallationsFunc) Forge(ctx context.Context, forge string, installationID int64) (Forge, error) {
	return f(ctx, forge, installationID)
}

// EvaluationQueue is what the bot needs of the durable queue: evaluations
// of pull-request heads, a newer head cancelling the older one, and a closed
// request's evaluations forgotten (queue.BotQueue).
type EvaluationQueue interface {
	EnqueueEvaluation(ctx context.Context, repo bot.Repo, number int, headSHA string, payload []byte) (duplicate bool, err error)
	// ForgetEvaluation cancels the pending or running evaluation of a pull
	// request and forgets its latest head (the request was closed).
	ForgetEvaluation(ctx context.Context, repo bot.Repo, number int) error
}

// CheckStore records the check runs in flight, so that a retried
// delivery, a newer head, a closed request or a restart finds them.
type CheckStore interface {
	PutCheckRun(ctx context.Context, c bot.CheckRecord) error
	CompleteCheckRun(ctx context.Context, repo bot.Repo, sha, name string) error
	CheckRuns(ctx context.Context, repo bot.Repo, sha string) ([]bot.CheckRecord, error)
	PendingChecks(ctx context.Context, olderThan time.Duration) ([]bot.CheckRecord, error)
}

// ReportStore keeps reports by commit and project: baselines and heads.
type ReportStore interface {
	PutReport(ctx context.Context, repo bot.Repo, sha, project string, report []byte) error
	// Report returns the stored report, ok false when there is none.
	Report(ctx context.Context, repo bot.Repo, sha, project string) (report []byte, ok bool, err error)
}

// ApprovalStore keeps maintainers' approvals (/approve-size, /ok-to-build).
type ApprovalStore interface {
	Approve(ctx context.Context, repo bot.Repo, number int, headSHA string, kind bot.ApprovalKind, by, reason string) error
	// Approval returns who approved and why, ok false when nobody did.
	Approval(ctx context.Context, repo bot.Repo, number int, headSHA string, kind bot.ApprovalKind) (by, reason string, ok bool, err error)
	// Revoke removes an approval; none is not an error.
	Revoke(ctx context.Context, repo bot.Repo, number int, headSHA string, kind bot.ApprovalKind) error
}

// InstallationStore keeps the installation of each repository (to conclude
// a check run a crash left behind).
type InstallationStore interface {
	PutInstallation(ctx context.Context, repo bot.Repo, installationID int64) error
	Installation(ctx context.Context, repo bot.Repo) (id int64, ok bool, err error)
}

// HeadStore knows the head last queued for evaluation of a pull request
// (ok false when none): a newer head concludes the older one's queued check
// run, a closed request finds its heads.
type HeadStore interface {
	LatestHead(ctx context.Context, repo bot.Repo, number int) (sha string, ok bool, err error)
}

// RunStore records every finished evaluation, a request's head or a push to
// the default branch (the server's pages and `mpgate report health` read
// them).
type RunStore interface {
	RecordRun(ctx context.Context, r bot.RunRecord) error
}

// Store is what the bot keeps beside the queue (store.BotStore).
type Store interface {
	CheckStore
	ReportStore
	ApprovalStore
	InstallationStore
	HeadStore
	RunStore
}
