package worker

import (
	"context"
	"fmt"
	"github.com/mpgate/mpgate/bot"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks/config"
)

// reactionAccepted is how the bot acknowledges a command it accepted.
const reactionAccepted = "+1"

// handleComment obeys the commands of a comment on a pull request.
func (b *Worker) handleComment(ctx context.Context, f Forge, ev bot.Event, log *slog.Logger) error {
	c := ev.Comment
	if c == nil || ev.PullRequest == nil || c.AuthorIsBot || ev.SenderIsBot {
		return nil
	}
	cmds := bot.ParseCommands(c.Body)
	if len(cmds) == 0 {
		return nil
	}
	number := ev.PullRequest.Number
	log = log.With("pr", number, "author", c.Author)
	permName, err := f.Permission(ctx, ev.Repo, c.Author)
	if err != nil {
		return fmt.Errorf("permission of %s: %w", c.Author, err)
	}
	perm := bot.ParsePermission(permName)
	var pr *bot.PullRequest // fetched once, when a command needs the head
	head := func() (bot.PullRequest, error) {
		if pr != nil {
			return *pr, nil
		}
		p, err := f.PullRequestEvent(ctx, ev.Repo, number)
		if err != nil {
			return bot.PullRequest{}, err
		}
		pr = &p
		return p, nil
	}
	// reuse: an approval only changes the gate, so the stored reports of
	// the head serve when there are some (silently, unlike /recheck).
	evaluate, recheck, rebuild, reuse := false, false, false, false
	// rebuildOnly: /rebuild -p names the projects built again; a /rebuild
	// without a project builds them all.
	var rebuildOnly []string
	rebuildAll := false
	var cfg *config.Config // read once, when a command needs it
	repoConfig := func() (*config.Config, error) {
		if cfg != nil {
			return cfg, nil
		}
		var err error
		if cfg, err = b.loadConfig(ctx, f, ev.Repo); isConfigError(err) {
			cfg = config.Default() // the evaluation reports the invalid config
			return cfg, nil
		}
		return cfg, err
	}
	for _, cmd := range cmds {
		log := log.With("command", cmd.Name)
		if cmd.Problem != "" {
			if err := answer(ctx, f, ev, number, "@"+c.Author+" "+cmd.Problem); err != nil {
				return err
			}
			continue
		}
		if !cmd.Allowed(perm) {
			log.Info("command refused", "permission", perm.String())
			msg := fmt.Sprintf("@%s only people with write access to %s can use `/%s`; a maintainer can run it for you. Comment `/mpgate help` for the commands.",
				c.Author, ev.Repo.FullName(), cmd.Name)
			if err := answer(ctx, f, ev, number, msg); err != nil {
				return err
			}
			continue
		}
		if cmd.Project != "" {
			rc, err := repoConfig()
			if err != nil {
				return err
			}
			if _, ok := rc.Project(cmd.Project); !ok {
				msg := fmt.Sprintf("@%s there is no project `%s` in `%s` of the default branch; its projects: %s.",
					c.Author, cmd.Project, config.DefaultFile, projectList(rc))
				if err := answer(ctx, f, ev, number, msg); err != nil {
					return err
				}
				continue
			}
		}
		if err := f.React(ctx, ev.Repo, bot.CommentRef{PR: number, ID: c.ID, Discussion: c.DiscussionID}, reactionAccepted); err != nil {
			return err
		}
		log.Info("command accepted")
		switch cmd.Name {
		case bot.CmdHelp:
			if err := answer(ctx, f, ev, number, bot.HelpText()); err != nil {
				return err
			}
		case bot.CmdRebuild:
			evaluate, rebuild = true, true
			if cmd.Project == "" {
				rebuildAll = true
			} else {
				rebuildOnly = append(rebuildOnly, cmd.Project)
			}
		case bot.CmdRecheck:
			evaluate, recheck = true, true
		case bot.CmdChangelog, bot.CmdRelease:
			p, err := head()
			if err != nil {
				return err
			}
			if err := b.replyRelease(ctx, f, ev, p, cmd.Name, c.Author, log); err != nil {
				return err
			}
		case bot.CmdApproveSize, bot.CmdOkToBuild:
			p, err := head()
			if err != nil {
				return err
			}
			kind := bot.ApproveSize
			switch {
			case cmd.Name == bot.CmdOkToBuild:
				kind = bot.ApproveBuild
			case cmd.Project != "":
				kind = bot.SizeApprovalOf(cmd.Project)
			}
			if err := b.cfg.Store.Approve(ctx, ev.Repo, number, p.HeadSHA, kind, c.Author, cmd.Args); err != nil {
				return err
			}
			if kind == bot.ApproveBuild {
				rc, err := repoConfig()
				if err != nil {
					return err
				}
				if err := b.grantBuildLabel(ctx, f, ev.Repo, number, rc.Trust.OkToBuildLabel, c.Author, log); err != nil {
					return err
				}
			}
			evaluate = true
			reuse = reuse || kind != bot.ApproveBuild
		default:
			msg := fmt.Sprintf("@%s `/%s` is not handled by this server yet.", c.Author, cmd.Name)
			if err := answer(ctx, f, ev, number, msg); err != nil {
				return err
			}
		}
	}
	if !evaluate {
		return nil
	}
	p, err := head()
	if err != nil {
		return err
	}
	if p.Merged {
		return nil
	}
	opts := evalOptions{rebuild: rebuild}
	if !rebuildAll {
		opts.rebuildOnly = rebuildOnly
	}
	switch {
	case rebuild:
	case recheck:
		var note string
		if opts, note, err = b.recheckOptions(ctx, f, ev.Repo, p, log); err != nil {
			return err
		}
		if note != "" {
			if err := answer(ctx, f, ev, number, "@"+c.Author+" "+note); err != nil {
				return err
			}
		}
	case reuse:
		if opts, _, err = b.recheckOptions(ctx, f, ev.Repo, p, log); err != nil {
			return err
		}
	}
	return b.requestEvaluationWith(ctx, f, ev, p, opts, log)
}

// grantBuildLabel keeps a maintainer's /ok-to-build for the later pushes of
// the request: it labels the request and records the grant, which holds
// while the label is on (see buildApproved). No label configured, or a
// forge that cannot label, approves the commented head only.
func (b *Worker) grantBuildLabel(ctx context.Context, f Forge, repo bot.Repo, number int, label, by string, log *slog.Logger) error {
	lf, ok := f.(Labeler)
	if label == "" || !ok {
		return nil
	}
	if err := lf.AddLabel(ctx, repo, number, label); err != nil {
		return err
	}
	if err := b.cfg.Store.Approve(ctx, repo, number, bot.LabelGrant, bot.ApproveBuild, by, "label "+label); err != nil {
		return err
	}
	log.Info("build approved while the label is on", "label", label)
	return nil
}

func projectList(cfg *config.Config) string {
	var names []string
	for _, n := range cfg.ProjectNames() {
		names = append(names, "`"+n+"`")
	}
	if len(names) == 0 {
		return "none named"
	}
	return strings.Join(names, ", ")
}

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
	if hs, ok := b.cfg.Store.(HeadStore); ok {
		sha, known, err := hs.LatestHead(ctx, ev.Repo, pr.Number)
		if err != nil {
			return fmt.Errorf("latest head of %s#%d: %w", ev.Repo.FullName(), pr.Number, err)
		}
		if known && sha != pr.HeadSHA {
			heads = append(heads, sha)
		}
	}
	if fq, ok := b.cfg.Queue.(EvaluationForgetter); ok {
		if err := fq.ForgetEvaluation(ctx, ev.Repo, pr.Number); err != nil {
			return fmt.Errorf("forgetting the evaluations of %s#%d: %w", ev.Repo.FullName(), pr.Number, err)
		}
	} else {
		log.Warn("the queue cannot forget a closed pull request; its pending evaluation still runs")
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

// answer replies to the comment of ev on request number: in its thread
// where the forge has them, else as a new comment on the request.
func answer(ctx context.Context, f Forge, ev bot.Event, number int, body string) error {
	to := bot.CommentRef{PR: number}
	if ev.Comment != nil {
		to.ID, to.Discussion = ev.Comment.ID, ev.Comment.DiscussionID
	}
	_, err := f.Reply(ctx, ev.Repo, to, body)
	return err
}
