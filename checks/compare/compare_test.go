package compare

import (
	"errors"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
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
	base := report(checks.BasisBytes, map[string]int64{checks.MainPackage: 1000, "packageA": 2000}, nil)
	grown := report(checks.BasisBytes, map[string]int64{checks.MainPackage: 1000, "packageA": 2144, "packageC": 70000}, nil)
	tests := []struct {
		name       string
		base, head *checks.Report
		rules      SizeRules
		status     string
		summaryHas []string
	}{
		{"percent over", base, grown, SizeRules{MaxGrowth: pct(5)}, checks.GateFail, []string{"packageA +7.2% (limit 5%)"}},
		{"percent within", base, grown, SizeRules{MaxGrowth: pct(10)}, checks.GatePass, []string{"within bounds"}},
		{"new package over bytes", base, grown, SizeRules{MaxGrowth: pct(10), MaxGrowthBytes: size(50 << 10)}, checks.GateFail, []string{"packageC (new) +68.4 KB (limit 50.0 KB)"}},
		{"approved", base, grown, SizeRules{MaxGrowth: pct(5), Approval: &Approval{By: "octocat", Reason: "new feature"}}, checks.GatePass, []string{"approved by octocat (new feature)", "packageA +7.2%"}},
		{"no base", nil, grown, SizeRules{MaxGrowth: pct(5)}, checks.GateError, []string{"no base report"}},
		{"off", base, grown, SizeRules{}, checks.GateSkip, nil},
		{"nothing grew", base, base, SizeRules{MaxGrowth: pct(5)}, checks.GatePass, []string{"no package grew"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Compare(tc.base, tc.head)
			g := c.SizeGate(tc.rules)
			if g.Status != tc.status || g.Rule != checks.GateSize || g.Name != "size-delta" {
				t.Errorf("gate %+v, want status %s", g, tc.status)
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
			c := Compare(nil, report(checks.BasisBytes, nil, nil))
			g := c.LintGate(problems, tc.err, changed, tc.rules)
			if g.Status != tc.status || len(c.Lint) != tc.counted {
				t.Errorf("gate %+v with %d problems, want %s with %d", g, len(c.Lint), tc.status, tc.counted)
			}
		})
	}
	c := Compare(nil, report(checks.BasisBytes, nil, nil))
	if g := c.LintGate(problems[1:2], nil, nil, LintRules{FailOn: lint.Error}); g.Status != checks.GatePass {
		t.Errorf("a warning failed a fail_on: error gate: %+v", g)
	}
	if g := c.LintGate(problems[1:2], nil, nil, LintRules{FailOn: lint.Warning}); g.Status != checks.GateFail {
		t.Errorf("a warning passed a fail_on: warning gate: %+v", g)
	}
}
