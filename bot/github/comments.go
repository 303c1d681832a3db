package github

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	gh "github.com/google/go-github/v60/github"

	"github.com/mpgate/mpgate/bot"
)

// MaxCommentChars is GitHub's limit on a comment body.
const MaxCommentChars = 65536

// commentsPerPage is the page size for listing comments (a variable so
// tests can exercise several pages with few comments).
var commentsPerPage = 100

const truncatedNote = "\n\n_(comment truncated to GitHub's size limit)_"

// UpsertStickyComment keeps exactly one comment carrying
// bot.StickyMarker(key) and authored by botLogin on issue/PR number, with
// body. botLogin "" means the client's own login (WithLogin, or GET /user).
//
// It reads every page of comments; among the bot's comments with the marker
// the newest is updated in place, skipped when the body is unchanged, and
// older duplicates are deleted. When none exists it creates one, then lists
// again and, if a concurrent run created another, keeps the NEWEST (highest
// id) and deletes the rest: every racer applies the same rule, so they
// converge on one comment (should a lagging list hide a racer's comment,
// the next upsert removes the older duplicate). It returns the surviving comment's id and
// whether anything was written (created, edited or a duplicate deleted).
//
// The body gets the marker prepended if it lacks it, and is cut to 65,536
// characters on a line boundary as a last resort (the renderer folds detail
// before that).
func (c *Client) UpsertStickyComment(ctx context.Context, repo bot.Repo, number int, key, body, botLogin string) (int64, bool, error) {
	return c.upsertSticky(ctx, repo, number, key, body, botLogin, true)
}

// UpdateStickyComment is UpsertStickyComment that creates no comment: when
// the request has none carrying the marker it returns 0, false, nil (a
// request without changes under comment.require_changes).
func (c *Client) UpdateStickyComment(ctx context.Context, repo bot.Repo, number int, key, body, botLogin string) (int64, bool, error) {
	return c.upsertSticky(ctx, repo, number, key, body, botLogin, false)
}

func (c *Client) upsertSticky(ctx context.Context, repo bot.Repo, number int, key, body, botLogin string, create bool) (int64, bool, error) {
	if botLogin == "" {
		l, err := c.Login(ctx)
		if err != nil {
			return 0, false, err
		}
		botLogin = l
	}
	marker := bot.StickyMarker(key)
	if !strings.Contains(body, marker) {
		body = marker + "\n" + body
	}
	if utf8.RuneCountInString(body) > MaxCommentChars {
		body = truncateLines(body, MaxCommentChars, truncatedNote)
		if !strings.Contains(body, marker) { // a marker placed deep in a huge body
			body = truncateLines(marker+"\n"+body, MaxCommentChars, truncatedNote)
		}
	}

	mine, err := c.stickyComments(ctx, repo, number, marker, botLogin)
	if err != nil {
		return 0, false, err
	}
	if len(mine) == 0 && !create {
		return 0, false, nil
	}
	if len(mine) == 0 {
		created, _, err := c.gh.Issues.CreateComment(ctx, repo.Owner, repo.Name, number, &gh.IssueComment{Body: gh.String(body)})
		if err != nil {
			return 0, false, wrap(err, "create sticky comment on %s#%d", repo.FullName(), number)
		}
		// A concurrent run may have created one too: converge.
		mine, err = c.stickyComments(ctx, repo, number, marker, botLogin)
		if err != nil {
			return 0, false, err
		}
		if len(mine) == 0 { // ours was deleted meanwhile (by hand?): report it all the same
			return created.GetID(), true, nil
		}
		keep := mine[len(mine)-1]
		if err := c.deleteComments(ctx, repo, mine[:len(mine)-1]); err != nil {
			return 0, false, err
		}
		return keep.GetID(), true, nil
	}
	keep := mine[len(mine)-1]
	if err := c.deleteComments(ctx, repo, mine[:len(mine)-1]); err != nil {
		return 0, false, err
	}
	if normalizeNewlines(keep.GetBody()) == normalizeNewlines(body) {
		return keep.GetID(), len(mine) > 1, nil
	}
	if _, _, err := c.gh.Issues.EditComment(ctx, repo.Owner, repo.Name, keep.GetID(), &gh.IssueComment{Body: gh.String(body)}); err != nil {
		return 0, false, wrap(err, "update sticky comment %d on %s#%d", keep.GetID(), repo.FullName(), number)
	}
	return keep.GetID(), true, nil
}

// stickyComments lists every page of comments and returns the bot's ones
// carrying marker, oldest (lowest id) first.
func (c *Client) stickyComments(ctx context.Context, repo bot.Repo, number int, marker, login string) ([]*gh.IssueComment, error) {
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: commentsPerPage}}
	var mine []*gh.IssueComment
	for pages := 0; ; pages++ {
		if pages >= 1000 {
			return nil, fmt.Errorf("github: list comments on %s#%d: more than 1000 pages", repo.FullName(), number)
		}
		list, resp, err := c.gh.Issues.ListComments(ctx, repo.Owner, repo.Name, number, opts)
		if err != nil {
			return nil, wrap(err, "list comments on %s#%d (page %d)", repo.FullName(), number, max(opts.Page, 1))
		}
		for _, cm := range list {
			if strings.EqualFold(cm.GetUser().GetLogin(), login) && strings.Contains(cm.GetBody(), marker) {
				mine = append(mine, cm)
			}
		}
		if resp.NextPage == 0 || resp.NextPage <= opts.Page {
			break
		}
		opts.Page = resp.NextPage
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i].GetID() < mine[j].GetID() })
	return mine, nil
}

func (c *Client) deleteComments(ctx context.Context, repo bot.Repo, list []*gh.IssueComment) error {
	for _, cm := range list {
		if _, err := c.gh.Issues.DeleteComment(ctx, repo.Owner, repo.Name, cm.GetID()); err != nil && !isNotFound(err) {
			return wrap(err, "delete duplicate sticky comment %d on %s", cm.GetID(), repo.FullName())
		}
	}
	return nil
}

func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
