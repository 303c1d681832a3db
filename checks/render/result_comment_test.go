package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/lint"
)

// noisyResult is the request of the issue: 300 new findings of one rule,
// 300 existing ones of another, 300 lint problems of one rule, and twenty
// packages of which two changed.
func noisyResult() *compare.Result {
	limits := checks.Limits{Package: 2 * mb, MainPackage: 2 * mb, Total: 20 * mb, Preload: 2 * mb, Warn: 90}
	base := &checks.Report{Schema: checks.Schema, Platform: "wechat", SizeBasis: checks.BasisBytes, Limits: limits}
	base.Packages = append(base.Packages, checks.Package{Name: checks.MainPackage, Kind: checks.KindMain, Bytes: 900000, Limit: 2 * mb})
	for i := range 19 {
		base.Packages = append(base.Packages, checks.Package{Name: fmt.Sprintf("sub%02d", i), Kind: checks.KindSubpackage, Bytes: int64(20000 + 1000*i), Limit: 2 * mb})
	}
	head := *base
	head.Packages = append([]checks.Package(nil), base.Packages...)
	head.Packages[0].Bytes += 4096
	head.Packages[3].Bytes += 300
	for i := range 300 {
		old := diag(checks.MP305, fmt.Sprintf("images/unused-%03d.png", i), 0, fmt.Sprintf("images/unused-%03d.png is reachable from nothing", i), "delete it")
		base.Diagnostics = append(base.Diagnostics, old)
		head.Diagnostics = append(head.Diagnostics, old,
			diag(checks.MP210, fmt.Sprintf("pages/p%03d/index.wxml", i), 4, fmt.Sprintf("<image src=\"a%03d.png\"> resolves to no file", i), ""))
	}
	head.Diagnostics = append(head.Diagnostics, diag(checks.MP201, "sub01/pages/a.js", 3, "sub01 requires sub02/x.js synchronously", "use require.async"))
	c := compare.Compare(base, &head)
	c.BaseRev, c.HeadRev = "1111111aaaaaaa", "2222222bbbbbbb"
	c.SizeGate(compare.SizeRules{MaxGrowth: ptr(5.0)})
	res := compare.NewResult(c)
	res.BaseRev, res.HeadRev = c.BaseRev, c.HeadRev
	var problems []lint.Problem
	for i := range 300 {
		problems = append(problems, lint.Problem{Tool: "eslint", File: fmt.Sprintf("src/f%03d.js", i), Line: i + 1, Column: 7,
			Severity: lint.Warning, Rule: "no-unused-vars", Message: "'x' is defined but never used."})
	}
	res.LintGate(problems, nil, nil, compare.LintRules{FailOn: "error"})
	res.Finish()
	return res
}

// quietResult changed only by a few bytes in one package.
func quietResult() *compare.Result {
	base, head := shopReports()
	base.Diagnostics, head.Diagnostics = nil, nil
	head.Packages = append([]checks.Package(nil), base.Packages...)
	head.Packages[1].Bytes += 120
	head.Files = append([]checks.File(nil), base.Files...)
	head.Files[2].Bytes += 120
	c := compare.Compare(base, head)
	c.SizeGate(compare.SizeRules{MaxGrowth: ptr(5.0)})
	res := compare.NewResult(c)
	res.BaseRev, res.HeadRev = "1111111aaaaaaa", "2222222bbbbbbb"
	res.Finish()
	return res
}

// TestResultCommentGolden pins the Markdown and text renderings of a noisy
// and a quiet request: findings grouped by rule with "and N more",
// unchanged packages folded, "no size change" under comment.min_change.
func TestResultCommentGolden(t *testing.T) {
	opts := ResultOptions{Marker: "<!-- mpgate:sticky -->", DetailsURL: "https://github.com/o/r/pull/1/checks"}
	quiet := opts
	quiet.MinChange = 1024
	for _, tc := range []struct {
		name     string
		res      func() *compare.Result
		md       ResultOptions
		maxLines int
	}{
		{"noisy", noisyResult, opts, 120},
		{"quiet", quietResult, opts, 50},
		{"quiet-min-change", quietResult, quiet, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var md, txt bytes.Buffer
			if err := ResultMarkdown(&md, tc.res(), tc.md); err != nil {
				t.Fatal(err)
			}
			if err := ResultTerminal(&txt, tc.res(), TerminalOptions{Width: 100}); err != nil {
				t.Fatal(err)
			}
			checkMarkdown(t, md.String(), DefaultResultBytes, tc.md.Marker)
			for name, out := range map[string]string{tc.name + ".md": md.String(), tc.name + ".txt": txt.String()} {
				if n := strings.Count(out, "\n"); n > tc.maxLines {
					t.Errorf("%s has %d lines, want at most %d", name, n, tc.maxLines)
				}
				resultGolden(t, name, []byte(out))
			}
		})
	}
}

func TestResultGroupsByRule(t *testing.T) {
	res := noisyResult()
	var md, txt bytes.Buffer
	if err := ResultMarkdown(&md, res, ResultOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := ResultTerminal(&txt, res, TerminalOptions{Width: 100}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| | MP210 | | *… and 290 more in the check run* |",
		"| | MP305 | | *… and 290 more in the check run* |",
		"| | eslint/no-unused-vars | | *… and 290 more in the check run* |",
		"<details><summary>18 unchanged packages</summary>",
		"| MP201 | `sub01/pages/a.js:3` |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if n := strings.Count(md.String(), "❌ | MP210 |"); n != maxPerRule {
		t.Errorf("Markdown lists %d MP210 findings, want %d", n, maxPerRule)
	}
	for _, want := range []string{
		"… and 290 more MP210 (the JSON result has all)",
		"… and 290 more eslint/no-unused-vars (the JSON result has all)",
		"sub01/pages/a.js:3",
	} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if n := strings.Count(txt.String(), ":4 MP210 "); n != maxPerRule {
		t.Errorf("text lists %d MP210 findings, want %d", n, maxPerRule)
	}
}

func TestResultHasChanges(t *testing.T) {
	for _, tc := range []struct {
		name      string
		res       func() *compare.Result
		minChange int64
		want      bool
	}{
		{"120 B with no threshold", quietResult, 0, true},
		{"120 B under 1 KB", quietResult, 1024, false},
		{"120 B at 120 B", quietResult, 120, false},
		{"120 B over 119 B", quietResult, 119, true},
		{"new findings", noisyResult, 1 << 30, true},
		{"no base", func() *compare.Result {
			_, head := shopReports()
			head.Diagnostics = nil
			return compare.NewResult(compare.Compare(nil, head))
		}, 1 << 30, true},
		{"failed gate only", func() *compare.Result {
			res := quietResult()
			res.Gates = append(res.Gates, checks.Gate{Name: "coverage", Rule: checks.GateCov, Status: checks.GateFail, Summary: "50% < 80%"})
			return res
		}, 1024, true},
		{"passed gate only", func() *compare.Result {
			res := quietResult()
			res.Gates = append(res.Gates, checks.Gate{Name: "coverage", Rule: checks.GateCov, Status: checks.GatePass, Summary: "84% ≥ 80%"})
			return res
		}, 1024, false},
		{"nil", func() *compare.Result { return nil }, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ResultHasChanges(tc.res(), tc.minChange); got != tc.want {
				t.Errorf("ResultHasChanges = %v, want %v", got, tc.want)
			}
		})
	}
}
