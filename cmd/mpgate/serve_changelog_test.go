package main

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/mpgate/mpgate/bot"
)

// TestServeChangelogCheck: with the changelog gate on (in the default
// branch's config), a request touching a module without an entry gets its
// own failing "mpgate / changelog" check run, apart from the mpgate check run.
func TestServeChangelogCheck(t *testing.T) {
	s := newTestServer(t, serverOpts{})
	s.fake.SetContent(srvRepo, "", ".mpgate.yml", []byte("gates:\n  changelog: {enabled: true}\n"))
	dir, base, _ := miniRepo(t, 0)
	// The request edits a page: it touches the "app" module, breaks no rule,
	// and its title ("t") is no Conventional Commit.
	writeFile(t, filepath.Join(dir, "pages/index/index.js"), "Page({});") // same size: no package grows
	gitRun(t, dir, "commit", "-q", "-am", "edit the page")
	head := gitRun(t, dir, "rev-parse", "HEAD")
	setPull(s.fake, 8, base, head, srvRepo)
	if code := s.deliver("pull_request", "cl-1", prPayload(t, "opened", dir, 8, base, head, srvRepo, "alice")); code != http.StatusAccepted {
		t.Fatalf("delivery answered %d", code)
	}
	waitFor(t, "both check runs", func() bool { return len(completedRuns(s.fake, head)) == 2 })
	byName := map[string]string{}
	for _, r := range completedRuns(s.fake, head) {
		byName[r.Name] = r.Conclusion
	}
	if byName[bot.ChangelogCheckName] != "failure" {
		t.Errorf("changelog check run concluded %q, want failure (runs %v)", byName[bot.ChangelogCheckName], byName)
	}
	if byName[bot.CheckName] != "success" {
		t.Errorf("mpgate check run concluded %q: the changelog gate must not fail it too (runs %v)", byName[bot.CheckName], byName)
	}
}
