package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/build"
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/bot/queue"
	"github.com/mpgate/mpgate/bot/sandbox"
	"github.com/mpgate/mpgate/bot/store"
	"github.com/mpgate/mpgate/bot/worker"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/analyze"
	"github.com/mpgate/mpgate/internal/fakegithub"
	"github.com/mpgate/mpgate/internal/fakegitlab"
	"github.com/mpgate/mpgate/internal/serverconfig"
)

const (
	sgProjID   = 42
	sgProjPath = "acme/shop"
	sgBotID    = 7
	sgBotName  = "project_42_bot_mpgate"
	sgToken    = "glpat-SECRET-serve-token"
	sgSecret   = "SECRET-gitlab-hook-token"
	sgAliceID  = 8  // Developer
	sgRitaID   = 10 // Reporter
	sgStatuses = "POST /projects/:id/statuses/:sha"
)

// glTestServer is serve on real HTTP with a fake GitLab (and GitHub off).
type glTestServer struct {
	t    *testing.T
	fake *fakegitlab.Fake
	srv  *server
	http *httptest.Server
	logs *logBuffer
	// shutdown stops and closes the server (once; also at the test's end).
	shutdown func()
}

type glServerOpts struct {
	// fake and dir are a previous server's fake GitLab and directory (its
	// data directory, so its database): the new server is that server
	// restarted. nil and "": new ones.
	fake *fakegitlab.Fake
	dir  string
	// idle leaves the workers stopped: deliveries are queued, not handled.
	idle bool
	// signing is the hook's signing token (whsec_…), "" for none.
	signing string
	// github also turns the GitHub App on, against this fake.
	github *fakegithub.Fake
	// analyze replaces the engine (nil: analyze.Run).
	analyze func(ctx context.Context, dir string, opt analyze.Options) (*checks.Report, error)
	// repos is the server config's allowlist (nil: every project).
	repos *serverconfig.Allowlist
	// sandbox is the build sandbox (nil: none, untrusted builds refused).
	sandbox build.Wrapper
	// publicURL turns the pages on (--public-url) with the GitLab sign-in
	// (application sgPagesApp, secret sgPagesSecret).
	publicURL string
}

func newGitLabTestServer(t *testing.T, o glServerOpts) *glTestServer {
	t.Helper()
	f := o.fake
	if f == nil {
		f = newServeGitLabFake(t)
	}
	dir := o.dir
	if dir == "" {
		dir = t.TempDir()
	}
	flags := &serveFlags{addr: "127.0.0.1:0", dataDir: filepath.Join(dir, "data"),
		gitlabURL: f.URL, gitlabTokenFile: filepath.Join(dir, "token"), gitlabSecretFile: filepath.Join(dir, "hook-secret"),
		githubAPIURL: github.DefaultBaseURL, githubAppSlug: "mpgate",
		workers: 2, jobTimeout: time.Minute, maxAttempts: 3, shutdownTimeout: 10 * time.Second,
		// The test repositories are local: allow them as clone sources.
		allowCloneURLPrefix: filepath.Dir(dir)}
	flags.repos = o.repos
	writeFile(t, flags.gitlabTokenFile, sgToken+"\n")
	writeFile(t, flags.gitlabSecretFile, sgSecret+"\n")
	if o.publicURL != "" {
		flags.publicURL, flags.gitlabOAuthID = o.publicURL, sgPagesApp
		flags.pagesKeyFile, flags.gitlabOAuthSecret = filepath.Join(dir, "pages-key"), filepath.Join(dir, "gl-oauth-secret")
		writeFile(t, flags.pagesKeyFile, strings.Repeat("k", 40))
		writeFile(t, flags.gitlabOAuthSecret, sgPagesSecret+"\n")
	}
	if o.signing != "" {
		flags.gitlabSigningFile = filepath.Join(dir, "hook-signing")
		writeFile(t, flags.gitlabSigningFile, o.signing+"\n")
	}
	if o.github != nil {
		flags.githubAppID, flags.githubAPIURL = fmt.Sprint(srvAppID), o.github.BaseURL()
		flags.githubKeyFile, flags.githubSecretFile = githubApp(t, o.github, dir), filepath.Join(dir, "gh-secret")
		writeFile(t, flags.githubSecretFile, srvSecret)
	}
	deps := serverDeps{
		detectSandbox: func(context.Context) (build.Wrapper, string, error) {
			if o.sandbox != nil {
				return o.sandbox, "test pass-through", nil
			}
			return nil, "", fmt.Errorf("test: %w", sandbox.ErrUnavailable)
		},
		gitlabOptions: []gitlab.Option{gitlab.WithRetries(2, time.Millisecond, 2*time.Millisecond)},
		githubOptions: []github.Option{github.WithRetries(3, time.Millisecond)},
		queueConfig:   func(c *queue.Config) { c.SupersedePoll = 50 * time.Millisecond },
		botConfig: func(c *worker.Config) {
			if o.analyze != nil {
				c.Analyze = o.analyze
			}
		},
	}
	h := startServer(t, flags, deps, o.idle)
	return &glTestServer{t: t, fake: f, srv: h.srv, http: h.http, logs: h.logs, shutdown: h.shutdown}
}

// newServeGitLabFake is a fake GitLab with the test project, the bot's token
// and three users: the bot, alice (Developer) and rita (Reporter).
func newServeGitLabFake(t *testing.T) *fakegitlab.Fake {
	t.Helper()
	f := fakegitlab.New(t)
	f.AddUser(sgBotID, sgBotName, true)
	f.AddUser(sgAliceID, "alice", false)
	f.AddUser(sgRitaID, "rita", false)
	f.AddToken(sgToken, fakegitlab.Private, sgBotID)
	f.AddProject(sgProjID, sgProjPath)
	f.SetMember(sgProjID, sgBotID, gitlab.AccessDeveloper)
	f.SetMember(sgProjID, sgAliceID, gitlab.AccessDeveloper)
	f.SetMember(sgProjID, sgRitaID, gitlab.AccessReporter)
	t.Cleanup(func() {
		if errs := f.Errors(); len(errs) > 0 {
			t.Errorf("fake GitLab saw invalid requests:\n%s", strings.Join(errs, "\n"))
		}
	})
	return f
}

// deliver posts a GitLab delivery with token and returns the status code.
func (s *glTestServer) deliver(event, idempotencyKey, token string, body []byte) int {
	s.t.Helper()
	return s.deliverSigned(event, idempotencyKey, token, nil, body)
}

// deliverSigned also signs the delivery as GitLab 19 does (Standard
// Webhooks: HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}")
// when key is set.
func (s *glTestServer) deliverSigned(event, idempotencyKey, token string, key, body []byte) int {
	s.t.Helper()
	req, err := http.NewRequest("POST", s.http.URL+"/webhooks/gitlab", bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if key != nil {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(idempotencyKey + "." + ts + "."))
		mac.Write(body)
		req.Header.Set("Webhook-Id", idempotencyKey)
		req.Header.Set("Webhook-Timestamp", ts)
		req.Header.Set("Webhook-Signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Gitlab-Event", event)
	req.Header.Set("Idempotency-Key", idempotencyKey)
	if token != "" {
		req.Header.Set("X-Gitlab-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// glPayload loads testdata/serve/gitlab/NAME and points it at the test
// project and repository.
func glPayload(t *testing.T, name, cloneURL, user string, edit func(m map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "serve", "gitlab", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	p := obj(m, "project")
	p["id"], p["path_with_namespace"], p["git_http_url"], p["default_branch"] = sgProjID, sgProjPath, cloneURL, "main"
	if _, ok := m["project_id"]; ok {
		m["project_id"] = sgProjID
	}
	if u, ok := m["user"].(map[string]any); ok {
		u["username"] = user
	} else {
		m["user_username"] = user
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// setMR points a merge request's attributes at the test repository.
func setMR(mr map[string]any, iid int, head string) {
	mr["iid"], mr["source_branch"], mr["target_branch"] = iid, "changes", "main"
	mr["source_project_id"], mr["target_project_id"] = sgProjID, sgProjID
	mr["draft"], mr["work_in_progress"] = false, false
	obj(mr, "last_commit")["id"] = head
	if src, ok := mr["source"].(map[string]any); ok {
		src["path_with_namespace"] = sgProjPath
	}
}

// mrPayload is a Merge Request Hook (action open, or update with new
// commits when oldrev is set).
func mrPayload(t *testing.T, cloneURL string, iid int, action, head, oldrev string) []byte {
	return glPayload(t, "gitlab-merge-request-event.json", cloneURL, "alice", func(m map[string]any) {
		oa := obj(m, "object_attributes")
		setMR(oa, iid, head)
		oa["action"] = action
		if oldrev != "" {
			oa["oldrev"] = oldrev
		}
	})
}

// notePayload is a Note Hook on merge request iid.
func notePayload(t *testing.T, cloneURL string, iid int, head string, noteID int64, user, body string) []byte {
	return notePayloadIn(t, cloneURL, iid, head, noteID, "", user, body)
}

// notePayloadIn is notePayload for a note in a known discussion.
func notePayloadIn(t *testing.T, cloneURL string, iid int, head string, noteID int64, discussion, user, body string) []byte {
	return glPayload(t, "gitlab-merge-request-comment-event.json", cloneURL, user, func(m map[string]any) {
		oa := obj(m, "object_attributes")
		oa["id"], oa["note"], oa["noteable_type"] = noteID, body, "MergeRequest"
		if discussion != "" {
			oa["discussion_id"] = discussion
		}
		setMR(obj(m, "merge_request"), iid, head)
	})
}

func (s *glTestServer) setMR(iid int, base, head string) {
	s.fake.SetMergeRequest(sgProjID, fakegitlab.MergeRequest{IID: iid, Title: "feat: pages", State: "opened",
		SourceBranch: "changes", TargetBranch: "main", SHA: head, BaseSHA: base, Author: sgAliceID})
}

// statesPosted are the states posted for the mpgate status on sha, in
// order.
func (s *glTestServer) statesPosted(sha string) []string {
	var out []string
	for _, r := range s.fake.Requests() {
		if r.Route != sgStatuses || !strings.HasSuffix(r.Path, "/statuses/"+sha) || r.Status/100 != 2 {
			continue
		}
		var b struct{ State, Name string }
		if json.Unmarshal([]byte(r.Body), &b) == nil && b.Name == bot.CheckName {
			out = append(out, b.State)
		}
	}
	return out
}

// final is the mpgate status on sha once it has finished, else nil.
func (s *glTestServer) final(sha string) *fakegitlab.Status {
	var last *fakegitlab.Status
	for _, st := range s.fake.Statuses(sgProjID, sha) {
		if st.Name == bot.CheckName {
			last = &st
		}
	}
	if last == nil || last.State == gitlab.StatePending || last.State == gitlab.StateRunning {
		return nil
	}
	return last
}

func (s *glTestServer) notesBy(iid int, author int64) []fakegitlab.Note {
	var out []fakegitlab.Note
	for _, n := range s.fake.Notes(sgProjID, iid) {
		if n.Author == author {
			out = append(out, n)
		}
	}
	return out
}

func TestServeGitLabMergeRequestFlow(t *testing.T) {
	for _, tc := range []struct {
		name      string
		missing   int
		wantState string
	}{
		{"failing head", 2, gitlab.StateFailed},
		{"passing head", 0, gitlab.StateSuccess},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newGitLabTestServer(t, glServerOpts{})
			dir, base, head := miniRepo(t, tc.missing)
			s.setMR(7, base, head)
			body := mrPayload(t, dir, 7, "open", head, "")
			if code := s.deliver("Merge Request Hook", "idem-1", sgSecret, body); code != http.StatusAccepted {
				t.Fatalf("delivery answered %d", code)
			}
			waitFor(t, "the final status", func() bool { return s.final(head) != nil })
			st := s.final(head)
			if st.State != tc.wantState || st.Description == "" {
				t.Errorf("status %+v, want %s with a description", st, tc.wantState)
			}
			if want := s.fake.URL + "/" + sgProjPath + "/-/merge_requests/7"; st.TargetURL != want {
				t.Errorf("status links to %q, want the merge request %q", st.TargetURL, want)
			}
			if got := strings.Join(s.statesPosted(head), " → "); got != "pending → running → "+tc.wantState {
				t.Errorf("states posted: %s", got)
			}
			waitFor(t, "the sticky note", func() bool { return len(s.notesBy(7, sgBotID)) == 1 })
			n := s.notesBy(7, sgBotID)[0]
			if !strings.Contains(n.Body, bot.StickyMarker("")) {
				t.Errorf("note without the marker: %.300q", n.Body)
			}
			if tc.missing > 0 && !strings.Contains(n.Body, "MP102") {
				t.Errorf("note without the findings (annotations cannot go on GitLab): %.600q", n.Body)
			}

			// The same delivery again (GitLab's retry, same Idempotency-Key)
			// is acknowledged and processed once.
			posted := len(s.statesPosted(head))
			if code := s.deliver("Merge Request Hook", "idem-1", sgSecret, body); code/100 != 2 {
				t.Fatalf("duplicate delivery answered %d", code)
			}
			time.Sleep(300 * time.Millisecond)
			if got := len(s.statesPosted(head)); got != posted {
				t.Errorf("duplicate processed again: %d statuses posted, want %d", got, posted)
			}
			if got := s.fake.Count("GET /projects/:id/merge_requests/:iid"); got != 1 {
				t.Errorf("merge request read %d times, want once (duplicate processed again?)", got)
			}
			resp, err := http.Get(s.http.URL + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			metricsText, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, want := range []string{`mpgate_deliveries_total{event="Merge Request Hook",forge="gitlab",status="202"} 1`,
				`mpgate_gitlab_api_calls_total{status="201"}`} {
				if !strings.Contains(string(metricsText), want) {
					t.Errorf("metrics lack %s:\n%s", want, metricsText)
				}
			}
			for _, line := range strings.Split(s.logs.String(), "\n") {
				if strings.Contains(line, "SECRET") {
					t.Errorf("secret in the log: %s", line)
				}
			}
		})
	}
}

// TestServeGitHubAndGitLab: one server, both forges, each event answered
// on its own forge.
func TestServeGitHubAndGitLab(t *testing.T) {
	gh := fakegithub.New(t)
	t.Cleanup(func() {
		if errs := gh.Errors(); len(errs) > 0 {
			t.Errorf("fake GitHub saw invalid requests:\n%s", strings.Join(errs, "\n"))
		}
	})
	s := newGitLabTestServer(t, glServerOpts{github: gh})
	dir, base, head := miniRepo(t, 2)
	s.setMR(4, base, head)
	setPull(gh, 4, base, head, srvRepo)
	ts := &testServer{t: t, fake: gh, srv: s.srv, http: s.http, secret: srvSecret, logs: &logBuffer{}}
	if code := ts.deliver("pull_request", "gh-1", prPayload(t, "opened", dir, 4, base, head, srvRepo, "alice")); code != http.StatusAccepted {
		t.Fatalf("GitHub delivery answered %d", code)
	}
	if code := s.deliver("Merge Request Hook", "gl-1", sgSecret, mrPayload(t, dir, 4, "open", head, "")); code != http.StatusAccepted {
		t.Fatalf("GitLab delivery answered %d", code)
	}
	waitFor(t, "the GitHub check run", func() bool { return len(completedRuns(gh, head)) == 1 })
	waitFor(t, "the GitLab status", func() bool { return s.final(head) != nil })
	if r := completedRuns(gh, head)[0]; r.Conclusion != "failure" {
		t.Errorf("GitHub check run concluded %q", r.Conclusion)
	}
	if st := s.final(head); st.State != gitlab.StateFailed {
		t.Errorf("GitLab status %+v", st)
	}
	waitFor(t, "both comments", func() bool { return len(gh.Comments(srvRepo, 4)) == 1 && len(s.notesBy(4, sgBotID)) == 1 })
	// A GitLab secret does not open the GitHub door, nor the other way round.
	if code := ts.deliverSigned("pull_request", "gh-2", []byte("{}"), sgSecret); code != http.StatusUnauthorized {
		t.Errorf("GitHub delivery signed with the GitLab secret answered %d", code)
	}
	if code := s.deliver("Merge Request Hook", "gl-2", srvSecret, []byte("{}")); code != http.StatusUnauthorized {
		t.Errorf("GitLab delivery with the GitHub secret answered %d", code)
	}
}

func TestServeGitLabSigned(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	s := newGitLabTestServer(t, glServerOpts{signing: "whsec_" + base64.StdEncoding.EncodeToString(key)})
	dir, base, head := miniRepo(t, 1)
	s.setMR(6, base, head)
	body := mrPayload(t, dir, 6, "open", head, "")
	for _, tc := range []struct {
		name string
		key  []byte
		want int
	}{
		{"unsigned", nil, http.StatusUnauthorized},
		{"wrong key", []byte("not the key"), http.StatusUnauthorized},
		{"signed", key, http.StatusAccepted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code := s.deliverSigned("Merge Request Hook", "signed-"+tc.name, sgSecret, tc.key, body); code != tc.want {
				t.Errorf("answered %d, want %d", code, tc.want)
			}
		})
	}
	waitFor(t, "the final status", func() bool { return s.final(head) != nil })
	if st := s.final(head); st.State != gitlab.StateFailed {
		t.Errorf("status %+v, want failed", st)
	}
}

func TestServeGitLabPushStoresBaseline(t *testing.T) {
	s := newGitLabTestServer(t, glServerOpts{})
	dir, base, head := miniRepo(t, 1)
	body := glPayload(t, "push.json", dir, "alice", func(m map[string]any) {
		m["ref"], m["before"], m["after"], m["checkout_sha"] = "refs/heads/main", strings.Repeat("0", 40), base, base
	})
	if code := s.deliver("Push Hook", "push-1", sgSecret, body); code != http.StatusAccepted {
		t.Fatalf("push answered %d", code)
	}
	st := s.srv.q.Store()
	key := store.RepoKey(bot.Repo{Forge: bot.ForgeGitLab, Owner: "acme", Name: "shop", ID: sgProjID})
	waitFor(t, "the baseline", func() bool {
		_, err := st.Report(context.Background(), key, base, "")
		return err == nil
	})
	if n := len(s.statesPosted(base)); n != 0 {
		t.Errorf("%d statuses posted for a default-branch push", n)
	}
	// A merge request based on it compares against the stored report.
	s.setMR(8, base, head)
	s.deliver("Merge Request Hook", "push-2", sgSecret, mrPayload(t, dir, 8, "open", head, ""))
	waitFor(t, "the status", func() bool { return s.final(head) != nil })
	if got := s.final(head); got.State != gitlab.StateFailed {
		t.Errorf("status %+v, want failed", got)
	}
	if !strings.Contains(s.logs.String(), "baseline stored") {
		t.Error("no baseline stored in the log")
	}
}

func TestServeGitLabRefusals(t *testing.T) {
	s := newGitLabTestServer(t, glServerOpts{})
	dir, base, head := miniRepo(t, 1)
	s.setMR(3, base, head)
	body := mrPayload(t, dir, 3, "open", head, "")
	for _, tc := range []struct {
		name, event, token string
		body               []byte
		want               int
	}{
		{"bad token", "Merge Request Hook", "wrong", body, http.StatusUnauthorized},
		{"no token", "Merge Request Hook", "", body, http.StatusUnauthorized},
		{"ignored event", "Pipeline Hook", sgSecret, glPayload(t, "pipeline.json", dir, "alice", func(map[string]any) {}), http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code := s.deliver(tc.event, "refusal-"+tc.name, tc.token, tc.body)
			if code != tc.want && !(tc.want == http.StatusOK && code/100 == 2) {
				t.Errorf("answered %d, want %d", code, tc.want)
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(s.statesPosted(head)); n != 0 {
		t.Errorf("%d statuses posted for refused or ignored deliveries", n)
	}
	if n := len(s.fake.Requests()); n != 0 {
		t.Errorf("GitLab called %d times for refused or ignored deliveries", n)
	}
}

func TestServeGitLabCommands(t *testing.T) {
	s := newGitLabTestServer(t, glServerOpts{})
	dir, base, head := miniRepo(t, 1)
	s.setMR(5, base, head)
	if code := s.deliver("Merge Request Hook", "cmd-open", sgSecret, mrPayload(t, dir, 5, "open", head, "")); code != http.StatusAccepted {
		t.Fatalf("delivery answered %d", code)
	}
	waitFor(t, "the first evaluation", func() bool { return s.final(head) != nil })
	before := len(s.statesPosted(head))

	t.Run("reporter refused", func(t *testing.T) {
		id := s.fake.AddNote(sgProjID, 5, sgRitaID, "/rebuild")
		var thread string
		for _, n := range s.fake.Notes(sgProjID, 5) {
			if n.ID == id {
				thread = n.DiscussionID
			}
		}
		if code := s.deliver("Note Hook", "cmd-rita", sgSecret, notePayloadIn(t, dir, 5, head, id, thread, "rita", "/rebuild")); code != http.StatusAccepted {
			t.Fatalf("delivery answered %d", code)
		}
		waitFor(t, "the polite reply in the command's discussion", func() bool {
			for _, n := range s.notesBy(5, sgBotID) {
				if strings.Contains(n.Body, "@rita") && strings.Contains(n.Body, "write access") && n.DiscussionID == thread {
					return true
				}
			}
			return false
		})
		time.Sleep(300 * time.Millisecond)
		if got := len(s.statesPosted(head)); got != before {
			t.Errorf("a Reporter's /rebuild ran: %d statuses, want %d", got, before)
		}
		if a := s.fake.Awards(id); len(a) != 0 {
			t.Errorf("a refused command was acknowledged: %+v", a)
		}
	})
	t.Run("developer obeyed", func(t *testing.T) {
		id := s.fake.AddNote(sgProjID, 5, sgAliceID, "/rebuild")
		if code := s.deliver("Note Hook", "cmd-alice", sgSecret, notePayload(t, dir, 5, head, id, "alice", "/rebuild")); code != http.StatusAccepted {
			t.Fatalf("delivery answered %d", code)
		}
		waitFor(t, "the re-evaluation", func() bool {
			p := s.statesPosted(head)
			return len(p) > before && s.final(head) != nil
		})
		if a := s.fake.Awards(id); len(a) != 1 || a[0].Name != "thumbsup" || a[0].User != sgBotID {
			t.Errorf("awards %+v, want the bot's thumbsup", a)
		}
		if n := s.notesBy(5, sgBotID); len(n) != 2 {
			t.Errorf("bot notes %d, want the sticky note and the one reply", len(n))
		}
	})
}

// TestServeGitLabAwardAfterRestart: a command queued by one server and
// handled by the next (a restart in between: new process state, same
// database) is still acknowledged with its 👍 and answered in its thread.
// The note's merge request and discussion travel with the queued event;
// nothing is remembered in memory between the hook and the award.
func TestServeGitLabAwardAfterRestart(t *testing.T) {
	dir := t.TempDir()
	first := newGitLabTestServer(t, glServerOpts{dir: dir, idle: true})
	repoDir, base, head := miniRepo(t, 0)
	first.setMR(5, base, head)
	id := first.fake.AddNote(sgProjID, 5, sgAliceID, "/mpgate help")
	var thread string
	for _, n := range first.fake.Notes(sgProjID, 5) {
		if n.ID == id {
			thread = n.DiscussionID
		}
	}
	if code := first.deliver("Note Hook", "restart-help", sgSecret, notePayloadIn(t, repoDir, 5, head, id, thread, "alice", "/mpgate help")); code != http.StatusAccepted {
		t.Fatalf("delivery answered %d", code)
	}
	first.shutdown()
	if a := first.fake.Awards(id); len(a) != 0 {
		t.Fatalf("the idle server handled the command: %+v", a)
	}

	second := newGitLabTestServer(t, glServerOpts{dir: dir, fake: first.fake})
	waitFor(t, "the answer in the command's discussion", func() bool {
		for _, n := range second.notesBy(5, sgBotID) {
			if n.DiscussionID == thread && strings.Contains(n.Body, "/rebuild") {
				return true
			}
		}
		return false
	})
	if a := second.fake.Awards(id); len(a) != 1 || a[0].Name != "thumbsup" || a[0].User != sgBotID {
		t.Errorf("awards %+v, want the bot's thumbsup after the restart", a)
	}
}

func TestServeGitLabNewCommitsSupersede(t *testing.T) {
	dir, base, head1 := miniRepo(t, 1)
	writeFile(t, filepath.Join(dir, "pages/index/index.js"), "Page({ data: {} })\n")
	gitRun(t, dir, "commit", "-q", "-am", "second")
	head2 := gitRun(t, dir, "rev-parse", "HEAD")

	var once sync.Once
	blocked := make(chan struct{})
	s := newGitLabTestServer(t, glServerOpts{analyze: func(ctx context.Context, d string, opt analyze.Options) (*checks.Report, error) {
		if strings.Contains(d, head1[:12]) {
			once.Do(func() { close(blocked) })
			<-ctx.Done()
			return nil, context.Cause(ctx)
		}
		return analyze.Run(ctx, d, opt)
	}})
	s.setMR(9, base, head1)
	if code := s.deliver("Merge Request Hook", "sup-1", sgSecret, mrPayload(t, dir, 9, "open", head1, "")); code != http.StatusAccepted {
		t.Fatalf("delivery answered %d", code)
	}
	select {
	case <-blocked:
	case <-time.After(60 * time.Second):
		t.Fatal("the first head's evaluation never started")
	}
	s.setMR(9, base, head2)
	if code := s.deliver("Merge Request Hook", "sup-2", sgSecret, mrPayload(t, dir, 9, "update", head2, head1)); code != http.StatusAccepted {
		t.Fatalf("update answered %d", code)
	}
	waitFor(t, "the newer head's status", func() bool { return s.final(head2) != nil })
	if st := s.final(head2); st.State != gitlab.StateFailed {
		t.Errorf("newer head %+v, want failed", st)
	}
	waitFor(t, "the older head's status to finish", func() bool { return s.final(head1) != nil })
	st := s.final(head1)
	if st.State != gitlab.StateSuccess || !strings.Contains(st.Description, "Superseded") {
		t.Errorf("older head %+v, want success (neutral) \"Superseded…\"", st)
	}
	if p := s.statesPosted(head1); len(p) < 3 || p[0] != gitlab.StatePending || p[1] != gitlab.StateRunning {
		t.Errorf("older head's states %v, want pending → running → …", p)
	}
	waitFor(t, "the sticky note", func() bool { return len(s.notesBy(9, sgBotID)) == 1 })
}

func TestServeGitLabFlags(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "tok")
	writeFile(t, tok, sgToken)
	empty := filepath.Join(dir, "empty")
	writeFile(t, empty, " \n")
	log := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		name    string
		f       serveFlags
		on      bool
		wantErr string
	}{
		{"off", serveFlags{}, false, ""},
		{"files without url", serveFlags{gitlabTokenFile: tok}, false, "need --gitlab-url"},
		{"url without token", serveFlags{gitlabURL: "https://gitlab.example"}, false, "needs --gitlab-token-file"},
		{"empty token", serveFlags{gitlabURL: "https://gitlab.example", gitlabTokenFile: empty}, false, "is empty"},
		{"missing secret file", serveFlags{gitlabURL: "https://gitlab.example", gitlabTokenFile: tok, gitlabSecretFile: filepath.Join(dir, "nope")}, false, "GitLab webhook secret"},
		{"bad url", serveFlags{gitlabURL: "ftp://x", gitlabTokenFile: tok}, false, "--gitlab-url"},
		{"no secret: on, deliveries refused", serveFlags{gitlabURL: "https://gitlab.example", gitlabTokenFile: tok}, true, ""},
		{"signing token only", serveFlags{gitlabURL: "https://gitlab.example", gitlabTokenFile: tok, gitlabSigningFile: tok}, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := newGitLabServer(&tc.f, log, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "SECRET") {
					t.Errorf("error shows the token: %v", err)
				}
				return
			}
			if err != nil || (g != nil) != tc.on {
				t.Fatalf("newGitLabServer = %v, %v; want on %v", g, err, tc.on)
			}
		})
	}
	f, err := parseServeFlags(nil, func(k string) string {
		return map[string]string{"MPGATE_GITLAB_URL": "https://gl", "MPGATE_GITLAB_TOKEN_FILE": "/t",
			"MPGATE_GITLAB_WEBHOOK_SECRET_FILE": "/s", "MPGATE_GITLAB_WEBHOOK_SIGNING_TOKEN_FILE": "/g"}[k]
	}, io.Discard)
	if err != nil || f.gitlabURL != "https://gl" || f.gitlabTokenFile != "/t" || f.gitlabSecretFile != "/s" || f.gitlabSigningFile != "/g" {
		t.Errorf("environment: %+v, %v", f, err)
	}
}

func TestServeGitLabWithoutSecretRefuses(t *testing.T) {
	f := fakegitlab.New(t)
	dir := t.TempDir()
	flags := &serveFlags{addr: "127.0.0.1:0", dataDir: filepath.Join(dir, "data"), gitlabURL: f.URL,
		gitlabTokenFile: filepath.Join(dir, "token"), githubAPIURL: github.DefaultBaseURL, githubAppSlug: "mpgate",
		workers: 1, jobTimeout: time.Minute, maxAttempts: 3, shutdownTimeout: time.Second}
	writeFile(t, flags.gitlabTokenFile, sgToken)
	srv, err := newServer(context.Background(), flags, slog.New(slog.DiscardHandler), serverDeps{
		detectSandbox: func(context.Context) (build.Wrapper, string, error) { return nil, "", sandbox.ErrUnavailable }})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	for _, token := range []string{"", "anything"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/webhooks/gitlab", strings.NewReader(`{"object_kind":"merge_request"}`))
		req.Header.Set("X-Gitlab-Event", "Merge Request Hook")
		req.Header.Set("X-Gitlab-Token", token)
		srv.handler.ServeHTTP(rec, req)
		if rec.Code/100 == 2 {
			t.Errorf("token %q: answered %d without a configured secret, want a refusal", token, rec.Code)
		}
	}
}

func TestInstallationsRouting(t *testing.T) {
	gh := worker.InstallationsFunc(func(_ context.Context, forge string, id int64) (worker.Forge, error) {
		return nil, fmt.Errorf("%s installation %d", forge, id)
	})
	c, err := gitlab.New("https://gitlab.example", sgToken, gitlab.Private)
	if err != nil {
		t.Fatal(err)
	}
	glab := &gitlabServer{forge: gitlab.NewForge(c, sgToken, "")}
	for _, tc := range []struct {
		name    string
		g       *gitlabServer
		forge   string
		id      int64
		wantErr string
	}{
		{"GitLab off", nil, bot.ForgeGitLab, 0, "GitLab is off"},
		{"GitHub", nil, bot.ForgeGitHub, 77, "github installation 77"},
		{"GitHub with GitLab on", glab, bot.ForgeGitHub, 77, "github installation 77"},
		{"unknown forge", glab, "gitea", 1, `unknown forge "gitea"`},
		{"GitLab", glab, bot.ForgeGitLab, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fg, err := installations(gh, tc.g).Forge(context.Background(), tc.forge, tc.id)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || fg != worker.Forge(glab.forge) {
				t.Errorf("Forge = %v, %v; want the GitLab forge", fg, err)
			}
		})
	}
}

// TestServeGitLabTokenStaysOnItsForge: a delivery carrying the hook's
// secret but naming a clone URL on another host (here a loopback listener
// that records every request) is refused: the bot's token is never sent
// there, nor anything else.
func TestServeGitLabTokenStaysOnItsForge(t *testing.T) {
	s := newGitLabTestServer(t, glServerOpts{})
	var contacted atomic.Int32
	var sawToken atomic.Bool
	listener := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		contacted.Add(1)
		if strings.Contains(r.Header.Get("Authorization"), base64.StdEncoding.EncodeToString([]byte("oauth2:"+sgToken))) {
			sawToken.Store(true)
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer listener.Close()
	_, base, head := miniRepo(t, 0)
	s.setMR(9, base, head)
	body := mrPayload(t, listener.URL+"/"+sgProjPath+".git", 9, "open", head, "")
	if code := s.deliver("Merge Request Hook", "elsewhere-1", sgSecret, body); code != http.StatusAccepted {
		t.Fatalf("delivery answered %d", code)
	}
	waitFor(t, "the refusal", func() bool { return strings.Contains(s.logs.String(), "clone source refused") })
	if n := contacted.Load(); n != 0 || sawToken.Load() {
		t.Fatalf("the listener named by the payload was contacted %d times (token sent: %v)", n, sawToken.Load())
	}
	if !strings.Contains(s.logs.String(), "not on "+s.fake.URL[:strings.LastIndex(s.fake.URL, ":")]) {
		t.Errorf("the refusal does not name the configured GitLab:\n%s", s.logs.String())
	}
}
