package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestWorktreeAddRemove(t *testing.T) {
	r := forkedRepo(t)
	ctx := ctxT(t)
	// A post-checkout hook must not run for our checkouts.
	marker := filepath.Join(t.TempDir(), "hook-ran")
	write(t, r.dir, map[string]string{".git/hooks/post-checkout": "#!/bin/sh\ntouch " + marker + "\n"})
	if err := os.Chmod(filepath.Join(r.dir, ".git/hooks/post-checkout"), 0o755); err != nil {
		t.Fatal(err)
	}

	base := t.TempDir()
	wt, err := AddWorktree(ctx, r.dir, filepath.Join(base, "jobs", "head"), "feature")
	if err != nil {
		t.Fatal(err)
	}
	if wt.Rev != r.f2 {
		t.Errorf("Rev = %s, want %s", wt.Rev, r.f2)
	}
	if !filepath.IsAbs(wt.Dir) {
		t.Errorf("Dir %s is not absolute", wt.Dir)
	}
	got, err := os.ReadFile(filepath.Join(wt.Dir, "feature.js"))
	if err != nil || string(got) != "f\ng\n" {
		t.Fatalf("feature.js = %q, %v", got, err)
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("post-checkout hook ran (stat err %v)", err)
	}
	if head := tgit(t, wt.Dir, "rev-parse", "--abbrev-ref", "HEAD"); head != "HEAD" {
		t.Errorf("worktree is on %q, want detached HEAD", head)
	}
	// The same commit checked out twice (base and head of an empty diff).
	wt2, err := AddWorktree(ctx, r.dir, filepath.Join(base, "jobs", "base"), "feature")
	if err != nil {
		t.Fatalf("second worktree of the same commit: %v", err)
	}

	// Build output and edits must not stop removal.
	write(t, wt.Dir, map[string]string{"dist/app.js": "built", "feature.js": "edited"})
	if err := wt.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(wt.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("worktree dir still there: %v", err)
	}
	if list := tgit(t, r.dir, "worktree", "list", "--porcelain"); strings.Contains(list, wt.Dir) {
		t.Errorf("git still lists the removed worktree:\n%s", list)
	}
	if err := wt.Remove(ctx); err != nil {
		t.Errorf("second Remove: %v", err)
	}

	// Deleted by hand first: Remove still cleans git's records.
	if err := os.RemoveAll(wt2.Dir); err != nil {
		t.Fatal(err)
	}
	if err := wt2.Remove(ctx); err != nil {
		t.Fatalf("Remove after manual delete: %v", err)
	}
	if list := tgit(t, r.dir, "worktree", "list", "--porcelain"); strings.Contains(list, wt2.Dir) {
		t.Errorf("git still lists the deleted worktree:\n%s", list)
	}
}

func TestWorktreeErrors(t *testing.T) {
	r := forkedRepo(t)
	ctx := ctxT(t)
	t.Run("unknown rev", func(t *testing.T) {
		_, err := AddWorktree(ctx, r.dir, filepath.Join(t.TempDir(), "w"), "nope")
		if !errors.Is(err, ErrUnknownRevision) {
			t.Fatalf("err = %v, want ErrUnknownRevision", err)
		}
	})
	t.Run("directory not empty", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, map[string]string{"x": "x"})
		_, err := AddWorktree(ctx, r.dir, dir, "main")
		var ge *GitError
		if !errors.As(err, &ge) || ge.Stderr == "" {
			t.Fatalf("err = %v, want a GitError with git's message", err)
		}
	})
}

func TestWorktreesConcurrently(t *testing.T) {
	r := forkedRepo(t)
	ctx := ctxT(t)
	base := t.TempDir()
	revs := []string{"main", "feature", r.c1, r.c2, r.c3, r.f1, "main~1", "feature~1"}
	wts := make([]*Worktree, len(revs))
	errs := make([]error, len(revs))
	var wg sync.WaitGroup
	for i, rev := range revs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wts[i], errs[i] = AddWorktree(ctx, r.dir, filepath.Join(base, "w", rev), rev)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("worktree %s: %v", revs[i], err)
		}
	}
	for i, w := range wts {
		want, _ := RevParse(ctx, r.dir, revs[i])
		if got := tgit(t, w.Dir, "rev-parse", "HEAD"); got != want {
			t.Errorf("worktree %s at %s, want %s", revs[i], got, want)
		}
	}
	for _, w := range wts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Remove(ctx); err != nil {
				t.Errorf("remove %s: %v", w.Dir, err)
			}
		}()
	}
	wg.Wait()
}

// A job run again after a crash checks out into the directory its killed
// run used: whatever the crash left there, the checkout is clean.
func TestWorktreeAfterCrash(t *testing.T) {
	tests := []struct {
		name  string
		crash func(t *testing.T, dir string)
	}{
		{"directory deleted, record kept (the server's start-up sweep)", func(t *testing.T, dir string) {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
		}},
		{"directory kept with build output and edits", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"dist/app.js": "built", "feature.js": "edited"})
		}},
		{"directory and record kept, locked", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"dist/app.js": "built"})
			tgit(t, dir, "worktree", "lock", dir)
		}},
		{"directory deleted, record kept and locked", func(t *testing.T, dir string) {
			tgit(t, dir, "worktree", "lock", dir)
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := forkedRepo(t)
			ctx := ctxT(t)
			dir := filepath.Join(t.TempDir(), "worktrees", "job-1")
			if _, err := AddWorktree(ctx, r.dir, dir, "feature"); err != nil {
				t.Fatal(err)
			}
			tt.crash(t, dir) // the process dies here: no Remove
			wt, err := AddWorktree(ctx, r.dir, dir, "feature")
			if err != nil {
				t.Fatalf("the retried job cannot check out: %v", err)
			}
			if got, err := os.ReadFile(filepath.Join(wt.Dir, "feature.js")); err != nil || string(got) != "f\ng\n" {
				t.Errorf("feature.js = %q, %v: not a clean checkout", got, err)
			}
			if _, err := os.Stat(filepath.Join(wt.Dir, "dist")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the killed run's build output is still there (stat err %v)", err)
			}
			if err := wt.Remove(ctx); err != nil {
				t.Fatal(err)
			}
			if list := tgit(t, r.dir, "worktree", "list", "--porcelain"); strings.Contains(list, "job-1") {
				t.Errorf("git still lists the worktree:\n%s", list)
			}
		})
	}
}

// A directory that is not a worktree is never deleted to make room.
func TestWorktreeKeepsForeignDirectory(t *testing.T) {
	r := forkedRepo(t)
	dir := filepath.Join(t.TempDir(), "not-a-worktree")
	write(t, dir, map[string]string{"keep.txt": "mine"})
	if _, err := AddWorktree(ctxT(t), r.dir, dir, "feature"); err == nil {
		t.Fatal("checked out into a non-empty directory that is not a worktree")
	}
	if got, err := os.ReadFile(filepath.Join(dir, "keep.txt")); err != nil || string(got) != "mine" {
		t.Errorf("keep.txt = %q, %v", got, err)
	}
}
