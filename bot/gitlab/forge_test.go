package gitlab

import (
	"context"
	"errors"
	"strings"
	"testing"

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
			fg.RememberHead(sha, 5)
			mrURL := webURL + "/acme/mini/shop/-/merge_requests/5"
			ctx := context.Background()
			id, err := fg.CreateCheckRun(ctx, byID, sha, bot.CheckName, "queued", "")
			if err != nil || id <= 0 || id != CheckRunID(sha, bot.CheckName) {
				t.Fatalf("CreateCheckRun = %d, %v", id, err)
			}
			if st := f.Statuses(projID, sha); len(st) != 1 || st[0].State != StatePending || st[0].Name != bot.CheckName || st[0].TargetURL != mrURL {
				t.Fatalf("after create: %+v", st)
			}
			if err := fg.StartCheckRunAt(ctx, byID, id, sha); err != nil {
				t.Fatal(err)
			}
			if st := f.Statuses(projID, sha); st[len(st)-1].State != StateRunning {
				t.Fatalf("after start: %+v", st)
			}
			out := bot.CheckOutput{Title: tc.title, Summary: "s", Annotations: []bot.Annotation{{Path: "app.json", StartLine: 1, EndLine: 1, Level: bot.LevelFailure, Message: "m"}}}
			if err := fg.CompleteCheckRunAt(ctx, byID, id, sha, tc.conclusion, out); err != nil {
				t.Fatal(err)
			}
			st := f.Statuses(projID, sha)
			last := st[len(st)-1]
			if last.State != tc.wantState || last.Description != tc.wantDesc || last.TargetURL != mrURL {
				t.Errorf("final status %+v, want %s %q", last, tc.wantState, tc.wantDesc)
			}
		})
	}
}

func TestForgeRunningAtOnce(t *testing.T) {
	f := newFake(t)
	fg := NewForge(newClient(t, f, tokPAT, Private), tokPAT, "")
	if _, err := fg.CreateCheckRun(context.Background(), byID, sha, bot.CheckName, "in_progress", "https://ci.example/1"); err != nil {
		t.Fatal(err)
	}
	st := f.Statuses(projID, sha)
	if len(st) != 1 || st[0].State != StateRunning || st[0].TargetURL != "https://ci.example/1" {
		t.Errorf("statuses %+v, want one running with the details URL", st)
	}
}

func TestForgeTargetURL(t *testing.T) {
	fg, _ := newForge(t)
	fg.RememberHead(sha, 5)
	fg.RememberHead("", 5)
	fg.RememberHead("x", 0)
	for _, tc := range []struct {
		name string
		fg   *Forge
		repo bot.Repo
		sha  string
		want string
	}{
		{"merge request", fg, byID, sha, webURL + "/acme/mini/shop/-/merge_requests/5"},
		{"commit", fg, byID, "feed", webURL + "/acme/mini/shop/-/commit/feed"},
		{"no web root", NewForge(fg.Client(), tokPAT, ""), byID, sha, ""},
		{"no path", fg, bot.Repo{ID: 1}, sha, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.fg.targetURL(tc.repo, tc.sha); got != tc.want {
				t.Errorf("targetURL = %q, want %q", got, tc.want)
			}
		})
	}
	if len(fg.heads) != 1 {
		t.Errorf("remembered %v, want only the valid head", fg.heads)
	}
}

func TestForgeIDOnlyCallsRefused(t *testing.T) {
	fg, _ := newForge(t)
	ctx := context.Background()
	if err := fg.StartCheckRun(ctx, byID, 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("StartCheckRun: %v, want ErrInvalid", err)
	}
	if err := fg.CompleteCheckRun(ctx, byID, 1, bot.ConclusionSuccess, bot.CheckOutput{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("CompleteCheckRun: %v, want ErrInvalid", err)
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
	fg := NewForge(newClient(t, f, tokPAT, Private), tokPAT, "")
	ctx := context.Background()
	cmd := f.AddNote(projID, 5, 8, "/rebuild")

	id, err := fg.CreateComment(ctx, byID, 5, "@alice done")
	if err != nil || id <= 0 {
		t.Fatalf("CreateComment = %d, %v", id, err)
	}
	notes := f.Notes(projID, 5)
	if len(notes) != 2 || notes[1].Body != "@alice done" || notes[1].Author != botID {
		t.Fatalf("notes %+v", notes)
	}

	// Unknown note: no request, no error.
	if err := fg.AddReaction(ctx, byID, cmd, "+1"); err != nil {
		t.Fatal(err)
	}
	if got := f.Awards(cmd); len(got) != 0 {
		t.Fatalf("awarded without knowing the merge request: %+v", got)
	}
	fg.RememberNote(cmd, 5)
	for range 2 { // the second is GitLab's "already been taken": success
		if err := fg.AddReaction(ctx, byID, cmd, "+1"); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.Awards(cmd); len(got) != 1 || got[0].Name != "thumbsup" || got[0].User != botID {
		t.Errorf("awards %+v, want one thumbsup by the bot", got)
	}
	fg.RememberNote(999999, 5)
	if err := fg.AddReaction(ctx, byID, 999999, "eyes"); !errors.Is(err, ErrNotFound) {
		t.Errorf("award on a missing note: %v, want ErrNotFound", err)
	}
}

func TestForgeRememberNoteBounded(t *testing.T) {
	fg, _ := newForge(t)
	for i := range int64(maxRemembered + 10) {
		fg.RememberNote(i+1, 1)
	}
	fg.RememberNote(0, 1)
	fg.RememberNote(1, 0)
	if len(fg.notes) != maxRemembered || len(fg.noteFIFO) != maxRemembered {
		t.Errorf("remembered %d notes (%d in order), want %d", len(fg.notes), len(fg.noteFIFO), maxRemembered)
	}
	if _, ok := fg.notes[1]; ok {
		t.Error("the oldest note was not forgotten")
	}
}

func TestForgeStickyAndFiles(t *testing.T) {
	f := newFake(t)
	fg := NewForge(newClient(t, f, tokPAT, Private), tokPAT, "")
	ctx := context.Background()
	body := bot.StickyMarker("") + "\nreport"
	// A GitHub App login is not GitLab's author: the token's user is.
	id, wrote, err := fg.UpsertStickyComment(ctx, byID, 5, "", body, "mpgate[bot]")
	if err != nil || !wrote || id <= 0 {
		t.Fatalf("UpsertStickyComment = %d, %v, %v", id, wrote, err)
	}
	id2, wrote, err := fg.UpsertStickyComment(ctx, byID, 5, "", body+" v2", "mpgate[bot]")
	if err != nil || !wrote || id2 != id {
		t.Fatalf("second UpsertStickyComment = %d, %v, %v; want the same note %d", id2, wrote, err, id)
	}
	if n := f.Notes(projID, 5); len(n) != 1 || !strings.HasSuffix(n[0].Body, "report v2") {
		t.Errorf("notes %+v", n)
	}

	f.SetFile(projID, "main", ".mpgate.yml", []byte("version: 1\n"))
	b, blob, err := fg.FileContent(ctx, byID, ".mpgate.yml", "main")
	if err != nil || string(b) != "version: 1\n" || blob != "" {
		t.Errorf("FileContent = %q, %q, %v", b, blob, err)
	}
	if _, _, err := fg.FileContent(ctx, byID, "missing.yml", "main"); !errors.Is(err, ErrNotFound) {
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
