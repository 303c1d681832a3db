package worker

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/mpgate/mpgate/bot"
)

// handleClosed stops the work on a closed pull request: the queue forgets
// it (a pending evaluation is cancelled, a running one stops), its check
// runs still in flight conclude neutral "Closed", and the worktrees of its
// heads are removed.
func (b *Worker) handleClosed(ctx context.Context, f Forge, ev bot.Event, log *slog.Logger) error {
	if ev.PullRequest == nil {
		return nil
	}
	pr := *ev.PullRequest
	log = log.With("pr", pr.Number, "merged", pr.Merged)
	heads := []string{}
	if pr.HeadSHA != "" {
		heads = append(heads, pr.HeadSHA)
	}
	sha, known, err := b.cfg.Store.LatestHead(ctx, ev.Repo, pr.Number)
	if err != nil {
		return fmt.Errorf("latest head of %s#%d: %w", ev.Repo.FullName(), pr.Number, err)
	}
	if known && sha != pr.HeadSHA {
		heads = append(heads, sha)
	}
	if err := b.cfg.Queue.ForgetEvaluation(ctx, ev.Repo, pr.Number); err != nil {
		return fmt.Errorf("forgetting the evaluations of %s#%d: %w", ev.Repo.FullName(), pr.Number, err)
	}
	for _, sha := range heads {
		runs, err := b.cfg.Store.CheckRuns(ctx, ev.Repo, sha)
		if err != nil {
			return err
		}
		for _, r := range runs {
			if r.Name != bot.CheckName || r.Completed || r.RunID == 0 || r.PR != pr.Number {
				continue
			}
			if err := b.conclude(ctx, f, r.Ref(), bot.ConclusionNeutral, closedOutput()); err != nil {
				log.Warn("could not conclude the check run of a closed pull request", "sha", sha, "err", err)
			}
		}
	}
	b.removeWorktrees(ctx, ev, heads, log)
	log.Info("pull request closed: evaluations forgotten", "heads", len(heads))
	return nil
}

// removeWorktrees removes the worktrees left of heads (a cancelled
// evaluation removes its own; this sweeps what a crash or a race left) and
// prunes their records in the mirror.
func (b *Worker) removeWorktrees(ctx context.Context, ev bot.Event, heads []string, log *slog.Logger) {
	_, err := b.layout.Sweep(ctx, func(name string) bool {
		return slices.ContainsFunc(heads, func(sha string) bool { return strings.HasPrefix(name, shortSHA(sha)+"-") })
	})
	if err != nil {
		log.Warn("could not sweep the worktrees of a closed request", "err", err)
	}
}
