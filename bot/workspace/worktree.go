package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Worktree is a detached checkout of one commit, linked to a repository (a
// work tree or a bare mirror). Remove it when done.
type Worktree struct {
	Dir string // absolute directory of the checkout
	Rev string // full object name of the commit checked out

	repoDir  string
	lockFile bool // a mirror's: take its file lock too
	mu       sync.Mutex
	removed  bool
}

// AddWorktree checks rev out, detached, into dir (which must not exist or be
// empty, unless it is a worktree of repoDir already). The repository's
// hooks do not run.
//
// A worktree a crashed run left at dir is replaced, whatever state it is
// in: registered and still there (its files, build output included, are
// deleted), or registered while its directory is gone ("missing but
// already registered worktree", which git would otherwise refuse for
// ever). So a job run again starts from a clean checkout.
// Additions and removals on one repository are serialised in this process
// (git does not support them concurrently); the checkouts themselves may be
// used in parallel.
func AddWorktree(ctx context.Context, repoDir, dir, rev string) (*Worktree, error) {
	return addWorktree(ctx, repoDir, dir, rev, false)
}

func addWorktree(ctx context.Context, repoDir, dir, rev string, withFile bool) (*Worktree, error) {
	sha, err := RevParse(ctx, repoDir, rev)
	if err != nil {
		return nil, fmt.Errorf("add worktree: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("add worktree %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("add worktree %s: %w", abs, err)
	}
	unlock, err := lockRepo(ctx, repoKey(repoDir), withFile)
	if err != nil {
		return nil, fmt.Errorf("add worktree %s: %w", abs, err)
	}
	defer unlock()
	if err := clearStaleWorktree(ctx, repoDir, abs); err != nil {
		return nil, fmt.Errorf("add worktree %s: %w", abs, err)
	}
	// --force: should a record of abs survive the clearing (git refuses
	// "missing but already registered worktree"), overwrite it; twice:
	// also when it is locked (git locks a worktree while adding it, so a
	// crash during "worktree add" leaves a locked record).
	_, absErr := os.Lstat(abs) // nil: abs was there before the add
	if _, err := git(ctx, repoDir, "worktree", "add", "--force", "--force", "--detach", "--quiet", "--", abs, sha); err != nil {
		// A cancelled add is killed half way, leaving a locked record and a
		// partial checkout: undo both, whatever ctx says now. A directory
		// that was there before (git refuses a foreign one that is not
		// empty) is left alone unless git registered it.
		undo := context.WithoutCancel(ctx)
		if _, rmErr := git(undo, repoDir, "worktree", "remove", "--force", "--force", "--", abs); rmErr != nil && absErr != nil {
			_ = os.RemoveAll(abs)
		}
		_, _ = git(undo, repoDir, "worktree", "prune")
		return nil, fmt.Errorf("add worktree %s at %s: %w", abs, rev, err)
	}
	return &Worktree{Dir: abs, Rev: sha, repoDir: repoDir, lockFile: withFile}, nil
}

// clearStaleWorktree removes what a crashed run left at abs: the worktree
// registered there (with its files), then the records of worktrees whose
// directories are gone. A directory at abs that is not a worktree of
// repoDir is left alone (git refuses to check out into it if it is not
// empty). Call it with the repository locked.
func clearStaleWorktree(ctx context.Context, repoDir, abs string) error {
	if _, err := os.Lstat(abs); err == nil {
		list, err := git(ctx, repoDir, "worktree", "list", "--porcelain", "-z")
		if err != nil {
			return fmt.Errorf("list worktrees: %w", err)
		}
		for _, field := range strings.Split(string(list), "\x00") {
			if p, ok := strings.CutPrefix(field, "worktree "); ok && samePath(p, abs) {
				if _, err := git(ctx, repoDir, "worktree", "remove", "--force", "--force", "--", abs); err != nil {
					// Half broken: the directory is ours, delete it.
					if rmErr := os.RemoveAll(abs); rmErr != nil {
						return fmt.Errorf("remove the stale worktree: %w", errors.Join(err, rmErr))
					}
				}
				break
			}
		}
	}
	if _, err := git(ctx, repoDir, "worktree", "prune"); err != nil {
		return fmt.Errorf("prune worktrees: %w", err)
	}
	return nil
}

// samePath compares two absolute paths after resolving symbolic links in
// what exists of them (git reports real paths).
func samePath(a, b string) bool {
	if a == b {
		return true
	}
	ra, errA := filepath.EvalSymlinks(a)
	rb, errB := filepath.EvalSymlinks(b)
	return errA == nil && errB == nil && ra == rb
}

// Remove deletes the checkout and its administrative files in the
// repository, even when it has changes or untracked files (a build's output).
// Calling it again, or after the directory was deleted by hand, is fine.
func (w *Worktree) Remove(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.removed {
		return nil
	}
	unlock, err := lockRepo(ctx, repoKey(w.repoDir), w.lockFile)
	if err != nil {
		return fmt.Errorf("remove worktree %s: %w", w.Dir, err)
	}
	defer unlock()
	// --force twice also removes a locked worktree.
	_, rmErr := git(ctx, w.repoDir, "worktree", "remove", "--force", "--force", "--", w.Dir)
	if rmErr != nil {
		// Git refuses when the directory is already gone or half broken; the
		// directory is ours, so delete it and let prune drop the records.
		if err := os.RemoveAll(w.Dir); err != nil {
			return fmt.Errorf("remove worktree %s: %w", w.Dir, errors.Join(rmErr, err))
		}
	}
	if _, err := git(ctx, w.repoDir, "worktree", "prune"); err != nil {
		return fmt.Errorf("remove worktree %s: prune: %w", w.Dir, err)
	}
	w.removed = true
	return nil
}

// PruneWorktrees drops the records of worktrees of repoDir whose directories
// are gone, e.g. after a crash; a server runs it on its mirrors at start.
func PruneWorktrees(ctx context.Context, repoDir string) error {
	unlock, err := lockRepo(ctx, repoKey(repoDir), false)
	if err != nil {
		return fmt.Errorf("prune worktrees of %s: %w", repoDir, err)
	}
	defer unlock()
	if _, err := git(ctx, repoDir, "worktree", "prune"); err != nil {
		return fmt.Errorf("prune worktrees of %s: %w", repoDir, err)
	}
	return nil
}
