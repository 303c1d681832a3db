package gitlab

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	mprelease "github.com/mpgate/mpgate/bot/release"
	"github.com/mpgate/mpgate/internal/fakegitlab"
)

const (
	projID   = 42
	projPath = "acme/mini/shop"
	botID    = 7
	botName  = "project_42_bot_4f1c"
	tokPAT   = "glpat-SECRET-pat-token"
	tokJob   = "glcbt-SECRET-job-token"
	tokOAuth = "SECRET-oauth-token"
	sha      = "0123456789abcdef0123456789abcdef01234567"

	routeStatus = "POST /projects/:id/statuses/:sha"
	routeNotes  = "GET /projects/:id/merge_requests/:iid/notes"
)

var (
	byID   = bot.Repo{Forge: bot.ForgeGitLab, Owner: "acme/mini", Name: "shop", ID: projID}
	byPath = bot.Repo{Forge: bot.ForgeGitLab, Owner: "acme/mini", Name: "shop"}
)

func newFake(t *testing.T) *fakegitlab.Fake {
	t.Helper()
	f := fakegitlab.New(t)
	f.AddUser(botID, botName, true)
	f.AddUser(8, "alice", false)
	f.AddUser(9, "mallory", false)
	f.AddUser(10, "rita", false)
	f.AddToken(tokPAT, fakegitlab.Private, botID)
	f.AddToken(tokJob, fakegitlab.Job, botID)
	f.AddToken(tokOAuth, fakegitlab.OAuth, botID)
	f.AddToken("mallory-token", fakegitlab.Private, 9)
	f.AddProject(projID, projPath)
	f.SetMember(projID, botID, AccessMaintainer)
	f.SetMember(projID, 8, AccessDeveloper)
	f.SetMember(projID, 10, AccessReporter)
	f.SetBranch(projID, "main", sha)
	f.SetMergeRequest(projID, fakegitlab.MergeRequest{IID: 5, Title: "feat: cart", Description: "adds a cart",
		SourceBranch: "cart", TargetBranch: "main", SHA: sha, BaseSHA: strings.Repeat("b", 40), Author: 8, Labels: []string{"ui"}})
	t.Cleanup(func() {
		if errs := f.Errors(); len(errs) > 0 {
			t.Errorf("fake GitLab saw invalid requests:\n%s", strings.Join(errs, "\n"))
		}
	})
	return f
}

func newClient(t *testing.T, f *fakegitlab.Fake, token string, kind TokenKind, opts ...Option) *Client {
	t.Helper()
	opts = append([]Option{WithRetries(3, time.Millisecond, 2*time.Millisecond), WithMaxRateLimitWait(2 * time.Second)}, opts...)
	c, err := New(f.BaseURL(), token, kind, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func noSecret(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error shows a token: %v", err)
	}
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name, url, token string
		kind             TokenKind
		ok               bool
	}{
		{"gitlab.com", "", "t", Private, true},
		{"self-managed root", "https://git.example.com", "t", Job, true},
		{"self-managed api", "https://git.example.com/gitlab/api/v4/", "t", OAuth, true},
		{"no scheme", "git.example.com", "t", Private, false},
		{"ftp", "ftp://git.example.com", "t", Private, false},
		{"no token", "https://git.example.com", "", Private, false},
		{"bad kind", "https://git.example.com", "t", TokenKind(9), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.url, tc.token, tc.kind)
			if (err == nil) != tc.ok {
				t.Fatalf("New(%q) = %v, want ok=%v", tc.url, err, tc.ok)
			}
			if tc.ok && c.GitLab() == nil {
				t.Fatal("no client-go client")
			}
		})
	}
}

func TestSetStatusTransitions(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, tokPAT, Private)
	ctx := context.Background()
	steps := []struct{ state, desc string }{
		{StatePending, "queued"},
		{StatePending, "still queued"}, // GitLab: Cannot transition via :enqueue from :pending
		{StateRunning, "analysing"},
		{StateRunning, "analysing"}, // Cannot transition via :run from :running
		{StateSuccess, "2 warnings"},
	}
	for i, s := range steps {
		t.Run(fmt.Sprintf("%d-%s", i, s.state), func(t *testing.T) {
			if err := c.SetStatus(ctx, byID, sha, s.state, "mpgate", s.desc, "https://ci.example/run/1"); err != nil {
				t.Fatalf("SetStatus(%s): %v", s.state, err)
			}
			got := f.Statuses(projID, sha)
			if len(got) != 1 || got[0].State != s.state {
				t.Fatalf("statuses = %+v, want one in %s", got, s.state)
			}
		})
	}
	if n := f.Count(routeStatus); n != len(steps) {
		t.Errorf("%d status posts, want %d (a refused same-state transition is not retried)", n, len(steps))
	}
	// A finished status is followed by a new one.
	if err := c.SetStatus(ctx, byID, sha, StateRunning, "mpgate", "again", ""); err != nil {
		t.Fatal(err)
	}
	if got := f.Statuses(projID, sha); len(got) != 2 || got[1].State != StateRunning {
		t.Errorf("statuses = %+v, want a second, running", got)
	}
	for _, bad := range []string{"error", "", "SUCCESS"} {
		if err := c.SetStatus(ctx, byID, sha, bad, "mpgate", "", ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("state %q: %v, want ErrInvalid", bad, err)
		}
	}
}

func TestSetStatusLongDescription(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, tokPAT, Private)
	long := strings.Repeat("é", 400)
	if err := c.SetStatusRef(context.Background(), byPath, sha, "cart", StateFailed, "mpgate/shop", long, ""); err != nil {
		t.Fatal(err)
	}
	got := f.Statuses(projID, sha)
	if len(got) != 1 || len([]rune(got[0].Description)) != maxStatusChars || got[0].Ref != "cart" || got[0].Name != "mpgate/shop" {
		t.Fatalf("status = %+v", got)
	}
}

func TestStateFor(t *testing.T) {
	for in, want := range map[string]string{
		bot.ConclusionSuccess: StateSuccess, bot.ConclusionNeutral: StateSuccess,
		bot.ConclusionFailure: StateFailed, bot.ConclusionActionRequired: StateFailed,
		bot.ConclusionTimedOut: StateFailed, bot.ConclusionCancelled: StateCanceled,
	} {
		t.Run(in, func(t *testing.T) {
			if got := StateFor(in); got != want {
				t.Errorf("StateFor(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func stickyNotes(f *fakegitlab.Fake, key string) []fakegitlab.Note {
	var out []fakegitlab.Note
	for _, n := range f.Notes(projID, 5) {
		if n.Author == botID && strings.Contains(n.Body, bot.StickyMarker(key)) {
			out = append(out, n)
		}
	}
	return out
}

func TestStickyNoteOnPageThree(t *testing.T) {
	defer func(n int64) { notesPerPage = n }(notesPerPage)
	notesPerPage = 50
	f := newFake(t)
	// Oldest first: GitLab lists newest first, so the bot's note, the
	// oldest, is on page 3 of 120.
	id := f.AddNote(projID, 5, botID, bot.StickyMarker("shop")+"\nold report")
	for i := range 119 {
		f.AddNote(projID, 5, 8+int64(i%2), fmt.Sprintf("comment %d", i))
	}
	c := newClient(t, f, tokPAT, Private)
	ctx := context.Background()

	t.Run("updated in place", func(t *testing.T) {
		got, changed, err := c.UpsertStickyNote(ctx, byID, 5, "shop", "new report", botName)
		if err != nil || !changed || got != id {
			t.Fatalf("= %d, %v, %v; want %d, true", got, changed, err, id)
		}
		if n := f.Count(routeNotes); n != 3 {
			t.Errorf("%d list requests, want 3 pages", n)
		}
		s := stickyNotes(f, "shop")
		if len(s) != 1 || s[0].Body != bot.StickyMarker("shop")+"\nnew report" {
			t.Fatalf("sticky notes = %+v", s)
		}
	})
	t.Run("unchanged is not edited", func(t *testing.T) {
		before := f.Count("PUT /projects/:id/merge_requests/:iid/notes/:note_id")
		got, changed, err := c.UpsertStickyNote(ctx, byID, 5, "shop", "new report", botName)
		if err != nil || changed || got != id {
			t.Fatalf("= %d, %v, %v; want %d, false", got, changed, err, id)
		}
		if after := f.Count("PUT /projects/:id/merge_requests/:iid/notes/:note_id"); after != before {
			t.Errorf("%d edits of an unchanged note", after-before)
		}
	})
	if n := len(f.Notes(projID, 5)); n != 120 {
		t.Errorf("%d notes, want 120", n)
	}
}

func TestUpdateStickyNoteCreatesNone(t *testing.T) {
	f := newFake(t)
	f.AddNote(projID, 5, 9, bot.StickyMarker("shop")+"\nnot the bot's")
	c := newClient(t, f, tokPAT, Private)
	ctx := context.Background()
	id, changed, err := c.UpdateStickyNote(ctx, byID, 5, "shop", "no size change", botName)
	if err != nil || id != 0 || changed {
		t.Fatalf("without a sticky note: = %d, %v, %v", id, changed, err)
	}
	if n := len(f.Notes(projID, 5)); n != 1 {
		t.Fatalf("%d notes, want the one there", n)
	}
	ours := f.AddNote(projID, 5, botID, bot.StickyMarker("shop")+"\n+5 KB")
	id, changed, err = c.UpdateStickyNote(ctx, byID, 5, "shop", "no size change", botName)
	if err != nil || id != ours || !changed {
		t.Fatalf("with one: = %d, %v, %v; want %d, true", id, changed, err, ours)
	}
	if s := stickyNotes(f, "shop"); len(s) != 1 || s[0].Body != bot.StickyMarker("shop")+"\nno size change" {
		t.Fatalf("sticky notes = %+v", s)
	}
}

func TestStickyNoteIgnoresOthersMarker(t *testing.T) {
	f := newFake(t)
	forged := f.AddNote(projID, 5, 9, bot.StickyMarker("")+"\nfake all-clear")
	c := newClient(t, f, tokPAT, Private)
	ctx := context.Background()
	id, changed, err := c.UpsertStickyNote(ctx, byID, 5, "", "real report", "") // "" → GET /user
	if err != nil || !changed || id == forged {
		t.Fatalf("= %d, %v, %v", id, changed, err)
	}
	if _, _, err := c.UpsertStickyNote(ctx, byID, 5, "", "real report 2", ""); err != nil {
		t.Fatal(err)
	}
	if n := f.Count("GET /user"); n != 1 {
		t.Errorf("GET /user %d times, want once", n)
	}
	notes := f.Notes(projID, 5)
	if len(notes) != 2 || notes[0].ID != forged || notes[0].Body != bot.StickyMarker("")+"\nfake all-clear" {
		t.Fatalf("notes = %+v: mallory's note must stay untouched", notes)
	}
	if s := stickyNotes(f, ""); len(s) != 1 || !strings.HasSuffix(s[0].Body, "real report 2") {
		t.Fatalf("sticky = %+v", s)
	}
}

func TestStickyNoteConcurrent(t *testing.T) {
	f := newFake(t)
	f.Barrier(routeNotes, 2) // both read "no note" before either creates
	c := newClient(t, f, tokPAT, Private)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = c.UpsertStickyNote(context.Background(), byID, 5, "shop", fmt.Sprintf("report %d", i), botName)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.Count("POST /projects/:id/merge_requests/:iid/notes"); n != 2 {
		t.Errorf("%d creates, want 2 (the race happened)", n)
	}
	if s := stickyNotes(f, "shop"); len(s) != 1 {
		t.Fatalf("%d sticky notes after a race, want 1: %+v", len(s), s)
	}
}

func TestStickyNoteTruncated(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, tokPAT, Private)
	body := strings.Repeat("| a | b |\n", MaxNoteChars/10+100)
	if _, _, err := c.UpsertStickyNote(context.Background(), byID, 5, "big", body, botName); err != nil {
		t.Fatal(err)
	}
	s := stickyNotes(f, "big")
	if len(s) != 1 || len([]rune(s[0].Body)) > MaxNoteChars || !strings.HasSuffix(s[0].Body, truncatedNote) {
		t.Fatalf("note of %d characters", len([]rune(s[0].Body)))
	}
}

func TestReply(t *testing.T) {
	f := newFake(t)
	cmd := f.AddNote(projID, 5, 8, "/mpgate rerun")
	var disc string
	for _, n := range f.Notes(projID, 5) {
		if n.ID == cmd {
			disc = n.DiscussionID
		}
	}
	c := newClient(t, f, tokPAT, Private)
	if _, err := c.Reply(context.Background(), byPath, 5, disc, "Re-running."); err != nil {
		t.Fatal(err)
	}
	notes := f.Notes(projID, 5)
	if len(notes) != 2 || notes[1].DiscussionID != disc || notes[1].Body != "Re-running." || notes[1].Author != botID {
		t.Fatalf("notes = %+v", notes)
	}
	if _, err := c.Reply(context.Background(), byPath, 5, strings.Repeat("f", 40), "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown discussion: %v, want ErrNotFound", err)
	}
}

func TestAccessLevel(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, tokPAT, Private)
	for _, tc := range []struct {
		name string
		user int64
		want int
		perm string
	}{
		{"reporter", 10, AccessReporter, "triage"},
		{"developer", 8, AccessDeveloper, "write"},
		{"maintainer", botID, AccessMaintainer, "maintain"},
		{"not a member", 9, AccessNone, "none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.AccessLevel(context.Background(), byID, tc.user)
			if err != nil || got != tc.want {
				t.Fatalf("AccessLevel = %d, %v; want %d", got, err, tc.want)
			}
			if p := Permission(got); p != tc.perm {
				t.Errorf("Permission(%d) = %q, want %q", got, p, tc.perm)
			}
		})
	}
}

func TestJobToken(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, tokJob, Job)
	ctx := context.Background()
	t.Run("notes", func(t *testing.T) {
		_, _, err := c.UpsertStickyNote(ctx, byID, 5, "", "report", botName)
		if !errors.Is(err, ErrForbidden) {
			t.Fatalf("err = %v, want ErrForbidden", err)
		}
		noSecret(t, err)
	})
	t.Run("status", func(t *testing.T) {
		err := c.SetStatus(ctx, byID, sha, StateRunning, "mpgate", "", "")
		if !errors.Is(err, ErrForbidden) {
			t.Fatalf("err = %v, want ErrForbidden", err)
		}
	})
	t.Run("raw file is allowed", func(t *testing.T) {
		f.SetFile(projID, "main", ".mpgate.yml", []byte("budget: 2MB\n"))
		b, err := c.FileContent(ctx, byID, ".mpgate.yml", "main")
		if err != nil || string(b) != "budget: 2MB\n" {
			t.Fatalf("= %q, %v", b, err)
		}
	})
	for _, r := range f.Requests() {
		if r.Auth != "JOB-TOKEN" {
			t.Errorf("%s %s sent %q, want JOB-TOKEN", r.Method, r.Path, r.Auth)
		}
	}
}

func TestForbidden403(t *testing.T) {
	f := newFake(t)
	f.Fault(routeStatus, 1, fakegitlab.Forbidden)
	c := newClient(t, f, tokPAT, Private)
	err := c.SetStatus(context.Background(), byID, sha, StatePending, "mpgate", "", "")
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("err = %v, want ErrForbidden", err)
	}
	if n := f.Count(routeStatus); n != 1 {
		t.Errorf("a 403 was sent %d times", n)
	}
	// A Reporter's token: GitLab refuses commit statuses.
	f.AddToken("rita-SECRET", fakegitlab.Private, 10)
	rita := newClient(t, f, "rita-SECRET", Private)
	err = rita.SetStatus(context.Background(), byID, sha, StatePending, "mpgate", "", "")
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("reporter: err = %v, want ErrForbidden", err)
	}
	noSecret(t, err)
}

func TestTokenKinds(t *testing.T) {
	f := newFake(t)
	f.AddToken("revoked-SECRET", fakegitlab.Private, botID)
	f.Revoke("revoked-SECRET")
	ctx := context.Background()
	t.Run("OAuth bearer", func(t *testing.T) {
		c := newClient(t, f, tokOAuth, OAuth)
		if _, err := c.MergeRequest(ctx, byID, 5); err != nil {
			t.Fatal(err)
		}
		if r := f.Requests(); r[len(r)-1].Auth != "Bearer" {
			t.Errorf("sent %q, want Bearer", r[len(r)-1].Auth)
		}
	})
	t.Run("private token", func(t *testing.T) {
		c := newClient(t, f, tokPAT, Private)
		if _, err := c.MergeRequest(ctx, byID, 5); err != nil {
			t.Fatal(err)
		}
		if r := f.Requests(); r[len(r)-1].Auth != "PRIVATE-TOKEN" {
			t.Errorf("sent %q, want PRIVATE-TOKEN", r[len(r)-1].Auth)
		}
	})
	t.Run("revoked", func(t *testing.T) {
		c := newClient(t, f, "revoked-SECRET", Private)
		_, err := c.MergeRequest(ctx, byID, 5)
		if !errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrForbidden) {
			t.Fatalf("err = %v, want ErrUnauthorized", err)
		}
		noSecret(t, err)
	})
}

func TestRetries(t *testing.T) {
	ctx := context.Background()
	t.Run("5xx retried", func(t *testing.T) {
		f := newFake(t)
		f.Fault(routeStatus, 2, fakegitlab.ServerError)
		c := newClient(t, f, tokPAT, Private)
		if err := c.SetStatus(ctx, byID, sha, StatePending, "mpgate", "", ""); err != nil {
			t.Fatal(err)
		}
		if n := f.Count(routeStatus); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
	})
	t.Run("5xx bounded", func(t *testing.T) {
		f := newFake(t)
		f.Fault(routeStatus, 10, fakegitlab.ServerError)
		c := newClient(t, f, tokPAT, Private)
		err := c.SetStatus(ctx, byID, sha, StatePending, "mpgate", "", "")
		if err == nil || errors.Is(err, ErrForbidden) {
			t.Fatalf("err = %v, want a 502", err)
		}
		if n := f.Count(routeStatus); n != 4 {
			t.Errorf("%d attempts, want 1 + 3 retries", n)
		}
	})
	t.Run("429 Retry-After honoured", func(t *testing.T) {
		f := newFake(t)
		f.RateLimit(routeNotes, 1, 1)
		c := newClient(t, f, tokPAT, Private)
		if _, _, err := c.UpsertStickyNote(ctx, byID, 5, "", "x", botName); err != nil {
			t.Fatal(err)
		}
		reqs := f.Requests()
		if len(reqs) < 2 || reqs[0].Status != 429 || reqs[1].Route != routeNotes || reqs[1].Status != 200 {
			t.Fatalf("requests = %+v", reqs)
		}
	})
	t.Run("429 beyond the wait is a RateLimitError", func(t *testing.T) {
		f := newFake(t)
		f.RateLimit(routeStatus, 5, 120)
		c := newClient(t, f, tokPAT, Private)
		before := time.Now()
		err := c.SetStatus(ctx, byID, sha, StatePending, "mpgate", "", "")
		var rl *RateLimitError
		if !errors.As(err, &rl) {
			t.Fatalf("err = %v, want *RateLimitError", err)
		}
		if rl.RetryAt.Before(before.Add(119 * time.Second)) {
			t.Errorf("RetryAt %v, want about two minutes ahead", rl.RetryAt)
		}
		if n := f.Count(routeStatus); n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		f := newFake(t)
		c := newClient(t, f, tokPAT, Private)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := c.SetStatus(cctx, byID, sha, StatePending, "mpgate", "", ""); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

func TestMergeRequest(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, tokPAT, Private)
	pr, err := c.MergeRequest(context.Background(), byPath, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := bot.PullRequest{Number: 5, Title: "feat: cart", Body: "adds a cart", HeadSHA: sha, HeadRef: "cart",
		BaseRef: "main", BaseSHA: strings.Repeat("b", 40), HeadRepo: projPath, Author: "alice", Labels: []string{"ui"}}
	if fmt.Sprint(pr) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", pr, want)
	}
	if _, err := c.MergeRequest(context.Background(), byPath, 99); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing MR: %v, want ErrNotFound", err)
	}
}

func TestFileContent(t *testing.T) {
	f := newFake(t)
	f.SetFile(projID, "main", "miniprogram/app.json", []byte(`{"pages":["pages/index/index"]}`))
	f.SetFile(projID, "v1.2.0", "miniprogram/app.json", []byte(`{"pages":[]}`))
	c := newClient(t, f, tokPAT, Private)
	for _, tc := range []struct {
		name, path, ref, want string
		err                   error
	}{
		{"main", "miniprogram/app.json", "main", `{"pages":["pages/index/index"]}`, nil},
		{"tag", "/miniprogram/app.json", "v1.2.0", `{"pages":[]}`, nil},
		{"missing", "miniprogram/nope.json", "main", "", ErrNotFound},
		{"empty path", "", "main", "", ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := c.FileContent(context.Background(), byPath, tc.path, tc.ref)
			if !errors.Is(err, tc.err) || string(b) != tc.want {
				t.Fatalf("= %q, %v; want %q, %v", b, err, tc.want, tc.err)
			}
		})
	}
}

func TestTagAndRelease(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, tokPAT, Private)
	ctx := context.Background()
	if err := c.CreateTag(ctx, byID, "v1.0.0", "main", "mpgate release"); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateTag(ctx, byID, "v1.0.0", "main", ""); !errors.Is(err, ErrExists) {
		t.Errorf("second tag: %v, want ErrExists", err)
	}
	if tag := f.Tags(projID)["v1.0.0"]; tag.Target != sha || tag.Message != "mpgate release" {
		t.Errorf("tag = %+v", tag)
	}
	r, err := c.CreateRelease(ctx, byID, Release{TagName: "v1.0.0", Name: "1.0.0", Description: "## Size\n| a | b |"})
	if err != nil || r.Name != "1.0.0" || r.TagName != "v1.0.0" {
		t.Fatalf("= %+v, %v", r, err)
	}
	if _, err := c.CreateRelease(ctx, byID, Release{TagName: "v1.0.0"}); !errors.Is(err, ErrExists) {
		t.Errorf("second release: %v, want ErrExists", err)
	}
	// A release whose tag does not exist yet creates it at Ref.
	if _, err := c.CreateRelease(ctx, byID, Release{TagName: "v1.1.0", Ref: "main"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Tags(projID)["v1.1.0"]; !ok || len(f.Releases(projID)) != 2 {
		t.Errorf("tags %v, releases %+v", f.Tags(projID), f.Releases(projID))
	}
}

func TestCreateOrUpdateMergeRequest(t *testing.T) {
	f := newFake(t)
	f.SetBranch(projID, "mpgate/release-1.1.0", strings.Repeat("c", 40))
	c := newClient(t, f, tokPAT, Private)
	ctx := context.Background()
	spec := MergeRequestSpec{SourceBranch: "mpgate/release-1.1.0", TargetBranch: "main", Title: "release 1.1.0",
		Description: "changes", Labels: []string{"release"}}
	iid, created, err := c.CreateOrUpdateMergeRequest(ctx, byID, spec)
	if err != nil || !created {
		t.Fatalf("= %d, %v, %v", iid, created, err)
	}
	spec.Description = "more changes"
	again, created, err := c.CreateOrUpdateMergeRequest(ctx, byID, spec)
	if err != nil || created || again != iid {
		t.Fatalf("update = %d, %v, %v", again, created, err)
	}
	if mr := f.MergeRequests(projID)[iid]; mr.Description != "more changes" || mr.Title != "release 1.1.0" || fmt.Sprint(mr.Labels) != "[release]" {
		t.Errorf("MR = %+v", mr)
	}
	puts := f.Count("PUT /projects/:id/merge_requests/:iid")
	if _, _, err := c.CreateOrUpdateMergeRequest(ctx, byID, spec); err != nil {
		t.Fatal(err)
	}
	if n := f.Count("PUT /projects/:id/merge_requests/:iid"); n != puts {
		t.Errorf("an unchanged MR was edited")
	}
	if _, _, err := c.CreateOrUpdateMergeRequest(ctx, byID, MergeRequestSpec{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty spec: %v", err)
	}
}

// TestReleasePublisherAsksNotToSquash: the release MR must not be squashed
// (its commit's Release-Head trailer would be lost), also when a maintainer
// ticked "squash" on the open one.
func TestReleasePublisherAsksNotToSquash(t *testing.T) {
	f := newFake(t)
	f.SetBranch(projID, "mpgate/release", strings.Repeat("c", 40))
	c := newClient(t, f, tokPAT, Private)
	ctx := context.Background()
	pub := c.ReleasePublisher(byID)
	r := mprelease.ReleaseRequest{Head: "mpgate/release", Base: "main", Title: "chore(release): app@v0.2.0", Body: "notes"}
	iid, created, err := pub.UpsertRequest(ctx, r)
	if err != nil || !created {
		t.Fatalf("= %d, %v, %v", iid, created, err)
	}
	mr := f.MergeRequests(projID)[iid]
	if mr.Squash {
		t.Error("the release MR was opened to be squashed")
	}
	mr.Squash = true
	f.SetMergeRequest(projID, mr)
	if again, created, err := pub.UpsertRequest(ctx, r); err != nil || created || again != iid {
		t.Fatalf("update = %d, %v, %v", again, created, err)
	}
	if f.MergeRequests(projID)[iid].Squash {
		t.Error("squash set by hand on the release MR was left on")
	}
	for _, req := range f.Requests() {
		if req.Method == "POST" && strings.HasSuffix(req.Path, "/merge_requests") && !strings.Contains(req.Body, `"squash":false`) {
			t.Errorf("the MR was opened without squash=false: %s", req.Body)
		}
	}
}
