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

// handleComment obeys the commands of a comment on a pull request, in four
// stages: parse (the commands of the comment), authorize (who may run each,
// and on which project), plan (what each accepted command does, and the
// evaluation they ask for together: pure) and apply (the replies,
// reactions, approvals and the evaluation, in the comment's order).
func (b *Worker) handleComment(ctx context.Context, f Forge, ev bot.Event, log *slog.Logger) error {
	cmds := parseComment(ev)
	if len(cmds) == 0 {
		return nil
	}
	r := &commentRun{b: b, f: f, ev: ev, author: ev.Comment.Author, number: ev.PullRequest.Number}
	r.log = log.With("pr", r.number, "author", r.author)
	rulings, err := r.authorize(ctx, cmds)
	if err != nil {
		return err
	}
	return r.apply(ctx, planComment(r.author, rulings))
}

// parseComment is the comment's commands; none for a comment that is not
// on a pull request or that a bot wrote.
func parseComment(ev bot.Event) []bot.Command {
	c := ev.Comment
	if c == nil || ev.PullRequest == nil || c.AuthorIsBot || ev.SenderIsBot {
		return nil
	}
	return bot.ParseCommands(c.Body)
}

// commentRun is one comment's handling: what the stages share, with the
// request's head and the repository's configuration each read once, when a
// command needs them.
type commentRun struct {
	b      *Worker
	f      Forge
	ev     bot.Event
	author string
	number int
	log    *slog.Logger
	pr     *bot.PullRequest
	cfg    *config.Config
}

// head is the request as the forge has it now.
func (r *commentRun) head(ctx context.Context) (bot.PullRequest, error) {
	if r.pr != nil {
		return *r.pr, nil
	}
	p, err := r.f.PullRequestEvent(ctx, r.ev.Repo, r.number)
	if err != nil {
		return bot.PullRequest{}, err
	}
	r.pr = &p
	return p, nil
}

// config is the default branch's .mpgate.yml; an invalid one counts as the
// default (the evaluation reports it).
func (r *commentRun) config(ctx context.Context) (*config.Config, error) {
	if r.cfg != nil {
		return r.cfg, nil
	}
	cfg, err := r.b.loadConfig(ctx, r.f, r.ev.Repo)
	if isConfigError(err) {
		cfg, err = config.Default(), nil
	}
	if err != nil {
		return nil, err
	}
	r.cfg = cfg
	return cfg, nil
}

// ruling is the authorize stage's answer for one command: refusal is the
// reply that takes the place of obeying it (a problem with how it is
// written, too little access, an unknown project), "" when it is accepted.
type ruling struct {
	cmd     bot.Command
	refusal string
}

// authorize rules on each command: the author's access to the repository
// (asked once) against what the command needs, and a -p project against
// the default branch's configuration.
func (r *commentRun) authorize(ctx context.Context, cmds []bot.Command) ([]ruling, error) {
	permName, err := r.f.Permission(ctx, r.ev.Repo, r.author)
	if err != nil {
		return nil, fmt.Errorf("permission of %s: %w", r.author, err)
	}
	perm := bot.ParsePermission(permName)
	out := make([]ruling, 0, len(cmds))
	for _, cmd := range cmds {
		rl := ruling{cmd: cmd}
		switch {
		case cmd.Problem != "":
			rl.refusal = "@" + r.author + " " + cmd.Problem
		case !cmd.Allowed(perm):
			r.log.Info("command refused", "command", cmd.Name, "permission", perm.String())
			rl.refusal = fmt.Sprintf("@%s only people with write access to %s can use `/%s`; a maintainer can run it for you. Comment `/mpgate help` for the commands.",
				r.author, r.ev.Repo.FullName(), cmd.Name)
		case cmd.Project != "":
			cfg, err := r.config(ctx)
			if err != nil {
				return nil, err
			}
			if _, ok := cfg.Project(cmd.Project); !ok {
				rl.refusal = fmt.Sprintf("@%s there is no project `%s` in `%s` of the default branch; its projects: %s.",
					r.author, cmd.Project, config.DefaultFile, projectList(cfg))
			}
		}
		out = append(out, rl)
	}
	return out, nil
}

// commentPlan is what a comment's commands do: steps in the comment's
// order, then at most one evaluation of the request's head.
type commentPlan struct {
	steps []commandStep
	// evaluate asks for an evaluation of the head afterwards.
	evaluate bool
	// rebuild builds again (/rebuild), the projects in rebuildOnly or,
	// when it is empty, all of them; it wins over recheck and reuse.
	rebuild     bool
	rebuildOnly []string
	// recheck takes the head's stored reports and says when some are
	// missing (/recheck); reuse does so silently (an approval only changes
	// the gate).
	recheck, reuse bool
}

// commandStep is one command's part of the plan.
type commandStep struct {
	cmd bot.Command
	// accepted commands get a 👍; a refused one only its reply.
	accepted bool
	// reply is posted to the comment's thread (a refusal, /mpgate help, a
	// command this server does not handle).
	reply string
	// release answers /changelog or /release.
	release bool
	// approve records this approval of the head ("" none); /ok-to-build
	// also labels the request.
	approve bot.ApprovalKind
}

// planComment turns the rulings into the plan; it reads nothing and
// writes nothing.
func planComment(author string, rulings []ruling) commentPlan {
	var p commentPlan
	rebuildAll := false
	for _, rl := range rulings {
		cmd := rl.cmd
		if rl.refusal != "" {
			p.steps = append(p.steps, commandStep{cmd: cmd, reply: rl.refusal})
			continue
		}
		st := commandStep{cmd: cmd, accepted: true}
		switch cmd.Name {
		case bot.CmdHelp:
			st.reply = bot.HelpText()
		case bot.CmdRebuild:
			p.evaluate, p.rebuild = true, true
			if cmd.Project == "" {
				rebuildAll = true
			} else {
				p.rebuildOnly = append(p.rebuildOnly, cmd.Project)
			}
		case bot.CmdRecheck:
			p.evaluate, p.recheck = true, true
		case bot.CmdChangelog, bot.CmdRelease:
			st.release = true
		case bot.CmdApproveSize, bot.CmdOkToBuild:
			st.approve = bot.ApproveSize
			switch {
			case cmd.Name == bot.CmdOkToBuild:
				st.approve = bot.ApproveBuild
			case cmd.Project != "":
				st.approve = bot.SizeApprovalOf(cmd.Project)
			}
			p.evaluate = true
			p.reuse = p.reuse || st.approve != bot.ApproveBuild
		default:
			st.reply = fmt.Sprintf("@%s `/%s` is not handled by this server yet.", author, cmd.Name)
		}
		p.steps = append(p.steps, st)
	}
	if rebuildAll {
		// A /rebuild without a project builds them all.
		p.rebuildOnly = nil
	}
	// /rebuild wins over /recheck, and both over an approval's reuse.
	p.recheck = p.recheck && !p.rebuild
	p.reuse = p.reuse && !p.rebuild && !p.recheck
	return p
}

// apply carries the plan out: each step in order, then the evaluation of
// the request's head (none once it is merged).
func (r *commentRun) apply(ctx context.Context, p commentPlan) error {
	for _, st := range p.steps {
		if err := r.applyStep(ctx, st); err != nil {
			return err
		}
	}
	if !p.evaluate {
		return nil
	}
	pr, err := r.head(ctx)
	if err != nil {
		return err
	}
	if pr.Merged {
		return nil
	}
	opts := evalOptions{rebuild: p.rebuild, rebuildOnly: p.rebuildOnly}
	switch {
	case p.recheck:
		var note string
		if opts, note, err = r.b.recheckOptions(ctx, r.f, r.ev.Repo, pr, r.log); err != nil {
			return err
		}
		if note != "" {
			if err := answer(ctx, r.f, r.ev, r.number, "@"+r.author+" "+note); err != nil {
				return err
			}
		}
	case p.reuse:
		if opts, _, err = r.b.recheckOptions(ctx, r.f, r.ev.Repo, pr, r.log); err != nil {
			return err
		}
	}
	return r.b.requestEvaluationWith(ctx, r.f, r.ev, pr, opts, r.log)
}

func (r *commentRun) applyStep(ctx context.Context, st commandStep) error {
	c := r.ev.Comment
	if st.accepted {
		if err := r.f.React(ctx, r.ev.Repo, bot.CommentRef{PR: r.number, ID: c.ID, Discussion: c.DiscussionID}, reactionAccepted); err != nil {
			return err
		}
		r.log.Info("command accepted", "command", st.cmd.Name)
	}
	if st.reply != "" {
		if err := answer(ctx, r.f, r.ev, r.number, st.reply); err != nil {
			return err
		}
	}
	log := r.log.With("command", st.cmd.Name)
	switch {
	case st.release:
		pr, err := r.head(ctx)
		if err != nil {
			return err
		}
		return r.b.replyRelease(ctx, r.f, r.ev, pr, st.cmd.Name, r.author, log)
	case st.approve != "":
		pr, err := r.head(ctx)
		if err != nil {
			return err
		}
		if err := r.b.cfg.Store.Approve(ctx, r.ev.Repo, r.number, pr.HeadSHA, st.approve, r.author, st.cmd.Args); err != nil {
			return err
		}
		if st.approve != bot.ApproveBuild {
			return nil
		}
		cfg, err := r.config(ctx)
		if err != nil {
			return err
		}
		return r.b.grantBuildLabel(ctx, r.f, r.ev.Repo, r.number, cfg.Trust.OkToBuildLabel, r.author, log)
	}
	return nil
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
