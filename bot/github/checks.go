package github

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	gh "github.com/google/go-github/v60/github"

	"github.com/mpgate/mpgate/bot"
)

// GitHub's check-run limits.
const (
	MaxOutputChars        = 65535 // title, summary and text, each
	MaxAnnotationsPerCall = 50
	MaxActions            = 3
	maxActionLabel        = 20
	maxActionDescription  = 40
	maxActionIdentifier   = 20
	maxAnnotationTitle    = 255
	maxAnnotationMessage  = 64 * 1024
)

// ErrInvalid marks arguments GitHub would reject (found before sending).
var ErrInvalid = errors.New("github: invalid argument")

// createAttempts bounds CreateCheckRun's own retries of a POST whose
// outcome is unknown (a 5xx or a lost answer).
const createAttempts = 3

// CreateCheckRun creates a check run on headSHA with status "queued" or
// "in_progress" and returns its id.
//
// It is idempotent: a check run of that name on that head which is not
// completed yet (one a crashed or retried job created, or one GitHub
// created before answering 502) is returned instead of creating another,
// so that no run stays queued for ever beside the one the bot concludes.
// The POST is never repeated blindly: after a 5xx or a lost answer the
// head's check runs are listed again before the next try.
func (c *Client) CreateCheckRun(ctx context.Context, repo bot.Repo, headSHA, name, status, detailsURL string) (int64, error) {
	if status != "queued" && status != "in_progress" {
		return 0, fmt.Errorf("github: create check run %q: status %q: %w", name, status, ErrInvalid)
	}
	if headSHA == "" || name == "" {
		return 0, fmt.Errorf("github: create check run: name and head SHA are required: %w", ErrInvalid)
	}
	if id, ok, err := c.openCheckRun(ctx, repo, headSHA, name); err != nil {
		return 0, err
	} else if ok {
		return id, nil
	}
	opts := gh.CreateCheckRunOptions{Name: name, HeadSHA: headSHA, Status: gh.String(status)}
	if detailsURL != "" {
		opts.DetailsURL = gh.String(detailsURL)
	}
	if status == "in_progress" {
		opts.StartedAt = &gh.Timestamp{Time: time.Now().UTC().Truncate(time.Second)}
	}
	for attempt := 1; ; attempt++ {
		run, _, err := c.gh.Checks.CreateCheckRun(withoutStatusRetry(ctx), repo.Owner, repo.Name, opts)
		if err == nil {
			return run.GetID(), nil
		}
		if !outcomeUnknown(err) || attempt >= createAttempts || ctx.Err() != nil {
			return 0, wrap(err, "create check run %q on %s@%s", name, repo.FullName(), headSHA)
		}
		select {
		case <-ctx.Done():
			return 0, wrap(err, "create check run %q on %s@%s", name, repo.FullName(), headSHA)
		case <-time.After(time.Duration(attempt) * 250 * time.Millisecond):
		}
		if id, ok, ferr := c.openCheckRun(ctx, repo, headSHA, name); ferr != nil {
			return 0, errors.Join(wrap(err, "create check run %q on %s@%s", name, repo.FullName(), headSHA), ferr)
		} else if ok {
			return id, nil
		}
	}
}

// openCheckRun finds the newest check run called name on headSHA that is
// not completed (GET /repos/{owner}/{repo}/commits/{ref}/check-runs with
// check_name and filter=all).
func (c *Client) openCheckRun(ctx context.Context, repo bot.Repo, headSHA, name string) (int64, bool, error) {
	opts := &gh.ListCheckRunsOptions{CheckName: gh.String(name), Filter: gh.String("all"), ListOptions: gh.ListOptions{PerPage: 100}}
	var best int64
	for {
		res, resp, err := c.gh.Checks.ListCheckRunsForRef(ctx, repo.Owner, repo.Name, headSHA, opts)
		if err != nil {
			return 0, false, wrap(err, "list check runs %q on %s@%s", name, repo.FullName(), headSHA)
		}
		for _, r := range res.CheckRuns {
			if r.GetName() == name && r.GetHeadSHA() == headSHA && r.GetStatus() != "completed" && r.GetID() > best {
				best = r.GetID()
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return best, best != 0, nil
}

// outcomeUnknown says whether a write may have taken effect although it
// failed: a 5xx answer, or no answer at all.
func outcomeUnknown(err error) bool {
	var er *gh.ErrorResponse
	if errors.As(err, &er) {
		return er.Response != nil && retryableStatus(er.Response.StatusCode)
	}
	var rl *RateLimitError
	if errors.As(err, &rl) || errors.Is(err, ErrForbidden) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return true // a network error: the request may have arrived
}

// StartCheckRun moves a queued check run to in_progress (when a queued
// job is picked up).
func (c *Client) StartCheckRun(ctx context.Context, repo bot.Repo, id int64) error {
	p := &checkRunPatch{Status: "in_progress", StartedAt: time.Now().UTC().Format(time.RFC3339)}
	req, err := c.gh.NewRequest("PATCH", fmt.Sprintf("repos/%s/%s/check-runs/%d", repo.Owner, repo.Name, id), p)
	if err != nil {
		return fmt.Errorf("github: start check run %d: build request: %w", id, err)
	}
	if _, err := c.gh.Do(ctx, req, nil); err != nil {
		return wrap(err, "start check run %d on %s", id, repo.FullName())
	}
	return nil
}

// checkRunPatch is the update body; unlike go-github's it omits the name
// (which GitHub keeps) and carries exactly what is set.
type checkRunPatch struct {
	Status      string               `json:"status,omitempty"`
	StartedAt   string               `json:"started_at,omitempty"`
	Conclusion  string               `json:"conclusion,omitempty"`
	CompletedAt string               `json:"completed_at,omitempty"`
	Output      *checkRunOutput      `json:"output,omitempty"`
	Actions     []*gh.CheckRunAction `json:"actions,omitempty"`
}

type checkRunOutput struct {
	Title       string                   `json:"title"`
	Summary     string                   `json:"summary"`
	Text        string                   `json:"text,omitempty"`
	Annotations []*gh.CheckRunAnnotation `json:"annotations,omitempty"`
}

var conclusions = map[string]bool{
	bot.ConclusionSuccess: true, bot.ConclusionFailure: true, bot.ConclusionNeutral: true,
	bot.ConclusionActionRequired: true, bot.ConclusionCancelled: true, bot.ConclusionTimedOut: true, "skipped": true,
}

// CompleteCheckRun completes a check run with conclusion and output. Title,
// summary and text are each cut to 65,535 characters on a line boundary,
// with a note. Annotations go in batches of at most 50: every batch but the
// last in its own PATCH (GitHub appends annotations across updates), the
// last with the completing PATCH, so the run turns completed only once all
// of them are there. Annotations without a path are dropped (they belong in
// the summary).
func (c *Client) CompleteCheckRun(ctx context.Context, repo bot.Repo, id int64, conclusion string, out bot.CheckOutput) error {
	if !conclusions[conclusion] {
		return fmt.Errorf("github: complete check run %d: conclusion %q: %w", id, conclusion, ErrInvalid)
	}
	actions, err := checkActions(out.Actions)
	if err != nil {
		return fmt.Errorf("github: complete check run %d: %w", id, err)
	}
	title := truncateLines(out.Title, MaxOutputChars, "…")
	if strings.TrimSpace(title) == "" {
		title = "mpgate"
	}
	summary := truncateLines(out.Summary, MaxOutputChars, "\n\n_(summary truncated to GitHub's limit)_")
	text := truncateLines(out.Text, MaxOutputChars, "\n\n_(details truncated to GitHub's limit)_")

	anns := annotations(out.Annotations)
	batches := [][]*gh.CheckRunAnnotation{nil}
	if len(anns) > 0 {
		batches = batches[:0]
		for len(anns) > 0 {
			n := min(len(anns), MaxAnnotationsPerCall)
			batches = append(batches, anns[:n])
			anns = anns[n:]
		}
	}
	u := fmt.Sprintf("repos/%s/%s/check-runs/%d", repo.Owner, repo.Name, id)
	for i, batch := range batches {
		p := &checkRunPatch{Output: &checkRunOutput{Title: title, Summary: summary, Annotations: batch}}
		if i == len(batches)-1 {
			p.Conclusion = conclusion
			p.CompletedAt = time.Now().UTC().Format(time.RFC3339)
			p.Output.Text = text
			p.Actions = actions
		}
		req, err := c.gh.NewRequest("PATCH", u, p)
		if err != nil {
			return fmt.Errorf("github: complete check run %d: build request: %w", id, err)
		}
		if _, err := c.gh.Do(ctx, req, nil); err != nil {
			return wrap(err, "complete check run %d on %s (update %d of %d)", id, repo.FullName(), i+1, len(batches))
		}
	}
	return nil
}

func checkActions(in []bot.CheckAction) ([]*gh.CheckRunAction, error) {
	if len(in) > MaxActions {
		return nil, fmt.Errorf("%d actions, at most %d: %w", len(in), MaxActions, ErrInvalid)
	}
	var out []*gh.CheckRunAction
	for _, a := range in {
		switch {
		case a.Label == "" || utf8.RuneCountInString(a.Label) > maxActionLabel:
			return nil, fmt.Errorf("action label %q: 1 to %d characters: %w", a.Label, maxActionLabel, ErrInvalid)
		case a.Description == "" || utf8.RuneCountInString(a.Description) > maxActionDescription:
			return nil, fmt.Errorf("action %q description: 1 to %d characters: %w", a.Label, maxActionDescription, ErrInvalid)
		case a.Identifier == "" || utf8.RuneCountInString(a.Identifier) > maxActionIdentifier:
			return nil, fmt.Errorf("action %q identifier: 1 to %d characters: %w", a.Label, maxActionIdentifier, ErrInvalid)
		}
		out = append(out, &gh.CheckRunAction{Label: a.Label, Description: a.Description, Identifier: a.Identifier})
	}
	return out, nil
}

// annotations converts and sanitises: lines from 1, end ≥ start, columns
// only on one line, a known level, title and message within limits.
func annotations(in []bot.Annotation) []*gh.CheckRunAnnotation {
	var out []*gh.CheckRunAnnotation
	for _, a := range in {
		if a.Path == "" {
			continue
		}
		start := max(a.StartLine, 1)
		end := max(a.EndLine, start)
		level := a.Level
		if level != bot.LevelNotice && level != bot.LevelWarning && level != bot.LevelFailure {
			level = bot.LevelWarning
		}
		msg := a.Message
		if strings.TrimSpace(msg) == "" {
			msg = a.Title
		}
		if strings.TrimSpace(msg) == "" {
			msg = "(no message)"
		}
		ga := &gh.CheckRunAnnotation{
			Path: gh.String(a.Path), StartLine: gh.Int(start), EndLine: gh.Int(end),
			AnnotationLevel: gh.String(level), Message: gh.String(truncateBytes(msg, maxAnnotationMessage)),
		}
		if a.Title != "" {
			ga.Title = gh.String(truncateRunes(a.Title, maxAnnotationTitle))
		}
		if start == end && a.StartCol > 0 {
			ga.StartColumn = gh.Int(a.StartCol)
			ga.EndColumn = gh.Int(max(a.EndCol, a.StartCol))
		}
		out = append(out, ga)
	}
	return out
}

// truncateLines cuts s to at most limit characters (runes), at the last line
// break that leaves room for note, and appends note. A single line longer
// than the limit is cut mid-line.
func truncateLines(s string, limit int, note string) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	room := limit - utf8.RuneCountInString(note)
	if room <= 0 {
		return truncateRunes(note, limit)
	}
	cut := truncateRunes(s, room)
	if s[len(cut)] == '\n' { // the cut falls at a line's end
		return cut + note
	}
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i]
	}
	return cut + note
}

// truncateRunes keeps the first n runes of s.
func truncateRunes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// truncateBytes keeps at most n bytes of s without splitting a rune.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
