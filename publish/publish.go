// Package publish is mpgate's one reporting path: it turns a comparison
// result (checks/compare) into a check on a commit and a sticky comment on
// its request, through a Target that a forge adapter provides.
//
// What differs between the places a result is published from is an
// explicit Options field, not a separate code path: the comment's size
// limit and escaping (GitLab notes), a check shown by its title alone
// (GitLab commit statuses), whether a token that may not write is an error
// (report post) or a fallback (a fork's pull request). The outputs only a
// CI job has (GitHub Actions' job summary, workflow commands and step
// outputs; GitLab CI's Code Quality report) live in the adapter
// subpackages publish/actions and publish/gitlabci, which also read their
// CI environment; DetectCI tells which one a process runs in.
//
// The server's evaluation (worker.Worker.HandleEvaluation in bot/worker)
// publishes through it too: its Target is the worker's forge ports plus the
// store (CompleteCheck concludes the check run and records it), and what
// it does differently is in its Options: the changelog gate is split into
// its own check, "mpgate / changelog" (SplitChangelog; CI keeps it in the
// main one), a failed size gate offers an "Approve size" button
// (ApproveSizeAction), the comment ends with a link to the repository's
// page (Footer), and notes are capped at 65,536 bytes on both forges
// (MaxCommentBytes; GitLab CI allows 900,000) and not escaped here (the
// server's GitLab adapter escapes them itself, so EscapeComment stays
// unset). The server retries a failed evaluation before concluding it: it
// calls Abort only when no attempt follows, and AbortAdvice tells the
// reader how to try again; CI aborts at once.
package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/render"
)

// CheckName is the check's name (a GitHub check run, a GitLab commit
// status).
const CheckName = bot.CheckName

// ChangelogCheckName is the changelog gate's own check (SplitChangelog).
const ChangelogCheckName = bot.ChangelogCheckName

// CheckNameFor is the check's name when the projects of a monorepo are
// published apart: one check per project.
func CheckNameFor(project string) string {
	if project == "" {
		return CheckName
	}
	return CheckName + " (" + project + ")"
}

// Sentinels a Target's errors match.
var (
	// ErrForbidden (the forge port's bot.ErrForbidden, which both forge
	// adapters wrap): the token may not write checks or comments (a fork's
	// read-only GITHUB_TOKEN, a GitLab CI job token).
	ErrForbidden = bot.ErrForbidden
	// ErrUnauthorized: the forge does not know the token (revoked,
	// expired); nothing further is tried with it.
	ErrUnauthorized = errors.New("publish: the forge refused the token")
)

// Target is where a result is published: one commit's check and the
// sticky comments of one request. Forge adapters implement it; errors
// wrap ErrForbidden or ErrUnauthorized where those apply.
type Target interface {
	// StartCheck shows the check as running (creating it if needed).
	StartCheck(ctx context.Context, name, detailsURL string) error
	// CompleteCheck gives the check its conclusion and output, creating
	// it first when StartCheck did not.
	CompleteCheck(ctx context.Context, name, detailsURL, conclusion string, out bot.CheckOutput) error
	// CheckURL links to the check CompleteCheck wrote ("" when the forge
	// has no page of its own for it).
	CheckURL() string
	// UpsertComment keeps the one comment of key on request pr.
	UpsertComment(ctx context.Context, pr int, key, body string) error
	// UpdateComment updates that comment when there is one and creates
	// none (comment.require_changes on a request without changes).
	UpdateComment(ctx context.Context, pr int, key, body string) error
}

// Options are what differs between the places a result is published from.
type Options struct {
	// Project names the check (CheckNameFor) and keys the sticky comment
	// when a monorepo's projects are published apart.
	Project string
	// PR is the request commented on; 0 for none (a push).
	PR int
	// Comment: keep the sticky comment (MPGATE_COMMENT=false turns it off).
	Comment bool
	// DetailsURL is the check's details link (the CI job) and the
	// comment's link while no check is written.
	DetailsURL string
	// ReportURL is where the HTML report can be opened (check --html): the
	// comment links it. "" = no link.
	ReportURL string
	// ChecksURL is the comment's link once the check is written (GitHub:
	// the pull request's checks, the same from run to run, so a re-run
	// with the same result leaves the comment alone); "" is the check's
	// own URL, else DetailsURL.
	ChecksURL string
	// MaxCommentBytes folds the comment to fit the forge's limit.
	MaxCommentBytes int
	// EscapeComment, when set, escapes the rendered comment for the
	// forge's Markdown (GitLab's references).
	EscapeComment func(string) string
	// TitleOnly: the check shows its title alone (a GitLab commit status's
	// description), so Abort puts the error into the title.
	TitleOnly bool
	// FailOnForbidden: a token that may not write is an error (report
	// post needs a privileged token), not a fallback to the CI's own
	// outputs.
	FailOnForbidden bool
	// ForbiddenHint is added to that error: how to give the token the
	// permissions.
	ForbiddenHint string
	// ApproveSizeAction: a check that a size gate failed offers an
	// "Approve size" button (the server's; a maintainer's click approves,
	// as /approve-size does).
	ApproveSizeAction bool
	// SplitChangelog: the changelog gate (GATE-CHANGELOG) is its own check,
	// ChangelogCheckName, whose summary names the server's /changelog
	// command; the main check and comment are judged without it (the
	// server's). CI keeps the gate in the main check.
	SplitChangelog bool
	// Footer is Markdown added under the comment, outside
	// MaxCommentBytes (the server's link to the repository's page); "" =
	// none.
	Footer string
	// AbortAdvice, when set, is the last paragraph of the summary Abort
	// writes, given the error ("" = none): the server advises /rebuild
	// after its last attempt, not after an error a retry cannot fix.
	AbortAdvice func(runErr error) string
	// MinChange and RequireChanges are .mpgate.yml's comment section: a
	// package that changed by at most MinChange bytes counts as unchanged;
	// with RequireChanges a request without changes gets no new comment
	// (one already there is still updated, lest it show an earlier push's
	// figures).
	MinChange      int64
	RequireChanges bool
}

// Outcome is what Publish did, for the CI adapters' own outputs.
type Outcome struct {
	// Conclusion and Title are the check's.
	Conclusion, Title string
	// CheckWritten: the check got its conclusion.
	CheckWritten bool
	// CheckURL links to the written check ("" when none).
	CheckURL string
	// Forbidden: the token may not write; the CI's own outputs carry the
	// result.
	Forbidden bool
	// Comment is the sticky comment's body (rendered whether posted or not).
	Comment string
	// Annotations are the result's findings at their places.
	Annotations []render.Annotation
}

// Publisher publishes one result on one Target: Start when the work
// begins, then Publish, or Abort when the result never comes.
type Publisher struct {
	target    Target
	opt       Options
	started   bool
	forbidden bool
}

// New returns a Publisher of t.
func New(t Target, opt Options) *Publisher { return &Publisher{target: t, opt: opt} }

// CheckName is the name of the check it writes.
func (p *Publisher) CheckName() string { return CheckNameFor(p.opt.Project) }

// SetCommentPolicy sets Options.MinChange and RequireChanges once they
// are known: the server reads .mpgate.yml after it started the check.
func (p *Publisher) SetCommentPolicy(minChange int64, requireChanges bool) {
	p.opt.MinChange, p.opt.RequireChanges = minChange, requireChanges
}

// Start shows the check running. A token that may not write is
// remembered (nothing more is tried with it) and is no error; another
// error is returned, and the check is created again by Publish.
func (p *Publisher) Start(ctx context.Context) error {
	err := p.target.StartCheck(ctx, p.CheckName(), p.opt.DetailsURL)
	switch {
	case errors.Is(err, ErrForbidden):
		p.forbidden = true
		return nil
	case err != nil:
		return err
	}
	p.started = true
	return nil
}

// Abort concludes a started check when the result never comes (the gate
// could not run, was interrupted, or ran out of time: the context's
// deadline), so that it does not stay running.
// It works on after ctx is cancelled, for a minute at most.
func (p *Publisher) Abort(ctx context.Context, runErr error) error {
	if !p.started {
		return nil
	}
	conclusion, title := bot.ConclusionFailure, "mpgate could not run"
	switch {
	case errors.Is(context.Cause(ctx), context.DeadlineExceeded):
		conclusion, title = bot.ConclusionTimedOut, "mpgate ran out of time"
	case ctx.Err() != nil:
		conclusion, title = bot.ConclusionCancelled, "mpgate was interrupted"
	case p.opt.TitleOnly:
		title = oneLine(title + ": " + runErr.Error())
	}
	out := bot.CheckOutput{Title: title, Summary: CodeBlock(runErr.Error())}
	if p.opt.AbortAdvice != nil {
		if a := p.opt.AbortAdvice(runErr); a != "" {
			out.Summary += "\n\n" + a
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	return p.target.CompleteCheck(ctx, p.CheckName(), p.opt.DetailsURL, conclusion, out)
}

// Publish writes the check and the sticky comment of res. A token that
// may not write ends the writing and sets Outcome.Forbidden (an error
// only with FailOnForbidden); a token the forge refuses skips the comment.
// Other errors are joined and returned with the outcome.
func (p *Publisher) Publish(ctx context.Context, res *compare.Result) (Outcome, error) {
	var changelog *checks.Gate
	if p.opt.SplitChangelog {
		res, changelog = splitChangelog(res)
	}
	cr := render.ResultCheckRun(res, render.ResultOptions{DetailsURL: p.opt.DetailsURL})
	o := Outcome{Conclusion: cr.Conclusion, Title: cr.Title, Annotations: cr.Annotations}
	var errs []error
	if !p.forbidden {
		out := CheckOutput(cr, nil)
		if p.opt.ApproveSizeAction && cr.Conclusion == bot.ConclusionFailure && sizeGateFailed(res) {
			out.Actions = []bot.CheckAction{approveSize}
		}
		err := p.target.CompleteCheck(ctx, p.CheckName(), p.opt.DetailsURL, cr.Conclusion, out)
		switch {
		case errors.Is(err, ErrForbidden):
			p.forbidden = true
		case err != nil:
			errs = append(errs, err)
		default:
			o.CheckWritten = true
			o.CheckURL = p.target.CheckURL()
		}
	}
	if changelog != nil && !p.forbidden {
		conclusion, out := changelogCheck(*changelog)
		if err := p.target.CompleteCheck(ctx, ChangelogCheckName, p.opt.DetailsURL, conclusion, out); errors.Is(err, ErrForbidden) {
			p.forbidden = true
		} else if err != nil {
			errs = append(errs, err)
		}
	}
	link := p.opt.DetailsURL
	if o.CheckWritten {
		link = cmpOr(p.opt.ChecksURL, o.CheckURL, p.opt.DetailsURL)
	}
	var body bytes.Buffer
	if err := render.ResultMarkdown(&body, res, render.ResultOptions{Marker: bot.StickyMarker(p.opt.Project), MaxBytes: p.opt.MaxCommentBytes, DetailsURL: link, MinChange: p.opt.MinChange, ReportURL: p.opt.ReportURL}); err != nil {
		return o, errors.Join(append(errs, fmt.Errorf("rendering the comment: %w", err))...)
	}
	if p.opt.Footer != "" {
		body.WriteString("\n" + p.opt.Footer + "\n")
	}
	o.Comment = body.String()
	if p.opt.EscapeComment != nil {
		o.Comment = p.opt.EscapeComment(o.Comment)
	}
	refused := errors.Is(errors.Join(errs...), ErrUnauthorized)
	if p.opt.PR > 0 && p.opt.Comment && !p.forbidden && !refused {
		write := p.target.UpsertComment
		if p.opt.RequireChanges && !render.ResultHasChanges(res, p.opt.MinChange) {
			write = p.target.UpdateComment
		}
		err := write(ctx, p.opt.PR, p.opt.Project, o.Comment)
		switch {
		case errors.Is(err, ErrForbidden):
			p.forbidden = true
		case err != nil:
			errs = append(errs, err)
		}
	}
	o.Forbidden = p.forbidden
	if p.forbidden && p.opt.FailOnForbidden {
		errs = append(errs, Mark(errors.New(cmpOr(p.opt.ForbiddenHint, "the token may not write checks or comments")), ErrForbidden))
	}
	return o, errors.Join(errs...)
}

// CheckOutput is the check's output of a rendered result, with buttons.
func CheckOutput(cr render.CheckRunOutput, actions []bot.CheckAction) bot.CheckOutput {
	out := bot.CheckOutput{Title: cr.Title, Summary: cr.Summary, Text: cr.Text, Actions: actions}
	for _, a := range cr.Annotations {
		out.Annotations = append(out.Annotations, bot.Annotation{Path: a.Path, StartLine: a.StartLine, EndLine: a.EndLine,
			StartCol: a.StartCol, EndCol: a.EndCol, Level: a.Level, Title: a.Title, Message: a.Message})
	}
	return out
}

// CodeBlock fences s as a Markdown code block (an error in a check's
// summary).
func CodeBlock(s string) string {
	return "```\n" + strings.ReplaceAll(s, "```", "'''") + "\n```"
}

// oneLine folds whitespace runs (a status description is one line).
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func cmpOr(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
