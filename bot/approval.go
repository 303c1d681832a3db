package bot

import "time"

// CheckName is the name of the bot's check run.
const CheckName = "mpgate"

// ChangelogCheckName is the changelog gate's own check run (GitLab: commit
// status): a missing changelog entry is a different question from a package
// over its budget, answered by a different person.
const ChangelogCheckName = "mpgate / changelog"

// ActionApproveSize is the identifier of the check run's "Approve size"
// button (requested_action).
const ActionApproveSize = "approve-size"

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

// CheckRecord is a check run the bot created, as its store keeps it.
type CheckRecord struct {
	Repo  Repo
	SHA   string
	Name  string
	RunID int64
	// PR is the pull request, 0 for a push.
	PR        int
	Completed bool
	// Delivery is the webhook delivery whose handling created the run ("":
	// unknown; an update without one keeps the recorded one).
	Delivery  string
	UpdatedAt time.Time
}

// Ref addresses the recorded check run on its forge.
func (c CheckRecord) Ref() CheckRef {
	return CheckRef{Repo: c.Repo, SHA: c.SHA, Name: c.Name, PR: c.PR, ID: c.RunID}
}
