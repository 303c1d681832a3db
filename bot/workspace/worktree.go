package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
// empty). The repository's hooks do not run.
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
	if _, err := git(ctx, repoDir, "worktree", "add", "--detach", "--quiet", "--", abs, sha); err != nil {
		return nil, fmt.Errorf("add worktree %s at %s: %w", abs, rev, err)
	}
	return &Worktree{Dir: abs, Rev: sha, repoDir: repoDir, lockFile: withFile}, nil
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
