package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/internal/fakegithub"
)

// releaseOrigin is a mini-program with one subpackage (so two zero-config
// modules, app and packagePay) in a bare repository the bot fetches from
// and pushes to, and a work clone the test merges in.
func releaseOrigin(t *testing.T, config string) (bare, work string) {
	t.Helper()
	work = t.TempDir()
	gitRun(t, work, "init", "-q", "-b", "main")
	files := map[string]string{
		".mpgate.yml":                   config,
		"project.config.json":           `{"appid": "touristappid", "compileType": "miniprogram"}`,
		"app.json":                      `{"pages": ["pages/index/index"], "subPackages": [{"root": "packagePay", "pages": ["pages/pay/pay"]}]}`,
		"app.js":                        "App({})\n",
		"pages/index/index.js":          "Page({})\n",
		"pages/index/index.wxml":        "<view>home</view>\n",
		"packagePay/pages/pay/pay.js":   "Page({})\n",
		"packagePay/pages/pay/pay.wxml": "<view>pay</view>\n",
	}
	for name, content := range files {
		writeFile(t, filepath.Join(work, filepath.FromSlash(name)), content)
	}
	gitRun(t, work, "add", "-A")
	gitRun(t, work, "commit", "-q", "-m", "chore: init")
	writeFile(t, filepath.Join(work, "packagePay/pages/pay/pay.js"), "Page({ data: { cards: [] } })\n")
	gitRun(t, work, "commit", "-q", "-am", "feat(payment): pay with stored cards (#1)")
	writeFile(t, filepath.Join(work, "pages/index/index.wxml"), "<view>Home</view>\n")
	gitRun(t, work, "commit", "-q", "-am", "fix: the home title is capitalised (#2)")
	bare = filepath.Join(t.TempDir(), "origin.git")
	gitRun(t, work, "clone", "-q", "--bare", work, bare)
	gitRun(t, work, "remote", "add", "origin", bare)
	gitRun(t, work, "fetch", "-q", "origin")
	return bare, work
}

// pushPayload is a push of the default branch from before to after.
func pushPayload(t *testing.T, cloneURL, before, after string) []byte {
	return payload(t, "push.json", func(m map[string]any) {
		m["ref"], m["before"], m["after"], m["base_ref"] = "refs/heads/main", before, after, nil
		m["created"], m["deleted"] = before == strings.Repeat("0", 40), false
		obj(m, "repository")["clone_url"] = cloneURL
	})
}

func openPulls(f *fakegithub.Fake) []fakegithub.Pull {
	var out []fakegithub.Pull
	for _, p := range f.Pulls(srvRepo) {
		if p.State == "open" {
			out = append(out, p)
		}
	}
	return out
}

// TestServeReleaseBot: with release.bot, each push to the default branch
// keeps one release pull request up to date; merging it makes the next push
// tag the modules and publish their GitHub releases; the release after that
// says how each module's size changed, from the reports the bot stored.
func TestServeReleaseBot(t *testing.T) {
	const config = "release: {bot: true}\n"
	s := newTestServer(t, serverOpts{})
	s.fake.SetContent(srvRepo, "", ".mpgate.yml", []byte(config))
	bare, work := releaseOrigin(t, config)
	s.fake.SetGitDir(srvRepo, bare) // the API writes where the bot fetches from
	zero := strings.Repeat("0", 40)
	h1 := gitRun(t, work, "rev-parse", "HEAD")
	s.fake.SetRef(srvRepo, "refs/heads/main", h1)
	s.fake.SetRef(srvRepo, "refs/heads/mpgate/release", h1)

	// 1. A push: the release request is opened.
	if code := s.deliver("push", "rel-1", pushPayload(t, bare, zero, h1)); code != http.StatusAccepted {
		t.Fatalf("push answered %d", code)
	}
	waitFor(t, "the release pull request", func() bool { return len(openPulls(s.fake)) == 1 })
	pr := openPulls(s.fake)[0]
	if pr.Title != "chore(release): app@v0.1.0, packagePay@v0.1.0" || pr.HeadRef != "mpgate/release" || pr.BaseRef != "main" ||
		!strings.Contains(pr.Body, "pay with stored cards") {
		t.Fatalf("release pull request %+v", pr)
	}
	if parent := gitRun(t, bare, "rev-parse", "mpgate/release^"); parent != h1 {
		t.Errorf("mpgate/release is on %s, want on the pushed head %s", parent, h1)
	}
	if tags := gitRun(t, bare, "tag", "--list"); tags != "" {
		t.Errorf("tagged before the merge: %q", tags)
	}
	if n := s.fake.Count("git/create-commit"); n != 1 {
		t.Errorf("%d commits made through the API, want the release commit", n)
	}

	// 2. The release request is merged (fast-forward): the next push tags
	// both modules on the release commit and creates their releases.
	gitRun(t, work, "fetch", "-q", "origin")
	gitRun(t, work, "merge", "-q", "--ff-only", "origin/mpgate/release")
	gitRun(t, work, "push", "-q", "origin", "main")
	h2 := gitRun(t, work, "rev-parse", "HEAD")
	pr.State = "closed"
	s.fake.SetPull(srvRepo, pr)
	s.fake.SetRef(srvRepo, "refs/heads/main", h2)
	s.deliver("push", "rel-2", pushPayload(t, bare, h1, h2))
	waitFor(t, "the GitHub releases", func() bool { return len(s.fake.Releases(srvRepo)) == 2 })
	if tags := gitRun(t, bare, "tag", "--points-at", h2); tags != "app@v0.1.0\npackagePay@v0.1.0" {
		t.Errorf("tags on the merged release = %q", tags)
	}
	for _, r := range s.fake.Releases(srvRepo) {
		if !strings.Contains(fmt.Sprint(r["name"]), "0.1.0") || r["body"] == "" {
			t.Errorf("release %v", r)
		}
	}

	// 3. A feature grows the subpackage: a new release request whose notes
	// give packagePay's size change since 0.1.0.
	writeFile(t, filepath.Join(work, "packagePay/pages/pay/pay.js"), "Page({ data: { cards: [], refunds: [] }, onLoad() { this.setData({ refunds: [1, 2, 3] }) } })\n")
	gitRun(t, work, "add", "-A")
	gitRun(t, work, "commit", "-q", "-m", "feat(payment): refunds (#3)")
	gitRun(t, work, "push", "-q", "origin", "main")
	h3 := gitRun(t, work, "rev-parse", "HEAD")
	s.fake.SetRef(srvRepo, "refs/heads/main", h3)
	s.deliver("push", "rel-3", pushPayload(t, bare, h2, h3))
	waitFor(t, "the next release pull request", func() bool { return len(openPulls(s.fake)) == 1 })
	next := openPulls(s.fake)[0]
	if next.Title != "chore(release): packagePay@v0.2.0" || !strings.Contains(next.Body, "refunds") {
		t.Errorf("next release request %+v", next)
	}
	if !strings.Contains(next.Body, "**Size:**") || !strings.Contains(next.Body, "since the previous release") || strings.Contains(next.Body, "(+0 B") {
		t.Errorf("the release notes give no size change:\n%s", next.Body)
	}

	// 4. A late delivery of the older push changes nothing: the branch
	// moved, the newer push released.
	pulls := len(s.fake.Pulls(srvRepo))
	s.deliver("push", "rel-2-late", pushPayload(t, bare, h1, h2))
	waitFor(t, "the late push", func() bool { return strings.Contains(s.logs.String(), "release left to a newer push") })
	if n := len(s.fake.Pulls(srvRepo)); n != pulls || len(s.fake.Releases(srvRepo)) != 2 {
		t.Errorf("a stale push released: %d pulls, %d releases", n, len(s.fake.Releases(srvRepo)))
	}
}

// TestServeReleaseBotOff: without release.bot the bot measures the push and
// releases nothing.
func TestServeReleaseBotOff(t *testing.T) {
	s := newTestServer(t, serverOpts{})
	bare, work := releaseOrigin(t, "")
	s.fake.SetGitDir(srvRepo, bare) // the API writes where the bot fetches from
	h1 := gitRun(t, work, "rev-parse", "HEAD")
	s.deliver("push", "off-1", pushPayload(t, bare, strings.Repeat("0", 40), h1))
	waitFor(t, "the baseline", func() bool { return strings.Contains(s.logs.String(), "baseline stored") })
	if n := len(s.fake.Pulls(srvRepo)); n != 0 || s.fake.Count("pulls/create") != 0 {
		t.Errorf("%d pull requests without release.bot", n)
	}
	if branches := gitRun(t, bare, "branch", "--list", "mpgate/release"); branches != "" {
		t.Errorf("release branch pushed without release.bot: %q", branches)
	}
}

// TestServeReleaseBotGitLab: the same on GitLab: one release merge request
// (asked not to be squashed, so the Release-Head trailer survives), then
// tags and GitLab releases once it is merged.
func TestServeReleaseBotGitLab(t *testing.T) {
	const config = "release: {bot: true}\n"
	s := newGitLabTestServer(t, glServerOpts{})
	for _, ref := range []string{"HEAD", "main"} {
		s.fake.SetFile(sgProjID, ref, ".mpgate.yml", []byte(config))
	}
	bare, work := releaseOrigin(t, config)
	h1 := gitRun(t, work, "rev-parse", "HEAD")
	s.fake.SetBranch(sgProjID, "main", h1)
	s.fake.SetBranch(sgProjID, "mpgate/release", h1)
	push := func(id, before, after string) {
		t.Helper()
		body := glPayload(t, "push.json", bare, "alice", func(m map[string]any) {
			m["ref"], m["before"], m["after"], m["checkout_sha"] = "refs/heads/main", before, after, after
		})
		if code := s.deliver("Push Hook", id, sgSecret, body); code != http.StatusAccepted {
			t.Fatalf("push answered %d", code)
		}
	}
	push("glrel-1", strings.Repeat("0", 40), h1)
	waitFor(t, "the release merge request", func() bool { return len(s.fake.MergeRequests(sgProjID)) == 1 })
	mr := s.fake.MergeRequests(sgProjID)[1]
	if mr.Title != "chore(release): app@v0.1.0, packagePay@v0.1.0" || mr.SourceBranch != "mpgate/release" || mr.Squash {
		t.Fatalf("release merge request %+v", mr)
	}

	// Merged without squashing (a merge commit, GitLab's default method).
	gitRun(t, work, "fetch", "-q", "origin")
	gitRun(t, work, "merge", "-q", "--no-ff", "-m", "Merge branch 'mpgate/release' into 'main'", "origin/mpgate/release")
	gitRun(t, work, "push", "-q", "origin", "main")
	h2 := gitRun(t, work, "rev-parse", "HEAD")
	mr.State = "merged"
	s.fake.SetMergeRequest(sgProjID, mr)
	s.fake.SetBranch(sgProjID, "main", h2)
	push("glrel-2", h1, h2)
	waitFor(t, "the GitLab releases", func() bool { return len(s.fake.Releases(sgProjID)) == 2 })
	rel := gitRun(t, bare, "rev-parse", "mpgate/release")
	if tags := gitRun(t, bare, "tag", "--points-at", rel); tags != "app@v0.1.0\npackagePay@v0.1.0" {
		t.Errorf("tags on the release commit = %q", tags)
	}
	for _, r := range s.fake.Releases(sgProjID) {
		if r.Description == "" || !strings.HasSuffix(r.Name, "0.1.0") {
			t.Errorf("release %+v", r)
		}
	}
}

// TestServeReleaseBotDirectHoldsFailingModule: with release.pr false the
// bot releases at once, pushing the release commit and tags to the default
// branch; a module with an error finding on the head (here MP210, a require
// of a missing file in the subpackage) is held back and stays pending.
func TestServeReleaseBotDirectHoldsFailingModule(t *testing.T) {
	const config = "release: {bot: true, pr: false}\n"
	s := newTestServer(t, serverOpts{})
	s.fake.SetContent(srvRepo, "", ".mpgate.yml", []byte(config))
	bare, work := releaseOrigin(t, config)
	s.fake.SetGitDir(srvRepo, bare) // the API writes where the bot fetches from
	writeFile(t, filepath.Join(work, "packagePay/pages/pay/pay.js"), "const cards = require('./cards.js')\nPage({ data: { cards } })\n")
	gitRun(t, work, "commit", "-q", "-am", "feat(payment): list cards (#4)")
	gitRun(t, work, "push", "-q", "origin", "main")
	head := gitRun(t, work, "rev-parse", "HEAD")
	s.fake.SetRef(srvRepo, "refs/heads/main", head)
	s.deliver("push", "direct-1", pushPayload(t, bare, strings.Repeat("0", 40), head))
	waitFor(t, "the release of app", func() bool { return len(s.fake.Releases(srvRepo)) == 1 })
	if tags := gitRun(t, bare, "tag", "--list"); tags != "app@v0.1.0" {
		t.Errorf("tags = %q, want app only (packagePay is held back)", tags)
	}
	released := gitRun(t, bare, "rev-parse", "main")
	if parent := gitRun(t, bare, "rev-parse", "main^"); parent != head || gitRun(t, bare, "log", "-1", "--format=%s", "main") != "chore(release): app@v0.1.0" {
		t.Errorf("main = %s on %s, want the release commit on %s", released, parent, head)
	}
	if gitRun(t, bare, "rev-parse", "app@v0.1.0^{commit}") != released {
		t.Error("app@v0.1.0 is not on the release commit")
	}
	for _, r := range s.fake.Releases(srvRepo) {
		if r["target_commitish"] != released {
			t.Errorf("release %v targets %v, want GitHub's release commit %s", r["tag_name"], r["target_commitish"], released)
		}
	}
	if !strings.Contains(s.logs.String(), `"module held back","delivery":"direct-1"`) || !strings.Contains(s.logs.String(), "MP210 on the default branch") {
		t.Errorf("the held module is not logged with its reason")
	}
	if n := len(s.fake.Pulls(srvRepo)); n != 0 {
		t.Errorf("%d pull requests in direct mode", n)
	}
	// Made through the Git Data API (GitHub makes and signs the commit),
	// not pushed with git.
	if s.fake.Count("git/create-commit") != 1 || s.fake.Count("git/update-ref") != 1 || s.fake.Count("git/create-tag") != 1 {
		t.Errorf("Git Data calls: %d commits, %d ref updates, %d tags; want 1 each", s.fake.Count("git/create-commit"),
			s.fake.Count("git/update-ref"), s.fake.Count("git/create-tag"))
	}
}

// TestServeReleaseBotPlanProblems: an invalid change file is the
// repository's to fix: the bot logs it, opens no release request and does
// not retry the delivery.
func TestServeReleaseBotPlanProblems(t *testing.T) {
	const config = "release: {bot: true}\n"
	s := newTestServer(t, serverOpts{})
	s.fake.SetContent(srvRepo, "", ".mpgate.yml", []byte(config))
	bare, work := releaseOrigin(t, config)
	s.fake.SetGitDir(srvRepo, bare) // the API writes where the bot fetches from
	writeFile(t, filepath.Join(work, ".changes/bad.md"), "---\npackagePay: gigantic\n---\nNot a bump.\n")
	gitRun(t, work, "add", "-A")
	gitRun(t, work, "commit", "-q", "-m", "chore: a broken change file (#5)")
	gitRun(t, work, "push", "-q", "origin", "main")
	head := gitRun(t, work, "rev-parse", "HEAD")
	s.fake.SetRef(srvRepo, "refs/heads/main", head)
	s.deliver("push", "problems-1", pushPayload(t, bare, strings.Repeat("0", 40), head))
	waitFor(t, "the release refusal", func() bool { return strings.Contains(s.logs.String(), `"msg":"release not made"`) })
	if n := len(s.fake.Pulls(srvRepo)); n != 0 {
		t.Errorf("%d pull requests despite problems in the plan", n)
	}
	if b := gitRun(t, bare, "branch", "--list", "mpgate/release"); b != "" {
		t.Errorf("release branch pushed despite problems: %q", b)
	}
}
