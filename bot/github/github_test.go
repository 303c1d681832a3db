package github

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/internal/fakegithub"
)

// The consumers' view: what the Action and the server call.
type checkPoster interface {
	CreateCheckRun(ctx context.Context, repo bot.Repo, headSHA, name, status, detailsURL string) (int64, error)
	CompleteCheckRun(ctx context.Context, repo bot.Repo, id int64, conclusion string, out bot.CheckOutput) error
}

type commenter interface {
	UpsertStickyComment(ctx context.Context, repo bot.Repo, number int, key, body, botLogin string) (int64, bool, error)
}

type trustChecker interface {
	Permission(ctx context.Context, repo bot.Repo, user string) (string, error)
	PullRequest(ctx context.Context, repo bot.Repo, number int) (PullRequest, error)
}

var (
	_ checkPoster  = (*Client)(nil)
	_ commenter    = (*Client)(nil)
	_ trustChecker = (*Client)(nil)
)

const (
	token    = "ghp_0123456789abcdef"
	botLogin = "mpgate-bot"
)

var repo = bot.Repo{Forge: "github", Owner: "octo", Name: "shop"}

func setup(t *testing.T, opts ...Option) (*fakegithub.Fake, *Client) {
	t.Helper()
	f := fakegithub.New(t)
	f.AddToken(token, botLogin)
	opts = append([]Option{WithToken(token), WithLogin(botLogin), WithRetries(4, time.Millisecond)}, opts...)
	c, err := New(nil, f.BaseURL(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if e := f.Errors(); len(e) != 0 {
			t.Errorf("the fake recorded invalid requests:\n%s", strings.Join(e, "\n"))
		}
	})
	return f, c
}

func annotationsN(n int) []bot.Annotation {
	var out []bot.Annotation
	for i := range n {
		out = append(out, bot.Annotation{Path: fmt.Sprintf("pages/p%d/index.js", i), StartLine: i + 1, EndLine: i + 1,
			StartCol: 2, EndCol: 9, Level: bot.LevelWarning, Title: "MP301", Message: fmt.Sprintf("finding %d", i)})
	}
	return out
}

func TestCheckRunAnnotationBatches(t *testing.T) {
	tests := []struct {
		n       int
		batches []int
	}{
		{0, []int{0}},
		{1, []int{1}},
		{50, []int{50}},
		{51, []int{50, 1}},
		{120, []int{50, 50, 20}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			f, c := setup(t)
			ctx := context.Background()
			id, err := c.CreateCheckRun(ctx, repo, "abc123", "mpgate", "queued", "https://ci.example/1")
			if err != nil {
				t.Fatal(err)
			}
			if err := c.StartCheckRun(ctx, repo, id); err != nil {
				t.Fatal(err)
			}
			if r := f.CheckRuns(repo.FullName())[0]; r.Status != "in_progress" {
				t.Fatalf("status %q after StartCheckRun", r.Status)
			}
			out := bot.CheckOutput{Title: "2 over budget", Summary: "| pkg | size |\n|---|---|", Text: "details",
				Annotations: annotationsN(tt.n), Actions: []bot.CheckAction{{Label: "Re-run", Description: "Analyze again", Identifier: "rerun"}}}
			if err := c.CompleteCheckRun(ctx, repo, id, bot.ConclusionFailure, out); err != nil {
				t.Fatal(err)
			}
			runs := f.CheckRuns(repo.FullName())
			if len(runs) != 1 {
				t.Fatalf("%d check runs", len(runs))
			}
			r := runs[0]
			if r.ID != id || r.Status != "completed" || r.Conclusion != "failure" || r.Name != "mpgate" || r.DetailsURL != "https://ci.example/1" {
				t.Errorf("run %+v", r)
			}
			if fmt.Sprint(r.AnnotationsPerRequest) != fmt.Sprint(tt.batches) {
				t.Errorf("annotations per request %v, want %v", r.AnnotationsPerRequest, tt.batches)
			}
			if len(r.Annotations) != tt.n {
				t.Fatalf("%d annotations stored, want %d", len(r.Annotations), tt.n)
			}
			for i, a := range r.Annotations {
				if a.Path != fmt.Sprintf("pages/p%d/index.js", i) || a.StartColumn != 2 || a.Level != "warning" {
					t.Errorf("annotation %d: %+v", i, a)
					break
				}
			}
			if r.Text != "details" || len(r.Actions) != 1 {
				t.Errorf("text %q actions %v", r.Text, r.Actions)
			}
			// Only the last PATCH completes the run.
			var patches []string
			for _, q := range f.Requests() {
				if q.Operation == "checks/update" {
					patches = append(patches, q.Body)
				}
			}
			for i, b := range patches {
				if got := strings.Contains(b, `"conclusion"`); got != (i == len(patches)-1) {
					t.Errorf("PATCH %d of %d carries a conclusion: %v", i+1, len(patches), got)
				}
			}
		})
	}
}

func TestOutputLimits(t *testing.T) {
	lines := strings.Repeat("| pages/index | 1.2 MB | +3 KB |\n", 3000) // ~99,000 chars
	cjk := strings.Repeat("分包大小超出限制\n", 9000)                           // 81,000 runes, 3 bytes each
	oneLine := strings.Repeat("x", 70000)
	tests := []struct {
		name                 string
		title, summary, text string
	}{
		{"long summary", "t", lines, ""},
		{"long CJK text", "t", "s", cjk},
		{"one long line", "t", oneLine, oneLine},
		{"long title", oneLine, "s", ""},
		{"empty title", "", "s", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := setup(t)
			ctx := context.Background()
			id, err := c.CreateCheckRun(ctx, repo, "abc", "mpgate", "in_progress", "")
			if err != nil {
				t.Fatal(err)
			}
			if err := c.CompleteCheckRun(ctx, repo, id, bot.ConclusionNeutral, bot.CheckOutput{Title: tt.title, Summary: tt.summary, Text: tt.text}); err != nil {
				t.Fatal(err)
			}
			r := f.CheckRuns(repo.FullName())[0]
			for _, got := range []struct{ name, in, out string }{{"title", tt.title, r.Title}, {"summary", tt.summary, r.Summary}, {"text", tt.text, r.Text}} {
				n := utf8.RuneCountInString(got.out)
				if n > MaxOutputChars {
					t.Errorf("%s: %d characters", got.name, n)
				}
				if got.in == got.out || (got.name == "title" && got.in == "") {
					continue
				}
				if !strings.Contains(got.out, "truncated") && got.name != "title" {
					t.Errorf("%s cut without a note", got.name)
				}
				if got.in == lines || got.in == cjk {
					kept := got.out[:strings.LastIndex(got.out, "\n\n_(")]
					if !strings.HasPrefix(got.in, kept+"\n") {
						t.Errorf("%s not cut on a line boundary", got.name)
					}
				}
			}
			if tt.title == "" && r.Title != "mpgate" {
				t.Errorf("empty title became %q", r.Title)
			}
		})
	}
}

func TestCheckRunInvalidArguments(t *testing.T) {
	long := strings.Repeat("a", 21)
	tests := []struct {
		name string
		run  func(c *Client) error
	}{
		{"status", func(c *Client) error {
			_, err := c.CreateCheckRun(context.Background(), repo, "a", "n", "completed", "")
			return err
		}},
		{"no sha", func(c *Client) error {
			_, err := c.CreateCheckRun(context.Background(), repo, "", "n", "queued", "")
			return err
		}},
		{"conclusion", func(c *Client) error {
			return c.CompleteCheckRun(context.Background(), repo, 1, "great", bot.CheckOutput{})
		}},
		{"4 actions", func(c *Client) error {
			a := bot.CheckAction{Label: "l", Description: "d", Identifier: "i"}
			return c.CompleteCheckRun(context.Background(), repo, 1, "success", bot.CheckOutput{Actions: []bot.CheckAction{a, a, a, a}})
		}},
		{"long label", func(c *Client) error {
			return c.CompleteCheckRun(context.Background(), repo, 1, "success", bot.CheckOutput{Actions: []bot.CheckAction{{Label: long, Description: "d", Identifier: "i"}}})
		}},
		{"long identifier", func(c *Client) error {
			return c.CompleteCheckRun(context.Background(), repo, 1, "success", bot.CheckOutput{Actions: []bot.CheckAction{{Label: "l", Description: "d", Identifier: long}}})
		}},
		{"status state", func(c *Client) error {
			return c.SetStatus(context.Background(), repo, "abc", "green", "mpgate", "", "")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := setup(t)
			if err := tt.run(c); !errors.Is(err, ErrInvalid) {
				t.Errorf("err %v, want ErrInvalid", err)
			}
			if n := len(f.Requests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

func TestAnnotationSanitising(t *testing.T) {
	in := []bot.Annotation{
		{Path: "a.js", StartLine: 3, EndLine: 5, StartCol: 2, EndCol: 4, Level: "error", Message: "multi-line with columns"},
		{Path: "", StartLine: 1, EndLine: 1, Level: "notice", Message: "no path: dropped"},
		{Path: "b.wxss", StartLine: 0, EndLine: 0, Level: "notice", Title: strings.Repeat("t", 300)},
		{Path: "c.json", StartLine: 7, EndLine: 2, StartCol: 5, Level: "failure", Message: "end before start"},
	}
	got := annotations(in)
	if len(got) != 3 {
		t.Fatalf("%d annotations, want 3", len(got))
	}
	tests := []struct {
		i                       int
		start, end, col, endCol int
		level, msg              string
		titleLen                int
	}{
		{0, 3, 5, 0, 0, "warning", "multi-line with columns", 0},
		{1, 1, 1, 0, 0, "notice", strings.Repeat("t", 300), 255},
		{2, 7, 7, 5, 5, "failure", "end before start", 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.i), func(t *testing.T) {
			a := got[tt.i]
			if a.GetStartLine() != tt.start || a.GetEndLine() != tt.end || a.GetStartColumn() != tt.col || a.GetEndColumn() != tt.endCol {
				t.Errorf("lines %d-%d cols %d-%d", a.GetStartLine(), a.GetEndLine(), a.GetStartColumn(), a.GetEndColumn())
			}
			if a.GetAnnotationLevel() != tt.level || a.GetMessage() != tt.msg || utf8.RuneCountInString(a.GetTitle()) != tt.titleLen {
				t.Errorf("level %q message %q title %d", a.GetAnnotationLevel(), a.GetMessage(), len(a.GetTitle()))
			}
		})
	}
}

func TestStickyComment(t *testing.T) {
	ctx := context.Background()
	marker := bot.StickyMarker("")
	t.Run("found on page 3 of 130, updated, then left alone", func(t *testing.T) {
		old := commentsPerPage
		commentsPerPage = 50
		t.Cleanup(func() { commentsPerPage = old })
		f, c := setup(t)
		var want int64
		for i := range 130 {
			login, body := "dev"+fmt.Sprint(i%3), fmt.Sprintf("looks good %d", i)
			if i == 7 {
				login, body = "mallory", marker+"\nfake sticky by another user"
			}
			if i == 120 {
				login, body = botLogin, marker+"\nold report"
			}
			id := f.AddComment(repo.FullName(), 5, login, body)
			if i == 120 {
				want = id
			}
		}
		id, changed, err := c.UpsertStickyComment(ctx, repo, 5, "", marker+"\nnew report", "")
		if err != nil || id != want || !changed {
			t.Fatalf("id %d (want %d) changed %v err %v", id, want, changed, err)
		}
		var pages []string
		for _, q := range f.Requests() {
			if q.Operation == "issues/list-comments" {
				pages = append(pages, q.Query)
			}
		}
		if len(pages) != 3 || !strings.Contains(pages[2], "page=3") {
			t.Errorf("listed %v, want 3 pages", pages)
		}
		cs := f.Comments(repo.FullName(), 5)
		if len(cs) != 130 || cs[120].Body != marker+"\nnew report" || cs[7].Body != marker+"\nfake sticky by another user" {
			t.Errorf("%d comments; ours %q; mallory's %q", len(cs), cs[120].Body, cs[7].Body)
		}
		updates := f.Count("issues/update-comment")
		id2, changed, err := c.UpsertStickyComment(ctx, repo, 5, "", marker+"\nnew report", "")
		if err != nil || id2 != want || changed {
			t.Fatalf("unchanged upsert: id %d changed %v err %v", id2, changed, err)
		}
		if f.Count("issues/update-comment") != updates {
			t.Error("an unchanged body was PATCHed")
		}
	})
	t.Run("another user's marker is ignored", func(t *testing.T) {
		f, c := setup(t)
		other := f.AddComment(repo.FullName(), 6, "mallory", marker+"\nspoof")
		id, changed, err := c.UpsertStickyComment(ctx, repo, 6, "", "report", botLogin)
		if err != nil || id == other || !changed {
			t.Fatalf("id %d changed %v err %v", id, changed, err)
		}
		cs := f.Comments(repo.FullName(), 6)
		if len(cs) != 2 || cs[0].Body != marker+"\nspoof" || cs[1].Body != marker+"\nreport" || cs[1].Login != botLogin {
			t.Errorf("comments %+v", cs)
		}
	})
	t.Run("keys keep separate comments", func(t *testing.T) {
		f, c := setup(t)
		for _, key := range []string{"", "apps/shop", "apps/admin", "apps/shop"} {
			if _, _, err := c.UpsertStickyComment(ctx, repo, 8, key, "size of "+key, ""); err != nil {
				t.Fatal(err)
			}
		}
		if cs := f.Comments(repo.FullName(), 8); len(cs) != 3 {
			t.Errorf("%d comments, want 3", len(cs))
		}
	})
	t.Run("older duplicates are removed, the newest kept", func(t *testing.T) {
		f, c := setup(t)
		f.AddComment(repo.FullName(), 9, botLogin, marker+"\na")
		newest := f.AddComment(repo.FullName(), 9, botLogin, marker+"\nb")
		id, _, err := c.UpsertStickyComment(ctx, repo, 9, "", "c", "")
		if err != nil || id != newest {
			t.Fatalf("id %d (want %d) err %v", id, newest, err)
		}
		if cs := f.Comments(repo.FullName(), 9); len(cs) != 1 || cs[0].Body != marker+"\nc" {
			t.Errorf("comments %+v", cs)
		}
	})
	t.Run("update only: creates none, edits the one there", func(t *testing.T) {
		f, c := setup(t)
		f.AddComment(repo.FullName(), 11, "mallory", marker+"\nspoof")
		id, changed, err := c.UpdateStickyComment(ctx, repo, 11, "", "no change", "")
		if err != nil || id != 0 || changed {
			t.Fatalf("without a sticky comment: id %d changed %v err %v", id, changed, err)
		}
		if n := f.Count("issues/create-comment"); n != 0 {
			t.Errorf("%d comments created", n)
		}
		ours := f.AddComment(repo.FullName(), 11, botLogin, marker+"\n+5 KB")
		id, changed, err = c.UpdateStickyComment(ctx, repo, 11, "", "no change", "")
		if err != nil || id != ours || !changed {
			t.Fatalf("with one: id %d (want %d) changed %v err %v", id, ours, changed, err)
		}
		if cs := f.Comments(repo.FullName(), 11); len(cs) != 2 || cs[1].Body != marker+"\nno change" {
			t.Errorf("comments %+v", cs)
		}
	})
	t.Run("over the size limit", func(t *testing.T) {
		f, c := setup(t)
		body := marker + "\n" + strings.Repeat("| 分包 | 2 MB |\n", 8000)
		if _, _, err := c.UpsertStickyComment(ctx, repo, 10, "", body, ""); err != nil {
			t.Fatal(err)
		}
		cs := f.Comments(repo.FullName(), 10)
		if len(cs) != 1 || utf8.RuneCountInString(cs[0].Body) > MaxCommentChars || !strings.HasPrefix(cs[0].Body, marker) || !strings.HasSuffix(cs[0].Body, truncatedNote) {
			t.Errorf("stored body of %d characters", utf8.RuneCountInString(cs[0].Body))
		}
	})
}

func TestStickyCommentConcurrentUpserts(t *testing.T) {
	f, c := setup(t)
	ctx := context.Background()
	for pr := 1; pr <= 10; pr++ {
		// Even PRs: the fake holds both creates until both arrive, so both
		// runs create a comment every time and must converge. Odd PRs:
		// whatever interleaving the scheduler gives.
		forced := pr%2 == 0
		t.Run(fmt.Sprint(pr, " forced race ", forced), func(t *testing.T) {
			creates := f.Count("issues/create-comment")
			if forced {
				f.Barrier("issues/create-comment", 2)
			}
			var wg sync.WaitGroup
			ids := make([]int64, 2)
			errs := make([]error, 2)
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ids[i], _, errs[i] = c.UpsertStickyComment(ctx, repo, pr, "", fmt.Sprintf("run %d", i), "")
				}()
			}
			wg.Wait()
			if errs[0] != nil || errs[1] != nil {
				t.Fatal(errs)
			}
			cs := f.Comments(repo.FullName(), pr)
			if len(cs) != 1 {
				t.Fatalf("%d sticky comments after two concurrent upserts", len(cs))
			}
			if ids[0] != cs[0].ID && ids[1] != cs[0].ID {
				t.Errorf("neither upsert returned the survivor %d: %v", cs[0].ID, ids)
			}
			if n := f.Count("issues/create-comment") - creates; forced && n != 2 {
				t.Errorf("%d creates under a forced race, want 2", n)
			}
		})
	}
}

func TestForkTokenForbidden(t *testing.T) {
	tests := []struct {
		op  string
		run func(c *Client) error
	}{
		{"checks/create", func(c *Client) error {
			_, err := c.CreateCheckRun(context.Background(), repo, "a", "mpgate", "queued", "")
			return err
		}},
		{"issues/create-comment", func(c *Client) error {
			_, _, err := c.UpsertStickyComment(context.Background(), repo, 1, "", "x", "")
			return err
		}},
		{"repos/create-commit-status", func(c *Client) error {
			return c.SetStatus(context.Background(), repo, "a", "success", "mpgate", "ok", "")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			f, c := setup(t)
			f.Fault(tt.op, 1, fakegithub.ForbiddenIntegration)
			err := tt.run(c)
			if !errors.Is(err, ErrForbidden) {
				t.Fatalf("err %v, want ErrForbidden", err)
			}
			if strings.Contains(err.Error(), token) {
				t.Error("the token leaked into the error")
			}
			if f.Count(tt.op) != 1 {
				t.Errorf("a 403 was retried: %d requests", f.Count(tt.op))
			}
		})
	}
}

func TestRetries(t *testing.T) {
	t.Run("5xx then success creates one check run", func(t *testing.T) {
		f, c := setup(t)
		f.Fault("checks/create", 2, fakegithub.ServerError)
		id, err := c.CreateCheckRun(context.Background(), repo, "a", "mpgate", "queued", "")
		if err != nil || id == 0 {
			t.Fatal(id, err)
		}
		if runs := f.CheckRuns(repo.FullName()); len(runs) != 1 || f.Count("checks/create") != 3 {
			t.Errorf("%d runs after %d requests", len(runs), f.Count("checks/create"))
		}
	})
	t.Run("5xx until the attempts run out", func(t *testing.T) {
		f, c := setup(t)
		f.Fault("pulls/get", 10, fakegithub.ServerError)
		_, err := c.PullRequest(context.Background(), repo, 1)
		if err == nil || !strings.Contains(err.Error(), "502") || !strings.Contains(err.Error(), "get pull request octo/shop#1") {
			t.Fatalf("err %v", err)
		}
		if f.Count("pulls/get") != 4 {
			t.Errorf("%d attempts, want 4", f.Count("pulls/get"))
		}
	})
	t.Run("dropped connection on a GET is retried", func(t *testing.T) {
		f, c := setup(t)
		f.SetPull(repo.FullName(), fakegithub.Pull{Number: 2, HeadSHA: "h", HeadRef: "f", HeadRepo: repo.FullName(), BaseRef: "main", BaseSHA: "b"})
		f.Fault("pulls/get", 1, fakegithub.DropConnection)
		pr, err := c.PullRequest(context.Background(), repo, 2)
		if err != nil || pr.HeadSHA != "h" || f.Count("pulls/get") != 2 {
			t.Fatalf("pr %+v err %v after %d requests", pr, err, f.Count("pulls/get"))
		}
	})
	t.Run("dropped connection on a POST is not", func(t *testing.T) {
		f, c := setup(t)
		// (CreateCheckRun sends its POST again, but only after listing
		// the head's check runs: TestCreateCheckRunIdempotent.)
		f.Fault("issues/create-comment", 1, fakegithub.DropConnection)
		if _, err := c.CreateComment(context.Background(), repo, 1, "hello"); err == nil {
			t.Fatal("no error")
		}
		if f.Count("issues/create-comment") != 1 {
			t.Errorf("%d attempts: a POST that may have landed was sent again", f.Count("issues/create-comment"))
		}
	})
}

func TestRateLimits(t *testing.T) {
	tests := []struct {
		name      string
		kind      fakegithub.FaultKind
		maxWait   time.Duration
		wantErr   bool
		secondary bool
	}{
		{"secondary 403 waited out", fakegithub.SecondaryRateLimit, time.Minute, false, true},
		{"secondary 429 waited out", fakegithub.SecondaryRateLimit429, time.Minute, false, true},
		{"secondary beyond the max wait", fakegithub.SecondaryRateLimit, 10 * time.Millisecond, true, true},
		{"primary waited out", fakegithub.PrimaryRateLimit, time.Minute, false, false},
		{"primary beyond the max wait", fakegithub.PrimaryRateLimit, 10 * time.Millisecond, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := setup(t, WithMaxRateLimitWait(tt.maxWait))
			f.Fault("repos/create-commit-status", 1, tt.kind)
			before := time.Now()
			err := c.SetStatus(context.Background(), repo, "abc", "pending", "mpgate", "running", "")
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				if n := len(f.Statuses(repo.FullName(), "abc")); n != 1 || f.Count("repos/create-commit-status") != 2 {
					t.Errorf("%d statuses after %d requests", n, f.Count("repos/create-commit-status"))
				}
				return
			}
			var rl *RateLimitError
			if !errors.As(err, &rl) {
				t.Fatalf("err %v, want *RateLimitError", err)
			}
			if rl.Secondary != tt.secondary || !rl.RetryAt.After(before) {
				t.Errorf("%+v", rl)
			}
			if f.Count("repos/create-commit-status") != 1 {
				t.Errorf("retried %d times", f.Count("repos/create-commit-status")-1)
			}
		})
	}
}

func TestETag(t *testing.T) {
	f, c := setup(t)
	ctx := context.Background()
	f.SetPermission(repo.FullName(), "alice", "write", "write")
	for i := range 3 {
		p, err := c.Permission(ctx, repo, "alice")
		if err != nil || p != "write" {
			t.Fatalf("call %d: %q %v", i, p, err)
		}
	}
	if f.NotModified() != 2 {
		t.Errorf("%d 304s, want 2", f.NotModified())
	}
	f.SetPermission(repo.FullName(), "alice", "admin", "admin")
	if p, err := c.Permission(ctx, repo, "alice"); err != nil || p != "admin" {
		t.Errorf("after a change: %q %v", p, err)
	}
}

func TestPermission(t *testing.T) {
	tests := []struct {
		perm, role string
		collab     bool
		want       string
	}{
		{"admin", "admin", true, "admin"},
		{"maintain", "maintain", true, "maintain"},
		{"write", "write", true, "write"},
		{"triage", "triage", true, "triage"},
		{"read", "read", true, "read"},
		{"write", "", true, "write"},
		{"maintain", "", true, "write"}, // legacy field only: maintain reads as write
		{"write", "release-manager", true, "write"},
		{"", "", false, "none"},
	}
	for _, tt := range tests {
		t.Run(tt.perm+"/"+tt.role, func(t *testing.T) {
			f, c := setup(t)
			if tt.collab {
				f.SetPermission(repo.FullName(), "bob", tt.perm, tt.role)
			}
			got, err := c.Permission(context.Background(), repo, "bob")
			if err != nil || got != tt.want {
				t.Errorf("%q %v, want %q", got, err, tt.want)
			}
		})
	}
}

func TestPullRequest(t *testing.T) {
	tests := []struct {
		headRepo string
		fork     bool
	}{
		{"octo/shop", false},
		{"Octo/Shop", false},
		{"someone/shop", true},
	}
	for _, tt := range tests {
		t.Run(tt.headRepo, func(t *testing.T) {
			f, c := setup(t)
			f.SetPull(repo.FullName(), fakegithub.Pull{Number: 4, HeadSHA: "h", HeadRef: "feat", HeadRepo: tt.headRepo, BaseRef: "main", BaseSHA: "b"})
			pr, err := c.PullRequest(context.Background(), repo, 4)
			if err != nil {
				t.Fatal(err)
			}
			want := PullRequest{Number: 4, State: "open", HeadSHA: "h", HeadRef: "feat", HeadRepo: tt.headRepo, BaseSHA: "b", BaseRef: "main", Fork: tt.fork}
			if pr != want {
				t.Errorf("%+v, want %+v", pr, want)
			}
		})
	}
}

func TestSetStatus(t *testing.T) {
	f, c := setup(t)
	desc := strings.Repeat("size over budget; ", 20)
	if err := c.SetStatus(context.Background(), repo, "abc", "failure", "mpgate/size", desc, "https://ci.example/2"); err != nil {
		t.Fatal(err)
	}
	st := f.Statuses(repo.FullName(), "abc")
	if len(st) != 1 || utf8.RuneCountInString(st[0].Description) > MaxStatusDescription || st[0].State != "failure" || st[0].TargetURL != "https://ci.example/2" {
		t.Errorf("%+v", st)
	}
}

func TestApp(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	f := fakegithub.New(t)
	f.RegisterApp(42, "mpgate", &key.PublicKey)
	f.AddInstallation(7, 42)
	t.Cleanup(func() {
		if e := f.Errors(); len(e) != 0 {
			t.Errorf("invalid requests: %v", e)
		}
	})
	apps, err := NewAppClients(42, pemKey, f.BaseURL(), WithLogin(AppLogin("mpgate")))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c1, err := apps.Installation(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := apps.Installation(ctx, 7)
	if err != nil || c1 != c2 {
		t.Fatalf("second Installation: %v (same client: %v)", err, c1 == c2)
	}
	for i := range 3 {
		if _, _, err := c1.UpsertStickyComment(ctx, repo, 3, "", fmt.Sprint("report ", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	if f.TokensMinted() != 1 {
		t.Errorf("%d tokens minted, want 1 (cached)", f.TokensMinted())
	}
	if cs := f.Comments(repo.FullName(), 3); len(cs) != 1 || cs[0].Login != "mpgate[bot]" || cs[0].Body != bot.StickyMarker("")+"\nreport 2" {
		t.Errorf("comments %+v", cs)
	}

	t.Run("concurrent callers share one client; Forget mints anew", func(t *testing.T) {
		f.AddInstallation(9, 42)
		var wg sync.WaitGroup
		got := make([]*Client, 8)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := apps.Installation(ctx, 9)
				if err != nil {
					t.Error(err)
				}
				got[i] = c
			}()
		}
		wg.Wait()
		first, _ := apps.Installation(ctx, 9)
		for i, c := range got {
			if c != first {
				t.Errorf("caller %d got another client", i)
			}
		}
		minted := f.TokensMinted()
		apps.Forget(9)
		again, err := apps.Installation(ctx, 9)
		if err != nil || again == first || f.TokensMinted() != minted+1 {
			t.Errorf("after Forget: err %v, same client %v, minted %d → %d", err, again == first, minted, f.TokensMinted())
		}
	})
	t.Run("unknown installation", func(t *testing.T) {
		if _, err := apps.Installation(ctx, 8); err == nil || !strings.Contains(err.Error(), "installation 8") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("bad key", func(t *testing.T) {
		tests := [][]byte{nil, []byte("not pem"), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte("junk")})}
		for _, k := range tests {
			if _, err := NewAppClients(42, k, f.BaseURL()); err == nil {
				t.Errorf("key %q accepted", k)
			}
		}
	})
}

func TestApp_WrongKey(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(other)
	if err != nil {
		t.Fatal(err)
	}
	f := fakegithub.New(t)
	f.RegisterApp(42, "mpgate", &key.PublicKey)
	f.AddInstallation(7, 42)
	apps, err := NewAppClients(42, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), f.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := apps.Installation(context.Background(), 7); err == nil {
		t.Fatal("a JWT signed with the wrong key was accepted")
	}
	if e := f.Errors(); len(e) != 1 || !strings.Contains(e[0], "does not verify") {
		t.Errorf("fake errors %v, want the signature rejected", e)
	}
}

func TestTruncateLines(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		note  string
		want  string
	}{
		{"short", 10, "!", "short"},
		{"aaa\nbbb\nccc", 9, "!", "aaa\nbbb!"},
		{"aaaaaaaaaaaa", 5, "!", "aaaa!"},
		{"分包\n分包\n分包", 6, "…", "分包\n分包…"},
		{"abc", 2, "long note", "lo"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := truncateLines(tt.in, tt.limit, tt.note); got != tt.want {
				t.Errorf("%q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzTruncateLines(f *testing.F) {
	f.Add("aaa\nbbb\nccc", 5, "…")
	f.Add("分包\n\xff\xfe", 3, "")
	f.Fuzz(func(t *testing.T, s string, limit int, note string) {
		limit = limit % 100000
		if limit < 0 {
			limit = -limit
		}
		got := truncateLines(s, limit, note)
		if utf8.RuneCountInString(got) > max(limit, utf8.RuneCountInString(s)) {
			t.Fatalf("%d characters over %d", utf8.RuneCountInString(got), limit)
		}
		if utf8.RuneCountInString(s) > limit && utf8.RuneCountInString(got) > limit {
			t.Fatalf("not cut: %d > %d", utf8.RuneCountInString(got), limit)
		}
		if utf8.ValidString(s) && utf8.ValidString(note) && !utf8.ValidString(got) {
			t.Fatal("split a rune")
		}
	})
}

// GET /user is not in the trimmed description the fake serves, so the
// token-login fallback is tried against a one-route server.
func TestLoginFromToken(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"personal token", 200, `{"login":"octocat","id":1}`, "octocat"},
		{"integration token", 403, `{"message":"Resource not accessible by integration"}`, ""},
		{"no login", 200, `{}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				if r.URL.Path != "/user" || r.Header.Get("Authorization") != "token "+token {
					t.Errorf("%s %s auth %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, err := New(srv.Client(), srv.URL, WithToken(token))
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				got, err := c.Login(context.Background())
				if got != tt.want || (err == nil) != (tt.want != "") {
					t.Fatalf("%q %v, want %q", got, err, tt.want)
				}
				if err != nil && strings.Contains(err.Error(), token) {
					t.Fatal("the token leaked into an error")
				}
			}
			if tt.want != "" && calls != 1 {
				t.Errorf("%d calls, want 1 (remembered)", calls)
			}
		})
	}
}

// The fake's own budget running out: the client waits for the window to
// reset (within its bound) and carries on.
func TestPrimaryBudgetExhausted(t *testing.T) {
	tests := []struct {
		name    string
		maxWait time.Duration
		wantErr bool
	}{
		{"waited for the reset", time.Minute, false},
		{"reset too far", time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := setup(t, WithMaxRateLimitWait(tt.maxWait))
			f.SetRateLimit(5000, 1, time.Now().Add(1500*time.Millisecond))
			ctx := context.Background()
			if err := c.SetStatus(ctx, repo, "abc", "pending", "mpgate", "", ""); err != nil {
				t.Fatal(err)
			}
			err := c.SetStatus(ctx, repo, "abc", "success", "mpgate", "", "")
			var rl *RateLimitError
			if tt.wantErr != errors.As(err, &rl) || (rl != nil && rl.Secondary) {
				t.Fatalf("err %v, want a primary RateLimitError: %v", err, tt.wantErr)
			}
			want := 2
			if tt.wantErr {
				want = 1
			}
			if n := len(f.Statuses(repo.FullName(), "abc")); n != want {
				t.Errorf("%d statuses, want %d", n, want)
			}
		})
	}
}

func TestChangedFiles(t *testing.T) {
	tests := []struct {
		n         int
		truncated bool
	}{
		{0, false},
		{1, false},
		{250, false},
		{3000, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			f, c := setup(t)
			var files []fakegithub.PullFile
			for i := range tt.n {
				pf := fakegithub.PullFile{Filename: fmt.Sprintf("pages/p%d.wxml", i), Status: "modified", Additions: i}
				if i == 1 {
					pf.Status, pf.PreviousFilename = "renamed", "pages/old.wxml"
				}
				files = append(files, pf)
			}
			f.SetPull(repo.FullName(), fakegithub.Pull{Number: 12, HeadSHA: "h", HeadRepo: repo.FullName(), Files: files})
			got, truncated, err := c.ChangedFiles(context.Background(), repo, 12)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.n || truncated != tt.truncated {
				t.Fatalf("%d files (truncated %v), want %d (%v)", len(got), truncated, tt.n, tt.truncated)
			}
			if tt.n > 1 && (got[1] != ChangedFile{Path: "pages/p1.wxml", PreviousPath: "pages/old.wxml", Status: "renamed", Additions: 1}) {
				t.Errorf("file 1: %+v", got[1])
			}
			if want := (tt.n + 99) / 100; f.Count("pulls/list-files") != max(want, 1) {
				t.Errorf("%d pages fetched, want %d", f.Count("pulls/list-files"), max(want, 1))
			}
		})
	}
}

// A cancelled context ends a rate-limit wait with the context's error.
func TestCancelDuringRateLimitWait(t *testing.T) {
	f, c := setup(t, WithMaxRateLimitWait(time.Hour))
	f.Fault("repos/create-commit-status", 1, fakegithub.SecondaryRateLimit)
	f.Fault("repos/create-commit-status", 1, fakegithub.SecondaryRateLimit)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for f.Count("repos/create-commit-status") == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	err := c.SetStatus(ctx, repo, "abc", "pending", "mpgate", "", "")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if n := len(f.Statuses(repo.FullName(), "abc")); n != 0 {
		t.Errorf("%d statuses", n)
	}
}
