package main

import (
	"strings"
	"testing"
)

// TestReleasePRSquashRace is the race found by hand: the release branch is
// cut, "fix: x (#5)" touching a released module merges to main, then the
// stale release PR is squash-merged (GitHub's default message for a
// one-commit PR: its title, then the commit's body). The next run tags the
// merged release and #5's entry goes into the next release request instead
// of being lost behind the tag.
func TestReleasePRSquashRace(t *testing.T) {
	dir, _ := relRepo(t)
	remote := bareRemote(t, dir)
	fastRetries(t)
	f := newFake(t)
	f.SetRef("acme/shop", "refs/heads/main", gitRun(t, dir, "rev-parse", "HEAD"))
	f.SetRef("acme/shop", "refs/heads/"+releasePRBranch, gitRun(t, dir, "rev-parse", "HEAD"))
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_TOKEN": testToken,
		"GITHUB_API_URL": f.BaseURL()}
	args := []string{"release", "apply", "--release-pr", "--date", "2026-11-21", dir}
	if got := runArgs(t, env, args...); got.code != 0 || !strings.Contains(got.stdout, "opened release request #1") {
		t.Fatalf("code %d, stdout %q, stderr %q", got.code, got.stdout, got.stderr)
	}

	// #5 merges while the release request is open.
	relCommit(t, dir, "fix: x (#5)", "packagePay/pages/pay/pay.js")
	gitRun(t, dir, "push", "-q", "origin", "main")
	// The stale release request is squash-merged.
	gitRun(t, dir, "fetch", "-q", "origin")
	body := gitRun(t, dir, "log", "-1", "--format=%b", "origin/"+releasePRBranch)
	if !strings.Contains(body, "Release-Head: ") {
		t.Fatalf("the release commit records no head:\n%s", body)
	}
	title := gitRun(t, dir, "log", "-1", "--format=%s", "origin/"+releasePRBranch)
	gitRun(t, dir, "merge", "-q", "--squash", "origin/"+releasePRBranch)
	gitRun(t, dir, "commit", "-q", "-m", title+" (#1)", "-m", body)
	squash := gitRun(t, dir, "rev-parse", "HEAD")
	gitRun(t, dir, "push", "-q", "origin", "main")
	f.SetRef("acme/shop", "refs/heads/main", squash)

	got := runArgs(t, env, args...)
	if got.code != 0 {
		t.Fatalf("after the merge: code %d, stdout %q, stderr %q", got.code, got.stdout, got.stderr)
	}
	if tags := gitRun(t, remote, "tag", "--points-at", squash); tags != "app@v0.1.0\npackagePay@v0.1.0" {
		t.Errorf("tags on the squash commit = %q", tags)
	}
	cl := gitRun(t, remote, "show", releasePRBranch+":packagePay/CHANGELOG.md")
	top, rest, _ := strings.Cut(cl, "## [0.1.0]")
	if !strings.Contains(top, "## [0.1.1]") || !strings.Contains(top, "x") || strings.Contains(rest, "(#5)") {
		t.Errorf("#5 should be in the next release, 0.1.1, only:\n%s", cl)
	}
	pulls := f.Pulls("acme/shop")
	if len(pulls) != 1 || !strings.Contains(pulls[0].Title, "packagePay@v0.1.1") {
		t.Errorf("release request = %+v", pulls)
	}
}
