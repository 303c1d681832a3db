package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/sandbox"
	"github.com/mpgate/mpgate/internal/serverconfig"
)

// TestServeConfigForgeNames: the allowlist names forges as the events do.
func TestServeConfigForgeNames(t *testing.T) {
	if bot.ForgeGitHub != serverconfig.ForgeGitHub || bot.ForgeGitLab != serverconfig.ForgeGitLab {
		t.Fatalf("forge names differ: bot %s/%s, serverconfig %s/%s", bot.ForgeGitHub, bot.ForgeGitLab, serverconfig.ForgeGitHub, serverconfig.ForgeGitLab)
	}
}

// TestServeConfigPrecedence: a flag wins over its environment variable,
// which wins over the server config file, which wins over the default.
func TestServeConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "server.yml")
	writeFile(t, file, `addr: 0.0.0.0:7000
data_dir: /from/file
builds:
  concurrency: 6
  timeout: 12m
  memory: 1GiB
  network: none
queue:
  event_workers: 3
repositories:
  github: [octo/*]
`)
	bad := filepath.Join(dir, "bad.yml")
	writeFile(t, bad, "builds:\n  concurency: 6\n  network: some\n")
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(f *serveFlags) bool
		wantErr string
	}{
		{"file over defaults", []string{"--config", file}, nil, func(f *serveFlags) bool {
			return f.addr == "0.0.0.0:7000" && f.dataDir == "/from/file" && f.workers == 6 && f.jobTimeout.String() == "12m0s" &&
				f.buildMemory == 1<<30 && f.buildNetwork == sandbox.NetworkNone && f.eventWorkers == 3 &&
				f.buildDisk == sandbox.DefaultDisk && f.githubAppSlug == "mpgate" && f.repos.Check("github", "octo/shop") == nil &&
				f.repos.Check("github", "evil/shop") != nil
		}, ""},
		{"MPGATE_CONFIG", nil, map[string]string{"MPGATE_CONFIG": file}, func(f *serveFlags) bool {
			return f.addr == "0.0.0.0:7000" && f.workers == 6
		}, ""},
		{"env over file", []string{"--config", file}, map[string]string{"MPGATE_ADDR": ":9000", "MPGATE_BUILD_NETWORK": "all"}, func(f *serveFlags) bool {
			return f.addr == ":9000" && f.buildNetwork == sandbox.NetworkAll && f.dataDir == "/from/file"
		}, ""},
		{"flag over env over file", []string{"--config", file, "--addr", ":1", "--workers", "1"}, map[string]string{"MPGATE_ADDR": ":2", "MPGATE_WORKERS": "2"}, func(f *serveFlags) bool {
			return f.addr == ":1" && f.workers == 1 && f.buildMemory == 1<<30
		}, ""},
		{"no file: every repository", nil, nil, func(f *serveFlags) bool { return f.repos == nil && f.repos.Check("github", "any/repo") == nil }, ""},
		{"invalid file", []string{"--config", bad}, nil, nil,
			bad + `:2: unknown key "concurency" in builds; valid keys: concurrency, timeout, memory, processes, disk, network, sandbox, image, runtime` + "\n" +
				bad + `:3: builds.network "some": want none, install or all`},
		{"missing file", []string{"--config", filepath.Join(dir, "none.yml")}, nil, nil, "reading the server config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseServeFlags(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || exitCode(err) != exitUsage {
					t.Fatalf("err %v (exit %d), want a usage error with\n%s", err, exitCode(err), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(f) {
				t.Errorf("flags %+v", f)
			}
		})
	}
}

// TestServeAllowlist: a delivery for a repository the server config does
// not list is acknowledged as ignored and never queued or built; one for a
// listed repository is built.
func TestServeAllowlist(t *testing.T) {
	s := newTestServer(t, serverOpts{config: "repositories:\n  github: [octo/shop]\n"})
	dir, base, head := miniRepo(t, 2)
	setPull(s.fake, 7, base, head, srvRepo)

	// The same pull request, from a repository that installed the App
	// without being listed.
	var m map[string]any
	if err := json.Unmarshal(prPayload(t, "opened", dir, 7, base, head, "evil/shop", "mallory"), &m); err != nil {
		t.Fatal(err)
	}
	repo := obj(m, "repository")
	repo["full_name"], repo["name"] = "evil/shop", "shop"
	obj(repo, "owner")["login"] = "evil"
	obj(m, "pull_request", "base", "repo")["full_name"] = "evil/shop"
	evil, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	code, body := deliverReading(t, s, "pull_request", "evil-1", evil)
	if code != http.StatusAccepted || !strings.Contains(body, `ignored: github repository "evil/shop": not in the server's repository allowlist`) {
		t.Errorf("delivery for evil/shop answered %d %q", code, body)
	}
	st, err := s.srv.q.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range st.Depth {
		if d.Count > 0 {
			t.Errorf("a job was queued for a repository not allowed: %+v", st.Depth)
		}
	}
	if !strings.Contains(s.logs.String(), `"repo":"evil/shop"`) || !strings.Contains(s.logs.String(), "not in the server's repository allowlist") {
		t.Errorf("the refusal is not logged with the repository:\n%s", s.logs.String())
	}

	// The listed repository is built as usual.
	if code := s.deliver("pull_request", "octo-1", prPayload(t, "opened", dir, 7, base, head, srvRepo, "alice")); code != http.StatusAccepted {
		t.Fatalf("delivery for %s answered %d", srvRepo, code)
	}
	waitFor(t, "the check run to complete", func() bool { return len(completedRuns(s.fake, head)) == 1 })
	if n := s.fake.Count("checks/create"); n != 1 {
		t.Errorf("%d check runs created, want 1 (for %s only)", n, srvRepo)
	}
}

// deliverReading posts a signed GitHub delivery and returns the status and
// the answer's body.
func deliverReading(t *testing.T, s *testServer, event, id string, body []byte) (int, string) {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(s.secret))
	mac.Write(body)
	req, err := http.NewRequest("POST", s.http.URL+"/webhooks/github", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", id)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data)
}

// TestServeAllowlistGitLab: a project that knows the hook's secret but is
// not listed gets no status, no note and no job.
func TestServeAllowlistGitLab(t *testing.T) {
	cfg, err := serverconfig.Parse([]byte("repositories:\n  gitlab: [platform/*]\n  github: [acme/*]\n"), "server.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := newGitLabTestServer(t, glServerOpts{repos: cfg.Repositories})
	dir, base, head := miniRepo(t, 2)
	s.setMR(7, base, head)
	// acme/shop is listed for GitHub, not for GitLab.
	if code := s.deliver("Merge Request Hook", "idem-1", sgSecret, mrPayload(t, dir, 7, "open", head, "")); code != http.StatusAccepted {
		t.Fatalf("delivery answered %d", code)
	}
	st, err := s.srv.q.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range st.Depth {
		if d.Count > 0 {
			t.Errorf("a job was queued for a project not allowed: %+v", st.Depth)
		}
	}
	if states := s.statesPosted(head); len(states) != 0 {
		t.Errorf("statuses posted for a project not allowed: %v", states)
	}
	if !strings.Contains(s.logs.String(), `gitlab repository \"acme/shop\": not in the server's repository allowlist`) {
		t.Errorf("the refusal is not logged:\n%s", s.logs.String())
	}
}
