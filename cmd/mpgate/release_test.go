package main

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/internal/fakegitlab"
)

// relRepo makes a git repository holding a WeChat mini-program with one
// subpackage (modules app and packagePay by default) and a history of two
// merged requests: a feature in packagePay (#3) and a fix in the main
// package (#4). Commit dates are fixed, so commits are reproducible.
func relRepo(t *testing.T) (dir, first string) {
	t.Helper()
	t.Setenv("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
	t.Setenv("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
	dir = t.TempDir()
	gitRun(t, dir, "init", "-q", "-b", "main")
	for p, c := range map[string]string{
		"project.config.json":           `{"appid": "touristappid", "compileType": "miniprogram"}`,
		"app.json":                      `{"pages": ["pages/index/index"], "subPackages": [{"root": "packagePay", "pages": ["pages/pay/pay"]}]}`,
		"app.js":                        "App({})\n",
		"pages/index/index.js":          "Page({})\n",
		"pages/index/index.wxml":        "<view/>\n",
		"packagePay/pages/pay/pay.js":   "Page({})\n",
		"packagePay/pages/pay/pay.wxml": "<view/>\n",
	} {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(p)), c)
	}
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "chore: start")
	first = gitRun(t, dir, "rev-parse", "HEAD")
	relCommit(t, dir, "feat: pay with stored cards (#3)", "packagePay/pages/pay/pay.js")
	relCommit(t, dir, "fix: index page crash on empty cart (#4)", "pages/index/index.js")
	return dir, first
}

// relCommit appends a line to file and commits it with msg.
func relCommit(t *testing.T, dir, msg, file string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(file))
	old, _ := os.ReadFile(p)
	writeFile(t, p, string(old)+"// "+strconv.Itoa(len(old))+"\n")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", msg)
	return gitRun(t, dir, "rev-parse", "HEAD")
}

// bareRemote adds a file:// remote "origin" holding main.
func bareRemote(t *testing.T, dir string) string {
	t.Helper()
	remote := filepath.Join(t.TempDir(), "origin.git")
	gitRun(t, dir, "init", "-q", "--bare", remote)
	gitRun(t, dir, "remote", "add", "origin", "file://"+remote)
	gitRun(t, dir, "push", "-q", "origin", "main")
	return remote
}

func TestReleasePlanGolden(t *testing.T) {
	dir, _ := relRepo(t)
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			got := runArgs(t, nil, "release", "plan", "--date", "2026-11-21", "--format", format, dir)
			if got.code != 0 || got.stderr != "" {
				t.Fatalf("code %d, stderr %q", got.code, got.stderr)
			}
			golden(t, "release-plan."+format, []byte(got.stdout))
		})
	}
}

func TestReleaseApplyDryRunChangesNothing(t *testing.T) {
	dir, _ := relRepo(t)
	head := gitRun(t, dir, "rev-parse", "HEAD")
	got := runArgs(t, nil, "release", "apply", "--dry-run", "--date", "2026-11-21", dir)
	if got.code != 0 {
		t.Fatalf("code %d, stderr %q", got.code, got.stderr)
	}
	for _, want := range []string{"would release: chore(release): ", "would tag packagePay@v0.1.0", "would tag app@v0.1.0",
		"would write packagePay/CHANGELOG.md", "pay with stored cards"} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, got.stdout)
		}
	}
	if h := gitRun(t, dir, "rev-parse", "HEAD"); h != head {
		t.Errorf("HEAD moved to %s", h)
	}
	if st := gitRun(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("work tree changed:\n%s", st)
	}
	if tags := gitRun(t, dir, "tag"); tags != "" {
		t.Errorf("tags made: %s", tags)
	}
}

func TestReleaseApplyThenNothing(t *testing.T) {
	dir, _ := relRepo(t)
	got := runArgs(t, nil, "release", "apply", "--date", "2026-11-21", dir)
	if got.code != 0 {
		t.Fatalf("code %d, stderr %q", got.code, got.stderr)
	}
	if tags := gitRun(t, dir, "tag", "--list"); tags != "app@v0.1.0\npackagePay@v0.1.0" {
		t.Errorf("tags = %q", tags)
	}
	cl, err := os.ReadFile(filepath.Join(dir, "packagePay", "CHANGELOG.md"))
	if err != nil || !strings.Contains(string(cl), "## [0.1.0] - 2026-11-21") || !strings.Contains(string(cl), "pay with stored cards") {
		t.Errorf("packagePay/CHANGELOG.md = %q, %v", cl, err)
	}
	head := gitRun(t, dir, "rev-parse", "HEAD")
	again := runArgs(t, nil, "release", "apply", dir)
	if again.code != 0 || strings.TrimSpace(again.stdout) != "nothing to release" {
		t.Errorf("second apply: code %d, stdout %q, stderr %q", again.code, again.stdout, again.stderr)
	}
	if h := gitRun(t, dir, "rev-parse", "HEAD"); h != head {
		t.Errorf("the second apply committed %s", h)
	}
	plan := runArgs(t, nil, "release", "plan", "--format", "json", dir)
	if plan.code != 0 || !strings.Contains(plan.stdout, `"release": false`) || strings.Contains(plan.stdout, `"release": true`) {
		t.Errorf("plan after apply: code %d\n%s", plan.code, plan.stdout)
	}
}

func TestReleaseApplyNoTags(t *testing.T) {
	dir, _ := relRepo(t)
	got := runArgs(t, nil, "release", "apply", "--no-tags", dir)
	if got.code != 0 || !strings.Contains(got.stdout, "not tagged (--no-tags): packagePay@v0.1.0") {
		t.Fatalf("code %d, stdout %q, stderr %q", got.code, got.stdout, got.stderr)
	}
	if tags := gitRun(t, dir, "tag", "--list"); tags != "" {
		t.Errorf("--no-tags tagged %s", tags)
	}
	// The release commit is on the branch: the next apply tags it.
	next := runArgs(t, nil, "release", "apply", dir)
	if next.code != 0 || !strings.Contains(next.stdout, "tagged packagePay@v0.1.0 at") {
		t.Errorf("next apply: code %d, stdout %q, stderr %q", next.code, next.stdout, next.stderr)
	}
	if tags := gitRun(t, dir, "tag", "--list"); tags != "app@v0.1.0\npackagePay@v0.1.0" {
		t.Errorf("tags = %q", tags)
	}
}

func TestReleaseApplyPush(t *testing.T) {
	dir, _ := relRepo(t)
	remote := bareRemote(t, dir)
	got := runArgs(t, nil, "release", "apply", "--push", dir)
	if got.code != 0 {
		t.Fatalf("code %d, stdout %q, stderr %q", got.code, got.stdout, got.stderr)
	}
	if !strings.Contains(got.stderr, "no forge releases created") {
		t.Errorf("stderr %q does not say that no forge release was made", got.stderr)
	}
	if tags := gitRun(t, remote, "tag", "--list"); tags != "app@v0.1.0\npackagePay@v0.1.0" {
		t.Errorf("remote tags = %q", tags)
	}
	if r, l := gitRun(t, remote, "rev-parse", "main"), gitRun(t, dir, "rev-parse", "HEAD"); r != l {
		t.Errorf("remote main %s, local HEAD %s", r, l)
	}
}

func TestReleaseApplyGitHubReleases(t *testing.T) {
	dir, _ := relRepo(t)
	bareRemote(t, dir)
	fastRetries(t)
	f := newFake(t)
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_TOKEN": testToken,
		"GITHUB_API_URL": f.BaseURL()}
	got := runArgs(t, env, "release", "apply", "--push", dir)
	if got.code != 0 {
		t.Fatalf("code %d, stdout %q, stderr %q", got.code, got.stdout, got.stderr)
	}
	rels := f.Releases("acme/shop")
	if len(rels) != 2 {
		t.Fatalf("releases = %v", rels)
	}
	byTag := map[string]map[string]any{}
	for _, r := range rels {
		byTag[r["tag_name"].(string)] = r
	}
	if r := byTag["packagePay@v0.1.0"]; r == nil || !strings.Contains(r["body"].(string), "pay with stored cards") {
		t.Errorf("packagePay release = %v", r)
	}
	if r := byTag["app@v0.1.0"]; r == nil || !strings.Contains(r["body"].(string), "index page crash") {
		t.Errorf("app release = %v", r)
	}
}

// newReleaseGitLab is a fake GitLab with project 42 (acme/mini/shop), a
// maintainer bot with the token glpat-release, and the branches given.
func newReleaseGitLab(t *testing.T, head string, branches ...string) *fakegitlab.Fake {
	t.Helper()
	f := fakegitlab.New(t)
	f.AddUser(7, "release-bot", true)
	f.AddToken("glpat-release", fakegitlab.Private, 7)
	f.AddProject(42, "acme/mini/shop")
	f.SetMember(42, 7, 40)
	for _, b := range branches {
		f.SetBranch(42, b, head)
	}
	t.Cleanup(func() {
		if errs := f.Errors(); len(errs) > 0 {
			t.Errorf("fake GitLab saw invalid requests:\n%s", strings.Join(errs, "\n"))
		}
	})
	return f
}

func gitlabEnv(f *fakegitlab.Fake) map[string]string {
	return map[string]string{"GITLAB_CI": "true", "CI_PROJECT_ID": "42", "CI_PROJECT_PATH": "acme/mini/shop",
		"CI_API_V4_URL": f.BaseURL(), "MPGATE_GITLAB_TOKEN": "glpat-release", "CI_COMMIT_BRANCH": "main"}
}

func TestReleasePRFlowGitLab(t *testing.T) {
	dir, _ := relRepo(t)
	bareRemote(t, dir)
	// A GitLab job runs on a detached HEAD; the branch comes from CI_COMMIT_BRANCH.
	gitRun(t, dir, "checkout", "-q", "--detach")
	gitRun(t, dir, "branch", "-q", "-D", "main")
	f := newReleaseGitLab(t, gitRun(t, dir, "rev-parse", "HEAD"), "main", releasePRBranch)
	got := runArgs(t, gitlabEnv(f), "release", "apply", "--release-pr", dir)
	if got.code != 0 || !strings.Contains(got.stdout, "opened release request") {
		t.Fatalf("code %d, stdout %q, stderr %q", got.code, got.stdout, got.stderr)
	}
	if h, want := gitRun(t, dir, "rev-parse", "HEAD"), gitRun(t, dir, "rev-parse", "origin/main"); h != want {
		t.Errorf("left at %s, not at the job's commit %s", h, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "CHANGELOG.md")); err == nil {
		t.Errorf("the work tree kept the release branch's changelog")
	}
	mrs := f.MergeRequests(42)
	if len(mrs) != 1 {
		t.Fatalf("merge requests = %+v", mrs)
	}
	for _, mr := range mrs {
		if mr.SourceBranch != releasePRBranch || mr.TargetBranch != "main" || !strings.HasPrefix(mr.Title, "chore(release): ") ||
			!strings.Contains(mr.Description, "index page crash") {
			t.Errorf("merge request = %+v", mr)
		}
	}
}

// TestReleaseRacingMerges: two jobs, the older one (planned before the
// second merge) pushes last and is refused; nothing is lost: the newer
// job's release holds both requests' entries, and the older job's retry
// finds nothing left.
func TestReleaseRacingMerges(t *testing.T) {
	dir, _ := relRepo(t)
	remote := bareRemote(t, dir)
	older := t.TempDir()
	gitRun(t, older, "clone", "-q", "file://"+remote, older)
	relCommit(t, dir, "feat: split payments (#5)", "packagePay/pages/pay/pay.wxml")
	gitRun(t, dir, "push", "-q", "origin", "main")

	newer := runArgs(t, nil, "release", "apply", "--push", dir)
	if newer.code != 0 {
		t.Fatalf("newer job: code %d, stderr %q", newer.code, newer.stderr)
	}
	if !strings.Contains(newer.stdout, "pushed main and 2 tag(s) to origin") || !strings.Contains(newer.stderr, "no forge releases created") {
		t.Errorf("newer job: stdout %q, stderr %q", newer.stdout, newer.stderr)
	}
	stale := runArgs(t, nil, "release", "apply", "--push", older)
	if stale.code != 2 || !strings.Contains(stale.stderr, "push to origin") {
		t.Errorf("older job: code %d, stderr %q", stale.code, stale.stderr)
	}
	if tags := gitRun(t, remote, "tag", "--list"); tags != "app@v0.1.0\npackagePay@v0.1.0" {
		t.Errorf("remote tags = %q", tags)
	}
	cl := gitRun(t, remote, "show", "main:packagePay/CHANGELOG.md")
	if strings.Count(cl, "pay with stored cards") != 1 || strings.Count(cl, "split payments") != 1 {
		t.Errorf("packagePay/CHANGELOG.md on the remote:\n%s", cl)
	}
	// The older job runs again on a fresh checkout: nothing is left.
	retry := t.TempDir()
	gitRun(t, retry, "clone", "-q", "file://"+remote, retry)
	if again := runArgs(t, nil, "release", "apply", "--push", retry); again.code != 0 || !strings.Contains(again.stdout, "nothing to release") {
		t.Errorf("retry: code %d, stdout %q, stderr %q", again.code, again.stdout, again.stderr)
	}
}

func TestReleaseApplyGitLabReleases(t *testing.T) {
	dir, _ := relRepo(t)
	bareRemote(t, dir)
	f := newReleaseGitLab(t, gitRun(t, dir, "rev-parse", "HEAD"), "main")
	got := runArgs(t, gitlabEnv(f), "release", "apply", "--push", dir)
	if got.code != 0 {
		t.Fatalf("code %d, stdout %q, stderr %q", got.code, got.stdout, got.stderr)
	}
	rels := f.Releases(42)
	if len(rels) != 2 {
		t.Fatalf("releases = %+v", rels)
	}
	for _, r := range rels {
		if r.TagName != "app@v0.1.0" && r.TagName != "packagePay@v0.1.0" || r.Description == "" {
			t.Errorf("release %+v", r)
		}
	}
}

func TestReleasePRFlowGitHub(t *testing.T) {
	dir, _ := relRepo(t)
	remote := bareRemote(t, dir)
	fastRetries(t)
	f := newFake(t)
	f.SetRef("acme/shop", "refs/heads/main", gitRun(t, dir, "rev-parse", "HEAD"))
	f.SetRef("acme/shop", "refs/heads/"+releasePRBranch, gitRun(t, dir, "rev-parse", "HEAD"))
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_TOKEN": testToken,
		"GITHUB_API_URL": f.BaseURL()}
	args := []string{"release", "apply", "--release-pr", "--date", "2026-11-21", dir}

	got := runArgs(t, env, args...)
	if got.code != 0 || !strings.Contains(got.stdout, "opened release request #1") {
		t.Fatalf("code %d, stdout %q, stderr %q", got.code, got.stdout, got.stderr)
	}
	pulls := f.Pulls("acme/shop")
	if len(pulls) != 1 || !strings.HasPrefix(pulls[0].Title, "chore(release): ") || !strings.Contains(pulls[0].Body, "pay with stored cards") {
		t.Fatalf("pulls = %+v", pulls)
	}
	if b := gitRun(t, dir, "symbolic-ref", "--short", "HEAD"); b != "main" {
		t.Errorf("left on branch %s", b)
	}
	if tags := gitRun(t, dir, "tag", "--list"); tags != "" {
		t.Errorf("the release PR flow tagged before the merge: %s", tags)
	}
	// Again with nothing new: the same one request, not a second one.
	if again := runArgs(t, env, args...); again.code != 0 || !strings.Contains(again.stdout, "updated release request #1") {
		t.Errorf("second run: code %d, stdout %q, stderr %q", again.code, again.stdout, again.stderr)
	}
	if n := len(f.Pulls("acme/shop")); n != 1 {
		t.Errorf("%d pull requests", n)
	}
	// The release request merges (fast-forward here); the next run tags it
	// and publishes the releases.
	gitRun(t, dir, "fetch", "-q", "origin")
	gitRun(t, dir, "merge", "-q", "--ff-only", "origin/"+releasePRBranch)
	gitRun(t, dir, "push", "-q", "origin", "main")
	merged := runArgs(t, env, args...)
	if merged.code != 0 || !strings.Contains(merged.stdout, "nothing to release") {
		t.Fatalf("after the merge: code %d, stdout %q, stderr %q", merged.code, merged.stdout, merged.stderr)
	}
	if tags := gitRun(t, remote, "tag", "--list"); tags != "app@v0.1.0\npackagePay@v0.1.0" {
		t.Errorf("remote tags = %q", tags)
	}
	if n := len(f.Releases("acme/shop")); n != 2 {
		t.Errorf("%d releases", n)
	}
}

func TestReleaseStaleAndUsage(t *testing.T) {
	dir, _ := relRepo(t)
	t.Run("stale", func(t *testing.T) {
		releaseHook = func(dir string) { relCommit(t, dir, "fix: late merge (#5)", "app.js") }
		t.Cleanup(func() { releaseHook = nil })
		got := runArgs(t, nil, "release", "apply", dir)
		if got.code != 2 || !strings.Contains(got.stderr, "branch moved") || !strings.Contains(got.stderr, "run mpgate release again") {
			t.Errorf("code %d, stderr %q", got.code, got.stderr)
		}
		if tags := gitRun(t, dir, "tag", "--list"); tags != "" {
			t.Errorf("a stale plan tagged %s", tags)
		}
	})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"release"}, "subcommands are plan, apply, check and preview"},
		{"unknown subcommand", []string{"release", "ship"}, `unknown subcommand "ship"`},
		{"bad format", []string{"release", "plan", "--format", "xml", dir}, `--format "xml"`},
		{"flag of another subcommand", []string{"release", "plan", "--push", dir}, "release plan does not take --push"},
		{"bad date", []string{"release", "plan", "--date", "21.11.2026", dir}, "is not YYYY-MM-DD"},
		{"dry run push", []string{"release", "apply", "--dry-run", "--push", dir}, "cannot --push"},
		{"check without base", []string{"release", "check", dir}, "--base REF is required"},
		{"option as a revision", []string{"release", "check", "--base=--output=x", dir}, "is not a revision"},
		{"release pr outside CI", []string{"release", "apply", "--release-pr", dir}, "GitHub Actions"},
		{"two dirs", []string{"release", "plan", dir, dir}, "one directory at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runArgs(t, nil, tt.args...)
			if got.code != 2 || !strings.Contains(got.stderr, tt.want) {
				t.Errorf("code %d, stderr %q, want 2 and %q", got.code, got.stderr, tt.want)
			}
		})
	}
}

func TestReleaseCheckAndPreview(t *testing.T) {
	dir, _ := relRepo(t)
	base := gitRun(t, dir, "rev-parse", "HEAD")
	relCommit(t, dir, "wip", "packagePay/pages/pay/pay.wxml")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no entry", []string{"--title", "wip"}, 1, "packagePay"},
		{"conventional title", []string{"--title", "fix(pay): totals"}, 0, ""},
		{"changelog block", []string{"--title", "wip", "--body", "```changelog\npackagePay: fix: totals\n```"}, 0, ""},
		{"no-changelog label", []string{"--title", "wip", "--labels", "ui, no-changelog"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runArgs(t, nil, append([]string{"release", "check", "--base", base, dir}, tt.args...)...)
			if got.code != tt.code || !strings.Contains(got.stdout, tt.want) || got.stdout == "" {
				t.Errorf("code %d (want %d), stdout %q, stderr %q", got.code, tt.code, got.stdout, got.stderr)
			}
		})
	}
	t.Run("preview", func(t *testing.T) {
		got := runArgs(t, nil, "release", "preview", "--base", base, "--title", "feat(pay): split payments", dir)
		if got.code != 0 || !strings.Contains(got.stdout, "split payments") || !strings.Contains(got.stdout, "packagePay") {
			t.Errorf("code %d, stdout %q, stderr %q", got.code, got.stdout, got.stderr)
		}
	})
}

// TestReleaseHelpGolden pins `mpgate release -h`.
func TestReleaseHelpGolden(t *testing.T) {
	got := runArgs(t, nil, "help", "release")
	if got.code != 0 {
		t.Fatalf("code %d, stderr %q", got.code, got.stderr)
	}
	golden(t, "release-help.txt", []byte(got.stdout))
	if sub := runArgs(t, nil, "release", "-h"); sub.stdout != got.stdout {
		t.Errorf("release -h differs from help release")
	}
}

// TestReleaseDocs keeps docs/cli.md and docs/releases.md in step with the
// release command's flags and subcommands.
func TestReleaseDocs(t *testing.T) {
	cli, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	rel, err := os.ReadFile("../../docs/releases.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cli), "## `mpgate release`") {
		t.Errorf("docs/cli.md has no section for mpgate release")
	}
	fs := newReleaseFlagSet(&releaseFlags{})
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		n++
		t.Run("--"+f.Name, func(t *testing.T) {
			if !strings.Contains(string(cli), "`--"+f.Name) {
				t.Errorf("docs/cli.md does not document --%s", f.Name)
			}
		})
	})
	if n < 10 {
		t.Errorf("only %d flags", n)
	}
	for _, want := range []string{"mpgate release plan", "mpgate release apply", "mpgate release check", "mpgate release preview",
		"## When two merges race", "### Tokens that trigger CI", "### GitHub Actions", "### GitLab CI", "{module}/v{version}"} {
		if !strings.Contains(string(cli)+string(rel), want) {
			t.Errorf("the docs do not mention %q", want)
		}
	}
}

// FuzzReleaseArgs: no arguments make release panic, and it never works on
// another directory than the (empty, not a repository) one it is given.
func FuzzReleaseArgs(f *testing.F) {
	dir := f.TempDir()
	f.Chdir(dir) // "." and relative names stay inside the empty directory
	f.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	for _, seed := range []string{
		"plan\x00--format\x00json", "plan\x00--format\x00xml", "apply\x00--dry-run\x00--push", "apply\x00--release-pr",
		"check\x00--base\x00HEAD~1\x00--labels\x00,no-changelog,", "preview\x00--base", "apply\x00--date\x002026-02-30",
		"plan\x00--\x00x", "-h", "ship", "apply\x00--no-tags\x00--release-pr",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		args := strings.Split(in, "\x00")
		for _, a := range args {
			// Keep every path inside dir: no absolute or parent paths.
			if strings.ContainsAny(a, `/\`) || a == ".." {
				t.Skip()
			}
		}
		got := runArgs(t, nil, append([]string{"release"}, args...)...)
		if got.code != 0 && got.code != 1 && got.code != 2 {
			t.Errorf("exit %d for %q: %s", got.code, args, got.stderr)
		}
		if got.code == 2 && got.stderr == "" {
			t.Errorf("exit %d for %q without a message", got.code, args)
		}
	})
}
