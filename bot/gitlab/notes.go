package gitlab

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/mpgate/mpgate/bot"
)

// MaxNoteChars is GitLab's limit on a note's body.
const MaxNoteChars = 1_000_000

// notesPerPage is the page size for listing notes (a variable so tests can
// exercise several pages with few notes).
var notesPerPage int64 = 100

const truncatedNote = "\n\n_(note truncated to GitLab's size limit)_"

// UpsertStickyNote keeps exactly one note carrying bot.StickyMarker(key)
// and authored by botUsername on merge request mrIID, with body.
// botUsername "" means the client's own (Username: GET /user).
//
// It reads every page of notes; among the bot's non-system notes with the
// marker the newest is updated in place, left alone when the body is
// unchanged, and older duplicates are deleted. When none exists it creates
// one, then lists again and, if a concurrent run created another, keeps
// the NEWEST (highest id) and deletes the rest: every racer applies the
// same rule, so they converge on one note. It returns the surviving note's
// id and whether anything was written (created, edited or a duplicate
// deleted). The body gets the marker prepended if it lacks it and is cut
// to 1,000,000 characters on a line boundary as a last resort.
//
// A CI job token cannot write notes: that is ErrForbidden.
func (c *Client) UpsertStickyNote(ctx context.Context, repo bot.Repo, mrIID int, key, body, botUsername string) (int64, bool, error) {
	return c.upsertSticky(ctx, repo, mrIID, key, body, botUsername, true)
}

// UpdateStickyNote is UpsertStickyNote that creates no note: when the merge
// request has none carrying the marker it returns 0, false, nil (a request
// without changes under comment.require_changes).
func (c *Client) UpdateStickyNote(ctx context.Context, repo bot.Repo, mrIID int, key, body, botUsername string) (int64, bool, error) {
	return c.upsertSticky(ctx, repo, mrIID, key, body, botUsername, false)
}

func (c *Client) upsertSticky(ctx context.Context, repo bot.Repo, mrIID int, key, body, botUsername string, create bool) (int64, bool, error) {
	if botUsername == "" {
		u, err := c.Username(ctx)
		if err != nil {
			return 0, false, err
		}
		botUsername = u
	}
	marker := bot.StickyMarker(key)
	if !strings.Contains(body, marker) {
		body = marker + "\n" + body
	}
	if utf8.RuneCountInString(body) > MaxNoteChars {
		body = truncateLines(body, MaxNoteChars, truncatedNote)
		if !strings.Contains(body, marker) {
			body = truncateLines(marker+"\n"+body, MaxNoteChars, truncatedNote)
		}
	}
	mine, err := c.stickyNotes(ctx, repo, mrIID, marker, botUsername)
	if err != nil {
		return 0, false, err
	}
	if len(mine) == 0 && !create {
		return 0, false, nil
	}
	if len(mine) == 0 {
		created, _, err := c.gl.Notes.CreateMergeRequestNote(pid(repo), int64(mrIID), &gl.CreateMergeRequestNoteOptions{Body: gl.Ptr(body)}, gl.WithContext(ctx))
		if err != nil {
			return 0, false, c.wrap(err, "create sticky note on %s!%d", repo.FullName(), mrIID)
		}
		mine, err = c.stickyNotes(ctx, repo, mrIID, marker, botUsername)
		if err != nil {
			return 0, false, err
		}
		if len(mine) == 0 {
			return created.ID, true, nil
		}
		keep := mine[len(mine)-1]
		if err := c.deleteNotes(ctx, repo, mrIID, mine[:len(mine)-1]); err != nil {
			return 0, false, err
		}
		return keep.ID, true, nil
	}
	keep := mine[len(mine)-1]
	if err := c.deleteNotes(ctx, repo, mrIID, mine[:len(mine)-1]); err != nil {
		return 0, false, err
	}
	if normalizeNewlines(keep.Body) == normalizeNewlines(body) {
		return keep.ID, len(mine) > 1, nil
	}
	_, _, err = c.gl.Notes.UpdateMergeRequestNote(pid(repo), int64(mrIID), keep.ID, &gl.UpdateMergeRequestNoteOptions{Body: gl.Ptr(body)}, gl.WithContext(ctx))
	if err != nil {
		return 0, false, c.wrap(err, "update sticky note %d on %s!%d", keep.ID, repo.FullName(), mrIID)
	}
	return keep.ID, true, nil
}

// stickyNotes lists every page of notes and returns the bot's non-system
// ones carrying marker, oldest (lowest id) first.
func (c *Client) stickyNotes(ctx context.Context, repo bot.Repo, mrIID int, marker, username string) ([]*gl.Note, error) {
	opt := &gl.ListMergeRequestNotesOptions{ListOptions: gl.ListOptions{PerPage: notesPerPage, Page: 1}}
	var mine []*gl.Note
	for pages := 0; ; pages++ {
		if pages >= 1000 {
			return nil, fmt.Errorf("gitlab: list notes on %s!%d: more than 1000 pages", repo.FullName(), mrIID)
		}
		list, resp, err := c.gl.Notes.ListMergeRequestNotes(pid(repo), int64(mrIID), opt, gl.WithContext(ctx))
		if err != nil {
			return nil, c.wrap(err, "list notes on %s!%d (page %d)", repo.FullName(), mrIID, opt.Page)
		}
		for _, n := range list {
			if !n.System && strings.EqualFold(n.Author.Username, username) && strings.Contains(n.Body, marker) {
				mine = append(mine, n)
			}
		}
		if resp.NextPage == 0 || resp.NextPage <= opt.Page {
			break
		}
		opt.Page = resp.NextPage
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i].ID < mine[j].ID })
	return mine, nil
}

func (c *Client) deleteNotes(ctx context.Context, repo bot.Repo, mrIID int, list []*gl.Note) error {
	for _, n := range list {
		_, err := c.gl.Notes.DeleteMergeRequestNote(pid(repo), int64(mrIID), n.ID, gl.WithContext(ctx))
		if err != nil {
			if werr := c.wrap(err, "delete duplicate sticky note %d on %s!%d", n.ID, repo.FullName(), mrIID); !isNotFound(werr) {
				return werr
			}
		}
	}
	return nil
}

// Reply adds body to a merge request's discussion (a reply to a comment
// command, in its thread) and returns the new note's id.
func (c *Client) Reply(ctx context.Context, repo bot.Repo, mrIID int, discussionID, body string) (int64, error) {
	if discussionID == "" {
		return 0, fmt.Errorf("gitlab: reply on %s!%d: no discussion: %w", repo.FullName(), mrIID, ErrInvalid)
	}
	if utf8.RuneCountInString(body) > MaxNoteChars {
		body = truncateLines(body, MaxNoteChars, truncatedNote)
	}
	n, _, err := c.gl.Discussions.AddMergeRequestDiscussionNote(pid(repo), int64(mrIID), discussionID,
		&gl.AddMergeRequestDiscussionNoteOptions{Body: gl.Ptr(body)}, gl.WithContext(ctx))
	if err != nil {
		return 0, c.wrap(err, "reply in discussion %s on %s!%d", discussionID, repo.FullName(), mrIID)
	}
	return n.ID, nil
}

// truncateLines cuts s to at most limit runes including note, at the last
// line break that fits (or mid-line when there is none).
func truncateLines(s string, limit int, note string) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	keep := limit - utf8.RuneCountInString(note)
	if keep <= 0 {
		return string([]rune(note)[:limit])
	}
	head := string([]rune(s)[:keep])
	if i := strings.LastIndexByte(head, '\n'); i > 0 {
		head = head[:i]
	}
	return head + note
}

func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
