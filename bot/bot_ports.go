package bot

import (
	"context"
	"time"
)

// Forge is what the bot needs of a forge, as one installation (GitHub App
// installation) sees it. *github.Client satisfies it.
type Forge interface {
	CreateCheckRun(ctx context.Context, repo Repo, headSHA, name, status, detailsURL string) (int64, error)
	StartCheckRun(ctx context.Context, repo Repo, id int64) error
	CompleteCheckRun(ctx context.Context, repo Repo, id int64, conclusion string, out CheckOutput) error
	UpsertStickyComment(ctx context.Context, repo Repo, number int, key, body, botLogin string) (int64, bool, error)
	CreateComment(ctx context.Context, repo Repo, number int, body string) (int64, error)
	AddReaction(ctx context.Context, repo Repo, commentID int64, content string) error
	// Permission is the user's permission name (admin, maintain, write,
	// triage, read, none).
	Permission(ctx context.Context, repo Repo, user string) (string, error)
	PullRequestEvent(ctx context.Context, repo Repo, number int) (PullRequest, error)
	// FileContent reads path at ref ("" = the default branch).
	FileContent(ctx context.Context, repo Repo, path, ref string) ([]byte, string, error)
	// GitToken is the token git fetches the repository with.
	GitToken(ctx context.Context) (string, error)
}

// Installations returns the forge client of an installation.
type Installations interface {
	Forge(ctx context.Context, installationID int64) (Forge, error)
}

// InstallationsFunc adapts a function to Installations.
type InstallationsFunc func(ctx context.Context, installationID int64) (Forge, error)

// Forge calls f.
func (f InstallationsFunc) Forge(ctx context.Context, installationID int64) (Forge, error) {
	return f(ctx, installationID)
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

// CommitChecks is optionally implemented by a Forge whose checks hang on
// a commit rather than on an id (GitLab's commit statuses): the bot then
// starts and completes a check run through it, giving the head SHA too.
type CommitChecks interface {
	StartCheckRunAt(ctx context.Context, repo Repo, id int64, sha string) error
	CompleteCheckRunAt(ctx context.Context, repo Repo, id int64, sha, conclusion string, out CheckOutput) error
}

// startCheckRun starts check run id on sha.
func startCheckRun(ctx context.Context, f Forge, repo Repo, id int64, sha string) error {
	if cc, ok := f.(CommitChecks); ok {
		return cc.StartCheckRunAt(ctx, repo, id, sha)
	}
	return f.StartCheckRun(ctx, repo, id)
}

// completeCheckRun completes check run id on sha.
func completeCheckRun(ctx context.Context, f Forge, repo Repo, id int64, sha, conclusion string, out CheckOutput) error {
	if cc, ok := f.(CommitChecks); ok {
		return cc.CompleteCheckRunAt(ctx, repo, id, sha, conclusion, out)
	}
	return f.CompleteCheckRun(ctx, repo, id, conclusion, out)
}
