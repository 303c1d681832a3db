package bot

// Forges.
const (
	ForgeGitHub = "github"
	ForgeGitLab = "gitlab"
)

// Kind is what happened, in forge-neutral terms.
type Kind string

// Event kinds the bot acts on. Everything else is acknowledged and ignored.
const (
	// KindPullRequest: a pull/merge request was opened, got new commits, was
	// reopened or became ready for review. Action holds the forge's action.
	KindPullRequest Kind = "pull_request"
	// KindPullRequestClosed: closed; PullRequest.Merged says whether merged.
	KindPullRequestClosed Kind = "pull_request_closed"
	// KindPullRequestUnlabeled: a label was removed from the request;
	// Label names it.
	KindPullRequestUnlabeled Kind = "pull_request_unlabeled"
	// KindPush: commits pushed to a branch (the default branch's pushes are
	// analysed and stored as baselines).
	KindPush Kind = "push"
	// KindTagPush: a tag was pushed.
	KindTagPush Kind = "tag_push"
	// KindComment: a comment on a pull/merge request (may hold commands).
	KindComment Kind = "comment"
	// KindRerun: the check run or suite was re-requested ("Re-run").
	KindRerun Kind = "rerun"
	// KindRequestedAction: a check-run button was pressed.
	KindRequestedAction Kind = "requested_action"
	// KindPing: the forge checks the hook.
	KindPing Kind = "ping"
)

// Event is a webhook delivery normalised. It is stored in the durable queue
// as JSON, so every field is plain data.
type Event struct {
	Forge string `json:"forge"`
	// DeliveryID identifies the delivery (X-GitHub-Delivery; GitLab's
	// Idempotency-Key or X-Gitlab-Event-UUID): duplicates are processed once.
	DeliveryID string `json:"deliveryId"`
	Kind       Kind   `json:"kind"`
	// Action is the forge's own action name (opened, synchronize, …).
	Action string `json:"action,omitempty"`
	Repo   Repo   `json:"repo"`
	// CloneURL is where the repository is fetched from (clone_url;
	// GitLab git_http_url). A local path or file:// URL works too.
	CloneURL       string `json:"cloneUrl"`
	DefaultBranch  string `json:"defaultBranch,omitempty"`
	InstallationID int64  `json:"installationId,omitempty"`
	// Sender is who caused the event; SenderIsBot when a bot did.
	Sender      string `json:"sender,omitempty"`
	SenderIsBot bool   `json:"senderIsBot,omitempty"`

	PullRequest *PullRequest `json:"pullRequest,omitempty"`
	// Label is the label of a KindPullRequestUnlabeled event.
	Label   string   `json:"label,omitempty"`
	Push    *Push    `json:"push,omitempty"`
	Comment *Comment `json:"comment,omitempty"`
	Check   *Check   `json:"check,omitempty"`
}

// PullRequest is a pull request (GitHub) or merge request (GitLab).
type PullRequest struct {
	// Number is the PR number or the MR iid.
	Number  int    `json:"number"`
	Title   string `json:"title,omitempty"`
	Body    string `json:"body,omitempty"`
	HeadSHA string `json:"headSha"`
	HeadRef string `json:"headRef,omitempty"`
	BaseRef string `json:"baseRef"`
	BaseSHA string `json:"baseSha,omitempty"`
	// HeadRepo is the full name of the repository the head lives in.
	HeadRepo string `json:"headRepo,omitempty"`
	// Fork: the head lives in another repository.
	Fork   bool     `json:"fork,omitempty"`
	Draft  bool     `json:"draft,omitempty"`
	Merged bool     `json:"merged,omitempty"`
	Author string   `json:"author,omitempty"`
	Labels []string `json:"labels,omitempty"`
	// MergeSHA is the merge commit of a merged request.
	MergeSHA string `json:"mergeSha,omitempty"`
}

// Push is a push of commits or of a tag.
type Push struct {
	Ref    string `json:"ref"` // refs/heads/main, refs/tags/v1
	Before string `json:"before,omitempty"`
	After  string `json:"after"`
}

// Comment is a comment on a pull/merge request.
type Comment struct {
	ID     int64  `json:"id"`
	Body   string `json:"body"`
	Author string `json:"author"`
	// AuthorIsBot is true for bots (never obeyed).
	AuthorIsBot bool `json:"authorIsBot,omitempty"`
	// DiscussionID is GitLab's discussion to reply in.
	DiscussionID string `json:"discussionId,omitempty"`
}

// Check identifies a check run (GitHub) and the button pressed.
type Check struct {
	RunID   int64  `json:"runId,omitempty"`
	SuiteID int64  `json:"suiteId,omitempty"`
	HeadSHA string `json:"headSha"`
	// ActionID is the requested_action identifier.
	ActionID string `json:"actionId,omitempty"`
	// PRNumbers are the pull requests the check belongs to.
	PRNumbers []int `json:"prNumbers,omitempty"`
}
