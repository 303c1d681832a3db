package worker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/release"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/publish"
)

// releaseApplyNote is what /release adds to the plan: the bot never tags
// from a comment.
const releaseApplyNote = "mpgate does not tag from a comment: `mpgate release apply` in the default branch's CI " +
	"writes the changelog sections and tags the modules (with `--release-pr`, once this release request is merged). " +
	"See docs/releases.md, section \"Commands\"."

// releaseBotNote replaces releaseApplyNote in a repository with release.bot.
const releaseBotNote = "mpgate does not tag from a comment: on each push to the default branch the bot updates the " +
	"release request (`mpgate/release`) and, once it is merged, tags the modules and publishes their releases. " +
	"See docs/releases.md, section \"Releasing from the bot\"."

// replyRelease answers /changelog (the entries the request would add, from
// a worktree of its head compared with its base) and /release (the release
// plan of the base branch, what merging the release request tags).
func (b *Worker) replyRelease(ctx context.Context, f Forge, ev bot.Event, pr bot.PullRequest, cmd, author string, log *slog.Logger) error {
	text, err := b.releaseText(ctx, f, ev, pr, cmd, log)
	var ce *configError
	switch {
	case errors.As(err, &ce):
		text = "`/" + cmd + "` needs a valid `" + config.DefaultFile + "` on the default branch:\n\n" + publish.CodeBlock(ce.Error())
	case err != nil && ctx.Err() == nil:
		// The request's history is the user's to fix (an unknown ref, an
		// unreadable change file): say so rather than retry for ever.
		log.Warn("release command failed", "err", err)
		text = "`/" + cmd + "` could not be answered:\n\n" + publish.CodeBlock(err.Error())
	case err != nil:
		return err
	}
	msg := "@" + author + " " + text
	if err := answer(ctx, f, ev, pr.Number, msg); err != nil {
		return fmt.Errorf("replying to /%s: %w", cmd, err)
	}
	return nil
}

// releaseText computes the reply's Markdown.
func (b *Worker) releaseText(ctx context.Context, f Forge, ev bot.Event, pr bot.PullRequest, cmd string, log *slog.Logger) (string, error) {
	cfg, err := b.loadConfig(ctx, f, ev.Repo)
	if err != nil {
		return "", err
	}
	m, err := b.mirror(ctx, f, ev)
	if err != nil {
		return "", err
	}
	base := cmp.Or(pr.BaseRef, ev.DefaultBranch)
	if base == "" {
		return "", errors.New("the pull request's base branch is unknown")
	}
	rev := base
	if cmd == bot.CmdChangelog {
		if pr.HeadSHA == "" {
			return "", errors.New("the pull request's head is unknown")
		}
		if err := m.FetchRef(ctx, pr.HeadSHA); err != nil {
			if err2 := m.FetchRef(ctx, "refs/pull/"+strconv.Itoa(pr.Number)+"/head"); err2 != nil {
				return "", fmt.Errorf("fetching %s: %w", pr.HeadSHA, errors.Join(err, err2))
			}
		}
		rev = pr.HeadSHA
	}
	sha, err := workspace.RevParse(ctx, m.Dir, rev)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", rev, err)
	}
	var id int64
	if ev.Comment != nil {
		id = ev.Comment.ID
	}
	dir := b.layout.Worktree(fmt.Sprintf("%s-%s-%d", shortSHA(sha), cmd, id))
	wt, err := m.Worktree(ctx, dir, sha)
	if err != nil {
		return "", fmt.Errorf("checking out %s: %w", shortSHA(sha), err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := wt.Remove(rctx); err != nil {
			log.Warn("could not remove the worktree", "dir", dir, "err", err)
		}
	}()
	if cmd == bot.CmdChangelog {
		desc := pr.Title
		if pr.Body != "" {
			desc += "\n" + pr.Body
		}
		pv, err := release.Preview(ctx, wt.Dir, base, sha, cfg, desc, pr.Labels)
		if err != nil {
			return "", err
		}
		return "changelog preview of " + shortSHA(sha) + " (version and date are decided at release):\n\n" + release.PreviewText(pv), nil
	}
	plan, err := release.Plan(ctx, wt.Dir, cfg, release.PlanOptions{Head: sha})
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "release plan of `%s` at %s:\n\n", base, shortSHA(sha))
	sb.WriteString(plan.Text())
	note := releaseApplyNote
	if cfg.Release.Bot {
		note = releaseBotNote
	}
	sb.WriteString("\n" + note + "\n")
	return sb.String(), nil
}
