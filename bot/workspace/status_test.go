package workspace

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestWorkingTreeCommit(t *testing.T) {
	ctx := ctxT(t)
	dir := newRepo(t)
	write(t, dir, map[string]string{".gitignore": "dist/\n"})
	base := commit(t, dir, "base", map[string]string{
		"app.js":    "a\nb\nc\n",
		"gone.js":   "x\n",
		"staged.js": "1\n",
	})
	// Unstaged edit, staged edit, deletion, untracked file, ignored file.
	write(t, dir, map[string]string{
		"app.js":       "a\nB\nc\nd\n",
		"staged.js":    "1\n2\n",
		"pages/new.js": "n1\nn2\n",
		"dist/out.js":  "built\n",
	})
	tgit(t, dir, "add", "staged.js")
	if err := os.Remove(filepath.Join(dir, "gone.js")); err != nil {
		t.Fatal(err)
	}
	statusBefore := tgit(t, dir, "status", "--porcelain")
	indexBefore := tgit(t, dir, "ls-files", "--stage")

	snap, err := WorkingTreeCommit(ctx, filepath.Join(dir, "pages"))
	if err != nil {
		t.Fatal(err)
	}
	if parent := tgit(t, dir, "rev-parse", snap+"^"); parent != base {
		t.Errorf("parent = %s, want HEAD %s", parent, base)
	}
	got, err := ChangedLines(ctx, dir, base, snap)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		"app.js":       {2, 4},
		"staged.js":    {2},
		"pages/new.js": {1, 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changed lines = %v, want %v", got, want)
	}
	files, err := ChangedFiles(ctx, dir, base, snap)
	if err != nil {
		t.Fatal(err)
	}
	if w := []string{"app.js", "gone.js", "pages/new.js", "staged.js"}; !reflect.DeepEqual(files, w) {
		t.Errorf("changed files = %v, want %v (dist/ is ignored)", files, w)
	}
	// Nothing the user sees changed: index, status, HEAD, refs.
	if s := tgit(t, dir, "status", "--porcelain"); s != statusBefore {
		t.Errorf("status after the snapshot:\n%s\nbefore:\n%s", s, statusBefore)
	}
	if s := tgit(t, dir, "ls-files", "--stage"); s != indexBefore {
		t.Errorf("index changed:\n%s\nbefore:\n%s", s, indexBefore)
	}
	if h := tgit(t, dir, "rev-parse", "HEAD"); h != base {
		t.Errorf("HEAD moved to %s", h)
	}
	if refs := tgit(t, dir, "for-each-ref", "--contains", snap); refs != "" {
		t.Errorf("a ref points at the snapshot: %s", refs)
	}
	// The same work tree is the same commit.
	again, err := WorkingTreeCommit(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if again != snap {
		t.Errorf("second snapshot %s, first %s", again, snap)
	}

	// Committed as it is, the commit has the snapshot's tree.
	tgit(t, dir, "add", "-A")
	tgit(t, dir, "commit", "--quiet", "-m", "the change")
	if a, b := tgit(t, dir, "rev-parse", "HEAD^{tree}"), tgit(t, dir, "rev-parse", snap+"^{tree}"); a != b {
		t.Errorf("committed tree %s, snapshot tree %s", a, b)
	}
}

func TestWorkingTreeCommitErrors(t *testing.T) {
	ctx := ctxT(t)
	if _, err := WorkingTreeCommit(ctx, t.TempDir()); err == nil {
		t.Error("no error outside a repository")
	}
	if _, err := WorkingTreeCommit(ctx, newRepo(t)); err == nil {
		t.Error("no error in a repository without a commit")
	}
}
