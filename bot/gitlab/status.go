package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/mpgate/mpgate/bot"
)

// Commit-status states.
const (
	StatePending  = "pending"
	StateRunning  = "running"
	StateSuccess  = "success"
	StateFailed   = "failed"
	StateCanceled = "canceled"
	// StateSkipped is accepted by recent GitLab versions only.
	StateSkipped = "skipped"
)

// maxStatusChars bounds a status's name and description (GitLab stores
// both in 255-character columns).
const maxStatusChars = 255

// StateFor maps a check-run conclusion (bot.Conclusion*) onto a commit
// status state: neutral is a success, action_required and timed_out are
// failures.
func StateFor(conclusion string) string {
	switch conclusion {
	case bot.ConclusionSuccess, bot.ConclusionNeutral:
		return StateSuccess
	case bot.ConclusionCancelled:
		return StateCanceled
	default:
		return StateFailed
	}
}

// SetStatus posts a commit status named name on sha (GitLab picks the ref:
// the pipeline's, or a branch containing sha). See SetStatusRef.
func (c *Client) SetStatus(ctx context.Context, repo bot.Repo, sha, state, name, description, targetURL string) error {
	return c.SetStatusRef(ctx, repo, sha, "", state, name, description, targetURL)
}

// SetStatusRef posts a commit status on sha for ref (a merge request's
// source branch makes it show on the request). state is pending, running,
// success, failed, canceled (or skipped). GitLab moves one status per (sha, name,
// ref) through pending → running → a final state and refuses a transition
// to the state it is already in ("Cannot transition status via :run from
// :running"): that is the state asked for, so it counts as success.
func (c *Client) SetStatusRef(ctx context.Context, repo bot.Repo, sha, ref, state, name, description, targetURL string) error {
	switch state {
	case StatePending, StateRunning, StateSuccess, StateFailed, StateCanceled, StateSkipped:
	default:
		return fmt.Errorf("gitlab: status %q on %s@%s: state %q: %w", name, repo.FullName(), sha, state, ErrInvalid)
	}
	if sha == "" || name == "" {
		return fmt.Errorf("gitlab: status %q on %s@%q: sha and name are required: %w", name, repo.FullName(), sha, ErrInvalid)
	}
	opt := &gl.SetCommitStatusOptions{State: gl.BuildStateValue(state), Name: gl.Ptr(cut(name, maxStatusChars))}
	if ref != "" {
		opt.Ref = gl.Ptr(ref)
	}
	if description != "" {
		opt.Description = gl.Ptr(cut(description, maxStatusChars))
	}
	if targetURL != "" {
		opt.TargetURL = gl.Ptr(targetURL)
	}
	_, _, err := c.gl.Commits.SetCommitStatus(pid(repo), sha, opt, gl.WithContext(ctx))
	if err == nil || sameState(err, state) {
		return nil
	}
	return c.wrap(err, "status %q=%s on %s@%s", name, state, repo.FullName(), sha)
}

// sameState reports GitLab's 400 for a transition to the current state:
// "Cannot transition status via :run from :running (Reason(s): …)".
func sameState(err error, state string) bool {
	var er *gl.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusBadRequest {
		return false
	}
	_, rest, ok := strings.Cut(message(er), "Cannot transition status via :")
	if !ok {
		return false
	}
	_, rest, ok = strings.Cut(rest, " from :")
	if !ok {
		return false
	}
	from, _, _ := strings.Cut(rest, " ")
	return from == state
}

// cut shortens s to n runes, with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
