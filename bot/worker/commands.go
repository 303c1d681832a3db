package worker

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/mpgate/mpgate/bot"
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
// while the label is on (see buildApproved). No label configured approves
// the commented head only.
func (b *Worker) grantBuildLabel(ctx context.Context, f Forge, repo bot.Repo, number int, label, by string, log *slog.Logger) error {
	if label == "" {
		return nil
	}
	if err := f.AddLabel(ctx, repo, number, label); err != nil {
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
