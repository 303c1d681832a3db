package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/mpgate/mpgate/bot"
)

// evalOptions tune a requested evaluation.
type evalOptions struct {
	// recheck evaluates with the head's stored reports: no build of the
	// projects that have one.
	recheck bool
	// rebuild builds the base as well, stored report or not.
	rebuild bool
	// rebuildOnly limits the rebuild to these projects (/rebuild -p): the
	// others are checked on their stored reports.
	rebuildOnly []string
}

// forgotten says whether the queue no longer knows a head for the pull
// request: it was closed (an evaluation cancelled for a newer head still
// has one).
func (b *Worker) forgotten(ctx context.Context, repo bot.Repo, number int) bool {
	// ctx is the cancelled evaluation's.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	_, known, err := b.cfg.Store.LatestHead(ctx, repo, number)
	return err == nil && !known
}

func closedOutput() bot.CheckOutput {
	return bot.CheckOutput{Title: "Closed", Summary: "This pull request was closed before mpgate finished checking it; reopen it to check it again."}
}

// recheckOptions decides how /recheck evaluates the head of pr: with the
// head's stored reports when every project has one (nothing is built), else
// by a rebuild. note is what the reply says about a fallback ("" when the
// stored reports are used).
func (b *Worker) recheckOptions(ctx context.Context, f Forge, repo bot.Repo, pr bot.PullRequest, log *slog.Logger) (evalOptions, string, error) {
	cfg, err := b.loadConfig(ctx, f, repo)
	if isConfigError(err) {
		return evalOptions{}, "", nil // the evaluation reports the invalid config
	}
	if err != nil {
		return evalOptions{}, "", err
	}
	stored, err := b.storedReports(ctx, repo, pr.HeadSHA, cfg)
	if err != nil {
		return evalOptions{}, "", fmt.Errorf("stored reports of %s: %w", shortSHA(pr.HeadSHA), err)
	}
	var missing []string
	for _, p := range cfg.Projects {
		if stored[p.Name] == nil {
			missing = append(missing, p.Name)
		}
	}
	switch {
	case len(stored) == 0:
		log.Info("no stored head reports: /recheck rebuilds")
		return evalOptions{}, "there are no stored reports of " + shortSHA(pr.HeadSHA) + " yet, so `/recheck` builds and checks it from scratch (as `/rebuild` does).", nil
	case len(missing) > 0:
		log.Info("some head reports are not stored: /recheck builds those", "missing", missing)
		return evalOptions{recheck: true}, fmt.Sprintf("%d of %d projects have no stored report of %s; those are built again, the others are checked on their stored reports.",
			len(missing), len(cfg.Projects), shortSHA(pr.HeadSHA)), nil
	}
	return evalOptions{recheck: true}, "", nil
}
