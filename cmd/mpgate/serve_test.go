package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/build"
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/bot/queue"
	"github.com/mpgate/mpgate/bot/sandbox"
	"github.com/mpgate/mpgate/bot/store"
	"github.com/mpgate/mpgate/bot/store/storetest"
	"github.com/mpgate/mpgate/internal/fakegithub"
	"github.com/mpgate/mpgate/internal/serverconfig"
)

const (
	srvOwner   = "octo"
	srvName    = "shop"
	srvRepo    = srvOwner + "/" + srvName
	srvAppID   = 4242
	srvInstID  = 77
	srvSecret  = "It's a Secret to Everybody"
	srvBotName = "mpgate[bot]"
)

// passWrapper is a "sandbox" for tests that runs builds as they are: the
// trust flow is under test here, bot/sandbox tests the confinement.
type passWrapper struct{ used atomic.Int64 }

func (p *passWrapper) Wrap(*exec.Cmd) error { p.used.Add(1); return nil }

// testServer is serve's handler stack on real HTTP with a fake GitHub.
type testServer struct {
	t      *testing.T
	fake   *fakegithub.Fake
	srv    *server
	http   *httptest.Server
	secret string
	logs   *logBuffer // read while workers write
}

type serverOpts struct {
	noSecret bool
	sandbox  build.Wrapper // nil: none
	ghOpts   []github.Option
	dbURL    string
	config   string // a server config file's content (--config)
	pages    bool   // serve the pages (--public-url, GitHub sign-in)
}

func newTestServer(t *testing.T, o serverOpts) *testServer {
	t.Helper()
	f := fakegithub.New(t)
	checkFakeGitHub(t, f)
	dir := t.TempDir()
	flags := &serveFlags{addr: "127.0.0.1:0", dataDir: filepath.Join(dir, "data"), databaseURL: o.dbURL,
		githubAppID: fmt.Sprint(srvAppID), githubKeyFile: githubApp(t, f, dir), githubAPIURL: f.BaseURL(), githubAppSlug: "mpgate",
		workers: 2, jobTimeout: time.Minute, maxAttempts: 5, shutdownTimeout: 10 * time.Second,
		// The test repositories are local: allow them as clone sources.
		allowCloneURLPrefix: filepath.Dir(dir)}
	if o.config != "" {
		flags.config = filepath.Join(dir, "server.yml")
		writeFile(t, flags.config, o.config)
		// The harness sets the other settings itself: only the allowlist.
		cfg, err := serverconfig.Load(flags.config)
		if err != nil {
			t.Fatal(err)
		}
		flags.repos = cfg.Repositories
	}
	if !o.noSecret {
		flags.githubSecretFile = filepath.Join(dir, "secret")
		writeFile(t, flags.githubSecretFile, srvSecret+"\n")
	}
	if o.pages {
		flags.publicURL, flags.githubOAuthID = "https://mpgate.example.com", "Iv1.pages"
		flags.pagesKeyFile, flags.githubOAuthSecret = filepath.Join(dir, "pages-key"), filepath.Join(dir, "oauth-secret")
		writeFile(t, flags.pagesKeyFile, strings.Repeat("k", 40))
		writeFile(t, flags.githubOAuthSecret, "s3cret")
	}
	deps := serverDeps{
		detectSandbox: func(context.Context) (build.Wrapper, string, error) {
			if o.sandbox == nil {
				return nil, "", fmt.Errorf("test: %w", sandbox.ErrUnavailable)
			}
			return o.sandbox, "test pass-through", nil
		},
		githubOptions: append([]github.Option{github.WithRetries(3, time.Millisecond)}, o.ghOpts...),
		queueConfig:   func(c *queue.Config) { c.SupersedePoll = 50 * time.Millisecond },
	}
	h := startServer(t, flags, deps, false)
	return &testServer{t: t, fake: f, srv: h.srv, http: h.http, secret: srvSecret, logs: h.logs}
}

// deliver posts a signed delivery and returns the status code.
func (s *testServer) deliver(event, id string, body []byte) int {
	s.t.Helper()
	return s.deliverSigned(event, id, body, s.secret)
}

func (s *testServer) deliverSigned(event, id string, body []byte, secret string) int {
	s.t.Helper()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	req, err := http.NewRequest("POST", s.http.URL+"/webhooks/github", bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", id)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// payload loads testdata/serve/NAME and points it at the test repository.
func payload(t *testing.T, name string, edit func(m map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "serve", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	repo := m["repository"].(map[string]any)
	repo["full_name"], repo["name"], repo["default_branch"] = srvRepo, srvName, "main"
	repo["owner"].(map[string]any)["login"] = srvOwner
	m["installation"] = map[string]any{"id": srvInstID}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func obj(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		m = m[p].(map[string]any)
	}
	return m
}

// prPayload is a pull_request delivery for number at head.
func prPayload(t *testing.T, action, cloneURL string, number int, base, head, headRepo, author string) []byte {
	return payload(t, "pull-request.json", func(m map[string]any) {
		m["action"], m["number"] = action, number
		obj(m, "repository")["clone_url"] = cloneURL
		pr := obj(m, "pull_request")
		pr["number"], pr["draft"] = number, false
		obj(pr, "user")["login"] = author
		h, b := obj(pr, "head"), obj(pr, "base")
		h["sha"], h["ref"] = head, "changes"
		obj(h, "repo")["full_name"] = headRepo
		b["sha"], b["ref"] = base, "main"
		obj(b, "repo")["full_name"] = srvRepo
	})
}

// commentPayload is an issue_comment on pull request number.
func commentPayload(t *testing.T, cloneURL string, number int, commentID int64, author, body string) []byte {
	return payload(t, "pull-request-issue-comment.json", func(m map[string]any) {
		obj(m, "repository")["clone_url"] = cloneURL
		is := obj(m, "issue")
		is["number"] = number
		c := obj(m, "comment")
		c["id"], c["body"] = commentID, body
		obj(c, "user")["login"] = author
		obj(m, "sender")["login"] = author
	})
}

// waitFor polls cond until it holds (the queue works asynchronously).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func completedRuns(f *fakegithub.Fake, sha string) []fakegithub.CheckRun {
	var out []fakegithub.CheckRun
	for _, r := range f.CheckRuns(srvRepo) {
		if r.HeadSHA == sha && r.Status == "completed" {
			out = append(out, r)
		}
	}
	return out
}

func runsOn(f *fakegithub.Fake, sha string) []fakegithub.CheckRun {
	var out []fakegithub.CheckRun
	for _, r := range f.CheckRuns(srvRepo) {
		if r.HeadSHA == sha {
			out = append(out, r)
		}
	}
	return out
}

func setPull(f *fakegithub.Fake, number int, base, head, headRepo string) {
	f.SetPull(srvRepo, fakegithub.Pull{Number: number, Title: "t", State: "open", HeadSHA: head, HeadRef: "changes",
		HeadRepo: headRepo, BaseSHA: base, BaseRef: "main"})
}

func TestServePullRequestFlow(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testServePullRequestFlow(t, "") })
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(storetest.EnvDatabaseURL) == "" {
			t.Skip(storetest.EnvDatabaseURL + " is not set")
		}
		testServePullRequestFlow(t, storetest.PostgresURL(t))
	})
}

func testServePullRequestFlow(t *testing.T, dbURL string) {
	s := newTestServer(t, serverOpts{dbURL: dbURL, pages: true})
	dir, base, head := miniRepo(t, 2)
	setPull(s.fake, 7, base, head, srvRepo)
	body := prPayload(t, "opened", dir, 7, base, head, srvRepo, "alice")
	if code := s.deliver("pull_request", "d-1", body); code != http.StatusAccepted {
		t.Fatalf("delivery answered %d", code)
	}
	waitFor(t, "the check run to complete", func() bool { return len(completedRuns(s.fake, head)) == 1 })
	run := completedRuns(s.fake, head)[0]
	if run.Name != bot.CheckName || run.Conclusion != "failure" {
		t.Errorf("check run %s concluded %q, want mpgate failure", run.Name, run.Conclusion)
	}
	if run.StartedAt == "" || run.Updates < 2 {
		t.Errorf("check run not moved through in_progress: %+v", run)
	}
	if len(run.Annotations) < 2 {
		t.Errorf("annotations %+v, want the two MP102 errors", run.Annotations)
	}
	for _, a := range run.Annotations {
		if a.Path != "app.json" {
			t.Errorf("annotation on %q", a.Path)
		}
	}
	waitFor(t, "the sticky comment", func() bool { return len(s.fake.Comments(srvRepo, 7)) == 1 })
	c := s.fake.Comments(srvRepo, 7)[0]
	if c.Login != srvBotName || !strings.Contains(c.Body, bot.StickyMarker("")) {
		t.Errorf("comment by %s: %.200q", c.Login, c.Body)
	}
	// With --public-url the comment links the repository's page, which
	// sends an anonymous visitor to sign in.
	if link := "https://mpgate.example.com/pages/repo/github/" + srvRepo; !strings.Contains(c.Body, link) {
		t.Errorf("comment lacks the link %s:\n%s", link, c.Body)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(s.http.URL + "/pages/repo/github/" + srvRepo)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/pages/signin?next=") {
		t.Errorf("anonymous page: %d to %q", resp.StatusCode, loc)
	}
	// The same delivery again is acknowledged and not processed again.
	if code := s.deliver("pull_request", "d-1", body); code/100 != 2 {
		t.Fatalf("duplicate delivery answered %d", code)
	}
	time.Sleep(300 * time.Millisecond)
	if n := s.fake.Count("checks/create"); n != 1 {
		t.Errorf("%d check runs created, want 1 (duplicate delivery processed again?)", n)
	}
	// Endpoints.
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": "mpgate_deliveries_total{"} {
		resp, err := http.Get(s.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(data), want) {
			t.Errorf("GET %s: %d %q", path, resp.StatusCode, data)
		}
		if path == "/metrics" && (!strings.Contains(string(data), `mpgate_queue_jobs{kind=`) ||
			!strings.Contains(string(data), `mpgate_github_api_calls_total{status="201"}`) || !strings.Contains(string(data), "mpgate_github_rate_limit_remaining ")) {
			t.Errorf("metrics without queue depth:\n%s", data)
		}
	}
	// Every log line of the delivery names it and the repository.
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if strings.Contains(line, `"pr":7`) && (!strings.Contains(line, `"repo":"octo/shop"`) || !strings.Contains(line, `"delivery"`)) {
			t.Errorf("log line without delivery and repo: %s", line)
		}
		if strings.Contains(line, srvSecret) || strings.Contains(line, "PRIVATE KEY") {
			t.Errorf("secret in the log: %s", line)
		}
	}
}

func TestServePushStoresBaseline(t *testing.T) {
	s := newTestServer(t, serverOpts{})
	dir, base, head := miniRepo(t, 1)
	body := payload(t, "push.json", func(m map[string]any) {
		m["ref"], m["before"], m["after"], m["base_ref"] = "refs/heads/main", strings.Repeat("0", 40), base, nil
		m["created"], m["deleted"] = true, false
		obj(m, "repository")["clone_url"] = dir
	})
	if code := s.deliver("push", "p-1", body); code != http.StatusAccepted {
		t.Fatalf("push answered %d", code)
	}
	st := s.srv.q.Store()
	key := store.RepoKey(bot.Repo{Forge: bot.ForgeGitHub, Owner: srvOwner, Name: srvName})
	waitFor(t, "the baseline", func() bool {
		_, err := st.Report(context.Background(), key, base, "")
		return err == nil
	})
	data, _ := st.Report(context.Background(), key, base, "")
	if !strings.Contains(string(data), `"schema":"mpgate.report/v1"`) {
		t.Errorf("stored baseline %.300s", data)
	}
	// A pull request based on it compares against the stored report.
	setPull(s.fake, 8, base, head, srvRepo)
	s.deliver("pull_request", "p-2", prPayload(t, "opened", dir, 8, base, head, srvRepo, "alice"))
	waitFor(t, "the check run", func() bool { return len(completedRuns(s.fake, head)) == 1 })
	if r := completedRuns(s.fake, head)[0]; r.Conclusion != "failure" || len(r.Annotations) != 1 {
		t.Errorf("check run %q with %d annotations", r.Conclusion, len(r.Annotations))
	}
	if n := s.fake.Count("checks/create"); n != 1 {
		t.Errorf("%d check runs created; a push to the default branch creates none", n)
	}
	// Both evaluations are recorded for the pages and the health report:
	// the push as the default branch's (pr 0, with its packages), the
	// request's head with its check's conclusion.
	var runs []store.Run
	waitFor(t, "the recorded runs", func() bool {
		runs, _ = st.Runs(context.Background(), store.RunQuery{Repo: key})
		return len(runs) == 2
	})
	for _, r := range runs {
		switch r.SHA {
		case base:
			if r.PR != 0 || len(r.Packages) == 0 {
				t.Errorf("push run = %+v", r)
			}
		case head:
			if r.PR != 8 || r.Conclusion != "failure" {
				t.Errorf("request run = %+v", r)
			}
		default:
			t.Errorf("unexpected run %+v", r)
		}
	}
}

// TestServeShutdown runs `mpgate serve` as main does and stops it the way
// SIGTERM does (the context is cancelled).
func TestServeShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	writeFile(t, secret, "s3cret-value\n")
	env := map[string]string{"MPGATE_DATA_DIR": filepath.Join(dir, "data"), "MPGATE_GITHUB_WEBHOOK_SECRET_FILE": secret}
	stderr := &logBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, io.Discard, stderr)
	}()
	var addr string
	waitFor(t, "the server to listen", func() bool {
		for _, line := range strings.Split(stderr.String(), "\n") {
			var l struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Addr != "" {
				addr = l.Addr
				return true
			}
		}
		return false
	})
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/healthz %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if strings.Contains(stderr.String(), "s3cret-value") {
		t.Error("the webhook secret was logged")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("no shutdown line in the log:\n%s", stderr.String())
	}
}

func TestServeRefusals(t *testing.T) {
	tests := []struct {
		name     string
		noSecret bool
		secret   string
		size     int
		want     int
	}{
		{"bad signature", false, "wrong", 0, http.StatusUnauthorized},
		{"no secret configured", true, srvSecret, 0, http.StatusServiceUnavailable},
		{"oversized body", false, srvSecret, 26 << 20, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, serverOpts{noSecret: tt.noSecret})
			body := prPayload(t, "opened", t.TempDir(), 1, strings.Repeat("a", 40), strings.Repeat("b", 40), srvRepo, "alice")
			if tt.size > 0 {
				body = append(body[:len(body)-1], []byte(`,"pad":"`+strings.Repeat("x", tt.size)+`"}`)...)
			}
			if code := s.deliverSigned("pull_request", "r-1", body, tt.secret); code != tt.want {
				t.Errorf("answered %d, want %d", code, tt.want)
			}
			time.Sleep(200 * time.Millisecond)
			if n := len(s.fake.Requests()); n != 0 {
				t.Errorf("%d GitHub requests after a refused delivery", n)
			}
		})
	}
}

func TestServeNewerHeadSupersedes(t *testing.T) {
	s := newTestServer(t, serverOpts{})
	dir, base, head1 := miniRepo(t, 1)
	writeFile(t, filepath.Join(dir, "pages/index/index.js"), "Page({ data: {} })\n")
	gitRun(t, dir, "commit", "-q", "-am", "second")
	head2 := gitRun(t, dir, "rev-parse", "HEAD")
	setPull(s.fake, 3, base, head2, srvRepo)
	s.deliver("pull_request", "s-1", prPayload(t, "opened", dir, 3, base, head1, srvRepo, "alice"))
	s.deliver("pull_request", "s-2", prPayload(t, "synchronize", dir, 3, base, head2, srvRepo, "alice"))
	waitFor(t, "the newer head's check run", func() bool {
		rs := completedRuns(s.fake, head2)
		return len(rs) == 1 && rs[0].Conclusion == "failure"
	})
	waitFor(t, "the older head's check run to conclude", func() bool { return len(completedRuns(s.fake, head1)) == len(runsOn(s.fake, head1)) })
	for _, r := range runsOn(s.fake, head1) {
		if r.Conclusion != "neutral" && r.Conclusion != "failure" {
			t.Errorf("older head concluded %q", r.Conclusion)
		}
	}
	// Whatever the race, the comment shows the newer head last.
	waitFor(t, "the comment", func() bool { return len(s.fake.Comments(srvRepo, 3)) == 1 })
}

func TestServeGitHubFaults(t *testing.T) {
	s := newTestServer(t, serverOpts{ghOpts: []github.Option{github.WithMaxRateLimitWait(0)}})
	dir, base, head := miniRepo(t, 1)
	setPull(s.fake, 4, base, head, srvRepo)
	s.fake.Fault("checks/create", 1, fakegithub.ServerError)
	s.fake.Fault("checks/update", 1, fakegithub.SecondaryRateLimit)
	s.deliver("pull_request", "f-1", prPayload(t, "opened", dir, 4, base, head, srvRepo, "alice"))
	waitFor(t, "the check run to complete despite the faults", func() bool { return len(completedRuns(s.fake, head)) == 1 })
	if n := s.fake.Count("checks/create"); n != 2 {
		t.Errorf("checks/create seen %d times, want 2 (one 502, one retry)", n)
	}
	st, err := s.srv.q.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Snoozed < 1 {
		t.Errorf("no job snoozed on the secondary rate limit: %+v", st)
	}
}

func TestServeReadOnlyCommand(t *testing.T) {
	s := newTestServer(t, serverOpts{})
	dir, base, head := miniRepo(t, 1)
	setPull(s.fake, 5, base, head, srvRepo)
	s.fake.SetPermission(srvRepo, "mallory", "read", "")
	id := s.fake.AddComment(srvRepo, 5, "mallory", "/rebuild")
	s.deliver("issue_comment", "c-1", commentPayload(t, dir, 5, id, "mallory", "/rebuild"))
	waitFor(t, "the polite reply", func() bool { return len(s.fake.Comments(srvRepo, 5)) == 2 })
	reply := s.fake.Comments(srvRepo, 5)[1]
	if reply.Login != srvBotName || !strings.Contains(reply.Body, "only people with write access") || !strings.Contains(reply.Body, "@mallory") {
		t.Errorf("reply by %s: %q", reply.Login, reply.Body)
	}
	if n := s.fake.Count("checks/create"); n != 0 {
		t.Errorf("%d check runs created for a refused command", n)
	}
	if rs := s.fake.Reactions(srvRepo, id); len(rs) != 0 {
		t.Errorf("reacted to a refused command: %+v", rs)
	}
}

func TestServeForkWaitsForOkToBuild(t *testing.T) {
	sb := &passWrapper{}
	s := newTestServer(t, serverOpts{sandbox: sb})
	dir, base, head := miniRepo(t, 0)
	s.fake.SetContent(srvRepo, "", ".mpgate.yml", []byte("projects:\n  - name: app\n    root: .\n    build: \"true\"\n"))
	setPull(s.fake, 9, base, head, "mallory/shop")
	s.fake.SetPermission(srvRepo, "mallory", "read", "")
	s.fake.SetPermission(srvRepo, "maintainer", "write", "")
	s.deliver("pull_request", "k-1", prPayload(t, "opened", dir, 9, base, head, "mallory/shop", "mallory"))
	waitFor(t, "the waiting check run", func() bool { return len(completedRuns(s.fake, head)) == 1 })
	if r := completedRuns(s.fake, head)[0]; r.Conclusion != "action_required" || !strings.Contains(r.Title, "/ok-to-build") {
		t.Fatalf("fork check run %q %q", r.Conclusion, r.Title)
	}
	if sb.used.Load() != 0 {
		t.Fatal("the fork was built before /ok-to-build")
	}
	id := s.fake.AddComment(srvRepo, 9, "maintainer", "Looks safe.\n/ok-to-build")
	s.deliver("issue_comment", "k-2", commentPayload(t, dir, 9, id, "maintainer", "Looks safe.\n/ok-to-build"))
	waitFor(t, "the build", func() bool { return len(completedRuns(s.fake, head)) == 2 })
	var last fakegithub.CheckRun
	for _, r := range completedRuns(s.fake, head) {
		if r.ID > last.ID {
			last = r
		}
	}
	if last.Conclusion != "success" {
		t.Errorf("after /ok-to-build: %q %q\n%s", last.Conclusion, last.Title, last.Summary)
	}
	if sb.used.Load() == 0 {
		t.Error("the fork's build did not run in the sandbox")
	}
	if rs := s.fake.Reactions(srvRepo, id); len(rs) != 1 || rs[0].Login != srvBotName {
		t.Errorf("reactions %+v", rs)
	}
}

func TestServeForkRefusedWithoutSandbox(t *testing.T) {
	s := newTestServer(t, serverOpts{})
	dir, base, head := miniRepo(t, 0)
	s.fake.SetContent(srvRepo, "", ".mpgate.yml", []byte("projects:\n  - name: app\n    root: .\n    build: \"true\"\ntrust: {build_forks: always}\n"))
	setPull(s.fake, 2, base, head, "mallory/shop")
	s.deliver("pull_request", "n-1", prPayload(t, "opened", dir, 2, base, head, "mallory/shop", "mallory"))
	waitFor(t, "the refusal", func() bool { return len(completedRuns(s.fake, head)) == 1 })
	if r := completedRuns(s.fake, head)[0]; r.Conclusion != "failure" || !strings.Contains(r.Title, "sandbox") {
		t.Errorf("check run %q %q", r.Conclusion, r.Title)
	}
}

func TestServeFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(f *serveFlags) bool
		wantErr bool
	}{
		{"defaults", nil, nil, func(f *serveFlags) bool {
			return f.addr == "127.0.0.1:8080" && f.dataDir == "./mpgate-data" && f.githubAPIURL == github.DefaultBaseURL && f.workers == queue.DefaultWorkers
		}, false},
		{"env", nil, map[string]string{"MPGATE_ADDR": ":9000", "MPGATE_DATA_DIR": "/d", "MPGATE_DATABASE_URL": "postgres://x",
			"MPGATE_GITHUB_APP_ID": "5", "MPGATE_GITHUB_PRIVATE_KEY_FILE": "/k", "MPGATE_GITHUB_WEBHOOK_SECRET_FILE": "/s",
			"MPGATE_GITHUB_API_URL": "http://g/", "MPGATE_WORKERS": "4", "MPGATE_GITLAB_URL": "https://gl"}, func(f *serveFlags) bool {
			return f.addr == ":9000" && f.dataDir == "/d" && f.databaseURL == "postgres://x" && f.githubAppID == "5" &&
				f.githubKeyFile == "/k" && f.githubSecretFile == "/s" && f.githubAPIURL == "http://g/" && f.workers == 4 && f.gitlabURL == "https://gl"
		}, false},
		{"flag beats env", []string{"--addr", ":1"}, map[string]string{"MPGATE_ADDR": ":2"}, func(f *serveFlags) bool { return f.addr == ":1" }, false},
		{"bad workers", []string{"--workers", "0"}, nil, nil, true},
		{"bad env", nil, map[string]string{"MPGATE_WORKERS": "many"}, nil, true},
		{"argument", []string{"extra"}, nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseServeFlags(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if err == nil && !tt.check(f) {
				t.Errorf("flags %+v", f)
			}
		})
	}
}

func TestServeSecretFiles(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	writeFile(t, empty, " \n")
	tests := []struct {
		name string
		f    serveFlags
		want string
	}{
		{"bad app id", serveFlags{githubAppID: "x"}, "not a positive number"},
		{"no key file", serveFlags{githubAppID: "1"}, "needs --github-private-key-file"},
		{"missing key", serveFlags{githubAppID: "1", githubKeyFile: filepath.Join(dir, "none")}, "reading the GitHub App private key"},
		{"empty secret", serveFlags{githubSecretFile: empty}, "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.dataDir = filepath.Join(dir, "data")
			_, err := newServer(context.Background(), &tt.f, slog.New(slog.DiscardHandler), serverDeps{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want %q", err, tt.want)
			}
		})
	}
}

// TestDocsCoverServe keeps docs/cli.md's serve section in step with the
// flags.
func TestDocsCoverServe(t *testing.T) {
	data, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	if !strings.Contains(doc, "## `mpgate serve`") {
		t.Fatal("docs/cli.md has no section for mpgate serve")
	}
	newServeFlagSet(&serveFlags{}).VisitAll(func(f *flag.Flag) {
		t.Run(f.Name, func(t *testing.T) {
			if !strings.Contains(doc, "`--"+f.Name+"`") {
				t.Errorf("docs/cli.md does not document --%s", f.Name)
			}
		})
	})
}

func TestServeReadyz(t *testing.T) {
	dir := t.TempDir()
	f := &serveFlags{dataDir: filepath.Join(dir, "data"), githubAPIURL: github.DefaultBaseURL, workers: 1, jobTimeout: time.Minute, maxAttempts: 1}
	srv, err := newServer(context.Background(), f, slog.New(slog.DiscardHandler), serverDeps{
		detectSandbox: func(context.Context) (build.Wrapper, string, error) { return nil, "", sandbox.ErrUnavailable },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	get := func(path string) int {
		rec := httptest.NewRecorder()
		srv.handler.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code
	}
	tests := []struct {
		path string
		want int
	}{{"/healthz", 200}, {"/readyz", 200}, {"/metrics", 200}}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := get(tt.path); got != tt.want {
				t.Errorf("GET %s: %d, want %d", tt.path, got, tt.want)
			}
		})
	}
	rec := httptest.NewRecorder()
	srv.handler.ServeHTTP(rec, httptest.NewRequest("POST", "/webhooks/gitlab", strings.NewReader("{}")))
	if rec.Code != http.StatusNotImplemented {
		t.Errorf("GitLab webhook answered %d, want 501", rec.Code)
	}
	// The database goes away: not ready, still healthy.
	srv.q.Store().DB().Close()
	if got := get("/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database closed: %d, want 503", got)
	}
	if got := get("/healthz"); got != 200 {
		t.Errorf("/healthz with the database closed: %d", got)
	}
}

// TestServeGitHubTokenStaysOnItsForge: a signed pull_request delivery whose
// repository.clone_url names another host (a loopback listener recording
// every request) is refused: the installation token is never sent there,
// nothing is, and the check run concludes at once saying why.
func TestServeGitHubTokenStaysOnItsForge(t *testing.T) {
	s := newTestServer(t, serverOpts{})
	var contacted atomic.Int32
	listener := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		contacted.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer listener.Close()
	_, base, head := miniRepo(t, 0)
	setPull(s.fake, 8, base, head, srvRepo)
	body := prPayload(t, "opened", listener.URL+"/"+srvRepo+".git", 8, base, head, srvRepo, "alice")
	if code := s.deliver("pull_request", "elsewhere-1", body); code != http.StatusAccepted {
		t.Fatalf("delivery answered %d", code)
	}
	waitFor(t, "the check run to complete", func() bool { return len(completedRuns(s.fake, head)) == 1 })
	run := completedRuns(s.fake, head)[0]
	if run.Conclusion != "failure" || !strings.Contains(run.Summary, "clone source refused") {
		t.Errorf("check run concluded %q: %q; want a failure saying the clone source was refused", run.Conclusion, run.Summary)
	}
	if n := contacted.Load(); n != 0 {
		t.Fatalf("the host named by the payload was contacted %d times", n)
	}
}
