package gitlab

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/mpgate/mpgate/bot"
)

// Forge is the bot's forge port (bot.Forge and bot.CommitChecks) over a
// Client. GitLab has no check runs: a "check run" is the commit status
// named after the check (bot.CheckName), its id a number derived from the
// commit and the name, and the bot passes the commit along
// (StartCheckRunAt, CompleteCheckRunAt). Annotations and buttons have no
// GitLab equivalent: the sticky note carries the findings.
type Forge struct {
	c     *Client
	token string
	// webURL is the instance's web root: statuses link to the merge
	// request (where the sticky note is) or the commit; "" for no link.
	webURL string

	mu sync.Mutex
	// notes maps a note's id to its merge request's iid, remembered from
	// note hooks (GitLab's award-emoji endpoint needs the iid; the bot's
	// port gives only the note id).
	notes    map[int64]int
	noteFIFO []int64
	// heads maps a head SHA to its merge request's iid (from merge
	// request hooks), for the statuses' links.
	heads    map[string]int
	headFIFO []string
}

// maxRemembered bounds the note → merge request memory.
const maxRemembered = 4096

// NewForge returns the bot's port over c; token is what git fetches with
// (user name "oauth2", which GitLab accepts for personal, project, group
// and OAuth tokens) and webURL the instance's web root (https://gitlab.com;
// "" for statuses without a link).
func NewForge(c *Client, token, webURL string) *Forge {
	return &Forge{c: c, token: token, webURL: strings.TrimSuffix(strings.TrimSuffix(webURL, "/"), "/api/v4"),
		notes: map[int64]int{}, heads: map[string]int{}}
}

// RememberHead records that sha is the head of merge request iid (from a
// merge request hook): its status then links to the request.
func (f *Forge) RememberHead(sha string, iid int) {
	if sha == "" || iid <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.heads[sha]; !ok {
		f.headFIFO = append(f.headFIFO, sha)
		if len(f.headFIFO) > maxRemembered {
			delete(f.heads, f.headFIFO[0])
			f.headFIFO = f.headFIFO[1:]
		}
	}
	f.heads[sha] = iid
}

// targetURL is the status's link: the merge request whose head sha is,
// else the commit; "" without a web root.
func (f *Forge) targetURL(repo bot.Repo, sha string) string {
	if f.webURL == "" || repo.Owner == "" || repo.Name == "" {
		return ""
	}
	f.mu.Lock()
	iid, ok := f.heads[sha]
	f.mu.Unlock()
	base := f.webURL + "/" + repo.FullName() + "/-/"
	if ok {
		return base + "merge_requests/" + strconv.Itoa(iid)
	}
	return base + "commit/" + sha
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

// CreateCheckRun posts status name on headSHA: pending when queued,
// running when in_progress.
func (f *Forge) CreateCheckRun(ctx context.Context, repo bot.Repo, headSHA, name, status, detailsURL string) (int64, error) {
	if detailsURL == "" {
		detailsURL = f.targetURL(repo, headSHA)
	}
	desc := "mpgate is waiting to check this commit"
	if stateForStatus(status) == StateRunning {
		desc = "mpgate is checking this commit"
	}
	if err := f.c.SetStatus(ctx, repo, headSHA, stateForStatus(status), name, desc, detailsURL); err != nil {
		return 0, err
	}
	return CheckRunID(headSHA, name), nil
}

// StartCheckRun cannot work on GitLab (the commit is needed): it says so.
// The bot calls StartCheckRunAt.
func (f *Forge) StartCheckRun(_ context.Context, repo bot.Repo, id int64) error {
	return fmt.Errorf("gitlab: start check %d on %s: GitLab needs the commit (StartCheckRunAt): %w", id, repo.FullName(), ErrInvalid)
}

// CompleteCheckRun cannot work on GitLab (the commit is needed): it says
// so. The bot calls CompleteCheckRunAt.
func (f *Forge) CompleteCheckRun(_ context.Context, repo bot.Repo, id int64, _ string, _ bot.CheckOutput) error {
	return fmt.Errorf("gitlab: complete check %d on %s: GitLab needs the commit (CompleteCheckRunAt): %w", id, repo.FullName(), ErrInvalid)
}

// StartCheckRunAt moves the bot's status on sha to running.
func (f *Forge) StartCheckRunAt(ctx context.Context, repo bot.Repo, _ int64, sha string) error {
	return f.c.SetStatus(ctx, repo, sha, StateRunning, bot.CheckName, "mpgate is checking this commit", f.targetURL(repo, sha))
}

// CompleteCheckRunAt sets the bot's status on sha to the conclusion's
// state (StateFor) with the output's title as its description.
func (f *Forge) CompleteCheckRunAt(ctx context.Context, repo bot.Repo, _ int64, sha, conclusion string, out bot.CheckOutput) error {
	desc := strings.TrimSpace(out.Title)
	if desc == "" {
		desc = "mpgate: " + conclusion
	}
	return f.c.SetStatus(ctx, repo, sha, StateFor(conclusion), bot.CheckName, desc, f.targetURL(repo, sha))
}

// UpsertStickyComment keeps the one sticky note (UpsertStickyNote). The
// bot's login names a GitHub App; on GitLab the token's own user is the
// author, so botLogin is used only when it is not a GitHub App's.
func (f *Forge) UpsertStickyComment(ctx context.Context, repo bot.Repo, number int, key, body, botLogin string) (int64, bool, error) {
	if strings.HasSuffix(botLogin, "[bot]") {
		botLogin = ""
	}
	// The sticky note is the result's Markdown, written for GitHub: escape
	// what GitLab alone reads as references or maths.
	return f.c.UpsertStickyNote(ctx, repo, number, key, EscapeMarkdown(body), botLogin)
}

// UpdateStickyComment is UpsertStickyComment that creates no note
// (UpdateStickyNote): comment.require_changes on a request without changes.
func (f *Forge) UpdateStickyComment(ctx context.Context, repo bot.Repo, number int, key, body, botLogin string) (int64, bool, error) {
	if strings.HasSuffix(botLogin, "[bot]") {
		botLogin = ""
	}
	return f.c.UpdateStickyNote(ctx, repo, number, key, EscapeMarkdown(body), botLogin)
}

// CreateComment adds a note to merge request number.
func (f *Forge) CreateComment(ctx context.Context, repo bot.Repo, number int, body string) (int64, error) {
	if utf8.RuneCountInString(body) > MaxNoteChars {
		body = truncateLines(body, MaxNoteChars, truncatedNote)
	}
	n, _, err := f.c.gl.Notes.CreateMergeRequestNote(pid(repo), int64(number),
		&gl.CreateMergeRequestNoteOptions{Body: gl.Ptr(body)}, gl.WithContext(ctx))
	if err != nil {
		return 0, f.c.wrap(err, "note on %s!%d", repo.FullName(), number)
	}
	return n.ID, nil
}

// ReplyInDiscussion answers in a merge request's discussion (the thread of
// the note holding a command): bot.DiscussionReplier.
func (f *Forge) ReplyInDiscussion(ctx context.Context, repo bot.Repo, number int, discussionID, body string) error {
	return f.c.Reply(ctx, repo, number, discussionID, body)
}

var _ bot.DiscussionReplier = (*Forge)(nil)

// RememberNote records that note id is on merge request iid (from a note
// hook), so AddReaction can find it.
func (f *Forge) RememberNote(id int64, iid int) {
	if id <= 0 || iid <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.notes[id]; !ok {
		f.noteFIFO = append(f.noteFIFO, id)
		if len(f.noteFIFO) > maxRemembered {
			delete(f.notes, f.noteFIFO[0])
			f.noteFIFO = f.noteFIFO[1:]
		}
	}
	f.notes[id] = iid
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

// AddReaction awards an emoji (GitHub's reaction names are mapped) on a
// note. GitLab needs the note's merge request: a note this server has not
// seen in a hook (RememberNote) gets no emoji, and that is no error — the
// reaction only acknowledges a command. An emoji already awarded counts as
// success.
func (f *Forge) AddReaction(ctx context.Context, repo bot.Repo, commentID int64, content string) error {
	f.mu.Lock()
	iid, ok := f.notes[commentID]
	f.mu.Unlock()
	if !ok {
		return nil
	}
	_, _, err := f.c.gl.AwardEmoji.CreateMergeRequestAwardEmojiOnNote(pid(repo), int64(iid), commentID,
		&gl.CreateAwardEmojiOptions{Name: emojiFor(content)}, gl.WithContext(ctx))
	if err != nil {
		werr := f.c.wrap(err, "award %s on note %d of %s!%d", emojiFor(content), commentID, repo.FullName(), iid)
		if isNotFound(werr) && f.alreadyAwarded(ctx, repo, iid, commentID, emojiFor(content)) {
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

var (
	_ bot.Forge        = (*Forge)(nil)
	_ bot.CommitChecks = (*Forge)(nil)
)
