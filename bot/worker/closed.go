package worker

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/workspace"
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
	root := filepath.Join(b.cfg.DataDir, "worktrees")
	entries, err := os.ReadDir(root)
	if err != nil {
		return // none made yet
	}
	removed := 0
	for _, e := range entries {
		for _, sha := range heads {
			if e.IsDir() && strings.HasPrefix(e.Name(), shortSHA(sha)+"-") {
				if err := os.RemoveAll(filepath.Join(root, e.Name())); err != nil {
					log.Warn("could not remove a worktree", "dir", e.Name(), "err", err)
					continue
				}
				removed++
			}
		}
	}
	if removed == 0 {
		return
	}
	// The mirror's name comes from the normalised clone URL: prune every
	// mirror (only records whose directories are gone are dropped).
	mirrors, _ := os.ReadDir(filepath.Join(b.cfg.DataDir, "mirrors"))
	for _, m := range mirrors {
		dir := filepath.Join(b.cfg.DataDir, "mirrors", m.Name())
		if _, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil {
			continue
		}
		if err := workspace.PruneWorktrees(ctx, dir); err != nil {
			log.Warn("could not prune the worktrees' records", "mirror", m.Name(), "err", err)
		}
	}
}
