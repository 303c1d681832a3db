package workspace

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Layout is the server's data directory: the one place that says where each
// of its parts lives. mpgate serve and the bot build every path under it
// through these methods.
type Layout struct {
	// Root is the data directory (--data-dir).
	Root string
}

// Mirrors holds the bare mirrors of the repositories (OpenMirror).
func (l Layout) Mirrors() string { return filepath.Join(l.Root, "mirrors") }

// Worktrees holds the detached worktrees of evaluations, pushes and
// commands, named by short commit and job (swept when a request closes).
func (l Layout) Worktrees() string { return filepath.Join(l.Root, "worktrees") }

// Worktree is the worktree called name.
func (l Layout) Worktree(name string) string { return filepath.Join(l.Worktrees(), name) }

// Work holds the build logs and scratch directories of jobs.
func (l Layout) Work() string { return filepath.Join(l.Root, "work") }

// WorkDir is the scratch directory of the job called name.
func (l Layout) WorkDir(name string) string { return filepath.Join(l.Work(), name) }

// BuildCache is the sandbox's package-manager cache shared by builds.
func (l Layout) BuildCache() string { return filepath.Join(l.Root, "build-cache") }

// AnalysisCache is the engine's per-file cache (checks/filecache).
func (l Layout) AnalysisCache() string { return filepath.Join(l.Root, "cache") }

// Sweep removes the worktrees whose names match (nil: every one), then
// prunes git's records of them in every mirror: folders first, since
// pruning first would keep the records of folders that still existed. It
// returns how many it removed; what it could not remove or prune is in
// err, and the sweep goes on past it.
func (l Layout) Sweep(ctx context.Context, match func(name string) bool) (removed int, err error) {
	entries, rerr := os.ReadDir(l.Worktrees())
	if rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		err = errors.Join(err, rerr)
	}
	for _, e := range entries {
		if !e.IsDir() || (match != nil && !match(e.Name())) {
			continue
		}
		if rerr := os.RemoveAll(l.Worktree(e.Name())); rerr != nil {
			err = errors.Join(err, rerr)
			continue
		}
		removed++
	}
	if removed == 0 && match != nil {
		return 0, err
	}
	// A mirror's name comes from the normalised clone URL: prune every
	// mirror (only records whose directories are gone are dropped).
	mirrors, _ := os.ReadDir(l.Mirrors())
	for _, m := range mirrors {
		dir := filepath.Join(l.Mirrors(), m.Name())
		if _, serr := os.Stat(filepath.Join(dir, "HEAD")); serr != nil {
			continue
		}
		if perr := PruneWorktrees(ctx, dir); perr != nil {
			err = errors.Join(err, fmt.Errorf("pruning the worktrees of mirror %s: %w", m.Name(), perr))
		}
	}
	return removed, err
}
