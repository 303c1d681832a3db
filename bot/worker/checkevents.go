package worker

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/mpgate/mpgate/bot"
)

// handleRerun evaluates again the pull requests of a re-requested check
// run or suite.
func (b *Worker) handleRerun(ctx context.Context, f Forge, ev bot.Event, log *slog.Logger) error {
	if ev.Check == nil {
		return nil
	}
	for _, n := range b.checkPRs(ctx, ev) {
		p, err := f.PullRequestEvent(ctx, ev.Repo, n)
		if err != nil {
			return err
		}
		if err := b.requestEvaluation(ctx, f, ev, p, log); err != nil {
			return err
		}
	}
	return nil
}

// checkPRs are the pull requests of a check event: the payload's, else the
// one the bot recorded the check run for (GitHub leaves forks' out).
func (b *Worker) checkPRs(ctx context.Context, ev bot.Event) []int {
	if len(ev.Check.PRNumbers) > 0 {
		return ev.Check.PRNumbers
	}
	runs, err := b.cfg.Store.CheckRuns(ctx, ev.Repo, ev.Check.HeadSHA)
	if err != nil {
		return nil
	}
	for _, r := range runs {
		if r.Name == bot.CheckName && r.PR > 0 {
			return []int{r.PR}
		}
	}
	return nil
}

// handleRequestedAction handles the check run's buttons: "Approve size" is
// /approve-size by whoever pressed it, when they have write access.
func (b *Worker) handleRequestedAction(ctx context.Context, f Forge, ev bot.Event, log *slog.Logger) error {
	if ev.Check == nil || ev.Check.ActionID != bot.ActionApproveSize || ev.Sender == "" || ev.SenderIsBot {
		return nil
	}
	permName, err := f.Permission(ctx, ev.Repo, ev.Sender)
	if err != nil {
		return fmt.Errorf("permission of %s: %w", ev.Sender, err)
	}
	if bot.ParsePermission(permName) < bot.PermissionWrite {
		log.Info("size approval refused", "sender", ev.Sender, "permission", permName)
		return nil
	}
	for _, n := range b.checkPRs(ctx, ev) {
		if err := b.cfg.Store.Approve(ctx, ev.Repo, n, ev.Check.HeadSHA, bot.ApproveSize, ev.Sender, "approved with the check run's button"); err != nil {
			return err
		}
		p, err := f.PullRequestEvent(ctx, ev.Repo, n)
		if err != nil {
			return err
		}
		opts, _, err := b.recheckOptions(ctx, f, ev.Repo, p, log) // the approval only changes the gate
		if err != nil {
			return err
		}
		if err := b.requestEvaluationWith(ctx, f, ev, p, opts, log); err != nil {
			return err
		}
	}
	return nil
}
