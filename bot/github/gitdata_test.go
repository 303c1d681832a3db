package github

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	mprelease "github.com/mpgate/mpgate/bot/release"
)

// gitIn runs git in dir with a fixed identity.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com", "GIT_COMMITTER_NAME=Dev",
		"GIT_COMMITTER_EMAIL=dev@example.com", "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReleasePusherGitData pushes a release commit and its annotated tag
// through the Git Data API of the fake, which keeps GitHub's objects in a
// real git repository: the commit GitHub makes has the local commit's tree,
// parent and message (the Release-Head trailer), the branch and the tag
// point at it; a re-run leaves the tag alone; a release planned at a head
// that is no longer the branch's is refused (422, not a fast forward) and
// moves nothing.
func TestReleasePusherGitData(t *testing.T) {
	f, c := setup(t)
	ctx := context.Background()
	local := t.TempDir()
	gitIn(t, local, "init", "-q", "-b", "main")
	writeFile(t, local, "CHANGELOG.md", "# Changelog\n")
	writeFile(t, local, ".changes/pay.md", "---\napp: minor\n---\nPay.\n")
	writeFile(t, local, "logo.png", "\x89PNG\r\n\x1a\n\x00\x00binary\n")
	gitIn(t, local, "add", "-A")
	gitIn(t, local, "commit", "-q", "-m", "feat: pay")
	head := gitIn(t, local, "rev-parse", "HEAD")
	remote := filepath.Join(t.TempDir(), "remote.git")
	gitIn(t, filepath.Dir(remote), "clone", "-q", "--bare", local, remote)
	f.SetGitDir(repo.FullName(), remote)
	f.SetRef(repo.FullName(), "refs/heads/main", head)

	// The release commit and tag, as release.Apply makes them.
	writeFile(t, local, "CHANGELOG.md", "# Changelog\n\n## [0.1.0] - 2026-12-06\n\n### Added\n\n- pay\n")
	gitIn(t, local, "rm", "-q", ".changes/pay.md")
	gitIn(t, local, "add", "-A")
	gitIn(t, local, "commit", "-q", "-m", "chore(release): app@v0.1.0\n\n"+mprelease.ReleaseHeadTrailer+": "+head)
	commit := gitIn(t, local, "rev-parse", "HEAD")
	gitIn(t, local, "tag", "-a", "--cleanup=verbatim", "-m", "app 0.1.0\n\n### Added\n\n- pay", "app@v0.1.0", commit)

	push := NewForge(c).ReleasePusher(repo, local)
	if err := push.Push(ctx, mprelease.PushOptions{Atomic: true}, commit+":refs/heads/main", "refs/tags/app@v0.1.0"); err != nil {
		t.Fatal(err)
	}
	rc, ok := push.(interface{ RemoteCommit(string) string })
	if !ok {
		t.Fatal("the pusher does not say which commit GitHub made")
	}
	made := rc.RemoteCommit(commit)
	if made == commit {
		t.Fatal("GitHub's commit is the local one; want one made by GitHub")
	}
	if got, _ := f.Ref(repo.FullName(), "refs/heads/main"); got != made {
		t.Errorf("main at %s, want GitHub's release commit %s", got, made)
	}
	if got, want := gitIn(t, remote, "rev-parse", made+"^{tree}"), gitIn(t, local, "rev-parse", commit+"^{tree}"); got != want {
		t.Errorf("GitHub's tree %s, the release commit's %s", got, want)
	}
	if got := gitIn(t, remote, "log", "-1", "--format=%P%n%an%n%B", made); !strings.HasPrefix(got, head+"\n"+botLogin+"\nchore(release): app@v0.1.0") ||
		!strings.Contains(got, mprelease.ReleaseHeadTrailer+": "+head) {
		t.Errorf("GitHub's commit (parent, author, message):\n%s", got)
	}
	tagRef, ok := f.Ref(repo.FullName(), "refs/tags/app@v0.1.0")
	if !ok {
		t.Fatal("no tag on GitHub")
	}
	tag, _, err := c.gh.Git.GetTag(ctx, repo.Owner, repo.Name, tagRef)
	if err != nil || tag.GetObject().GetSHA() != made || !strings.HasPrefix(tag.GetMessage(), "app 0.1.0\n\n### Added") {
		t.Errorf("tag: %v, object %s message %q; want at %s with the notes", err, tag.GetObject().GetSHA(), tag.GetMessage(), made)
	}

	// The repository behind the fake has them too, as a clone would fetch
	// them.
	if got := gitIn(t, remote, "rev-parse", "refs/heads/main", "app@v0.1.0^{commit}"); got != made+"\n"+made {
		t.Errorf("the git repository behind GitHub: main and the tag at\n%s\nwant %s", got, made)
	}

	// A re-run after a failure that came later: the tag is there already.
	if err := push.Push(ctx, mprelease.PushOptions{Atomic: true}, "refs/tags/app@v0.1.0"); err != nil {
		t.Errorf("pushing the tag again: %v", err)
	}

	// A release planned at the old head, after the branch moved: refused.
	gitIn(t, local, "checkout", "-q", "--detach", head)
	writeFile(t, local, "CHANGELOG.md", "# Changelog\n\n## [0.1.0] - 2026-12-07\n")
	gitIn(t, local, "commit", "-q", "-am", "chore(release): app@v0.1.0\n\n"+mprelease.ReleaseHeadTrailer+": "+head)
	stale := gitIn(t, local, "rev-parse", "HEAD")
	gitIn(t, local, "tag", "-a", "-m", "stale", "app@v0.1.1", stale)
	err = NewForge(c).ReleasePusher(repo, local).Push(ctx, mprelease.PushOptions{Atomic: true}, stale+":refs/heads/main", "refs/tags/app@v0.1.1")
	if err == nil || !strings.Contains(err.Error(), "not a fast forward") {
		t.Fatalf("a stale release: %v; want the refusal", err)
	}
	if got, _ := f.Ref(repo.FullName(), "refs/heads/main"); got != made {
		t.Errorf("a refused release moved main to %s", got)
	}
	if _, ok := f.Ref(repo.FullName(), "refs/tags/app@v0.1.1"); ok {
		t.Error("a refused release left its tag on GitHub")
	}

	// The release request branch is forced, and created when missing.
	if err := NewForge(c).ReleasePusher(repo, local).Push(ctx, mprelease.PushOptions{Force: true}, stale+":refs/heads/"+mprelease.RequestBranch); err != nil {
		t.Fatalf("release branch: %v", err)
	}
	if _, ok := f.Ref(repo.FullName(), "refs/heads/"+mprelease.RequestBranch); !ok {
		t.Error("no release branch on GitHub")
	}
}
