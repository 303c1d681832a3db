package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot/build"
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/bot/queue"
	"github.com/mpgate/mpgate/bot/sandbox"
	"github.com/mpgate/mpgate/internal/fakegithub"
)

// newFollowupServer is newTestServer (no sandbox, no database URL); it also
// returns the data directory, and checks that the queue's port lets the bot
// forget closed pull requests.
func newFollowupServer(t *testing.T) (*testServer, string) {
	t.Helper()
	f := fakegithub.New(t)
	checkFakeGitHub(t, f)
	dir := t.TempDir()
	flags := &serveFlags{addr: "127.0.0.1:0", dataDir: filepath.Join(dir, "data"),
		githubAppID: fmt.Sprint(srvAppID), githubKeyFile: githubApp(t, f, dir), githubAPIURL: f.BaseURL(), githubAppSlug: "mpgate",
		workers: 2, jobTimeout: time.Minute, maxAttempts: 5, shutdownTimeout: 10 * time.Second,
		githubSecretFile: filepath.Join(dir, "secret"),
		// The test repositories are local: allow them as clone sources.
		allowCloneURLPrefix: filepath.Dir(dir)}
	writeFile(t, flags.githubSecretFile, srvSecret+"\n")
	deps := serverDeps{
		detectSandbox: func(context.Context) (build.Wrapper, string, error) {
			return nil, "", fmt.Errorf("test: %w", sandbox.ErrUnavailable)
		},
		githubOptions: []github.Option{github.WithRetries(3, time.Millisecond)},
		queueConfig:   func(c *queue.Config) { c.SupersedePoll = 50 * time.Millisecond },
	}
	h := startServer(t, flags, deps, false)
	return &testServer{t: t, fake: f, srv: h.srv, http: h.http, secret: srvSecret, logs: h.logs}, flags.dataDir
}

func lines(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "\n")
}

// settled waits until the queue has no evaluation waiting or running: the
// queue deduplicates an evaluation of a head whose previous job has not been
// marked completed yet.
func settled(t *testing.T, s *testServer) {
	t.Helper()
	waitFor(t, "the queue to settle", func() bool {
		st, err := s.srv.q.Stats(context.Background())
		if err != nil {
			return false
		}
		for _, d := range st.Depth {
			if d.Kind == "mpgate.evaluate" && d.State != "completed" && d.State != "cancelled" && d.Count > 0 {
				return false
			}
		}
		return true
	})
}

func latestRun(f *fakegithub.Fake, sha string) fakegithub.CheckRun {
	var last fakegithub.CheckRun
	for _, r := range runsOn(f, sha) {
		if r.ID > last.ID {
			last = r
		}
	}
	return last
}

func TestServeRecheckReusesStoredReports(t *testing.T) {
	s, _ := newFollowupServer(t)
	dir, base, head := miniRepo(t, 1)
	counter := filepath.Join(t.TempDir(), "builds")
	s.fake.SetContent(srvRepo, "", ".mpgate.yml", []byte(fmt.Sprintf("projects:\n  - name: app\n    root: .\n    build: \"echo built >> %s\"\n", counter)))
	setPull(s.fake, 21, base, head, srvRepo)
	s.fake.SetPermission(srvRepo, "maintainer", "write", "")
	s.deliver("pull_request", "r-1", prPayload(t, "opened", dir, 21, base, head, srvRepo, "alice"))
	waitFor(t, "the first evaluation", func() bool { return len(completedRuns(s.fake, head)) == 1 })
	first := completedRuns(s.fake, head)[0]
	if n := lines(t, counter); n != 2 {
		t.Fatalf("%d builds, want 2 (head and base)", n)
	}

	steps := []struct {
		command    string
		wantBuilds int
	}{
		{"/recheck", 2},         // nothing built: head and base reports are stored
		{"/rebuild", 4},         // head and base built again
		{"Again:\n/recheck", 4}, // stored again by the rebuild
	}
	for i, st := range steps {
		t.Run(strings.ReplaceAll(st.command, "\n", " "), func(t *testing.T) {
			settled(t, s)
			id := s.fake.AddComment(srvRepo, 21, "maintainer", st.command)
			s.deliver("issue_comment", fmt.Sprintf("r-c%d", i), commentPayload(t, dir, 21, id, "maintainer", st.command))
			waitFor(t, "the evaluation", func() bool { return len(completedRuns(s.fake, head)) == i+2 })
			if n := lines(t, counter); n != st.wantBuilds {
				t.Errorf("%d builds after %q, want %d", n, st.command, st.wantBuilds)
			}
			last := latestRun(s.fake, head)
			if last.Conclusion != first.Conclusion || last.Title != first.Title {
				t.Errorf("concluded %q %q, want the first evaluation's %q %q", last.Conclusion, last.Title, first.Conclusion, first.Title)
			}
			for _, c := range s.fake.Comments(srvRepo, 21) {
				if c.Login == srvBotName && strings.Contains(c.Body, "from scratch") {
					t.Errorf("fallback reply although reports are stored: %q", c.Body)
				}
			}
		})
	}
}

func TestServeRecheckWithoutReportsRebuildsAndSaysSo(t *testing.T) {
	s, _ := newFollowupServer(t)
	dir, base, head := miniRepo(t, 0)
	setPull(s.fake, 22, base, head, srvRepo)
	s.fake.SetPermission(srvRepo, "maintainer", "write", "")
	id := s.fake.AddComment(srvRepo, 22, "maintainer", "/recheck")
	s.deliver("issue_comment", "w-1", commentPayload(t, dir, 22, id, "maintainer", "/recheck"))
	waitFor(t, "the evaluation", func() bool { return len(completedRuns(s.fake, head)) == 1 })
	var said bool
	for _, c := range s.fake.Comments(srvRepo, 22) {
		said = said || c.Login == srvBotName && strings.Contains(c.Body, "no stored reports") && strings.Contains(c.Body, "@maintainer")
	}
	if !said {
		t.Errorf("no reply about the rebuild: %+v", s.fake.Comments(srvRepo, 22))
	}
	if r := completedRuns(s.fake, head)[0]; r.Conclusion != "success" {
		t.Errorf("concluded %q %q", r.Conclusion, r.Title)
	}
}

func TestServeClosedCancelsEvaluation(t *testing.T) {
	s, dataDir := newFollowupServer(t)
	dir, base, head := miniRepo(t, 0)
	gate := t.TempDir()
	started, release := filepath.Join(gate, "started"), filepath.Join(gate, "release")
	t.Cleanup(func() { writeFile(t, release, "") }) // never leave a build waiting
	s.fake.SetContent(srvRepo, "", ".mpgate.yml", []byte(fmt.Sprintf(
		"projects:\n  - name: app\n    root: .\n    build: \"touch %s; while [ ! -f %s ]; do sleep 0.05; done\"\n", started, release)))
	setPull(s.fake, 23, base, head, srvRepo)
	s.deliver("pull_request", "x-1", prPayload(t, "opened", dir, 23, base, head, srvRepo, "alice"))
	waitFor(t, "the build to start", func() bool { _, err := os.Stat(started); return err == nil })
	s.deliver("pull_request", "x-2", prPayload(t, "closed", dir, 23, base, head, srvRepo, "alice"))
	waitFor(t, "the evaluation to be cancelled", func() bool {
		st, err := s.srv.q.Stats(context.Background())
		return err == nil && st.Superseded >= 1
	})
	runs := runsOn(s.fake, head)
	if len(runs) != 1 || runs[0].Status != "completed" || runs[0].Conclusion != "neutral" || runs[0].Title != "Closed" {
		t.Errorf("check runs %+v, want one neutral Closed", runs)
	}
	for _, c := range s.fake.Comments(srvRepo, 23) {
		if c.Login == srvBotName {
			t.Errorf("a cancelled evaluation commented: %q", c.Body)
		}
	}
	waitFor(t, "the worktrees to be removed", func() bool {
		left, _ := os.ReadDir(filepath.Join(dataDir, "worktrees"))
		return len(left) == 0
	})
}

func TestServeChangelogCommand(t *testing.T) {
	s, _ := newFollowupServer(t)
	dir, base, head := miniRepo(t, 1)
	s.fake.SetPull(srvRepo, fakegithub.Pull{Number: 24, Title: "feat: a page for the offers", HeadSHA: head, HeadRef: "changes",
		HeadRepo: srvRepo, BaseSHA: base, BaseRef: "main"})
	s.fake.SetPermission(srvRepo, "maintainer", "write", "")
	s.fake.SetPermission(srvRepo, "mallory", "read", "")
	tests := []struct {
		name, user, command string
		want                []string
	}{
		{"a writer gets the preview", "maintainer", "/changelog", []string{"@maintainer changelog preview of " + head[:12], "#### app", "a page for the offers"}},
		{"a writer gets the plan and where tagging happens", "maintainer", "/release", []string{"@maintainer release plan of `main`", "`mpgate release apply`"}},
		{"a reader gets the polite reply", "mallory", "/changelog", []string{"@mallory only people with write access", "`/changelog`"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.fake.Comments(srvRepo, 24))
			id := s.fake.AddComment(srvRepo, 24, tt.user, tt.command)
			s.deliver("issue_comment", fmt.Sprintf("l-%d", i), commentPayload(t, dir, 24, id, tt.user, tt.command))
			waitFor(t, "the reply", func() bool { return len(s.fake.Comments(srvRepo, 24)) == before+2 })
			reply := s.fake.Comments(srvRepo, 24)[before+1]
			if reply.Login != srvBotName {
				t.Fatalf("reply by %s", reply.Login)
			}
			for _, w := range tt.want {
				if !strings.Contains(reply.Body, w) {
					t.Errorf("reply lacks %q:\n%s", w, reply.Body)
				}
			}
		})
	}
	if n := s.fake.Count("checks/create"); n != 0 {
		t.Errorf("%d check runs created by release commands", n)
	}
}
