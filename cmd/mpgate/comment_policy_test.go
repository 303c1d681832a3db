package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/bot"
)

// TestPostRequireChanges: with comment.require_changes a request without
// changes gets no comment; once one changed something, the comment is
// there, and a later push that undoes the change updates it (never left
// showing the earlier figures) rather than creating another.
func TestPostRequireChanges(t *testing.T) {
	fastRetries(t)
	f := newFake(t)
	dir, base, _ := miniRepo(t, 0)
	writeFile(t, filepath.Join(dir, ".mpgate.yml"), "comment: {require_changes: true, min_change: 1KB}\n")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "config")
	post := func(want int) {
		t.Helper()
		head := gitRun(t, dir, "rev-parse", "HEAD")
		r := prRunner(t, f, base, head, false)
		res := runArgs(t, r.env, "check", "--post", dir)
		if res.code != want {
			t.Fatalf("exit %d, want %d\n%s", res.code, want, res.stderr)
		}
	}

	post(exitPass)
	if n := len(f.Comments(testRepo, 2)); n != 0 {
		t.Fatalf("%d comments on a request without changes", n)
	}
	if n := f.Count("checks/create"); n == 0 {
		t.Error("no check run: require_changes is about the comment only")
	}

	// A page that is missing: a new finding, a comment.
	writeFile(t, filepath.Join(dir, "app.json"), "{\n  \"pages\": [\n    \"pages/index/index\",\n    \"pages/p0/p0\"\n  ]\n}\n")
	gitRun(t, dir, "commit", "-q", "-am", "page")
	post(exitFail)
	first := stickyComments(f, 2, "")
	if len(first) != 1 {
		t.Fatalf("%d sticky comments once something changed", len(first))
	}

	// Undone: the comment is brought up to date, not left stale.
	writeFile(t, filepath.Join(dir, "app.json"), "{\n  \"pages\": [\n    \"pages/index/index\"\n  ]\n}\n")
	gitRun(t, dir, "commit", "-q", "-am", "undo")
	post(exitPass)
	after := stickyComments(f, 2, "")
	if len(after) != 1 || after[0].ID != first[0].ID {
		t.Fatalf("sticky comments after the undo: %+v", after)
	}
	if !strings.Contains(after[0].Body, "**No size change** over 1.0 KB") || strings.Contains(after[0].Body, "New findings: ") {
		t.Errorf("the comment was not brought up to date:\n%s", after[0].Body)
	}
	if n := f.Count("issues/create-comment"); n != 1 {
		t.Errorf("%d comments created, want 1", n)
	}
}

// TestServeRequireChanges: the server honours comment.require_changes of
// the repository's config: a pull request without changes gets its check
// run and no comment.
func TestServeRequireChanges(t *testing.T) {
	s := newTestServer(t, serverOpts{})
	s.fake.SetContent(srvRepo, "", ".mpgate.yml", []byte("comment: {require_changes: true}\n"))
	dir, base, head := miniRepo(t, 0)
	setPull(s.fake, 4, base, head, srvRepo)
	if code := s.deliver("pull_request", "rc-1", prPayload(t, "opened", dir, 4, base, head, srvRepo, "alice")); code != http.StatusAccepted {
		t.Fatalf("delivery answered %d", code)
	}
	waitFor(t, "the evaluation", func() bool { return strings.Contains(s.logs.String(), `"msg":"evaluated"`) })
	if rs := completedRuns(s.fake, head); len(rs) != 1 || rs[0].Conclusion != "success" {
		t.Fatalf("check runs %+v", rs)
	}
	if cs := s.fake.Comments(srvRepo, 4); len(cs) != 0 {
		t.Errorf("%d comments on a pull request without changes: %.300q", len(cs), cs[0].Body)
	}
}

// TestGitLabPostRequireChanges: on GitLab CI too, a merge request without
// changes gets its status and no note, and a note already there is kept
// current.
func TestGitLabPostRequireChanges(t *testing.T) {
	fastGitLabRetries(t)
	dir, base, _ := miniRepo(t, 0)
	writeFile(t, filepath.Join(dir, ".mpgate.yml"), "comment: {require_changes: true}\n")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "config")
	head := gitRun(t, dir, "rev-parse", "HEAD")
	f := newGitLabFake(t, base, head)
	if res := runArgs(t, glRunner(t, f, base, head, true), "check", "--post", dir); res.code != exitPass {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if n := len(f.Notes(glProjectID, glMR)); n != 0 {
		t.Fatalf("%d notes on a merge request without changes", n)
	}
	if states := statusStates(t, f); len(states) == 0 {
		t.Error("no commit status: require_changes is about the note only")
	}
	// A note from an earlier push is brought up to date, not left stale.
	f.AddNote(glProjectID, glMR, glBotID, bot.StickyMarker("")+"\nmpgate ❌ failed: packageA +5 KB")
	if res := runArgs(t, glRunner(t, f, base, head, true), "check", "--post", dir); res.code != exitPass {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	notes := glStickyNotes(f, "")
	if len(notes) != 1 || strings.Contains(notes[0].Body, "packageA +5 KB") || !strings.Contains(notes[0].Body, "No size change") {
		t.Errorf("the note was not brought up to date: %+v", notes)
	}
}
