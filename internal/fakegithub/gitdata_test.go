package fakegithub

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	gh "github.com/google/go-github/v60/github"
)

// gitT runs git in dir for a test.
func gitT(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := runGitIn(dir, []string{"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com"}, nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGitDataAgainstGit makes a commit through the Git Data API with
// go-github, as a client releasing through the API does, and checks it
// with git: the tree is the one git makes of the same files, the commit
// has the message and parent given, and the ref moves only forward unless
// forced (422 as on GitHub).
func TestGitDataAgainstGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	gitT(t, dir, "init", "-q", "-b", "main")
	if err := os.MkdirAll(filepath.Join(dir, "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"CHANGELOG.md": "# Changelog\n", "pkg/CHANGELOG.md": "# pkg\n", ".changes/a.md": "x\n"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitT(t, dir, "add", "-A")
	gitT(t, dir, "commit", "-q", "-m", "start")
	head := gitT(t, dir, "rev-parse", "HEAD")
	baseTree := gitT(t, dir, "rev-parse", "HEAD^{tree}")

	f := New(t)
	f.AddToken(tok, "mpgate[bot]")
	f.SetGitDir("o/r", dir)
	f.SetRef("o/r", "refs/heads/main", head)
	client := gh.NewClient(nil).WithAuthToken(tok)
	base, err := url.Parse(f.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	client.BaseURL = base
	ctx := context.Background()

	blob, _, err := client.Git.CreateBlob(ctx, "o", "r", &gh.Blob{Content: gh.String("IyBwa2cKCiMjIDAuMS4wCg=="), Encoding: gh.String("base64")})
	if err != nil {
		t.Fatal(err)
	}
	tree, _, err := client.Git.CreateTree(ctx, "o", "r", baseTree, []*gh.TreeEntry{
		{Path: gh.String("pkg/CHANGELOG.md"), Mode: gh.String("100644"), Type: gh.String("blob"), SHA: blob.SHA},
		{Path: gh.String("CHANGELOG.md"), Mode: gh.String("100644"), Type: gh.String("blob"), Content: gh.String("# Changelog\n\n## 0.1.0\n")},
		{Path: gh.String(".changes/a.md"), Mode: gh.String("100644"), Type: gh.String("blob")}, // SHA nil: deleted
	})
	if err != nil {
		t.Fatal(err)
	}
	// The same change made by git gives the same tree.
	if err := os.WriteFile(filepath.Join(dir, "pkg/CHANGELOG.md"), []byte("# pkg\n\n## 0.1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "CHANGELOG.md"), []byte("# Changelog\n\n## 0.1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitT(t, dir, "rm", "-q", ".changes/a.md")
	gitT(t, dir, "add", "-A")
	if want := gitT(t, dir, "write-tree"); tree.GetSHA() != want {
		t.Fatalf("API tree %s, git's %s", tree.GetSHA(), want)
	}
	msg := "chore(release): pkg@v0.1.0\n\nRelease-Head: " + head + "\n"
	commit, _, err := client.Git.CreateCommit(ctx, "o", "r", &gh.Commit{Message: gh.String(msg), Tree: tree, Parents: []*gh.Commit{{SHA: gh.String(head)}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := gitT(t, dir, "log", "-1", "--format=%P %an%n%B", commit.GetSHA()); got != head+" mpgate[bot]\n"+strings.TrimSpace(msg) {
		t.Errorf("commit in git:\n%s", got)
	}
	if got, _, err := client.Git.GetCommit(ctx, "o", "r", commit.GetSHA()); err != nil || got.GetTree().GetSHA() != tree.GetSHA() || got.GetMessage() != strings.TrimSuffix(msg, "\n") {
		t.Errorf("get commit: %v, tree %s message %q", err, got.GetTree().GetSHA(), got.GetMessage())
	}
	// A sibling commit (planned at the same head) cannot replace it.
	sibling, _, err := client.Git.CreateCommit(ctx, "o", "r", &gh.Commit{Message: gh.String("other"), Tree: &gh.Tree{SHA: gh.String(baseTree)}, Parents: []*gh.Commit{{SHA: gh.String(head)}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	update := func(sha string, force bool) (int, error) {
		_, resp, err := client.Git.UpdateRef(ctx, "o", "r", &gh.Reference{Ref: gh.String("refs/heads/main"), Object: &gh.GitObject{SHA: gh.String(sha)}}, force)
		if resp == nil {
			return 0, err
		}
		return resp.StatusCode, err
	}
	if code, err := update(commit.GetSHA(), false); err != nil || code != http.StatusOK {
		t.Fatalf("fast-forward: %d %v", code, err)
	}
	if got, _ := f.Ref("o/r", "refs/heads/main"); got != commit.GetSHA() {
		t.Fatalf("main at %s, want %s", got, commit.GetSHA())
	}
	code, err := update(sibling.GetSHA(), false)
	var ghErr *gh.ErrorResponse
	if code != http.StatusUnprocessableEntity || !errors.As(err, &ghErr) || ghErr.Message != "Update is not a fast forward" {
		t.Errorf("non-fast-forward: %d %v; want 422 Update is not a fast forward", code, err)
	}
	if got, _ := f.Ref("o/r", "refs/heads/main"); got != commit.GetSHA() {
		t.Errorf("a refused update moved main to %s", got)
	}
	if code, err := update(sibling.GetSHA(), true); err != nil || code != http.StatusOK {
		t.Errorf("forced: %d %v", code, err)
	}
	if _, resp, err := client.Git.UpdateRef(ctx, "o", "r", &gh.Reference{Ref: gh.String("refs/heads/none"), Object: &gh.GitObject{SHA: gh.String(head)}}, false); resp == nil || resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("updating a missing ref: %v", err)
	}
	if _, err := client.Git.DeleteRef(ctx, "o", "r", "refs/heads/main"); err != nil {
		t.Errorf("delete: %v", err)
	}
	if _, ok := f.Ref("o/r", "refs/heads/main"); ok {
		t.Error("main still exists")
	}
	// A repository without a git directory: 404, as for a repository the
	// token cannot see.
	if _, resp, _ := client.Git.CreateBlob(ctx, "o", "other", &gh.Blob{Content: gh.String("x"), Encoding: gh.String("utf-8")}); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("no git directory: %v", resp)
	}
	if errs := f.Errors(); len(errs) > 0 {
		t.Errorf("invalid requests:\n%s", strings.Join(errs, "\n"))
	}
}
