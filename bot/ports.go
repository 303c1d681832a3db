package bot

import (
	"context"
	"time"

	"github.com/mpgate/mpgate/bot/release"
)

// Forge is what the bot needs of a forge, as one installation (a GitHub
// App installation, the GitLab instance's token) sees it. github.Forge and
// gitlab.Forge satisfy it. Checks are addressed by a CheckRef (GitHub's check
// runs by ID, GitLab's commit statuses by commit and name), comments by a
// CommentRef. Errors wrap ErrNotFound, ErrForbidden, or a RateLimited.
type Forge interface {
	// CreateCheck shows check ref on the forge with status "queued" or
	// "in_progress" and returns ref with its ID.
	CreateCheck(ctx context.Context, ref CheckRef, status, detailsURL string) (CheckRef, error)
	// StartCheck moves ref to in progress.
	StartCheck(ctx context.Context, ref CheckRef) error
	// CompleteCheck concludes ref (Conclusion*) with out.
	CompleteCheck(ctx context.Context, ref CheckRef, conclusion string, out CheckOutput) error
	// UpsertStickyComment keeps the one comment marked StickyMarker(key)
	// on pull request pr; created reports a new comment.
	UpsertStickyComment(ctx context.Context, repo Repo, pr int, key, body, botLogin string) (c CommentRef, created bool, err error)
	// UpdateStickyComment updates that comment when there is one and
	// creates none (comment.require_changes on a request without changes);
	// c.ID is 0 when there was none.
	UpdateStickyComment(ctx context.Context, repo Repo, pr int, key, body, botLogin string) (c CommentRef, changed bool, err error)
	// Reply answers comment to on its pull request: in to's thread where
	// the forge has them (to.Discussion), else as a new comment.
	Reply(ctx context.Context, repo Repo, to CommentRef, body string) (CommentRef, error)
	// React acknowledges comment c with a reaction (GitHub's names: "+1",
	// "eyes", …). Reacting twice is no error.
	React(ctx context.Context, repo Repo, c CommentRef, content string) error
	// Permission is the user's permission name (admin, maintain, write,
	// triage, read, none).
	Permission(ctx context.Context, repo Repo, user string) (string, error)
	PullRequestEvent(ctx context.Context, repo Repo, number int) (PullRequest, error)
	// FileContent reads path at ref ("" = the default branch); a missing
	// file is ErrNotFound.
	FileContent(ctx context.Context, repo Repo, path, ref string) ([]byte, string, error)
	// GitToken is the token git fetches the repository with.
	GitToken(ctx context.Context) (string, error)
	// ReleasePublisher publishes the releases of repo (tags, releases,
	// the release request).
	ReleasePublisher(repo Repo) release.Publisher
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
// of pull-request heads, a newer head cancelling the older one.
type EvaluationQueue interface {
	EnqueueEvaluation(ctx context.Context, repo Repo, number int, headSHA string, payload []byte) (duplicate bool, err error)
}

// ApprovalKind says what a maintainer's approval of a head allows.
type ApprovalKind string

// Approval kinds (the store's names).
const (
	ApproveSize  ApprovalKind = "size"
	ApproveBuild ApprovalKind = "build"
)

// LabelGrant is the head an approval is stored under when it holds for
// every head of the request while the request carries a label
// (/ok-to-build with trust.ok_to_build_label).
const LabelGrant = "label"

// SizeApprovalOf is the approval kind of /approve-size -p project: it
// passes that project's size gate only.
func SizeApprovalOf(project string) ApprovalKind {
	return ApprovalKind(string(ApproveSize) + ":" + project)
}

// Labeler is optionally implemented by a Forge that can label a request
// (GitHub). Without it /ok-to-build approves the commented head only.
type Labeler interface {
	AddLabel(ctx context.Context, repo Repo, number int, label string) error
}

// CheckRecord is a check run the bot created, as its store keeps it.
type CheckRecord struct {
	Repo  Repo
	SHA   string
	Name  string
	RunID int64
	// PR is the pull request, 0 for a push.
	PR        int
	Completed bool
	UpdatedAt time.Time
}

// Ref addresses the recorded check run on its forge.
func (c CheckRecord) Ref() CheckRef {
	return CheckRef{Repo: c.Repo, SHA: c.SHA, Name: c.Name, PR: c.PR, ID: c.RunID}
}

// Store is what the bot keeps beside the queue: check runs in flight,
// reports (baselines), approvals, and the installation of each repository
// (to conclude a check run a crash left behind).
type Store interface {
	PutCheckRun(ctx context.Context, c CheckRecord) error
	CompleteCheckRun(ctx context.Context, repo Repo, sha, name string) error
	CheckRuns(ctx context.Context, repo Repo, sha string) ([]CheckRecord, error)
	PendingChecks(ctx context.Context, olderThan time.Duration) ([]CheckRecord, error)
	PutReport(ctx context.Context, repo Repo, sha, project string, report []byte) error
	// Report returns the stored report, ok false when there is none.
	Report(ctx context.Context, repo Repo, sha, project string) (report []byte, ok bool, err error)
	Approve(ctx context.Context, repo Repo, number int, headSHA string, kind ApprovalKind, by, reason string) error
	// Approval returns who approved and why, ok false when nobody did.
	Approval(ctx context.Context, repo Repo, number int, headSHA string, kind ApprovalKind) (by, reason string, ok bool, err error)
	// Revoke removes an approval; none is not an error.
	Revoke(ctx context.Context, repo Repo, number int, headSHA string, kind ApprovalKind) error
	PutInstallation(ctx context.Context, repo Repo, installationID int64) error
	Installation(ctx context.Context, repo Repo) (id int64, ok bool, err error)
}

// HeadStore is optionally implemented by a Store: the head last queued for
// evaluation of a pull request (ok false when none). With it the bot
// concludes the queued check run of a head that a newer one replaced before
// its evaluation started.
type HeadStore interface {
	LatestHead(ctx context.Context, repo Repo, number int) (sha string, ok bool, err error)
}
