package main

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/gitlab"
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

// TestServeGitLabChangelogStatus: on GitLab the changelog gate's check is
// its own commit status, "mpgate / changelog", beside the "mpgate" status:
// posting one never moves the other, and both end in a final state.
func TestServeGitLabChangelogStatus(t *testing.T) {
	s := newGitLabTestServer(t, glServerOpts{})
	s.fake.SetFile(sgProjID, "HEAD", ".mpgate.yml", []byte("gates:\n  changelog: {enabled: true}\n"))
	dir, base, _ := miniRepo(t, 0)
	writeFile(t, filepath.Join(dir, "pages/index/index.js"), "Page({});") // same size: no package grows
	gitRun(t, dir, "commit", "-q", "-am", "edit the page")
	head := gitRun(t, dir, "rev-parse", "HEAD")
	s.setMR(8, base, head)
	if code := s.deliver("Merge Request Hook", "cl-gl-1", sgSecret, mrPayload(t, dir, 8, "open", head, "")); code != http.StatusAccepted {
		t.Fatalf("delivery answered %d", code)
	}
	waitFor(t, "the sticky note", func() bool { return len(s.notesBy(8, sgBotID)) == 1 })
	byName := map[string][]string{}
	for _, st := range s.fake.Statuses(sgProjID, head) {
		byName[st.Name] = append(byName[st.Name], st.State)
	}
	if got := byName[bot.CheckName]; len(got) != 1 || got[0] != gitlab.StateSuccess {
		t.Errorf("%q statuses %v, want one success: the changelog gate must not fail or overwrite it (all: %v)", bot.CheckName, got, byName)
	}
	if got := byName[bot.ChangelogCheckName]; len(got) != 1 || got[0] != gitlab.StateFailed {
		t.Errorf("%q statuses %v, want one failed (all: %v)", bot.ChangelogCheckName, got, byName)
	}
	if len(byName) != 2 {
		t.Errorf("statuses %v, want exactly %q and %q", byName, bot.CheckName, bot.ChangelogCheckName)
	}
}
