package release

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// ReleaseHeadTrailer names, in a release commit's message, the commit the
// release was planned at ("Release-Head: <sha>"). A release PR/MR is cut
// from that commit; requests that merge to the default branch while it is
// open are not in its sections. When the PR/MR is squash- or rebase-merged,
// those requests become ancestors of the merged release (and of its tags),
// so a plan counting from the tag alone would lose their entries. Plans
// count a module released up to the recorded head instead: commits that are
// not ancestors of it stay unreleased and keep their entries.
const ReleaseHeadTrailer = "Release-Head"

// releaseBase is the commit a module released at commit (its tag or merged
// release) was planned at: the Release-Head trailer of commit's message when
// it names an ancestor of commit, else commit itself (a hand-made tag, a
// release made before the trailer, or a squash message that dropped it).
func releaseBase(ctx context.Context, dir, commit string) (string, error) {
	out, err := runGit(ctx, dir, nil, nil, "log", "-1", "--format=%(trailers:key="+ReleaseHeadTrailer+",valueonly,separator=%x00)", commit, "--")
	if err != nil {
		return "", fmt.Errorf("read the %s trailer of %s: %w", ReleaseHeadTrailer, short(commit), err)
	}
	// The last trailer wins: a squash message may quote earlier ones.
	vals := strings.Split(strings.TrimSpace(out), "\x00")
	rec := strings.TrimSpace(vals[len(vals)-1])
	if !isSHA(rec) || rec == commit {
		return commit, nil
	}
	_, err = runGit(ctx, dir, nil, nil, "merge-base", "--is-ancestor", rec, commit)
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && (ee.ExitCode() == 1 || ee.ExitCode() == 128) {
			// Not an ancestor, or not in this clone (shallow): count from
			// the release commit as before.
			return commit, nil
		}
		return "", fmt.Errorf("is %s an ancestor of %s: %w", short(rec), short(commit), err)
	}
	return rec, nil
}
