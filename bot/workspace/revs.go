package workspace

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// fetchHint is what to do when a revision is missing from a CI checkout.
const fetchHint = "fetch it first: in CI check out with fetch-depth: 0, or run git fetch origin main (the base branch)"

// RevParse resolves rev (a branch, tag, remote ref, sha or expression such as
// HEAD~2) in repoDir to the full object name of a commit. An unknown revision
// is an ErrUnknownRevision whose text says how to fetch it.
func RevParse(ctx context.Context, repoDir, rev string) (string, error) {
	if err := checkRev(rev); err != nil {
		return "", err
	}
	in := &invocation{dir: repoDir, args: []string{"rev-parse", "--verify", "--quiet", rev + "^{commit}"}}
	out, err := in.run(ctx)
	sha := strings.TrimSpace(string(out))
	if err != nil {
		var ge *GitError
		if errors.As(err, &ge) && ge.ExitCode == 1 {
			return "", unknownRev(ctx, repoDir, rev)
		}
		if errors.As(err, &ge) && strings.Contains(ge.Stderr, "not a git repository") {
			return "", fmt.Errorf("resolve %q: %s: %w", rev, repoDir, ErrNotRepository)
		}
		return "", fmt.Errorf("resolve %q in %s: %w", rev, repoDir, err)
	}
	if !isHexName(sha) {
		return "", fmt.Errorf("resolve %q in %s: git printed %q, not an object name", rev, repoDir, sha)
	}
	return sha, nil
}

func unknownRev(ctx context.Context, repoDir, rev string) error {
	shallow := ""
	if isShallow(ctx, repoDir) {
		shallow = " (this clone is shallow)"
	}
	return fmt.Errorf("revision %q is not a commit in %s%s; %s: %w", rev, repoDir, shallow, fetchHint, ErrUnknownRevision)
}

func isShallow(ctx context.Context, repoDir string) bool {
	out, err := git(ctx, repoDir, "rev-parse", "--is-shallow-repository")
	return err == nil && out == "true"
}

// isHexName reports whether s is a SHA-1 or SHA-256 object name.
func isHexName(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Toplevel returns the absolute root of the work tree that contains dir.
func Toplevel(ctx context.Context, dir string) (string, error) {
	out, err := git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		var ge *GitError
		if errors.As(err, &ge) && strings.Contains(ge.Stderr, "not a git repository") {
			return "", fmt.Errorf("%s: %w", dir, ErrNotRepository)
		}
		return "", fmt.Errorf("find the work tree of %s: %w", dir, err)
	}
	if out == "" {
		return "", fmt.Errorf("find the work tree of %s: git printed nothing (a bare repository?)", dir)
	}
	return filepath.FromSlash(out), nil
}

// MergeBase returns the best common ancestor of a and b: the commit a request
// forked from, not the base branch's tip. Both are resolved first, so an
// unknown ref is an ErrUnknownRevision with a fetch hint; unrelated histories
// (or a clone too shallow to reach the fork point) are an ErrNoMergeBase.
func MergeBase(ctx context.Context, repoDir, a, b string) (string, error) {
	sa, err := RevParse(ctx, repoDir, a)
	if err != nil {
		return "", fmt.Errorf("merge base of %s and %s: %w", a, b, err)
	}
	sb, err := RevParse(ctx, repoDir, b)
	if err != nil {
		return "", fmt.Errorf("merge base of %s and %s: %w", a, b, err)
	}
	out, err := git(ctx, repoDir, "merge-base", sa, sb)
	if err != nil {
		var ge *GitError
		if errors.As(err, &ge) && ge.ExitCode == 1 && ge.Stderr == "" {
			if isShallow(ctx, repoDir) {
				return "", fmt.Errorf("%s and %s share no commit in %s: the clone is shallow; fetch with fetch-depth: 0 or git fetch --unshallow origin: %w", a, b, repoDir, ErrNoMergeBase)
			}
			return "", fmt.Errorf("%s and %s share no commit in %s (unrelated histories): %w", a, b, repoDir, ErrNoMergeBase)
		}
		return "", fmt.Errorf("merge base of %s and %s in %s: %w", a, b, repoDir, err)
	}
	if !isHexName(out) {
		return "", fmt.Errorf("merge base of %s and %s: git printed %q, not an object name", a, b, out)
	}
	return out, nil
}
