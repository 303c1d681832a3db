package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store/storetest"
)

// Two mpgate serve processes on one PostgreSQL share the work: each has
// one build worker and both pull requests are delivered to the first, so
// the second build can only run in the second process. Each head is built
// once and gets exactly one check run; a redelivery to the other process
// is a duplicate.
func TestServeScaleOut(t *testing.T) {
	if testing.Short() {
		t.Skip("builds mpgate and runs two servers")
	}
	dbURL := storetest.PostgresURL(t) // skips without MPGATE_TEST_DATABASE_URL
	bin := filepath.Join(t.TempDir(), "mpgate")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	e := newCrashEnv(t, bin, 41)
	e.slowBuild()
	writeFile(t, filepath.Join(e.repoDir, "pages/index/index.js"), "Page({ data: {} })\n")
	gitRun(t, e.repoDir, "commit", "-q", "-am", "second head")
	head2 := gitRun(t, e.repoDir, "rev-parse", "HEAD")
	setPull(e.fake, 42, e.base, head2, srvRepo)

	data1, data2 := e.data, filepath.Join(e.dir, "data2")
	common := []string{"MPGATE_DATABASE_URL=" + dbURL, "MPGATE_WORKERS=1"}
	p1 := e.serve(common...)
	p2 := e.serve(append(common, "MPGATE_DATA_DIR="+data2)...)

	post := func(p *serveProc, id string, number int, head string) int {
		t.Helper()
		body := prPayload(t, "opened", e.repoDir, number, e.base, head, srvRepo, "alice")
		mac := hmac.New(sha256.New, []byte(srvSecret))
		mac.Write(body)
		req, err := http.NewRequest("POST", "http://"+p.addr+"/webhooks/github", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "pull_request")
		req.Header.Set("X-GitHub-Delivery", id)
		req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := post(p1, "x-1", 41, e.head); c != http.StatusAccepted {
		t.Fatalf("first delivery answered %d", c)
	}
	if c := post(p1, "x-2", 42, head2); c != http.StatusAccepted {
		t.Fatalf("second delivery answered %d", c)
	}
	if c := post(p2, "x-1", 41, e.head); c != http.StatusOK {
		t.Errorf("the first delivery redelivered to the other process answered %d, want 200 (duplicate)", c)
	}

	// started lists the pull request heads' checkouts (in either data
	// directory; not the base builds kept in work/) whose build has
	// begun; seen accumulates them.
	seen := map[string]bool{} // every head checkout ever seen building
	started := func() []string {
		var dirs []string
		defer func() {
			for _, d := range dirs {
				seen[d] = true
			}
		}()
		for _, root := range []string{data1, data2} {
			_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && d.Name() == startedGate && filepath.Base(filepath.Dir(filepath.Dir(p))) == "worktrees" {
					dirs = append(dirs, filepath.Dir(p))
				}
				return nil
			})
		}
		return dirs
	}
	// releaseAll lets every waiting build (heads and bases) finish.
	releaseAll := func() {
		for _, root := range []string{data1, data2} {
			_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
				if err == nil && d.IsDir() && isCheckout(p) {
					_ = os.WriteFile(filepath.Join(p, releaseGate), nil, 0o644)
				}
				return nil
			})
		}
	}
	t.Cleanup(releaseAll)
	crashWait(t, "both builds to start", func() bool { return len(started()) >= 2 })
	dirs := started()
	in1 := strings.HasPrefix(dirs[0], data1+string(filepath.Separator)) != strings.HasPrefix(dirs[1], data1+string(filepath.Separator))
	if len(dirs) != 2 || !in1 {
		t.Fatalf("builds running in %v: want one in each process's data directory", dirs)
	}
	for _, head := range []string{e.head, head2} {
		crashWait(t, "the check run of "+head[:7], func() bool {
			releaseAll() // base builds start later
			started()
			return len(completedRuns(e.fake, head)) >= 1
		})
		runs := runsOn(e.fake, head)
		if len(runs) != 1 || runs[0].Name != bot.CheckName || runs[0].Status != "completed" {
			t.Errorf("check runs on %s: %+v, want exactly one mpgate run, concluded", head[:7], runs)
		}
	}
	if len(seen) != 2 {
		t.Errorf("head builds seen in %v, want 2 (one per head)", seen)
	}
	if n := e.fake.Count("checks/create"); n != 2 {
		t.Errorf("%d check runs created for 2 heads, want 2", n)
	}
}
