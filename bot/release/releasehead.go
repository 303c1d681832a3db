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
	msg, err := runGit(ctx, dir, nil, nil, "log", "-1", "--format=%B", commit, "--")
	if err != nil {
		return "", fmt.Errorf("read the %s trailer of %s: %w", ReleaseHeadTrailer, short(commit), err)
	}
	rec := recordedHead(msg)
	if rec == "" || rec == commit {
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

// RequestBody is the description of a release PR/MR: the plan (Text), then
// the ReleaseHeadTrailer as its last paragraph. A squash merge whose message
// is the request's title and description (GitHub's "Pull request title and
// description" setting, GitLab's %{description} in the squash template)
// then keeps the recorded head even when it drops the commit's own message.
func (p *ReleasePlan) RequestBody() string {
	return strings.TrimRight(p.Text(), "\n") + "\n\n" + ReleaseHeadTrailer + ": " + p.Head + "\n"
}

// recordedHead is the value of the last "Release-Head: <sha>" line of a
// commit message, "" when there is none. Any line counts, not only git's
// trailer paragraph: forges append paragraphs of their own to squash
// messages (GitHub's co-authors), and the last line wins because a squash
// message may quote older release commits first.
func recordedHead(msg string) string {
	rec := ""
	for l := range strings.SplitSeq(msg, "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(l), ReleaseHeadTrailer+":")
		if !ok {
			continue
		}
		if v = strings.TrimSpace(v); isSHA(v) {
			rec = v
		}
	}
	return rec
}
