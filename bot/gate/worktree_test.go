package gate

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
)

// An uncommitted change (an edited file, a new untracked one) is judged as
// it will be once committed: sizes and changed lines both come from the
// work tree, so patch coverage and lint on changed lines give the same
// verdict before and after the commit.
func TestRunDirtyWorkTreeJudgedAsCommitted(t *testing.T) {
	r := newRepo(t)
	cfg := "projects:\n  - name: shop\n    root: dist\n    build: rm -rf dist && cp -r src dist\n" +
		"gates:\n  coverage: {report: coverage/lcov.info, patch_min: 80%}\n" +
		"  lint: {report: reports/eslint.json, fail_on: error, changed_lines_only: true}\n"
	base := r.Commit("base", program(map[string]string{
		".gitignore":  "dist/\nreports/\n",
		".mpgate.yml": cfg,
	}))
	r.Git("checkout", "-q", "-b", "feature")
	newPage := filepath.Join(r.Dir, "src", "pages", "new", "new.js")
	r.Write(map[string]string{
		"src/app.js":             "App({})\nconst unused = 1\n",
		"src/pages/new/new.js":   "Page({ data: x })\n",
		"src/pages/new/new.wxml": "<view>new</view>\n",
		"coverage/lcov.info":     "SF:src/app.js\nDA:1,1\nDA:2,0\nend_of_record\nSF:src/pages/new/new.js\nDA:1,0\nend_of_record\n",
		"reports/eslint.json": `[{"filePath": "` + newPage + `", "messages": [{"ruleId": "no-undef", "severity": 2, "message": "'x' is not defined.", "line": 1, "column": 16}]},` +
			`{"filePath": "` + filepath.Join(r.Dir, "src", "pages", "index", "index.js") + `", "messages": [{"ruleId": "no-undef", "severity": 2, "message": "old", "line": 1, "column": 1}]}]`,
	})

	run := func() *compare.Result {
		t.Helper()
		res, err := Run(context.Background(), Spec{RepoDir: r.Dir, BaseRef: "main", Config: loadConfig(t, r.Dir)})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	type verdict struct {
		Verdict string
		Gates   map[string]string // rule -> status: summary
		Sizes   []compare.PackageDiff
		Cov     compare.CoverageSummary
		Lint    int
	}
	summarise := func(res *compare.Result) verdict {
		v := verdict{Verdict: res.Verdict, Gates: map[string]string{}, Sizes: res.Projects[0].Packages, Lint: len(res.Lint)}
		for _, g := range res.AllGates() {
			v.Gates[g.Rule] = g.Status + ": " + g.Summary
		}
		if res.Coverage != nil {
			v.Cov = *res.Coverage
		}
		return v
	}

	dirty := run()
	if !dirty.HeadWorkingTree || dirty.HeadRev != base || dirty.BaseRev != base {
		t.Errorf("dirty run: head %s (working tree %v), base %s; want the working tree on %s", dirty.HeadRev, dirty.HeadWorkingTree, dirty.BaseRev, base)
	}
	before := summarise(dirty)
	for _, rule := range []string{checks.GatePatch, checks.GateLint} {
		g := ""
		for _, x := range dirty.AllGates() {
			if x.Rule == rule {
				g = x.Status
			}
		}
		if g != checks.GateFail {
			t.Errorf("%s gate on the uncommitted change: %q, want fail (gates %v)", rule, g, before.Gates)
		}
	}
	if before.Cov.PatchLines != 2 || before.Lint != 1 {
		t.Errorf("uncommitted change: %d patch lines (want 2: app.js:2 and the untracked page), %d lint problems (want 1)", before.Cov.PatchLines, before.Lint)
	}
	// The user's checkout is as it was: nothing staged, the page untracked.
	// (r.Git trims the output, so the first line's leading space is gone.)
	if st, want := r.Git("status", "--porcelain"), "M coverage/lcov.info\n M src/app.js\n?? src/pages/new/"; st != want {
		t.Errorf("status after the run:\n%s\nwant:\n%s", st, want)
	}

	head := r.Commit("the change", nil)
	clean := run()
	if clean.HeadWorkingTree || clean.HeadRev != head {
		t.Errorf("clean run: head %s (working tree %v), want %s", clean.HeadRev, clean.HeadWorkingTree, head)
	}
	if after := summarise(clean); !reflect.DeepEqual(before, after) {
		t.Errorf("the verdict changed with the commit:\nuncommitted %+v\ncommitted   %+v", before, after)
	}
}
