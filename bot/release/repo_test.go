package release

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/config"
)

type fakeSizes struct{}

func (fakeSizes) ModuleSize(_ context.Context, module, _, _ string) (int64, int64, bool, error) {
	if module == "packagePay" {
		return 400 << 10, 410 << 10, true, nil
	}
	return 0, 0, false, nil
}

// history builds a mini-program whose modules were released once, then
// merged requests: a feature of the subpackage, a fix touching both
// modules, docs, and a change file.
func history(t *testing.T) *repo {
	r := newRepo(t)
	r.commit("chore: init", miniProgram())
	r.git("tag", "-a", "-m", "app 0.1.0", "app@v0.1.0")
	r.git("tag", "-a", "-m", "pay 1.2.0", "packagePay@v1.2.0")
	r.touch("feat(payment): stored cards (#12)", "packagePay/pages/pay/pay.js")
	r.touch("fix: rounding of totals (#13)", "pages/index/index.js", "packagePay/pages/pay/pay.js")
	r.touch("docs: explain totals (#14)", "pages/index/index.wxml")
	r.commit("chore: add a change file (#15)", map[string]string{".changes/banner.md": "---\napp: minor\n---\nNew home banner.\n"})
	return r
}

func TestPlanApplyIdempotent(t *testing.T) {
	ctx := context.Background()
	r := history(t)
	plan, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate, Sizes: fakeSizes{}})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "plan.md", plan.Text())
	if got := plan.CommitMessage(); got != "chore(release): app@v0.2.0, packagePay@v1.3.0" {
		t.Errorf("commit message = %q", got)
	}
	dry, err := Apply(ctx, r.dir, plan, ApplyOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if dry.Commit != "" || r.git("status", "--porcelain") != "" || r.git("tag", "--list", "app@v0.2.0") != "" {
		t.Fatal("dry run changed the repository")
	}
	applied, err := Apply(ctx, r.dir, plan, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if applied.Commit == "" || len(applied.Tags) != 2 || !slices.Equal(applied.Removed, []string{".changes/banner.md"}) {
		t.Fatalf("applied = %+v", applied)
	}
	if dry.Files["CHANGELOG.md"] != applied.Files["CHANGELOG.md"] {
		t.Error("dry run and apply wrote different changelogs")
	}
	checkGolden(t, "apply-app-CHANGELOG.md", r.read("CHANGELOG.md"))
	checkGolden(t, "apply-pay-CHANGELOG.md", r.read("packagePay/CHANGELOG.md"))
	if got := r.git("tag", "--points-at", "HEAD"); got != "app@v0.2.0\npackagePay@v1.3.0" {
		t.Errorf("tags at HEAD = %q", got)
	}
	if got := r.git("cat-file", "-t", "app@v0.2.0"); got != "tag" {
		t.Errorf("tag type = %q, want an annotated tag", got)
	}
	if got := r.git("ls-files", ".changes"); got != "" {
		t.Errorf("change file not consumed: %q", got)
	}
	if !strings.Contains(applied.Tags[1].Notes, "**Size:** 400.0 KB → 410.0 KB (+10.0 KB, +2.5%)") {
		t.Errorf("notes lack the size change:\n%s", applied.Tags[1].Notes)
	}

	// Again, right after: nothing to release, nothing changes.
	again, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Releases()) != 0 {
		t.Fatalf("second plan releases:\n%s", again.Text())
	}
	head := r.git("rev-parse", "HEAD")
	second, err := Apply(ctx, r.dir, again, ApplyOptions{})
	if err != nil || second.Commit != "" || r.git("rev-parse", "HEAD") != head {
		t.Fatalf("second apply = %+v, %v", second, err)
	}
	// The old plan again: its tags exist.
	if _, err := Apply(ctx, r.dir, plan, ApplyOptions{}); !errors.Is(err, ErrReleased) {
		t.Errorf("re-applying the old plan: %v, want ErrReleased", err)
	}
}

func TestRacingMerges(t *testing.T) {
	ctx := context.Background()
	r := history(t)
	plan, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	// A merge lands between plan and apply.
	r.touch("fix(pay): refund rounding (#16)", "packagePay/pages/pay/pay.js")
	if _, err := Apply(ctx, r.dir, plan, ApplyOptions{}); !errors.Is(err, ErrStale) {
		t.Fatalf("apply of a stale plan: %v, want ErrStale", err)
	}
	if r.git("tag", "--list", "packagePay@v1.3.0") != "" {
		t.Fatal("stale apply tagged")
	}
	plan, err = Plan(ctx, r.dir, nil, PlanOptions{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(ctx, r.dir, plan, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if log := r.read("packagePay/CHANGELOG.md"); !strings.Contains(log, "refund rounding (#16)") || strings.Count(log, "rounding of totals") != 1 {
		t.Errorf("entries lost or duplicated:\n%s", log)
	}
}

func TestModuleWithoutEntries(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	r.commit("chore: init", miniProgram())
	r.git("tag", "-a", "-m", "x", "packagePay@v1.0.0")
	r.touch("fix(home): tap target (#3)", "pages/index/index.js")
	r.touch("fix(payment): only the scope names payment (#4)", "pages/index/index.js")
	plan, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate, Held: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	var pay, app *ModulePlan
	for _, m := range plan.Modules {
		switch m.Name {
		case "packagePay":
			pay = m
		case "app":
			app = m
		}
	}
	if pay == nil || pay.Release || len(pay.Entries) != 0 || pay.Current.String() != "1.0.0" {
		t.Errorf("packagePay = %+v, want no release (a scope does not route)", pay)
	}
	if app == nil || !app.Release || app.Next.String() != "0.1.0" || len(app.Entries) != 2 {
		t.Errorf("app = %+v, want first release 0.1.0 with two entries", app)
	}
	if !strings.Contains(plan.Text(), "### No changes\n\n- packagePay (1.0.0)") {
		t.Errorf("plan text does not list packagePay as unchanged:\n%s", plan.Text())
	}
}

func TestBreakingAndHeld(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	r.commit("chore: init", miniProgram())
	r.git("tag", "-a", "-m", "x", "app@v0.3.1")
	r.git("tag", "-a", "-m", "x", "packagePay@v1.2.3")
	r.touch("feat!: new page API (#7)", "pages/index/index.js", "packagePay/pages/pay/pay.js")
	plan, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate, Held: map[string]string{"packagePay": "size gate fails on main: packagePay +7.2% (limit 5%)"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range plan.Modules {
		got[m.Name] = m.Next.String() + " " + m.Held
	}
	if got["app"] != "0.4.0 " || got["packagePay"] != "2.0.0 size gate fails on main: packagePay +7.2% (limit 5%)" {
		t.Errorf("next versions = %q", got)
	}
	checkGolden(t, "plan-held.md", plan.Text())
	applied, err := Apply(ctx, r.dir, plan, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(applied.Tags) != 1 || applied.Tags[0].Name != "app@v0.4.0" {
		t.Errorf("tags = %+v, want app only", applied.Tags)
	}
}

func TestConfiguredModulesAndGoTags(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	files := miniProgram()
	files["lib/util.js"] = "module.exports = 1\n"
	r.commit("chore: init", files)
	r.git("tag", "-a", "-m", "x", "packagePay/v0.2.0")
	r.git("tag", "-a", "-m", "x", "packagePay/v0.10.0")
	r.git("tag", "-a", "-m", "x", "lib-release-3.0.0")
	r.touch("feat: cards and util (#21)", "packagePay/pages/pay/pay.js", "lib/util.js")
	cfg := config.Default()
	cfg.Modules = []config.Module{
		{Name: "payment", Paths: []string{"packagePay/**"}, Tag: "packagePay/v{version}"},
		{Name: "lib", Paths: []string{"lib/**"}, Changelog: "docs/LIB_CHANGES.md", Tag: "{module}-release-{version}"},
	}
	plan, err := Plan(ctx, r.dir, cfg, PlanOptions{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range plan.Releases() {
		got = append(got, m.Name+" "+m.CurrentTag+" → "+m.NextTag+" "+m.Changelog)
	}
	want := []string{"payment packagePay/v0.10.0 → packagePay/v0.11.0 packagePay/CHANGELOG.md", "lib lib-release-3.0.0 → lib-release-3.1.0 docs/LIB_CHANGES.md"}
	if !slices.Equal(got, want) {
		t.Errorf("releases = %q, want %q", got, want)
	}
}

func TestRequestBlocksDeduplicate(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	r.commit("chore: init", miniProgram())
	sha := r.touch("fix: totals (#30)", "packagePay/pages/pay/pay.js")
	src := fakeSources{sha: {Number: 30, Body: "```changelog\npackagePay: fix: rounding of totals in CNY\napp: feat: totals on the home page\nnope: fix: x\n```"}}
	plan, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate, Sources: src})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range plan.Modules {
		for _, e := range m.Entries {
			got = append(got, m.Name+": "+e.Text+" "+string(e.Source))
		}
	}
	want := []string{"app: totals on the home page request", "packagePay: rounding of totals in CNY request"}
	if !slices.Equal(got, want) {
		t.Errorf("entries = %q, want %q", got, want)
	}
	if len(plan.Problems) != 1 || !strings.Contains(plan.Problems[0], `"nope"`) {
		t.Errorf("problems = %q", plan.Problems)
	}
	if _, err := Apply(ctx, r.dir, plan, ApplyOptions{}); !errors.Is(err, ErrProblems) {
		t.Errorf("apply with problems: %v", err)
	}
}

type fakeSources map[string]*Request

func (f fakeSources) RequestForCommit(_ context.Context, sha string) (*Request, error) {
	return f[sha], nil
}

func TestMissing(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	r.commit("chore: init", miniProgram())
	r.git("checkout", "-q", "-b", "feature")
	r.touch("wip", "pages/index/index.js", "packagePay/pages/pay/pay.js")
	head := r.git("rev-parse", "HEAD")
	for _, tc := range []struct {
		name, desc string
		labels     []string
		want       []string
	}{
		{"nothing", "Update things\n\nno block", nil, []string{"app", "packagePay"}},
		{"label", "Update things", []string{"no-changelog"}, nil},
		{"title covers all touched", "fix(payment): rounding", nil, nil},
		{"chore title is no entry", "chore: tidy", nil, []string{"app", "packagePay"}},
		{"block for one", "Update\n\n```changelog\npackagePay: fix: rounding\n```\n", nil, []string{"app"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			needs, err := Missing(ctx, r.dir, "main", head, nil, tc.desc, tc.labels)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range needs {
				got = append(got, n.Module)
				if !strings.Contains(n.Block, n.Module+": fix:") || n.ChangeFile == "" || n.Hint == "" || len(n.Files) == 0 {
					t.Errorf("need %+v lacks how to add an entry", n)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("missing = %q, want %q", got, tc.want)
			}
			checkGolden(t, "needs-"+strings.ReplaceAll(tc.name, " ", "-")+".md", NeedsText(needs))
		})
	}
	r.commit("chore: change file", map[string]string{".changes/pay.md": "---\napp: patch\npackagePay: minor\n---\nCards.\n"})
	head = r.git("rev-parse", "HEAD")
	t.Run("change file", func(t *testing.T) {
		needs, err := Missing(ctx, r.dir, "main", head, nil, "Update", nil)
		if err != nil || len(needs) != 0 {
			t.Fatalf("missing = %+v, %v", needs, err)
		}
	})
	t.Run("preview", func(t *testing.T) {
		pv, err := Preview(ctx, r.dir, "main", head, nil, "fix: rounding\n\n```changelog\napp: feat: banner\n```", nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range pv {
			got = append(got, p.Module+"="+p.Text)
		}
		want := []string{"app=### Fixed\n\n- Cards.\n", "packagePay=### Added\n\n- Cards.\n"}
		if !slices.Equal(got, want) {
			t.Errorf("preview = %q, want %q", got, want)
		}
		checkGolden(t, "preview.md", PreviewText(pv))
	})
}

func TestHeldKeepsChangeFileLines(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	r.commit("chore: init", miniProgram())
	r.commit("chore: change (#40)", map[string]string{".changes/both.md": "---\napp: patch\npackagePay: minor\n---\nShared totals.\n"})
	plan, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate, Held: map[string]string{"packagePay": "coverage gate fails"}})
	if err != nil {
		t.Fatal(err)
	}
	applied, err := Apply(ctx, r.dir, plan, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(applied.Removed) != 0 {
		t.Errorf("removed %q, want the file kept for the held module", applied.Removed)
	}
	if got := r.read(".changes/both.md"); got != "---\n\"packagePay\": minor\n---\nShared totals.\n" {
		t.Errorf("change file = %q", got)
	}
	// Released later, the held module gets its entry once; app none again.
	plan, err = Plan(ctx, r.dir, nil, PlanOptions{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range plan.Releases() {
		got = append(got, m.NextTag)
	}
	if !slices.Equal(got, []string{"packagePay@v0.1.0"}) {
		t.Errorf("second release = %q", got)
	}
	if _, err := Apply(ctx, r.dir, plan, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if r.git("ls-files", ".changes") != "" {
		t.Error("change file left after every module released")
	}
}

// TestReleasePRFlow: the release commit is made on a branch without tags,
// squash-merged, and a fix lands before anyone tags; apply on the default
// branch tags the merged release and plans the fix on top of it.
func TestReleasePRFlow(t *testing.T) {
	ctx := context.Background()
	r := history(t)
	r.git("checkout", "-q", "-b", "mpgate/release")
	plan, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	applied, err := Apply(ctx, r.dir, plan, ApplyOptions{NoTags: true})
	if err != nil {
		t.Fatal(err)
	}
	if applied.Commit == "" || r.git("tag", "--points-at", "HEAD") != "" {
		t.Fatalf("NoTags apply: %+v, tags %q", applied, r.git("tag", "--points-at", "HEAD"))
	}
	r.git("checkout", "-q", "main")
	r.git("merge", "-q", "--squash", "mpgate/release")
	merged := r.commit(plan.CommitMessage()+" (#50)", nil)
	r.touch("fix(pay): refund rounding (#51)", "packagePay/pages/pay/pay.js")

	plan, err = Plan(ctx, r.dir, nil, PlanOptions{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	var untagged []string
	for _, u := range plan.Untagged {
		untagged = append(untagged, u.Name+"@"+u.Commit)
	}
	if want := []string{"app@v0.2.0@" + merged, "packagePay@v1.3.0@" + merged}; !slices.Equal(untagged, want) {
		t.Fatalf("untagged = %q, want %q", untagged, want)
	}
	var rel []string
	for _, m := range plan.Releases() {
		rel = append(rel, m.CurrentTag+" → "+m.NextTag)
		if len(m.Entries) != 1 {
			t.Errorf("%s entries = %+v, want only the fix after the merged release", m.Name, m.Entries)
		}
	}
	if !slices.Equal(rel, []string{"packagePay@v1.3.0 → packagePay@v1.3.1"}) {
		t.Errorf("releases = %q", rel)
	}
	checkGolden(t, "plan-untagged.md", plan.Text())
	if _, err := Apply(ctx, r.dir, plan, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := r.git("tag", "--points-at", merged); got != "app@v0.2.0\npackagePay@v1.3.0" {
		t.Errorf("tags on the merged release = %q", got)
	}
	if got := r.git("tag", "--points-at", "HEAD"); got != "packagePay@v1.3.1" {
		t.Errorf("tags at HEAD = %q", got)
	}
	again, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate})
	if err != nil || len(again.Releases()) != 0 || len(again.Untagged) != 0 {
		t.Fatalf("third plan: %v\n%s", err, again.Text())
	}
	// TagReleases alone, with nothing pending, creates nothing.
	tags, err := TagReleases(ctx, r.dir, nil, ApplyOptions{})
	if err != nil || len(tags) != 0 {
		t.Errorf("TagReleases = %+v, %v", tags, err)
	}
}

func TestSharedChangelog(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	files := miniProgram()
	files["lib/a.js"] = "1\n"
	r.commit("chore: init", files)
	r.touch("feat: both (#60)", "lib/a.js", "packagePay/pages/pay/pay.js")
	cfg := config.Default()
	cfg.Modules = []config.Module{
		{Name: "payment", Paths: []string{"packagePay/**"}, Changelog: "CHANGELOG.md"},
		{Name: "lib", Paths: []string{"lib/**"}, Changelog: "CHANGELOG.md"},
	}
	plan, err := Plan(ctx, r.dir, cfg, PlanOptions{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(ctx, r.dir, plan, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "apply-shared-CHANGELOG.md", r.read("CHANGELOG.md"))
	again, err := Plan(ctx, r.dir, cfg, PlanOptions{Date: testDate})
	if err != nil || len(again.Releases()) != 0 || len(again.Untagged) != 0 {
		t.Fatalf("plan after a shared release: %v\n%s", err, again.Text())
	}
}

func TestHandWrittenChangelogIsNotTagged(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	files := miniProgram()
	files["CHANGELOG.md"] = "# Changelog\n\n## [2.0.0] - 2025-01-01\n\n- old history\n"
	r.commit("docs: changelog kept by hand", files)
	r.touch("fix: x (#2)", "pages/index/index.js")
	tags, err := TagReleases(ctx, r.dir, nil, ApplyOptions{})
	if err != nil || len(tags) != 0 {
		t.Fatalf("TagReleases = %+v, %v; want nothing", tags, err)
	}
	plan, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(ctx, r.dir, plan, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := r.git("tag"); got != "app@v0.1.0" {
		t.Errorf("tags = %q", got)
	}
}

func TestGitLogOddMessages(t *testing.T) {
	r := newRepo(t)
	r.commit("chore: init", miniProgram())
	r.git("commit", "-q", "--allow-empty", "-m", "empty")
	r.commit("fix: a\x1e\x1fb", map[string]string{"dir with space/new\nline.js": "x\n", "0123456789012345678901234567890123456789": "looks like a sha\n"})
	entries, err := gitLog(context.Background(), r.dir, "", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("%d entries", len(entries))
	}
	if got := entries[0]; got.Message != "fix: a\x1e\x1fb\n" || !slices.Equal(got.Files, []string{"0123456789012345678901234567890123456789", "dir with space/new\nline.js"}) {
		t.Errorf("newest = %+v", got)
	}
	if len(entries[1].Files) != 0 || len(entries[2].Files) != len(miniProgram()) {
		t.Errorf("files = %q / %q", entries[1].Files, entries[2].Files)
	}
}

func TestApplyRefusesDirtyFiles(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		dirty func(r *repo)
	}{
		{"changelog edited", func(r *repo) { r.write(map[string]string{"packagePay/CHANGELOG.md": "local edit\n"}) }},
		{"index staged", func(r *repo) {
			r.write(map[string]string{"app.js": "App({x: 1})\n"})
			r.git("add", "app.js")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := history(t)
			plan, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate})
			if err != nil {
				t.Fatal(err)
			}
			tc.dirty(r)
			if _, err := Apply(ctx, r.dir, plan, ApplyOptions{}); !errors.Is(err, ErrDirty) {
				t.Fatalf("err = %v, want ErrDirty", err)
			}
			if r.git("tag", "--list", "app@v0.2.0") != "" {
				t.Error("tagged anyway")
			}
		})
	}
}

func TestRequestTitleSpeaksForItsCommits(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	r.commit("chore: init", miniProgram())
	a := r.touch("wip", "packagePay/pages/pay/pay.js")
	b := r.touch("fix: typo", "packagePay/pages/pay/pay.js")
	c := r.touch("more", "pages/index/index.js")
	req := &Request{Number: 70, Title: "feat: stored cards"}
	plan, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate, Sources: fakeSources{a: req, b: req, c: req}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range plan.Releases() {
		for _, e := range m.Entries {
			got = append(got, fmt.Sprintf("%s %s %s #%d", m.Name, e.Section, e.Text, e.Request))
		}
	}
	if want := []string{"app Added stored cards #70", "packagePay Added stored cards #70"}; !slices.Equal(got, want) {
		t.Errorf("entries = %q, want %q", got, want)
	}
}

// TestReleaseRequestNeedsNoEntry: the release request (and a hand fix of a
// changelog) only edits changelogs; the changelog gate asks nothing of it.
func TestReleaseRequestNeedsNoEntry(t *testing.T) {
	ctx := context.Background()
	r := history(t)
	p, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	base := r.git("rev-parse", "HEAD")
	r.git("checkout", "-q", "--detach")
	if _, err := Apply(ctx, r.dir, p, ApplyOptions{NoTags: true}); err != nil {
		t.Fatal(err)
	}
	head := r.git("rev-parse", "HEAD")
	needs, err := Missing(ctx, r.dir, base, head, nil, p.CommitMessage(), nil)
	if err != nil || len(needs) != 0 {
		t.Errorf("the release request needs entries: %+v, %v", needs, err)
	}
	// A change beside a changelog still needs its entry.
	r.touch("chore: tidy", "packagePay/pages/pay/pay.js", "packagePay/CHANGELOG.md")
	needs, err = Missing(ctx, r.dir, base, r.git("rev-parse", "HEAD"), nil, "chore: tidy", nil)
	if err != nil || len(needs) != 1 || needs[0].Module != "packagePay" || slices.Contains(needs[0].Files, "packagePay/CHANGELOG.md") {
		t.Errorf("needs = %+v, %v", needs, err)
	}
}
