// Package revsizes measures a repository's release modules at two
// revisions, for the size lines of release notes and for holding back a
// module that fails a rule at the head (release.SizeSource).
package revsizes

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/mpgate/mpgate/bot/release"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks/analyze"
	"github.com/mpgate/mpgate/checks/config"
)

// Sizes measures modules at two revisions for release notes ("packagePay
// +12.3 KB since v1.2.0"): each revision's mini-programs are analysed (the
// head in the work tree, an older one in a temporary worktree) and every
// counted file is credited to its module. Projects with a build command are
// left out: their sizes need a build, which a release job should not run
// twice; a module with no counted file at both revisions has no size line.
type Sizes struct {
	dir    string // repository work tree
	cfg    *config.Config
	router *release.Router

	mu    sync.Mutex
	cache map[string]map[string]int64 // rev → module → bytes
	// failing holds, per module, the first error finding at the last
	// revision analysed in the work tree (the head): a module failing on the
	// default branch is held back.
	failing map[string]string
}

// New measures the modules of the repository work tree dir under cfg.
func New(dir string, cfg *config.Config) (*Sizes, error) {
	mods, err := release.Modules(dir, cfg)
	if err != nil {
		return nil, err
	}
	return &Sizes{dir: dir, cfg: cfg, router: release.NewRouter(mods), cache: map[string]map[string]int64{}}, nil
}

// ModuleSize implements release.SizeSource.
func (s *Sizes) ModuleSize(ctx context.Context, module, sinceRev, headRev string) (int64, int64, bool, error) {
	if sinceRev == "" {
		return 0, 0, false, nil // never released: nothing to compare with
	}
	then, err := s.sizes(ctx, sinceRev)
	if err != nil {
		return 0, 0, false, err
	}
	now, err := s.sizes(ctx, headRev)
	if err != nil {
		return 0, 0, false, err
	}
	a, okA := then[module]
	b, okB := now[module]
	return a, b, okA && okB, nil
}

func (s *Sizes) sizes(ctx context.Context, rev string) (map[string]int64, error) {
	sha, err := workspace.RevParse(ctx, s.dir, rev)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.cache[sha]; ok {
		return m, nil
	}
	root := s.dir
	if head, err := workspace.RevParse(ctx, s.dir, "HEAD"); err != nil || head != sha {
		tmp, err := os.MkdirTemp("", "mpgate-release-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		wt, err := workspace.AddWorktree(ctx, s.dir, filepath.Join(tmp, "wt"), sha)
		if err != nil {
			return nil, fmt.Errorf("checking out %s to measure it: %w", rev, err)
		}
		defer wt.Remove(context.WithoutCancel(ctx))
		root = wt.Dir
	}
	out := map[string]int64{}
	for _, p := range s.cfg.Projects {
		if p.Build != "" {
			continue
		}
		rep, err := analyze.Run(ctx, filepath.Join(root, filepath.FromSlash(p.Root)), analyze.Options{
			Platform: p.Platform, Limits: p.CheckLimits(), IncludeFiles: true})
		if err != nil {
			continue // the project is not there at this revision
		}
		failing := map[string]string{}
		release.Credit(s.router, p.Root, rep, out, failing)
		if root == s.dir {
			for name, why := range failing {
				if s.failing == nil {
					s.failing = map[string]string{}
				}
				if s.failing[name] == "" {
					s.failing[name] = why
				}
			}
		}
	}
	s.cache[sha] = out
	return out, nil
}

var _ release.SizeSource = (*Sizes)(nil)

// Held analyses the head in the work tree and returns the modules that fail
// a rule there, with the finding that holds each back.
func (s *Sizes) Held(ctx context.Context) (map[string]string, error) {
	if _, err := s.sizes(ctx, "HEAD"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failing, nil
}
