package gitlab

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
)

const webURL = "https://gitlab.example"

func newForge(t *testing.T) (*Forge, *Client) {
	t.Helper()
	f := newFake(t)
	c := newClient(t, f, tokPAT, Private)
	return NewForge(c, tokPAT, webURL+"/api/v4/"), c
}

func TestForgeStatusLifecycle(t *testing.T) {
	for _, tc := range []struct {
		name, conclusion, title, wantState, wantDesc string
	}{
		{"failure", bot.ConclusionFailure, "2 size gates failed", StateFailed, "2 size gates failed"},
		{"success", bot.ConclusionSuccess, "All gates passed", StateSuccess, "All gates passed"},
		{"neutral is success", bot.ConclusionNeutral, "Superseded", StateSuccess, "Superseded"},
		{"cancelled", bot.ConclusionCancelled, "", StateCanceled, "mpgate: cancelled"},
		{"timed out", bot.ConclusionTimedOut, "ran out of time", StateFailed, "ran out of time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			fg := NewForge(newClient(t, f, tokPAT, Private), tokPAT, webURL)
			mrURL := webURL + "/acme/mini/shop/-/merge_requests/5"
			ctx := context.Background()
			ref, err := fg.CreateCheck(ctx, bot.CheckRef{Repo: byID, SHA: sha, Name: bot.CheckName, PR: 5}, "queued", "")
			if err != nil || ref.ID <= 0 || ref.ID != CheckRunID(sha, bot.CheckName) {
				t.Fatalf("CreateCheck = %+v, %v", ref, err)
			}
			if st := f.Statuses(projID, sha); len(st) != 1 || st[0].State != StatePending || st[0].Name != bot.CheckName || st[0].TargetURL != mrURL {
				t.Fatalf("after create: %+v", st)
			}
			if err := fg.StartCheck(ctx, ref); err != nil {
				t.Fatal(err)
			}
			if st := f.Statuses(projID, sha); st[len(st)-1].State != StateRunning {
				t.Fatalf("after start: %+v", st)
			}
			out := bot.CheckOutput{Title: tc.title, Summary: "s", Annotations: []bot.Annotation{{Path: "app.json", StartLine: 1, EndLine: 1, Level: bot.LevelFailure, Message: "m"}}}
			if err := fg.CompleteCheck(ctx, ref, tc.conclusion, out); err != nil {
				t.Fatal(err)
			}
			st := f.Statuses(projID, sha)
			last := st[len(st)-1]
			if len(st) != 1 || last.State != tc.wantState || last.Description != tc.wantDesc || last.TargetURL != mrURL {
				t.Errorf("statuses %+v, want one %s %q", st, tc.wantState, tc.wantDesc)
			}
		})
	}
}

// TestForgeNamedChecks: two checks on one commit are two statuses, each
// moved by its own name (the changelog check once overwrote the main one).
func TestForgeNamedChecks(t *testing.T) {
	f := newFake(t)
	fg := NewForge(newClient(t, f, tokPAT, Private), tokPAT, "")
	ctx := context.Background()
	main, err := fg.CreateCheck(ctx, bot.CheckRef{Repo: byID, SHA: sha, Name: bot.CheckName, PR: 5}, "queued", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := fg.StartCheck(ctx, main); err != nil {
		t.Fatal(err)
	}
	cl, err := fg.CreateCheck(ctx, bot.CheckRef{Repo: byID, SHA: sha, Name: bot.ChangelogCheckName, PR: 5}, "in_progress", "")
	if err != nil || cl.ID == main.ID {
		t.Fatalf("CreateCheck = %+v, %v: want an ID of its own", cl, err)
	}
	if err := fg.CompleteCheck(ctx, cl, bot.ConclusionFailure, bot.CheckOutput{Title: "A changelog entry is missing"}); err != nil {
		t.Fatal(err)
	}
	if err := fg.CompleteCheck(ctx, main, bot.ConclusionSuccess, bot.CheckOutput{Title: "All gates passed"}); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, st := range f.Statuses(projID, sha) {
		if _, dup := got[st.Name]; dup {
			t.Errorf("a second %q status: %+v", st.Name, f.Statuses(projID, sha))
		}
		got[st.Name] = st.State
	}
	if got[bot.CheckName] != StateSuccess || got[bot.ChangelogCheckName] != StateFailed || len(got) != 2 {
		t.Errorf("statuses %v, want %s success and %s failed", got, bot.CheckName, bot.ChangelogCheckName)
	}
}

func TestForgeRunningAtOnce(t *testing.T) {
	f := newFake(t)
	fg := NewForge(newClient(t, f, tokPAT, Private), tokPAT, "")
	if _, err := fg.CreateCheck(context.Background(), bot.CheckRef{Repo: byID, SHA: sha, Name: bot.CheckName}, "in_progress", "https://ci.example/1"); err != nil {
		t.Fatal(err)
	}
	st := f.Statuses(projID, sha)
	if len(st) != 1 || st[0].State != StateRunning || st[0].TargetURL != "https://ci.example/1" {
		t.Errorf("statuses %+v, want one running with the details URL", st)
	}
}

func TestForgeTargetURL(t *testing.T) {
	fg, _ := newForge(t)
	for _, tc := range []struct {
		name string
		fg   *Forge
		ref  bot.CheckRef
		want string
	}{
		{"merge request", fg, bot.CheckRef{Repo: byID, SHA: sha, PR: 5}, webURL + "/acme/mini/shop/-/merge_requests/5"},
		{"commit", fg, bot.CheckRef{Repo: byID, SHA: "feed"}, webURL + "/acme/mini/shop/-/commit/feed"},
		{"no web root", NewForge(fg.Client(), tokPAT, ""), bot.CheckRef{Repo: byID, SHA: sha, PR: 5}, ""},
		{"no path", fg, bot.CheckRef{Repo: bot.Repo{ID: 1}, SHA: sha, PR: 5}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.fg.targetURL(tc.ref); got != tc.want {
				t.Errorf("targetURL = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestForgePermission(t *testing.T) {
	fg, _ := newForge(t)
	for _, tc := range []struct {
		user, want string
	}{
		{"alice", "write"},  // Developer
		{"ALICE", "write"},  // usernames are case-insensitive
		{"rita", "triage"},  // Reporter: no commands
		{"mallory", "none"}, // not a member
		{"ghost", "none"},   // no such user
		{botName, "maintain"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			got, err := fg.Permission(context.Background(), byID, tc.user)
			if err != nil || got != tc.want {
				t.Fatalf("Permission(%s) = %q, %v; want %q", tc.user, got, err, tc.want)
			}
			if tc.want == "write" && bot.ParsePermission(got) < bot.PermissionWrite {
				t.Errorf("%q does not allow commands", got)
			}
		})
	}
	if _, err := fg.Permission(context.Background(), byID, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty user: %v, want ErrInvalid", err)
	}
}

// TestForgePermissionAfterRename: a name is resolved on every command, so
// a Developer's old name taken by an outsider grants the outsider nothing.
func TestForgePermissionAfterRename(t *testing.T) {
	f := newFake(t)
	fg := NewForge(newClient(t, f, tokPAT, Private), tokPAT, "")
	ctx := context.Background()
	if p, err := fg.Permission(ctx, byID, "alice"); err != nil || p != "write" {
		t.Fatalf("before: %q, %v", p, err)
	}
	f.AddUser(8, "alice-renamed", false)
	f.AddUser(11, "alice", false)
	if p, err := fg.Permission(ctx, byID, "alice"); err != nil || p != "none" {
		t.Errorf("after the rename: %q, %v; want none", p, err)
	}
}

func TestForgeCommentsAndReactions(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	cmd := f.AddNote(projID, 5, 8, "/rebuild")
	var thread string
	for _, n := range f.Notes(projID, 5) {
		if n.ID == cmd {
			thread = n.DiscussionID
		}
	}
	// A new Forge for each step: nothing is remembered between calls.
	forge := func() *Forge { return NewForge(newClient(t, f, tokPAT, Private), tokPAT, "") }

	c, err := forge().Reply(ctx, byID, bot.CommentRef{PR: 5}, "@alice done")
	if err != nil || c.ID <= 0 || c.PR != 5 {
		t.Fatalf("Reply = %+v, %v", c, err)
	}
	notes := f.Notes(projID, 5)
	if len(notes) != 2 || notes[1].Body != "@alice done" || notes[1].Author != botID {
		t.Fatalf("notes %+v", notes)
	}
	r, err := forge().Reply(ctx, byID, bot.CommentRef{PR: 5, ID: cmd, Discussion: thread}, "@alice in the thread")
	if err != nil || r.ID <= 0 || r.Discussion != thread {
		t.Fatalf("Reply in the thread = %+v, %v", r, err)
	}
	if n := f.Notes(projID, 5); len(n) != 3 || n[2].DiscussionID != thread {
		t.Errorf("the reply is not in the command's discussion %q: %+v", thread, n)
	}

	for range 2 { // the second is GitLab's "already been taken": success
		if err := forge().React(ctx, byID, bot.CommentRef{PR: 5, ID: cmd}, "+1"); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.Awards(cmd); len(got) != 1 || got[0].Name != "thumbsup" || got[0].User != botID {
		t.Errorf("awards %+v, want one thumbsup by the bot", got)
	}
	if err := forge().React(ctx, byID, bot.CommentRef{PR: 5, ID: 999999}, "eyes"); !errors.Is(err, ErrNotFound) || !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("award on a missing note: %v, want ErrNotFound", err)
	}
	if err := forge().React(ctx, byID, bot.CommentRef{ID: cmd}, "eyes"); !errors.Is(err, ErrInvalid) {
		t.Errorf("award without the merge request: %v, want ErrInvalid", err)
	}
}

func TestForgeStickyAndFiles(t *testing.T) {
	f := newFake(t)
	fg := NewForge(newClient(t, f, tokPAT, Private), tokPAT, "")
	ctx := context.Background()
	body := bot.StickyMarker("") + "\nreport"
	// A GitHub App login is not GitLab's author: the token's user is.
	c, wrote, err := fg.UpsertStickyComment(ctx, byID, 5, "", body, "mpgate[bot]")
	if err != nil || !wrote || c.ID <= 0 || c.PR != 5 {
		t.Fatalf("UpsertStickyComment = %+v, %v, %v", c, wrote, err)
	}
	c2, wrote, err := fg.UpsertStickyComment(ctx, byID, 5, "", body+" v2", "mpgate[bot]")
	if err != nil || !wrote || c2 != c {
		t.Fatalf("second UpsertStickyComment = %+v, %v, %v; want the same note %+v", c2, wrote, err, c)
	}
	if n := f.Notes(projID, 5); len(n) != 1 || !strings.HasSuffix(n[0].Body, "report v2") {
		t.Errorf("notes %+v", n)
	}

	f.SetFile(projID, "main", ".mpgate.yml", []byte("version: 1\n"))
	b, blob, err := fg.FileContent(ctx, byID, ".mpgate.yml", "main")
	if err != nil || string(b) != "version: 1\n" || blob != "" {
		t.Errorf("FileContent = %q, %q, %v", b, blob, err)
	}
	if _, _, err := fg.FileContent(ctx, byID, "missing.yml", "main"); !errors.Is(err, ErrNotFound) || !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("missing file: %v, want ErrNotFound", err)
	}
	pr, err := fg.PullRequestEvent(ctx, byID, 5)
	if err != nil || pr.HeadSHA != sha || pr.HeadRef != "cart" || pr.Author != "alice" {
		t.Errorf("PullRequestEvent = %+v, %v", pr, err)
	}
	if tok, err := fg.GitToken(ctx); err != nil || tok != tokPAT {
		t.Errorf("GitToken = %q, %v", tok, err)
	}
	if _, err := NewForge(fg.Client(), "", "").GitToken(ctx); !errors.Is(err, ErrInvalid) {
		t.Errorf("no token: %v, want ErrInvalid", err)
	}
}

func TestEmojiFor(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+1", "thumbsup"}, {"-1", "thumbsdown"}, {"laugh", "laughing"}, {"hooray", "tada"},
		{"confused", "confused"}, {"heart", "heart"}, {"rocket", "rocket"}, {"eyes", "eyes"}, {"sparkles", "sparkles"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := emojiFor(tc.in); got != tc.want {
				t.Errorf("emojiFor(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCheckRunID(t *testing.T) {
	a, b := CheckRunID(sha, bot.CheckName), CheckRunID(strings.Repeat("f", 40), bot.CheckName)
	if a <= 0 || b <= 0 || a == b || a != CheckRunID(sha, bot.CheckName) || a == CheckRunID(sha, "other") {
		t.Errorf("ids %d %d: want positive, stable and distinct", a, b)
	}
}

// TestForgeErrors: the adapter's errors are the bot's sentinels, and its
// rate limit says when to retry.
func TestForgeErrors(t *testing.T) {
	for _, tc := range []struct {
		err, target error
	}{
		{ErrNotFound, bot.ErrNotFound},
		{ErrForbidden, bot.ErrForbidden},
	} {
		if !errors.Is(fmt.Errorf("x: %w", tc.err), tc.target) {
			t.Errorf("%v is not %v", tc.err, tc.target)
		}
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rl, ok := errors.AsType[bot.RateLimited](fmt.Errorf("x: %w", &RateLimitError{RetryAt: now.Add(time.Minute)}))
	if !ok || rl.RetryAfter(now) != time.Minute || rl.RetryAfter(now.Add(time.Hour)) != 0 {
		t.Errorf("RateLimitError as bot.RateLimited: %v, %v", rl, ok)
	}
}

// TestForgeAddLabel: /ok-to-build's label persists on the merge request
// (add_labels keeps the others), and the request read back carries it, so
// later pushes are built while it is on.
func TestForgeAddLabel(t *testing.T) {
	const label = "mpgate:ok-to-build"
	for _, tc := range []struct {
		name    string
		iid     int
		labels  []string // added in order
		want    []string // the request's labels after
		wantErr error
	}{
		{"added beside the others", 5, []string{label}, []string{"ui", label}, nil},
		{"added twice: once", 5, []string{label, label}, []string{"ui", label}, nil},
		{"empty name", 5, []string{" "}, []string{"ui"}, ErrInvalid},
		{"no such request", 77, []string{label}, nil, bot.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			fg := NewForge(newClient(t, f, tokPAT, Private), tokPAT, webURL)
			ctx := context.Background()
			var err error
			for _, l := range tc.labels {
				if err = fg.AddLabel(ctx, byID, tc.iid, l); err != nil {
					break
				}
			}
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("AddLabel: %v, want %v", err, tc.wantErr)
			}
			if tc.want == nil {
				return
			}
			if got := f.MergeRequests(projID)[tc.iid].Labels; fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("labels %v, want %v", got, tc.want)
			}
			pr, err := fg.PullRequestEvent(ctx, byID, tc.iid)
			if err != nil || fmt.Sprint(pr.Labels) != fmt.Sprint(tc.want) {
				t.Errorf("PullRequestEvent labels %v (%v), want %v", pr.Labels, err, tc.want)
			}
		})
	}
}

// TestPermissionLevels maps GitLab's access levels to GitHub's names, as
// bot.ParsePermission reads them: a level between two takes the one below.
func TestPermissionLevels(t *testing.T) {
	tests := []struct {
		level int
		want  bot.Permission
	}{
		{-1, bot.PermissionNone},
		{0, bot.PermissionNone},
		{5, bot.PermissionNone},
		{10, bot.PermissionRead},
		{15, bot.PermissionRead},
		{20, bot.PermissionTriage},
		{30, bot.PermissionWrite},
		{40, bot.PermissionMaintain},
		{50, bot.PermissionAdmin},
		{60, bot.PermissionAdmin},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.level), func(t *testing.T) {
			t.Parallel()
			if got := bot.ParsePermission(Permission(tt.level)); got != tt.want {
				t.Errorf("Permission(%d) = %q, read as %v; want %v", tt.level, Permission(tt.level), got, tt.want)
			}
		})
	}
}
