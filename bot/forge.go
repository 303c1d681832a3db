// Package bot is mpgate's domain beyond the engine: forge-neutral events,
// jobs, trust, comment commands, builds and releases. It declares the small
// interfaces it consumes (forges, queue, store); adapters live below it
// (bot/github, bot/gitlab) and never the other way round.
package bot

// Repo identifies a repository on a forge.
type Repo struct {
	// Forge is "github" or "gitlab".
	Forge string
	// Owner and Name: GitHub owner/name; GitLab namespace/path (Owner may
	// contain "/" for subgroups).
	Owner, Name string
	// ID is the GitLab project ID (0 on GitHub).
	ID int64
}

// FullName is "owner/name".
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// Annotation levels (GitHub's names; GitLab maps them).
const (
	LevelNotice  = "notice"
	LevelWarning = "warning"
	LevelFailure = "failure"
)

// Annotation is a finding at a place in the repository.
type Annotation struct {
	Path      string // repository-relative, "/"
	StartLine int
	EndLine   int
	StartCol  int // only when StartLine == EndLine
	EndCol    int
	Level     string
	Title     string
	Message   string
}

// Check-run conclusions (GitHub's names; GitLab maps them to statuses).
const (
	ConclusionSuccess        = "success"
	ConclusionFailure        = "failure"
	ConclusionNeutral        = "neutral"
	ConclusionActionRequired = "action_required"
	ConclusionCancelled      = "cancelled"
	ConclusionTimedOut       = "timed_out"
)

// CheckOutput is what a check run shows.
type CheckOutput struct {
	Title   string
	Summary string
	Text    string
	// Annotations are sent in batches of at most 50 per request.
	Annotations []Annotation
	// Actions are buttons (at most 3): label ≤ 20, description ≤ 40,
	// identifier ≤ 20 characters.
	Actions []CheckAction
}

// CheckAction is a check-run button.
type CheckAction struct {
	Label, Description, Identifier string
}

// StickyMarker returns the hidden marker line that identifies mpgate's
// sticky comment; key separates several comments on one request (one per
// project of a monorepo).
func StickyMarker(key string) string {
	if key == "" {
		return "<!-- mpgate:sticky -->"
	}
	return "<!-- mpgate:sticky:" + key + " -->"
}
