package worker

import (
	"context"
	"fmt"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/publish"
)

// evalTarget is where an evaluation's result is published
// (publish.Target): the check runs of one head and the sticky comment of
// its request, through the installation's forge ports and the store.
type evalTarget struct {
	b    *Worker
	f    Forge
	repo bot.Repo
	sha  string
	pr   int
	// runID is the main check run queued before the job (0: none; the
	// check is created when it is concluded).
	runID int64
}

func (t *evalTarget) ref(name string) bot.CheckRef {
	ref := bot.CheckRef{Repo: t.repo, SHA: t.sha, Name: name, PR: t.pr}
	if name == bot.CheckName {
		ref.ID = t.runID
	}
	return ref
}

// StartCheck moves the queued check run to in progress; without one it
// does nothing (CompleteCheck creates it).
func (t *evalTarget) StartCheck(ctx context.Context, name, _ string) error {
	ref := t.ref(name)
	if ref.ID == 0 {
		return nil
	}
	if err := t.f.StartCheck(ctx, ref); err != nil {
		return fmt.Errorf("starting the check run: %w", err)
	}
	return t.b.cfg.Store.PutCheckRun(ctx, recordOf(ref))
}

// CompleteCheck concludes the check run and records it (conclude).
func (t *evalTarget) CompleteCheck(ctx context.Context, name, _, conclusion string, out bot.CheckOutput) error {
	return t.b.conclude(ctx, t.f, t.ref(name), conclusion, out)
}

// CheckURL is "": the server's comment links no check.
func (t *evalTarget) CheckURL() string { return "" }

func (t *evalTarget) UpsertComment(ctx context.Context, pr int, key, body string) error {
	if _, _, err := t.f.UpsertStickyComment(ctx, t.repo, pr, key, body, t.b.cfg.BotLogin); err != nil {
		return fmt.Errorf("updating the sticky comment: %w", err)
	}
	return nil
}

func (t *evalTarget) UpdateComment(ctx context.Context, pr int, key, body string) error {
	if _, _, err := t.f.UpdateStickyComment(ctx, t.repo, pr, key, body, t.b.cfg.BotLogin); err != nil {
		return fmt.Errorf("updating the sticky comment: %w", err)
	}
	return nil
}

// serverCommentBytes caps the sticky comment on both forges (GitHub's
// limit; GitLab's notes allow more, the server keeps one size).
const serverCommentBytes = 65536

// publisher publishes the evaluation of job on headSHA with the server's
// options (publish's package doc lists how they differ from CI's); the
// comment policy is set once the configuration is read.
func (b *Worker) publisher(f Forge, job evalJob, headSHA string) *publish.Publisher {
	opt := publish.Options{PR: job.PullRequest.Number, Comment: true, MaxCommentBytes: serverCommentBytes,
		FailOnForbidden: true, ApproveSizeAction: true, SplitChangelog: true,
		AbortAdvice: func(err error) string {
			if cannotRun(err) {
				return "" // a retry fails the same way
			}
			return "Comment `/rebuild` to try again."
		}}
	if b.cfg.PagesLink != nil {
		opt.Footer = "[Size and coverage trends of this repository](" + b.cfg.PagesLink(job.Event.Repo) + ")"
	}
	t := &evalTarget{b: b, f: f, repo: job.Event.Repo, sha: headSHA, pr: job.PullRequest.Number, runID: job.RunID}
	return publish.New(t, opt)
}
