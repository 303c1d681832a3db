package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/mpgate/mpgate/bot"
	"log/slog"
	"time"

	"github.com/mpgate/mpgate/checks/compare"
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

// EvaluationForgetter is optionally implemented by the EvaluationQueue: it
// cancels the pending or running evaluation of a pull request and forgets
// its latest head (the request was closed). queue.Queue.Forget does it.
type EvaluationForgetter interface {
	ForgetEvaluation(ctx context.Context, repo bot.Repo, number int) error
}

// forgotten says whether the queue no longer knows a head for the pull
// request: it was closed (an evaluation cancelled for a newer head still
// has one).
func (b *Worker) forgotten(ctx context.Context, repo bot.Repo, number int) bool {
	hs, ok := b.cfg.Store.(HeadStore)
	if !ok {
		return false
	}
	// ctx is the cancelled evaluation's.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	_, known, err := hs.LatestHead(ctx, repo, number)
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

// storeBases stores the base report of every project under its merge-base
// (a trusted request's evaluation built it): /recheck, and any request
// based on the same commit, then build nothing at the base.
func (b *Worker) storeBases(ctx context.Context, repo bot.Repo, res *compare.Result, log *slog.Logger) {
	for _, p := range res.Projects {
		if p.Base == nil || p.BaseError != "" || p.BaseRev == "" {
			continue
		}
		data, err := json.Marshal(p.Base)
		if err == nil {
			err = b.cfg.Store.PutReport(ctx, repo, p.BaseRev, p.Project, data)
		}
		if err != nil {
			log.Warn("could not store the base report", "project", p.Project, "err", err)
		}
	}
}
