package release

import (
	"context"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/config"
)

// TestStaleReleasePRKeepsRacingEntries is the race the CLI author
// reproduced: the release branch is cut, "fix: x (#5)" touching a released
// module merges to main, then the stale release PR is merged. The merged
// release is tagged (without #5), and #5 stays unreleased for the next
// plan, whichever way the forge merged the release PR.
func TestStaleReleasePRKeepsRacingEntries(t *testing.T) {
	tests := []struct {
		name string
		// merge merges mpgate/release into main (checked out) and returns
		// the commit that added the release's sections.
		merge func(r *repo, plan *ReleasePlan) string
	}{
		{"squash", func(r *repo, plan *ReleasePlan) string {
			// GitHub's default squash message for a one-commit PR: the PR
			// title, then the commit's body (which carries the trailer).
			body := r.git("log", "-1", "--format=%b", "mpgate/release")
			r.git("merge", "-q", "--squash", "mpgate/release")
			return r.commit(plan.CommitMessage()+" (#50)\n\n"+body, nil)
		}},
		{"squash with the request's description", func(r *repo, plan *ReleasePlan) string {
			// GitHub's "Pull request title and description" squash
			// setting: the commit's own message is gone, the request's
			// body (RequestBody) carries the trailer; GitHub adds its
			// co-authors as a paragraph of their own.
			r.git("merge", "-q", "--squash", "mpgate/release")
			return r.commit(plan.CommitMessage()+" (#50)\n\n"+plan.RequestBody()+"\nCo-authored-by: A <a@example.com>\n", nil)
		}},
		{"merge commit", func(r *repo, plan *ReleasePlan) string {
			r.git("merge", "-q", "--no-ff", "-m", "Merge pull request #50 from mpgate/release", "mpgate/release")
			return r.git("rev-parse", "mpgate/release")
		}},
		{"rebase", func(r *repo, plan *ReleasePlan) string {
			r.git("cherry-pick", "mpgate/release")
			return r.git("rev-parse", "HEAD")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			r := history(t)
			r.git("checkout", "-q", "-b", "mpgate/release")
			plan, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate})
			if err != nil {
				t.Fatal(err)
			}
			cut := plan.Head
			applied, err := Apply(ctx, r.dir, plan, ApplyOptions{NoTags: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.git("log", "-1", "--format=%(trailers:key=Release-Head,valueonly)", applied.Commit); got != cut {
				t.Fatalf("Release-Head trailer = %q, want the planned head %s", got, cut)
			}
			r.git("checkout", "-q", "main")
			fix := r.touch("fix(pay): x (#5)", "packagePay/pages/pay/pay.js")
			merged := tc.merge(r, plan)

			// The forge knows the release request: its body is the plan.
			src := fakeSources{merged: {Number: 50, Title: plan.CommitMessage(), Body: plan.Text() + "\n```changelog\nnot-a-module: fix: y\n```\n"},
				fix: {Number: 5, Title: "fix(pay): x"}}
			next, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate, Sources: src})
			if err != nil {
				t.Fatal(err)
			}
			if len(next.Problems) > 0 {
				t.Errorf("problems from the release request: %q", next.Problems)
			}
			if len(next.Untagged) != 2 || next.Untagged[1].Name != "packagePay@v1.3.0" || next.Untagged[1].Commit != merged {
				t.Fatalf("untagged = %+v, want app and packagePay at %s", next.Untagged, merged)
			}
			if strings.Contains(next.Untagged[1].Notes, "x (#5)") {
				t.Errorf("#5 is in the merged release's notes, which were written before it merged:\n%s", next.Untagged[1].Notes)
			}
			rel := next.Releases()
			if len(rel) != 1 || rel[0].Name != "packagePay" || rel[0].NextTag != "packagePay@v1.3.1" ||
				len(rel[0].Entries) != 1 || rel[0].Entries[0].Commit != fix {
				t.Fatalf("next plan lost or duplicated #5:\n%s", next.Text())
			}
			if _, err := Apply(ctx, r.dir, next, ApplyOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := r.git("tag", "--points-at", merged); got != "app@v0.2.0\npackagePay@v1.3.0" {
				t.Errorf("tags on the merged release = %q", got)
			}
			log := r.read("packagePay/CHANGELOG.md")
			if strings.Count(log, "x (#5)") != 1 || strings.Count(log, "rounding of totals") != 1 ||
				strings.Index(log, "## [1.3.1]") > strings.Index(log, "x (#5)") ||
				strings.Index(log, "x (#5)") > strings.Index(log, "## [1.3.0]") {
				t.Errorf("#5 should be in 1.3.1 only, and nothing twice:\n%s", log)
			}
			// Once everything is tagged, the tag on the merged release still
			// counts from its planned head: nothing is left, nothing repeats.
			again, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate, Sources: src})
			if err != nil || len(again.Releases()) != 0 || len(again.Untagged) != 0 || len(again.Problems) != 0 {
				t.Fatalf("third plan: %v\n%s", err, again.Text())
			}
		})
	}
}

// TestReleaseHeadTagged: the race again, but the merged release is tagged
// (TagReleases) before anyone plans: the next plan counts from the tag's
// recorded head and keeps #5.
func TestReleaseHeadTagged(t *testing.T) {
	ctx := context.Background()
	r := history(t)
	r.git("checkout", "-q", "-b", "mpgate/release")
	plan, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(ctx, r.dir, plan, ApplyOptions{NoTags: true}); err != nil {
		t.Fatal(err)
	}
	r.git("checkout", "-q", "main")
	r.touch("fix(pay): x (#5)", "packagePay/pages/pay/pay.js")
	body := r.git("log", "-1", "--format=%b", "mpgate/release")
	r.git("merge", "-q", "--squash", "mpgate/release")
	r.commit(plan.CommitMessage()+" (#50)\n\n"+body, nil)
	tags, err := TagReleases(ctx, r.dir, nil, ApplyOptions{})
	if err != nil || len(tags) != 2 {
		t.Fatalf("TagReleases = %+v, %v", tags, err)
	}
	next, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	rel := next.Releases()
	if len(rel) != 1 || rel[0].CurrentTag != "packagePay@v1.3.0" || len(rel[0].Entries) != 1 || rel[0].Entries[0].Text != "x" {
		t.Fatalf("plan after tagging:\n%s", next.Text())
	}
}

func TestReleaseBase(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	first := r.commit("chore: init", miniProgram())
	other := r.commit("feat: other", map[string]string{"a.js": "1\n"})
	r.git("checkout", "-q", "-b", "side", first)
	side := r.commit("feat: side", map[string]string{"b.js": "1\n"})
	tests := []struct {
		name, msg, want string
	}{
		{"no trailer", "chore(release): app@v1.0.0", ""},
		{"ancestor", "chore(release): app@v1.0.0\n\nRelease-Head: " + first, first},
		{"last one wins", "chore(release): app@v1.0.0\n\nRelease-Head: " + side + "\nRelease-Head: " + first, first},
		{"not an ancestor", "chore(release): app@v1.0.0\n\nRelease-Head: " + other, ""},
		{"unknown commit", "chore(release): app@v1.0.0\n\nRelease-Head: " + strings.Repeat("ab", 20), ""},
		{"not a sha", "chore(release): app@v1.0.0\n\nRelease-Head: --all", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := r.commit(tc.msg, nil)
			want := tc.want
			if want == "" {
				want = c
			}
			got, err := releaseBase(ctx, r.dir, c)
			if err != nil || got != want {
				t.Errorf("releaseBase = %q, %v; want %q", got, err, want)
			}
		})
	}
}

// TestConfiguredLabel: gates.changelog.label replaces no-changelog in the
// gate, its text and the plan.
func TestConfiguredLabel(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.Gates.Changelog = config.ChangelogGate{Enabled: true, Label: "skip-changelog"}
	r := newRepo(t)
	r.commit("chore: init", miniProgram())
	r.git("checkout", "-q", "-b", "feature")
	head := r.touch("wip", "packagePay/pages/pay/pay.js")
	for _, tc := range []struct {
		name   string
		labels []string
		want   int
	}{
		{"configured label exempts", []string{"skip-changelog"}, 0},
		{"default label no longer does", []string{"no-changelog"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			needs, err := Missing(ctx, r.dir, "main", head, cfg, "wip", tc.labels)
			if err != nil || len(needs) != tc.want {
				t.Fatalf("missing = %+v, %v; want %d", needs, err, tc.want)
			}
			if tc.want == 0 {
				return
			}
			if g := Gate(needs, nil); !strings.Contains(g.Summary, "label skip-changelog") {
				t.Errorf("gate summary %q does not name the configured label", g.Summary)
			}
			if txt := NeedsText(needs); !strings.Contains(txt, "`skip-changelog`") || strings.Contains(txt, "no-changelog") {
				t.Errorf("needs text does not name the configured label only:\n%s", txt)
			}
		})
	}
	t.Run("plan skips requests with the configured label", func(t *testing.T) {
		r.git("checkout", "-q", "main")
		skipped := r.touch("fix(pay): internal (#7)", "packagePay/pages/pay/pay.js")
		kept := r.touch("fix(pay): visible (#8)", "packagePay/pages/pay/pay.js")
		src := fakeSources{
			skipped: {Number: 7, Title: "fix(pay): internal", Labels: []string{"skip-changelog"}},
			kept:    {Number: 8, Title: "fix(pay): visible", Labels: []string{"no-changelog-not"}},
		}
		plan, err := Plan(ctx, r.dir, cfg, PlanOptions{Date: testDate, Sources: src})
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, m := range plan.Releases() {
			for _, e := range m.Entries {
				texts = append(texts, m.Name+": "+e.Text)
			}
		}
		if len(texts) != 1 || texts[0] != "packagePay: visible" {
			t.Errorf("entries = %q, want only #8's", texts)
		}
	})
}

func TestRecordedHead(t *testing.T) {
	a, b := strings.Repeat("a", 40), strings.Repeat("b", 40)
	for _, tc := range []struct{ name, msg, want string }{
		{"none", "chore(release): x\n\nbody\n", ""},
		{"trailer", "chore(release): x\n\nRelease-Head: " + a + "\n", a},
		{"before a co-author paragraph", "t\n\nRelease-Head: " + a + "\n\nCo-authored-by: A <a@example.com>\n", a},
		{"last valid wins", "t\n\nRelease-Head: " + a + "\n\nRelease-Head: " + b + "\nRelease-Head: nope\n", b},
		{"indented and CRLF", "t\r\n\r\n  Release-Head:   " + a + "  \r\n", a},
		{"not a sha", "t\n\nRelease-Head: main\n", ""},
		{"other key", "t\n\nRelease-Headx: " + a + "\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := recordedHead(tc.msg); got != tc.want {
				t.Errorf("recordedHead = %q, want %q", got, tc.want)
			}
		})
	}
}
