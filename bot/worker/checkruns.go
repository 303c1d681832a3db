package worker

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot"
)

// supersedeQueued concludes the check run of the previous head of pr:
// the queue cancels its evaluation, and one that never started would
// otherwise stay queued.
func (b *Worker) supersedeQueued(ctx context.Context, f Forge, repo bot.Repo, pr bot.PullRequest, log *slog.Logger) error {
	prev, ok, err := b.cfg.Store.LatestHead(ctx, repo, pr.Number)
	if err != nil || !ok || prev == pr.HeadSHA {
		return err
	}
	runs, err := b.cfg.Store.CheckRuns(ctx, repo, prev)
	if err != nil {
		return err
	}
	for _, r := range runs {
		if r.Name != bot.CheckName || r.Completed || r.RunID == 0 || r.PR != pr.Number {
			continue
		}
		out := bot.CheckOutput{Title: "Superseded by " + shortSHA(pr.HeadSHA),
			Summary: "A newer commit (" + pr.HeadSHA + ") was pushed to this pull request; mpgate checks that one instead."}
		if err := b.conclude(ctx, f, r.Ref(), bot.ConclusionNeutral, out); err != nil {
			log.Warn("could not conclude the superseded check run", "sha", prev, "err", err)
		}
	}
	return nil
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// deliveryEvaluated reports whether the check run on pr's head was created
// by this very delivery and is concluded: its evaluation ran (a retried
// event job must not show a second run beside it).
func (b *Worker) deliveryEvaluated(ctx context.Context, ev bot.Event, pr bot.PullRequest) (bool, error) {
	if ev.DeliveryID == "" {
		return false, nil
	}
	runs, err := b.cfg.Store.CheckRuns(ctx, ev.Repo, pr.HeadSHA)
	if err != nil {
		return false, err
	}
	for _, r := range runs {
		if r.Name == bot.CheckName && r.Completed && r.Delivery == ev.DeliveryID {
			return true, nil
		}
	}
	return false, nil
}

// queuedRun returns the check run in flight on the head (a retried
// delivery) or creates a queued one, recorded with the delivery that
// created it.
func (b *Worker) queuedRun(ctx context.Context, f Forge, repo bot.Repo, pr bot.PullRequest, delivery string) (bot.CheckRef, error) {
	runs, err := b.cfg.Store.CheckRuns(ctx, repo, pr.HeadSHA)
	if err != nil {
		return bot.CheckRef{}, err
	}
	for _, r := range runs {
		if r.Name == bot.CheckName && !r.Completed && r.RunID != 0 {
			return r.Ref(), nil
		}
	}
	ref, err := f.CreateCheck(ctx, bot.CheckRef{Repo: repo, SHA: pr.HeadSHA, Name: bot.CheckName, PR: pr.Number}, "queued", "")
	if err != nil {
		return bot.CheckRef{}, fmt.Errorf("creating the check run: %w", err)
	}
	rec := recordOf(ref)
	rec.Delivery = delivery
	if err := b.cfg.Store.PutCheckRun(ctx, rec); err != nil {
		return bot.CheckRef{}, err
	}
	return ref, nil
}

// conclude completes check ref (ID 0: creates it completed) and records it.
func (b *Worker) conclude(ctx context.Context, f Forge, ref bot.CheckRef, conclusion string, out bot.CheckOutput) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	if ref.ID == 0 {
		var err error
		if ref, err = f.CreateCheck(ctx, ref, "in_progress", ""); err != nil {
			return fmt.Errorf("creating the %q check: %w", ref.Name, err)
		}
		if err := b.cfg.Store.PutCheckRun(ctx, recordOf(ref)); err != nil {
			return err
		}
	}
	if err := f.CompleteCheck(ctx, ref, conclusion, out); err != nil {
		return fmt.Errorf("completing the %q check: %w", ref.Name, err)
	}
	return b.cfg.Store.CompleteCheckRun(ctx, ref.Repo, ref.SHA, ref.Name)
}

// recordOf is the store's record of check ref (in flight).
func recordOf(ref bot.CheckRef) bot.CheckRecord {
	return bot.CheckRecord{Repo: ref.Repo, SHA: ref.SHA, Name: ref.Name, RunID: ref.ID, PR: ref.PR}
}

// Recover concludes the check runs a crash left in progress for longer than
// olderThan (longer than a job may run, so no job is still working on
// them): neutral, "interrupted", with the advice to re-run. It returns how
// many it concluded; failures are logged and skipped.
func (b *Worker) Recover(ctx context.Context, olderThan time.Duration) (int, error) {
	pending, err := b.cfg.Store.PendingChecks(ctx, olderThan)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range pending {
		log := b.log.With("repo", c.Repo.FullName(), "head", c.SHA, "check_run", c.RunID)
		id, ok, err := b.cfg.Store.Installation(ctx, c.Repo)
		if err != nil || !ok {
			log.Warn("no installation known for a check run left in progress", "err", err)
			continue
		}
		f, err := b.cfg.Installations.Forge(ctx, c.Repo.Forge, id)
		if err != nil {
			log.Warn("installation unavailable", "err", err)
			continue
		}
		out := bot.CheckOutput{Title: "Interrupted", Summary: "mpgate was interrupted while checking this commit. " +
			strings.TrimSpace("Press \"Re-run\" or comment `/rebuild` to check it again.")}
		if err := b.conclude(ctx, f, c.Ref(), bot.ConclusionNeutral, out); err != nil {
			log.Warn("could not conclude an interrupted check run", "err", err)
			continue
		}
		n++
	}
	return n, nil
}
