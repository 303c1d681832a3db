// Package bot is mpgate's domain beyond the engine: forge-neutral events,
// jobs, trust, comment commands, builds and releases. It declares the small
// interfaces it consumes (forges, queue, store); adapters live below it
// (bot/github, bot/gitlab) and never the other way round.
package bot

import (
	"errors"
	"time"
)

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

// CheckRef addresses a check on a forge: a GitHub check run (by ID once
// created) or a GitLab commit status (by commit and name; GitLab's ID is
// derived from them).
type CheckRef struct {
	Repo Repo
	// SHA is the commit the check is on.
	SHA string
	// Name is the check's name (CheckName, ChangelogCheckName).
	Name string
	// PR is the pull (merge) request the commit heads, 0 for a push: GitLab
	// links the status to it.
	PR int
	// ID is the forge's id of the check, 0 until CreateCheck returns it.
	ID int64
}

// CommentRef addresses a comment: GitHub's issue comment, GitLab's merge
// request note (whose API needs the request and, to answer in its thread,
// the discussion).
type CommentRef struct {
	// PR is the pull (merge) request the comment is on.
	PR int
	// ID is the comment's (note's) id.
	ID int64
	// Discussion is the GitLab discussion (thread) of the note; "" on GitHub
	// and for a note outside a thread.
	Discussion string
}

// The forge adapters' errors wrap these (errors.Is), whatever the forge.
var (
	// ErrNotFound: no such file, ref, request or comment (or no access).
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the token may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrSuperseded is the cancellation cause of an evaluation whose head is
	// no longer the pull request's newest (or whose request was closed).
	ErrSuperseded = errors.New("superseded by a newer head")
)

// RateLimited is a forge's rate limit that was not waited out:
// github.RateLimitError and gitlab.RateLimitError implement it. The queue
// finds it with errors.As and runs the job again after RetryAfter(now),
// without spending an attempt.
type RateLimited interface {
	error
	// RetryAfter is how long from now the request may be sent again (never
	// negative).
	RetryAfter(now time.Time) time.Duration
}
