package gitlab

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"unicode/utf8"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/mpgate/mpgate/bot"
)

// Forge is the bot's forge port (bot.Forge) over a Client. GitLab has no
// check runs: a check is the commit status named ref.Name on ref.SHA, its
// ID a number derived from the two (CheckRunID), and it links to merge
// request ref.PR. A comment is a merge request note, ref.PR its request's
// iid (the award-emoji endpoint needs it) and ref.Discussion its thread.
// Everything the port needs comes in the refs: nothing is remembered
// between calls, so a restarted server carries on where the last one
// stopped. Annotations and buttons have no GitLab equivalent: the sticky
// note carries the findings.
type Forge struct {
	c     *Client
	token string
	// webURL is the instance's web root: statuses link to the merge
	// request (where the sticky note is) or the commit; "" for no link.
	webURL string
}

// NewForge returns the bot's port over c; token is what git fetches with
// (user name "oauth2", which GitLab accepts for personal, project, group
// and OAuth tokens) and webURL the instance's web root (https://gitlab.com;
// "" for statuses without a link).
func NewForge(c *Client, token, webURL string) *Forge {
	return &Forge{c: c, token: token, webURL: strings.TrimSuffix(strings.TrimSuffix(webURL, "/"), "/api/v4")}
}

// targetURL is the status's link: merge request ref.PR, else the commit;
// "" without a web root.
func (f *Forge) targetURL(ref bot.CheckRef) string {
	if f.webURL == "" || ref.Repo.Owner == "" || ref.Repo.Name == "" {
		return ""
	}
	base := f.webURL + "/" + ref.Repo.FullName() + "/-/"
	if ref.PR > 0 {
		return base + "merge_requests/" + strconv.Itoa(ref.PR)
	}
	return base + "commit/" + ref.SHA
}

// Client is the client below the port.
func (f *Forge) Client() *Client { return f.c }

// CheckRunID is the id standing for the status name on sha: positive,
// stable across restarts.
func CheckRunID(sha, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(sha))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return int64(h.Sum64()>>1) | 1
}

// stateForStatus maps a check run's status (queued, in_progress) onto a
// commit status state.
func stateForStatus(status string) string {
	if status == "in_progress" {
		return StateRunning
	}
	return StatePending
}

// CreateCheck posts status ref.Name on ref.SHA: pending when queued,
// running when in_progress. The ref comes back with its ID (CheckRunID).
func (f *Forge) CreateCheck(ctx context.Context, ref bot.CheckRef, status, detailsURL string) (bot.CheckRef, error) {
	if detailsURL == "" {
		detailsURL = f.targetURL(ref)
	}
	desc := "mpgate is waiting to check this commit"
	if stateForStatus(status) == StateRunning {
		desc = "mpgate is checking this commit"
	}
	if err := f.c.SetStatus(ctx, ref.Repo, ref.SHA, stateForStatus(status), ref.Name, desc, detailsURL); err != nil {
		return ref, err
	}
	ref.ID = CheckRunID(ref.SHA, ref.Name)
	return ref, nil
}

// StartCheck moves status ref.Name on ref.SHA to running.
func (f *Forge) StartCheck(ctx context.Context, ref bot.CheckRef) error {
	return f.c.SetStatus(ctx, ref.Repo, ref.SHA, StateRunning, ref.Name, "mpgate is checking this commit", f.targetURL(ref))
}

// CompleteCheck sets status ref.Name on ref.SHA to the conclusion's state
// (StateFor) with the output's title as its description.
func (f *Forge) CompleteCheck(ctx context.Context, ref bot.CheckRef, conclusion string, out bot.CheckOutput) error {
	desc := strings.TrimSpace(out.Title)
	if desc == "" {
		desc = "mpgate: " + conclusion
	}
	return f.c.SetStatus(ctx, ref.Repo, ref.SHA, StateFor(conclusion), ref.Name, desc, f.targetURL(ref))
}

// UpsertStickyComment keeps the one sticky note (UpsertStickyNote). The
// bot's login names a GitHub App; on GitLab the token's own user is the
// author, so botLogin is used only when it is not a GitHub App's.
func (f *Forge) UpsertStickyComment(ctx context.Context, repo bot.Repo, pr int, key, body, botLogin string) (bot.CommentRef, bool, error) {
	if strings.HasSuffix(botLogin, "[bot]") {
		botLogin = ""
	}
	// The sticky note is the result's Markdown, written for GitHub: escape
	// what GitLab alone reads as references or maths.
	id, changed, err := f.c.UpsertStickyNote(ctx, repo, pr, key, EscapeMarkdown(body), botLogin)
	return bot.CommentRef{PR: pr, ID: id}, changed, err
}

// UpdateStickyComment is UpsertStickyComment that creates no note
// (UpdateStickyNote): comment.require_changes on a request without
// changes. ID 0: there was none.
func (f *Forge) UpdateStickyComment(ctx context.Context, repo bot.Repo, pr int, key, body, botLogin string) (bot.CommentRef, bool, error) {
	if strings.HasSuffix(botLogin, "[bot]") {
		botLogin = ""
	}
	id, changed, err := f.c.UpdateStickyNote(ctx, repo, pr, key, EscapeMarkdown(body), botLogin)
	return bot.CommentRef{PR: pr, ID: id}, changed, err
}

// Reply answers note to: in its discussion when it has one (Client.Reply),
// else as a new note on merge request to.PR.
func (f *Forge) Reply(ctx context.Context, repo bot.Repo, to bot.CommentRef, body string) (bot.CommentRef, error) {
	if to.Discussion != "" {
		id, err := f.c.Reply(ctx, repo, to.PR, to.Discussion, body)
		return bot.CommentRef{PR: to.PR, ID: id, Discussion: to.Discussion}, err
	}
	if utf8.RuneCountInString(body) > MaxNoteChars {
		body = truncateLines(body, MaxNoteChars, truncatedNote)
	}
	n, _, err := f.c.gl.Notes.CreateMergeRequestNote(pid(repo), int64(to.PR),
		&gl.CreateMergeRequestNoteOptions{Body: gl.Ptr(body)}, gl.WithContext(ctx))
	if err != nil {
		return bot.CommentRef{}, f.c.wrap(err, "note on %s!%d", repo.FullName(), to.PR)
	}
	return bot.CommentRef{PR: to.PR, ID: n.ID}, nil
}

// emojiFor maps a GitHub reaction onto a GitLab award emoji name.
func emojiFor(content string) string {
	switch content {
	case "+1":
		return "thumbsup"
	case "-1":
		return "thumbsdown"
	case "laugh":
		return "laughing"
	case "hooray":
		return "tada"
	case "confused":
		return "confused"
	case "heart":
		return "heart"
	case "rocket":
		return "rocket"
	case "eyes":
		return "eyes"
	}
	return content
}

// React awards an emoji (GitHub's reaction names are mapped) on note c.ID
// of merge request c.PR. An emoji already awarded counts as success.
func (f *Forge) React(ctx context.Context, repo bot.Repo, c bot.CommentRef, content string) error {
	if c.PR <= 0 || c.ID <= 0 {
		return fmt.Errorf("gitlab: award %s on note %d of %s!%d: the note and its merge request are required: %w",
			emojiFor(content), c.ID, repo.FullName(), c.PR, ErrInvalid)
	}
	_, _, err := f.c.gl.AwardEmoji.CreateMergeRequestAwardEmojiOnNote(pid(repo), int64(c.PR), c.ID,
		&gl.CreateAwardEmojiOptions{Name: emojiFor(content)}, gl.WithContext(ctx))
	if err != nil {
		werr := f.c.wrap(err, "award %s on note %d of %s!%d", emojiFor(content), c.ID, repo.FullName(), c.PR)
		if isNotFound(werr) && f.alreadyAwarded(ctx, repo, c.PR, c.ID, emojiFor(content)) {
			return nil
		}
		return werr
	}
	return nil
}

// alreadyAwarded reports whether the token's user has awarded name on the
// note: GitLab answers an emoji awarded twice with a bare 404, as it does a
// missing note.
func (f *Forge) alreadyAwarded(ctx context.Context, repo bot.Repo, iid int, noteID int64, name string) bool {
	me, err := f.c.Username(ctx)
	if err != nil {
		return false
	}
	list, _, err := f.c.gl.AwardEmoji.ListMergeRequestAwardEmojiOnNote(pid(repo), int64(iid), noteID,
		&gl.ListAwardEmojiOptions{ListOptions: gl.ListOptions{PerPage: 100}}, gl.WithContext(ctx))
	if err != nil {
		return false
	}
	for _, a := range list {
		if a.Name == name && strings.EqualFold(a.User.Username, me) {
			return true
		}
	}
	return false
}

// UserID is the id of the user named username (looked up each time: a
// cached name could since belong to someone else after a rename);
// ErrNotFound when nobody has that name.
func (f *Forge) UserID(ctx context.Context, username string) (int64, error) {
	if username == "" {
		return 0, fmt.Errorf("gitlab: user id: empty username: %w", ErrInvalid)
	}
	list, _, err := f.c.gl.Users.ListUsers(&gl.ListUsersOptions{Username: gl.Ptr(username)}, gl.WithContext(ctx))
	if err != nil {
		return 0, f.c.wrap(err, "user %q", username)
	}
	for _, u := range list {
		if strings.EqualFold(u.Username, username) {
			return u.ID, nil
		}
	}
	return 0, fmt.Errorf("gitlab: user %q: %w", username, ErrNotFound)
}

// Permission is user's access level on the project, inherited included,
// named as on GitHub (Permission): Developer is "write", Reporter "triage";
// commands need write. An unknown user has "none".
func (f *Forge) Permission(ctx context.Context, repo bot.Repo, user string) (string, error) {
	id, err := f.UserID(ctx, user)
	if isNotFound(err) {
		return Permission(AccessNone), nil
	}
	if err != nil {
		return "", err
	}
	lvl, err := f.c.AccessLevel(ctx, repo, id)
	if err != nil {
		return "", err
	}
	return Permission(lvl), nil
}

// PullRequestEvent reads merge request number.
func (f *Forge) PullRequestEvent(ctx context.Context, repo bot.Repo, number int) (bot.PullRequest, error) {
	return f.c.MergeRequest(ctx, repo, number)
}

// FileContent reads path at ref ("" = the default branch); the second
// result (a GitHub blob SHA) is "".
func (f *Forge) FileContent(ctx context.Context, repo bot.Repo, path, ref string) ([]byte, string, error) {
	b, err := f.c.FileContent(ctx, repo, path, ref)
	return b, "", err
}

// GitToken is the token git fetches with.
func (f *Forge) GitToken(context.Context) (string, error) {
	if f.token == "" {
		return "", fmt.Errorf("gitlab: no token to fetch with: %w", ErrInvalid)
	}
	return f.token, nil
}
