package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Clone makes a checkout of rev in dir (which must not exist or be empty)
// that shares the mirror's objects (git clone --shared) but has its own
// refs: tags and branches made there stay there until pushed, and a fetch
// of the mirror (which prunes refs the remote does not have) cannot remove
// them under a release in progress. HEAD is detached at rev. Remove dir
// when done.
func (m *Mirror) Clone(ctx context.Context, dir, rev string) error {
	sha, err := RevParse(ctx, m.Dir, rev)
	if err != nil {
		return fmt.Errorf("clone %s: %w", rev, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("clone into %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return fmt.Errorf("clone into %s: %w", abs, err)
	}
	if _, err := git(ctx, m.Dir, "clone", "--quiet", "--shared", "--no-checkout", "--template=", "--", m.Dir, abs); err != nil {
		return fmt.Errorf("clone %s into %s: %w", m.url, abs, err)
	}
	if _, err := git(ctx, abs, "checkout", "--quiet", "--detach", sha); err != nil {
		return fmt.Errorf("check out %s in %s: %w", rev, abs, err)
	}
	return nil
}

// PushOptions tune Push.
type PushOptions struct {
	// Atomic: every ref lands or none does.
	Atomic bool
	// Force lets refs move to commits that do not contain their old ones.
	Force bool
}

// Push pushes refspecs ("<commit>:refs/heads/x", "refs/tags/v1") of the
// repository at dir (a Clone of the mirror) to the mirror's remote, with
// the mirror's credentials in git's environment only.
func (m *Mirror) Push(ctx context.Context, dir string, opts PushOptions, refspecs ...string) error {
	if len(refspecs) == 0 {
		return errors.New("push: no refspecs")
	}
	for _, r := range refspecs {
		if strings.HasPrefix(r, "-") || strings.TrimSpace(r) == "" {
			return fmt.Errorf("push: %q is not a refspec", r)
		}
	}
	env, secrets, err := m.authEnv()
	if err != nil {
		return err
	}
	args := []string{"-c", "credential.helper=", "push", "--quiet", "--no-verify"}
	if opts.Atomic {
		args = append(args, "--atomic")
	}
	if opts.Force {
		args = append(args, "--force")
	}
	args = append(append(args, "--", m.url), refspecs...)
	in := &invocation{dir: dir, args: args, env: env, redact: secrets}
	if _, err := in.run(ctx); err != nil {
		var ge *GitError
		if errors.As(err, &ge) && isAuthFailure(ge.Stderr) {
			return fmt.Errorf("push to %s: %w (the token may not write: a GitHub App needs the Contents permission \"write\", a GitLab token the write_repository scope)", m.url, err)
		}
		return fmt.Errorf("push to %s: %w", m.url, err)
	}
	return nil
}
