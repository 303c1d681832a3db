package compare

import (
	"errors"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/coverage"
	"github.com/mpgate/mpgate/checks/lint"
)

func report(basis string, pkgs map[string]int64, files map[string]int64, diags ...checks.Diagnostic) *checks.Report {
	r := &checks.Report{Schema: checks.Schema, SizeBasis: basis, Limits: checks.Limits{Total: 30 << 20}}
	for _, name := range []string{checks.MainPackage, "packageA", "packageB", "packageC"} {
		n, ok := pkgs[name]
		if !ok {
			continue
		}
		r.Packages = append(r.Packages, checks.Package{Name: name, Bytes: n, UploadBytes: n / 2, Limit: 2 << 20})
	}
	for path, n := range files {
		pkg := checks.MainPackage
		if i := strings.Index(path, "/"); i > 0 && strings.HasPrefix(path, "package") {
			pkg = path[:i]
		}
		r.Files = append(r.Files, checks.File{Path: path, Package: pkg, Bytes: n, UploadBytes: n / 2})
	}
	r.Diagnostics = append(r.Diagnostics, diags...)
	return r
}

func pct(f float64) *float64 { return &f }
func size(n int64) *int64    { return &n }

func TestComparePackages(t *testing.T) {
	base := report(checks.BasisBytes, map[string]int64{checks.MainPackage: 1000, "packageA": 2000, "packageB": 500},
		map[string]int64{"app.js": 1000, "packageA/a.js": 2000, "packageB/b.js": 500})
	head := report(checks.BasisBytes, map[string]int64{checks.MainPackage: 1000, "packageA": 2300, "packageC": 100},
		map[string]int64{"app.js": 1000, "packageA/a.js": 2100, "packageA/new.js": 200, "packageC/c.js": 100})
	c := Compare(base, head)
	got := map[string]PackageDiff{}
	for _, d := range c.Packages {
		got[d.Name] = d
	}
	if d := got["packageA"]; d.Status != Changed || d.Delta != 300 || d.Percent != 15 {
		t.Errorf("packageA: %+v", d)
	}
	if d := got["packageA"]; len(d.Files) != 2 || d.Files[0].Path != "packageA/new.js" || d.Files[0].Status != Added || d.Files[1].Delta != 100 {
		t.Errorf("packageA files: %+v", d.Files)
	}
	if d := got["packageB"]; d.Status != Removed || d.Delta != -500 || len(d.Files) != 1 || d.Files[0].Status != Removed {
		t.Errorf("packageB: %+v", d)
	}
	if d := got["packageC"]; d.Status != Added || d.Delta != 100 || d.Percent != 0 {
		t.Errorf("packageC: %+v", d)
	}
	if d := got[checks.MainPackage]; d.Status != Unchanged || d.Delta != 0 {
		t.Errorf("main: %+v", d)
	}
	if c.Total.Base != 3500 || c.Total.Head != 3400 || c.Total.Delta != -100 {
		t.Errorf("total: %+v", c.Total)
	}
}

func TestCompareUsesSizeBasis(t *testing.T) {
	base := report(checks.BasisUploadBytes, map[string]int64{"packageA": 2000}, nil)
	head := report(checks.BasisUploadBytes, map[string]int64{"packageA": 3000}, nil)
	c := Compare(base, head)
	if d := c.Packages[0]; d.Base != 1000 || d.Head != 1500 || d.HeadBytes != 3000 {
		t.Errorf("upload basis not used: %+v", d)
	}
}

func TestSizeGate(t *testing.T) {
	t.Parallel()
	base := report(checks.BasisBytes, map[string]int64{checks.MainPackage: 1000, "packageA": 2000}, nil)
	grown := report(checks.BasisBytes, map[string]int64{checks.MainPackage: 1000, "packageA": 2144, "packageC": 70000}, nil)
	small := report(checks.BasisBytes, map[string]int64{"packageA": 2542}, nil)
	smallGrown := report(checks.BasisBytes, map[string]int64{"packageA": 2936}, nil)
	tests := []struct {
		name       string
		base, head *checks.Report
		rules      SizeRules
		status     string
		summaryHas []string
	}{
		{"percent over", base, grown, SizeRules{MaxGrowth: pct(5)}, checks.GateFail, []string{"packageA +144 B (+7.2%, limit 5%)"}},
		// The case: +394 B (+15.5%) on a 2.5 KB subpackage is noise.
		{"under the noise floor", small, smallGrown, SizeRules{MaxGrowth: pct(5), NoiseFloor: size(1024)}, checks.GatePass, []string{"within bounds: packageA +394 B"}},
		{"no noise floor", small, smallGrown, SizeRules{MaxGrowth: pct(5)}, checks.GateFail, []string{"packageA +394 B (+15.5%, limit 5%)"}},
		{"above the noise floor", base, grown, SizeRules{MaxGrowth: pct(5), NoiseFloor: size(100)}, checks.GateFail, []string{"packageA +144 B (+7.2%"}},
		{"floor does not lift the byte bound", base, grown, SizeRules{MaxGrowthBytes: size(100), NoiseFloor: size(1024)}, checks.GateFail, []string{"packageA +144 B (limit 100 B)"}},
		{"budget in bytes", base, grown, SizeRules{Budgets: []Budget{{Key: "packageA", Bytes: 2100}}}, checks.GateFail, []string{"packageA 44 B over its budget 2.1 KB (2.1 KB)"}},
		{"budget as a share of the limit", base, grown, SizeRules{Budgets: []Budget{{Key: "package*", Share: 3}}}, checks.GateFail, []string{"packageC 6.9 KB over its budget 61.4 KB, 3% of the limit"}},
		{"exact key wins over glob", base, grown, SizeRules{Budgets: []Budget{{Key: "package*", Bytes: 10}, {Key: "packageA", Bytes: 1 << 20}, {Key: "packageC", Bytes: 1 << 20}}}, checks.GatePass, nil},
		{"tightest glob", base, grown, SizeRules{Budgets: []Budget{{Key: "package*", Bytes: 1 << 20}, {Key: "packageC*", Bytes: 100}}}, checks.GateFail, []string{"packageC "}},
		{"main budget", base, grown, SizeRules{Budgets: []Budget{{Key: "main", Bytes: 999}}}, checks.GateFail, []string{"main package 1 B over"}},
		{"within budget", base, grown, SizeRules{Budgets: []Budget{{Key: "*", Share: 50}}}, checks.GatePass, nil},
		{"percent within", base, grown, SizeRules{MaxGrowth: pct(10)}, checks.GatePass, []string{"within bounds"}},
		{"new package over bytes", base, grown, SizeRules{MaxGrowth: pct(10), MaxGrowthBytes: size(50 << 10)}, checks.GateFail, []string{"packageC (new) +68.4 KB (limit 50.0 KB)"}},
		{"approved", base, grown, SizeRules{MaxGrowth: pct(5), Approval: &Approval{By: "octocat", Reason: "new feature"}}, checks.GatePass, []string{"approved by octocat (new feature)", "packageA +144 B (+7.2%"}},
		{"no base", nil, grown, SizeRules{MaxGrowth: pct(5)}, checks.GateError, []string{"no base report"}},
		{"no base at all", nil, grown, SizeRules{MaxGrowth: pct(5), NoBase: true}, checks.GateSkip, []string{"skipped: no base"}},
		{"no base at all, budgets apply", nil, grown, SizeRules{MaxGrowth: pct(5), NoBase: true, Budgets: []Budget{{Key: "packageC", Bytes: 60000}}}, checks.GateFail, []string{"packageC 9.8 KB over its budget 58.6 KB (68.4 KB); growth skipped: no base"}},
		{"no base at all, within budgets", nil, grown, SizeRules{MaxGrowth: pct(5), NoBase: true, Budgets: []Budget{{Key: "*", Share: 50}}}, checks.GatePass, []string{"every package within its budget; growth skipped: no base"}},
		{"off", base, grown, SizeRules{}, checks.GateSkip, nil},
		{"nothing grew", base, base, SizeRules{MaxGrowth: pct(5)}, checks.GatePass, []string{"no package grew"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := Compare(tc.base, tc.head)
			g := c.SizeGate(tc.rules)
			if g.Status != tc.status || g.Rule != checks.GateSize || g.Name != "size-delta" {
				t.Errorf("gate %+v, want status %s", g, tc.status)
			}
			if tc.name == "budget in bytes" && strings.Contains(g.Summary, "main package") {
				t.Errorf("a package within its budget is named: %q", g.Summary)
			}
			for _, s := range tc.summaryHas {
				if !strings.Contains(g.Summary, s) {
					t.Errorf("summary %q lacks %q", g.Summary, s)
				}
			}
			c.Finish()
			wantVerdict := checks.VerdictPass
			if tc.status == checks.GateFail || tc.status == checks.GateError {
				wantVerdict = checks.VerdictFail
			}
			if c.Verdict != wantVerdict {
				t.Errorf("verdict %s, want %s", c.Verdict, wantVerdict)
			}
		})
	}
}

func TestNewDiagnostics(t *testing.T) {
	old := checks.New(checks.MP201, "packageA/a.js", 3, 1, "packageA requires packageB/x.js", "h")
	moved := old
	moved.Line = 9 // the same finding, moved down by an edit
	fresh := checks.New(checks.MP210, "a.js", 1, 1, "missing", "h")
	gone := checks.New(checks.MP305, "old.js", 0, 0, "unused", "h")
	base := report(checks.BasisBytes, nil, nil, old, gone)
	head := report(checks.BasisBytes, nil, nil, moved, fresh)
	c := Compare(base, head)
	if len(c.NewDiagnostics) != 1 || c.NewDiagnostics[0].Rule != checks.MP210 {
		t.Errorf("new: %+v", c.NewDiagnostics)
	}
	if len(c.ExistingDiagnostics) != 1 || c.ExistingDiagnostics[0].Line != 9 {
		t.Errorf("existing: %+v", c.ExistingDiagnostics)
	}
	if len(c.FixedDiagnostics) != 1 || c.FixedDiagnostics[0].Rule != checks.MP305 {
		t.Errorf("fixed: %+v", c.FixedDiagnostics)
	}
	c.Finish()
	if c.Verdict != checks.VerdictFail {
		t.Errorf("error diagnostics in the head must fail: %s", c.Verdict)
	}
	// Without a base every head finding is new.
	if c := Compare(nil, head); len(c.NewDiagnostics) != 2 || len(c.FixedDiagnostics) != 0 {
		t.Errorf("no base: new %d fixed %d", len(c.NewDiagnostics), len(c.FixedDiagnostics))
	}
}

func TestLintGate(t *testing.T) {
	t.Parallel()
	problems := []lint.Problem{
		{File: "src/a.js", Line: 3, Severity: lint.Error, Message: "e1"},
		{File: "src/a.js", Line: 10, Severity: lint.Warning, Message: "w1"},
		{File: "src/b.js", Line: 1, Severity: lint.Error, Message: "e2"},
	}
	changed := map[string][]int{"src/a.js": {3, 10}}
	tests := []struct {
		name    string
		rules   LintRules
		err     error
		status  string
		counted int
	}{
		{"all problems", LintRules{FailOn: lint.Error}, nil, checks.GateFail, 3},
		{"changed lines only", LintRules{FailOn: lint.Error, ChangedLinesOnly: true}, nil, checks.GateFail, 2},
		{"unreadable report", LintRules{}, errors.New("no such file"), checks.GateError, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := NewResult()
			g := res.LintGate(problems, tc.err, changed, tc.rules)
			if g.Status != tc.status || len(res.Lint) != tc.counted {
				t.Errorf("gate %+v with %d problems, want %s with %d", g, len(res.Lint), tc.status, tc.counted)
			}
		})
	}
	res := NewResult()
	if g := res.LintGate(problems[1:2], nil, nil, LintRules{FailOn: lint.Error}); g.Status != checks.GatePass {
		t.Errorf("a warning failed a fail_on: error gate: %+v", g)
	}
	if g := res.LintGate(problems[1:2], nil, nil, LintRules{FailOn: lint.Warning}); g.Status != checks.GateFail {
		t.Errorf("a warning passed a fail_on: warning gate: %+v", g)
	}
}

func lcov(t *testing.T, body string) *coverage.Report {
	t.Helper()
	r, err := coverage.Parse("lcov.info", strings.NewReader(body), coverage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCoverageGates(t *testing.T) {
	t.Parallel()
	// src/a.js: lines 1-4 covered, 5-6 not (66.67%); base: 5 of 6 (83.33%).
	head := "SF:src/a.js\nDA:1,1\nDA:2,1\nDA:3,1\nDA:4,1\nDA:5,0\nDA:6,0\nend_of_record\n"
	base := "SF:src/a.js\nDA:1,1\nDA:2,1\nDA:3,1\nDA:4,1\nDA:5,1\nDA:6,0\nend_of_record\n"
	summaryOnly := `{"total": {"lines": {"total": 6, "covered": 4, "skipped": 0, "pct": 66.67}},
 "src/a.js": {"lines": {"total": 6, "covered": 4, "skipped": 0, "pct": 66.67}}}`
	summary, err := coverage.Parse("coverage-summary.json", strings.NewReader(summaryOnly), coverage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name             string
		head, base       *coverage.Report
		headErr          error
		changed          map[string][]int
		rules            CoverageRules
		cov, patch       string
		covHas, patchHas string
	}{
		{"min passes, patch fails", lcov(t, head), nil, nil, map[string][]int{"src/a.js": {4, 5, 6}},
			CoverageRules{Min: pct(60), PatchMin: pct(80)}, checks.GatePass, checks.GateFail, "66.67% ≥ 60%", "33.33% of 3 changed lines"},
		{"min fails", lcov(t, head), nil, nil, map[string][]int{"src/a.js": {1}},
			CoverageRules{Min: pct(80), PatchMin: pct(80)}, checks.GateFail, checks.GatePass, "minimum 80%", "100.00% of 1"},
		{"drop too large", lcov(t, head), lcov(t, base), nil, nil,
			CoverageRules{MaxDrop: pct(1)}, checks.GateFail, checks.GateSkip, "more than the allowed drop of 1%", ""},
		{"drop not checked without base", lcov(t, head), nil, nil, nil,
			CoverageRules{MaxDrop: pct(1)}, checks.GatePass, checks.GateSkip, "drop against the base not checked", ""},
		{"no report is an error, not a pass", nil, nil, errors.New("open coverage/lcov.info: no such file"), nil,
			CoverageRules{Min: pct(80), PatchMin: pct(80)}, checks.GateError, checks.GateError, "no such file", "no such file"},
		{"summary-only report cannot give patch coverage", summary, nil, nil, map[string][]int{"src/a.js": {1}},
			CoverageRules{Min: pct(60), PatchMin: pct(80)}, checks.GatePass, checks.GateError, "66.67%", "totals only"},
		{"no executable line changed", lcov(t, head), nil, nil, map[string][]int{"README.md": {1}},
			CoverageRules{PatchMin: pct(80)}, checks.GateSkip, checks.GatePass, "", "no executable line changed"},
		{"changed lines unknown", lcov(t, head), nil, nil, nil,
			CoverageRules{PatchMin: pct(80)}, checks.GateSkip, checks.GateError, "", "changed lines are unknown"},
		// A run without any base (a push, a local run): the absolute bound
		// applies, the patch gate and the drop are skipped, never failed.
		{"no base: min still fails", lcov(t, head), nil, nil, nil,
			CoverageRules{Min: pct(80), MaxDrop: pct(1), PatchMin: pct(80), NoBase: true}, checks.GateFail, checks.GateSkip, "66.67% (minimum 80%); drop skipped: no base", "skipped: no base"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := NewResult()
			res.CoverageGates(tc.head, tc.headErr, tc.base, tc.changed, tc.rules)
			if len(res.Gates) != 2 {
				t.Fatalf("gates: %+v", res.Gates)
			}
			cov, patch := res.Gates[0], res.Gates[1]
			if cov.Status != tc.cov || !strings.Contains(cov.Summary, tc.covHas) || cov.Rule != checks.GateCov {
				t.Errorf("coverage gate %+v, want %s with %q", cov, tc.cov, tc.covHas)
			}
			if patch.Status != tc.patch || !strings.Contains(patch.Summary, tc.patchHas) || patch.Rule != checks.GatePatch {
				t.Errorf("patch gate %+v, want %s with %q", patch, tc.patch, tc.patchHas)
			}
		})
	}
}

func TestResultVerdict(t *testing.T) {
	ok := Compare(nil, report(checks.BasisBytes, nil, nil))
	res := NewResult(ok, HeadFailed("shop", errors.New("build failed (exit 2)")))
	res.Finish()
	if res.Verdict != checks.VerdictFail || res.Projects[0].Verdict != checks.VerdictPass || res.Projects[1].Verdict != checks.VerdictFail {
		t.Errorf("verdicts: %s %s %s", res.Verdict, res.Projects[0].Verdict, res.Projects[1].Verdict)
	}
	res = NewResult(ok, nil)
	res.Gates = append(res.Gates, checks.Gate{Status: checks.GateError})
	res.Finish()
	if res.Verdict != checks.VerdictFail || len(res.Projects) != 1 {
		t.Errorf("an unevaluable repository gate passed, or a nil project was kept: %s, %d", res.Verdict, len(res.Projects))
	}
}
