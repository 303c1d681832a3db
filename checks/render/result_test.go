package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/lint"
)

func ptr[T any](v T) *T { return &v }

func diag(id, file string, line int, msg, hint string) checks.Diagnostic {
	return checks.New(id, file, line, 0, msg, hint)
}

// shopReports are a base and a head of one project: the main package and
// packageA grew, packageOld went, packageNew came; findings new, existing
// and fixed.
func shopReports() (base, head *checks.Report) {
	limits := checks.Limits{Package: 2 * mb, MainPackage: 2 * mb, Total: 20 * mb, Preload: 2 * mb, Warn: 90}
	base = &checks.Report{Schema: checks.Schema, Platform: "wechat", Project: "shop", SizeBasis: checks.BasisBytes, Limits: limits,
		Packages: []checks.Package{
			{Name: checks.MainPackage, Kind: checks.KindMain, Bytes: 1800000, Limit: 2 * mb},
			{Name: "packageA", Alias: "pack2", Kind: checks.KindSubpackage, Bytes: 400000, Limit: 2 * mb},
			{Name: "packageB", Kind: checks.KindSubpackage, Bytes: 52000, Limit: 2 * mb},
			{Name: "packageOld", Kind: checks.KindSubpackage, Bytes: 30000, Limit: 2 * mb},
		},
		Files: []checks.File{
			{Path: "app.js", Package: checks.MainPackage, Bytes: 1000000},
			{Path: "images/banner.png", Package: checks.MainPackage, Bytes: 800000},
			{Path: "packageA/pages/cat/cat.js", Package: "packageA", Bytes: 300000},
			{Path: "packageA/utils/big.js", Package: "packageA", Bytes: 100000},
			{Path: "packageB/index.js", Package: "packageB", Bytes: 52000},
			{Path: "packageOld/index.js", Package: "packageOld", Bytes: 30000},
		},
		Diagnostics: []checks.Diagnostic{
			diag(checks.MP305, "images/old.png", 0, "images/old.png is reachable from nothing", "delete it"),
			diag(checks.MP210, "pages/index/index.wxml", 4, "<image src=\"a.png\"> resolves to no file", ""),
			diag(checks.MP111, "app.json", 2, "unknown key \"windoww\"", "did you mean \"window\"?"),
		},
	}
	head = &checks.Report{Schema: checks.Schema, Platform: "wechat", Project: "shop", SizeBasis: checks.BasisBytes, Limits: limits,
		Packages: []checks.Package{
			{Name: checks.MainPackage, Kind: checks.KindMain, Bytes: 1950000, Limit: 2 * mb},
			{Name: "packageA", Alias: "pack2", Kind: checks.KindSubpackage, Bytes: 428800, Limit: 2 * mb},
			{Name: "packageB", Kind: checks.KindSubpackage, Bytes: 52000, Limit: 2 * mb},
			{Name: "packageNew", Kind: checks.KindSubpackage, Bytes: 64000, Limit: 2 * mb},
		},
		Files: []checks.File{
			{Path: "app.js", Package: checks.MainPackage, Bytes: 1150000},
			{Path: "images/banner.png", Package: checks.MainPackage, Bytes: 800000},
			{Path: "packageA/pages/cat/cat.js", Package: "packageA", Bytes: 328800},
			{Path: "packageA/utils/big.js", Package: "packageA", Bytes: 100000},
			{Path: "packageB/index.js", Package: "packageB", Bytes: 52000},
			{Path: "packageNew/index.js", Package: "packageNew", Bytes: 64000},
		},
		Diagnostics: []checks.Diagnostic{
			diag(checks.MP201, "packageA/pages/cat/cat.js", 3, "packageA requires packageB/utils/x.js synchronously", "use require.async"),
			diag(checks.MP304, "", 0, "__APP__ uses 93% of its limit", "move code to subpackages"),
			diag(checks.MP212, "packageNew/index.js", 7, "require(name) has a non-literal path", ""),
			diag(checks.MP305, "images/old.png", 0, "images/old.png is reachable from nothing", "delete it"),
			diag(checks.MP111, "app.json", 2, "unknown key \"windoww\"", "did you mean \"window\"?"),
		},
	}
	return base, head
}

// sampleResult is a realistic judged request: a grown package, an added and
// a removed one, new/existing/fixed findings, a failed size gate, coverage
// passing, patch coverage failing, lint with problems, a failed head.
func sampleResult() *compare.Result {
	base, head := shopReports()
	shop := compare.Compare(base, head)
	shop.BaseRev, shop.HeadRev = "1111111aaaaaaa", "2222222bbbbbbb"
	shop.PathPrefix = "miniprogram/"
	shop.SizeGate(compare.SizeRules{MaxGrowth: ptr(5.0)})
	admin := compare.HeadFailed("admin", errors.New("build: npm run build exited with status 1"))
	res := compare.NewResult(shop, admin)
	res.BaseRev, res.HeadRev = "1111111aaaaaaa", "2222222bbbbbbb"
	res.Gates = append(res.Gates,
		checks.Gate{Name: "coverage", Rule: checks.GateCov, Status: checks.GatePass, Summary: "84.10% ≥ 80%"},
		checks.Gate{Name: "patch-coverage", Rule: checks.GatePatch, Status: checks.GateFail, Summary: "50.00% of 10 changed lines (5 covered), minimum 80%"},
	)
	res.Coverage = &compare.CoverageSummary{Head: 84.1, Patch: ptr(50.0), PatchLines: 10, PatchCovered: 5}
	res.LintGate([]lint.Problem{
		{Tool: "eslint", File: "miniprogram/packageA/pages/cat/cat.js", Line: 12, Column: 5, Severity: lint.Error, Rule: "no-undef", Message: "'wx2' is not defined."},
		{Tool: "stylelint", File: "miniprogram/app.wxss", Line: 3, Column: 1, Severity: lint.Warning, Rule: "color-no-invalid-hex", Message: "Unexpected invalid hex color \"#ggg\""},
	}, nil, nil, compare.LintRules{})
	res.Finish()
	return res
}

func resultGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", "result", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("reading golden file (run with -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run with -update and review.\n--- got ---\n%s", name, got)
	}
}

func TestResultGolden(t *testing.T) {
	opts := ResultOptions{Marker: "<!-- mpgate:sticky:test -->", DetailsURL: "https://github.com/o/r/runs/1"}
	cases := []struct {
		name   string
		render func(*compare.Result, *bytes.Buffer) error
	}{
		{"result.md", func(r *compare.Result, b *bytes.Buffer) error { return ResultMarkdown(b, r, opts) }},
		{"result.txt", func(r *compare.Result, b *bytes.Buffer) error {
			return ResultTerminal(b, r, TerminalOptions{Width: 100})
		}},
		{"result.color.txt", func(r *compare.Result, b *bytes.Buffer) error {
			return ResultTerminal(b, r, TerminalOptions{Width: 80, Color: true})
		}},
		{"result.json", func(r *compare.Result, b *bytes.Buffer) error { return ResultJSON(b, r) }},
		{"result.sarif", func(r *compare.Result, b *bytes.Buffer) error {
			return ResultSARIF(b, r, SARIFOptions{Version: "1.0.0", RulesURI: "https://example.com/rules"})
		}},
		{"result.codequality.json", func(r *compare.Result, b *bytes.Buffer) error { return ResultCodeQuality(b, r) }},
		{"result.checkrun.md", func(r *compare.Result, b *bytes.Buffer) error {
			cr := ResultCheckRun(r, opts)
			fmt.Fprintf(b, "conclusion: %s\ntitle: %s\n--- summary ---\n%s--- text ---\n%s", cr.Conclusion, cr.Title, cr.Summary, cr.Text)
			return nil
		}},
		{"result.annotations.json", func(r *compare.Result, b *bytes.Buffer) error { return writeJSON(b, ResultAnnotations(r)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(sampleResult(), &b); err != nil {
				t.Fatal(err)
			}
			resultGolden(t, tc.name, b.Bytes())
		})
	}
}

func TestResultMarkdownContent(t *testing.T) {
	var b bytes.Buffer
	if err := ResultMarkdown(&b, sampleResult(), ResultOptions{Marker: "<!-- m -->"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"<!-- m -->\n## mpgate ❌ failed\n",
		"`packageNew` 🆕 added",
		"`packageOld` 🗑️ removed",
		"+28.1 KB (+7.2%)",
		"could not be evaluated",
		"The head could not be analysed: build: npm run build exited with status 1",
		"`miniprogram/packageA/pages/cat/cat.js:3`",
		"<details><summary>2 existing findings",
		"**Fixed: 1 finding**",
		"eslint/no-undef",
		"Files that changed most",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Index(out, "New findings") > strings.Index(out, "existing findings") {
		t.Error("existing findings come before new ones")
	}
	checkMarkdown(t, out, DefaultResultBytes, "<!-- m -->")
}

// TestHeadlineNamesOnlyFailedGates: when only the coverage gate fails, the
// verdict line names it with its figure and not the packages' growth, which
// passed its gate.
func TestHeadlineNamesOnlyFailedGates(t *testing.T) {
	grown := func() *compare.Result {
		base, head := shopReports()
		base.Diagnostics, head.Diagnostics = nil, nil
		c := compare.Compare(base, head)
		c.SizeGate(compare.SizeRules{MaxGrowth: ptr(50.0)})
		return compare.NewResult(c)
	}
	ok := grown()
	ok.Finish()
	if line := strings.Join(headline(ok, 0), " · "); !strings.Contains(line, "+146.5 KB") {
		t.Errorf("a passing result's headline %q does not name the growth", line)
	}
	res := grown()
	res.Gates = append(res.Gates, checks.Gate{Name: "coverage", Rule: checks.GateCov, Status: checks.GateFail, Summary: "50.00% (minimum 80%)"})
	res.Finish()
	if line := strings.Join(headline(res, 0), " · "); line != "coverage failed: 50.00% (minimum 80%)" {
		t.Errorf("headline %q", line)
	}
	if cr := ResultCheckRun(res, ResultOptions{}); cr.Title != "❌ coverage failed: 50.00% (minimum 80%)" {
		t.Errorf("title %q", cr.Title)
	}
}

func TestResultCheckRun(t *testing.T) {
	cr := ResultCheckRun(sampleResult(), ResultOptions{})
	if cr.Conclusion != "failure" {
		t.Errorf("conclusion %q", cr.Conclusion)
	}
	for _, want := range []string{"❌ size-delta failed: main package +146.5 KB (+8.3%, limit 5%)",
		" · patch-coverage failed: 50.00% of 10 changed lines (5 covered), minimum 80% · lint failed: ", " · 1 project could not be analysed"} {
		if !strings.Contains(cr.Title, want) || len(cr.Title) > 1000 {
			t.Errorf("title %q lacks %q", cr.Title, want)
		}
	}
	if strings.Contains(cr.Summary, "New findings") || !strings.Contains(cr.Text, "New findings") || !strings.Contains(cr.Summary, "Gates") {
		t.Error("summary should hold sizes and gates, text the findings")
	}
	pass := passingResult()
	cr = ResultCheckRun(pass, ResultOptions{})
	if cr.Conclusion != "success" || cr.Title != "✅ all gates passed" {
		t.Errorf("passing: %q %q", cr.Conclusion, cr.Title)
	}
	big := ResultCheckRun(bigResult(3000), ResultOptions{})
	if len(big.Summary) > checkRunMax || len(big.Text) > checkRunMax {
		t.Errorf("summary %d, text %d bytes", len(big.Summary), len(big.Text))
	}
	checkMarkdown(t, big.Text, checkRunMax, "")
}

func passingResult() *compare.Result {
	_, head := shopReports()
	head.Diagnostics = nil
	c := compare.Compare(head, head)
	c.SizeGate(compare.SizeRules{MaxGrowth: ptr(5.0)})
	res := compare.NewResult(c)
	res.Finish()
	return res
}

func TestResultAnnotations(t *testing.T) {
	as := ResultAnnotations(sampleResult())
	// New: MP201 (failure), MP304 (warning), MP212 (notice); lint: 2; existing: MP111 (warning); MP305 existing info is left out.
	want := []struct{ path, level, title string }{
		{"miniprogram/packageA/pages/cat/cat.js", "failure", "MP201"},
		{"miniprogram/app.json", "warning", "MP304"},
		{"miniprogram/packageNew/index.js", "notice", "MP212"},
		{"miniprogram/packageA/pages/cat/cat.js", "failure", "eslint/no-undef"},
		{"miniprogram/app.wxss", "warning", "stylelint/color-no-invalid-hex"},
		{"miniprogram/app.json", "warning", "MP111"},
	}
	if len(as) != len(want) {
		t.Fatalf("got %d annotations: %+v", len(as), as)
	}
	for i, w := range want {
		t.Run(w.title, func(t *testing.T) {
			a := as[i]
			if a.Path != w.path || a.Level != w.level || !strings.HasPrefix(a.Title, w.title) || a.StartLine < 1 || a.EndLine < a.StartLine {
				t.Errorf("got %+v, want %+v", a, w)
			}
		})
	}
	if !strings.Contains(as[0].Message, "\nhint: use require.async") {
		t.Errorf("message %q lacks the hint", as[0].Message)
	}
	if as[1].StartLine != 1 {
		t.Errorf("a finding without a file should point at line 1: %+v", as[1])
	}
}

func TestResultJSONLists(t *testing.T) {
	res := &compare.Result{Projects: []*compare.Comparison{{Project: "x", Head: &checks.Report{}}}}
	var b bytes.Buffer
	if err := ResultJSON(&b, res); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "null") {
		t.Errorf("null in\n%s", b.String())
	}
	var back compare.Result
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.Schema != compare.ResultSchema {
		t.Errorf("round trip: %v, schema %q", err, back.Schema)
	}
}

func TestResultCodeQualitySeverity(t *testing.T) {
	tests := []struct {
		d    checks.Diagnostic
		want string
	}{
		{diag(checks.MP301, "", 0, "over", ""), "blocker"},
		{diag(checks.MP201, "a.js", 1, "x", ""), "major"},
		{diag(checks.MP304, "", 0, "x", ""), "minor"},
		{diag(checks.MP305, "a.png", 0, "x", ""), "info"},
	}
	for _, tc := range tests {
		t.Run(tc.d.Rule, func(t *testing.T) {
			if got := codeQualityResultSeverity(tc.d); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// bigResult has n new findings, n existing ones of each severity and many
// packages per project, far over any comment's cap.
func bigResult(n int) *compare.Result {
	var projects []*compare.Comparison
	for p := range 3 {
		base, head := shopReports()
		name := fmt.Sprintf("project-%d", p)
		base.Project, head.Project = name, name
		for i := range 40 {
			pk := checks.Package{Name: fmt.Sprintf("sub%02d", i), Kind: checks.KindSubpackage, Bytes: int64(1000 * i), Limit: 2 * mb}
			base.Packages = append(base.Packages, pk)
			head.Packages = append(head.Packages, pk)
			for j := range 12 {
				f := checks.File{Path: fmt.Sprintf("sub%02d/f%d.js", i, j), Package: pk.Name, Bytes: int64(100 * j)}
				base.Files = append(base.Files, f)
				f.Bytes += int64(i + 1)
				head.Files = append(head.Files, f)
			}
		}
		for i := range n {
			old := []checks.Diagnostic{
				diag(checks.MP305, fmt.Sprintf("images/unused-%d.png", i), 0, fmt.Sprintf("images/unused-%d.png is reachable from nothing and wastes bytes", i), "delete it"),
				diag(checks.MP111, "app.json", i, fmt.Sprintf("unknown key %d", i), "check the spelling"),
				diag(checks.MP210, fmt.Sprintf("pages/p%d.wxml", i), i, fmt.Sprintf("<image src=\"%d.png\"> resolves to no file", i), ""),
			}
			base.Diagnostics = append(base.Diagnostics, old...)
			head.Diagnostics = append(head.Diagnostics, old...)
			// New findings of many rules: the per-rule cap alone does not
			// shorten them.
			rule := checks.Catalog[i%len(checks.Catalog)].ID
			head.Diagnostics = append(head.Diagnostics, diag(rule, fmt.Sprintf("packageA/p%d.js", i), i+1,
				fmt.Sprintf("packageA requires packageB/x%d.js synchronously", i), "use require.async"))
		}
		c := compare.Compare(base, head)
		c.SizeGate(compare.SizeRules{MaxGrowth: ptr(5.0)})
		projects = append(projects, c)
	}
	res := compare.NewResult(projects...)
	var problems []lint.Problem
	for i := range n {
		problems = append(problems, lint.Problem{Tool: "eslint", File: fmt.Sprintf("src/f%d.js", i), Line: i + 1, Severity: lint.Warning, Rule: fmt.Sprintf("rule-%d", i), Message: "'x' is defined but never used."})
	}
	res.LintGate(problems, nil, nil, compare.LintRules{})
	res.Finish()
	return res
}

func TestResultMarkdownCap(t *testing.T) {
	res := bigResult(800)
	var full bytes.Buffer
	if err := ResultMarkdown(&full, res, ResultOptions{MaxBytes: 100 << 20}); err != nil {
		t.Fatal(err)
	}
	if full.Len() < 200<<10 {
		t.Fatalf("the uncapped rendering is only %d bytes; the test needs a large one", full.Len())
	}
	for _, limit := range []int{0, 10000, MinResultBytes} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			marker := "<!-- mpgate:sticky:abc -->"
			var b bytes.Buffer
			err := ResultMarkdown(&b, res, ResultOptions{Marker: marker, MaxBytes: limit, DetailsURL: "https://github.com/o/r/runs/9"})
			if err != nil {
				t.Fatal(err)
			}
			want := limit
			if limit == 0 {
				want = DefaultResultBytes
			}
			out := b.String()
			checkMarkdown(t, out, want, marker)
			if !strings.Contains(out, "more in the [check run](https://github.com/o/r/runs/9)") {
				t.Errorf("no note about what was left out:\n%s", tail(out))
			}
			if !strings.Contains(out, "❌ failed") {
				t.Error("the verdict was dropped")
			}
			if limit != MinResultBytes && !strings.Contains(out, "| Gate |") {
				t.Error("the gates were dropped before the findings")
			}
		})
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// checkMarkdown asserts the structural promises: the cap, the marker first,
// <details> balanced and never nested open at the end, every table's rows
// with the header's column count, valid UTF-8.
func checkMarkdown(t *testing.T, out string, limit int, marker string) {
	t.Helper()
	if len(out) > limit {
		t.Errorf("%d bytes over the cap of %d", len(out), limit)
	}
	if !utf8.ValidString(out) {
		t.Error("invalid UTF-8")
	}
	if marker != "" && !strings.HasPrefix(out, marker+"\n") {
		t.Errorf("the marker is not first: %q", out[:min(len(out), 80)])
	}
	depth := 0
	cols := -1
	for i, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "<details>") {
			depth++
			if depth > 1 {
				t.Errorf("line %d: nested <details>", i+1)
			}
		}
		if strings.HasPrefix(line, "</details>") {
			depth--
			if depth < 0 {
				t.Errorf("line %d: </details> without <details>", i+1)
			}
		}
		if strings.HasPrefix(line, "|") {
			n := cells(line)
			if cols < 0 {
				cols = n
			} else if n != cols {
				t.Errorf("line %d has %d cells, the table %d: %s", i+1, n, cols, line)
			}
		} else {
			cols = -1
		}
	}
	if depth != 0 {
		t.Errorf("%d <details> left open", depth)
	}
}

// cells counts a table row's cells: unescaped pipes, less one.
func cells(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n - 1
}

func TestResultMarkdownEscaping(t *testing.T) {
	base, head := shopReports()
	head.Diagnostics = append(head.Diagnostics,
		diag(checks.MP210, "a|b<script>.js", 1, "ping @octocat and `rm -rf` <img src=x onerror=alert(1)>", "see [here](javascript:alert(1)) @team/all"))
	head.Packages = append(head.Packages, checks.Package{Name: "x|<b>y</b>", Alias: "@admin", Kind: checks.KindSubpackage, Bytes: 10})
	c := compare.Compare(base, head)
	c.Project = "shop @everyone"
	res := compare.NewResult(c)
	res.Finish()
	var b bytes.Buffer
	if err := ResultMarkdown(&b, res, ResultOptions{Title: "<b>@boss</b>", DetailsURL: "javascript:alert(1)"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	checkMarkdown(t, out, DefaultResultBytes, "")
	if strings.Count(out, "<script>") != strings.Count(out, "b<script>.js") {
		t.Errorf("<script> outside a code span in\n%s", out)
	}
	for _, bad := range []string{"<img", "<b>@", "@octocat", "@team", "@admin", "@everyone", "@boss", "[here]("} {
		if strings.Contains(out, bad) {
			t.Errorf("%q survived in\n%s", bad, out)
		}
	}
	// Inside a code span HTML is inert: the file name is there as code.
	for _, want := range []string{"`a\\|b<script>.js:1`", "@\u200boctocat", "\\`rm -rf\\`", "&lt;b&gt;@\u200bboss&lt;/b&gt;", "`x\\|<b>y</b>`"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestResultSARIFFingerprintsMatchReports(t *testing.T) {
	res := sampleResult()
	shop := res.Projects[0]
	var single, combined bytes.Buffer
	if err := SARIF(&single, []*checks.Report{shop.Head}, []LocationOptions{{Prefix: shop.PathPrefix}}, SARIFOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := ResultSARIF(&combined, res, SARIFOptions{}); err != nil {
		t.Fatal(err)
	}
	prints := func(b []byte) map[string]bool {
		var log sarifLog
		if err := json.Unmarshal(b, &log); err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, r := range log.Runs[0].Results {
			out[r.PartialFingerprints["mpgate/v1"]] = true
		}
		return out
	}
	s, c := prints(single.Bytes()), prints(combined.Bytes())
	if len(s) != len(shop.Head.Diagnostics) || len(c) != len(shop.Head.Diagnostics)+len(res.Lint) {
		t.Fatalf("%d single, %d combined fingerprints", len(s), len(c))
	}
	for fp := range s {
		if !c[fp] {
			t.Errorf("fingerprint %s of the single report is not in the result's SARIF", fp)
		}
	}
}

func TestResultTerminalWidth(t *testing.T) {
	for _, width := range []int{60, 80, 120} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			var b bytes.Buffer
			if err := ResultTerminal(&b, sampleResult(), TerminalOptions{Width: width}); err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(b.String(), "\n") {
				if n := utf8.RuneCountInString(line); n > width {
					t.Errorf("line %d is %d runes wide: %q", i+1, n, line)
				}
			}
			if !strings.Contains(b.String(), "Verdict: FAIL") {
				t.Error("no verdict")
			}
		})
	}
}

func TestResultMarkdownEdges(t *testing.T) {
	t.Run("huge title", func(t *testing.T) {
		var b bytes.Buffer
		err := ResultMarkdown(&b, sampleResult(), ResultOptions{Title: strings.Repeat("é", 5000), MaxBytes: 2000, Marker: "<!-- m -->"})
		if err != nil {
			t.Fatal(err)
		}
		checkMarkdown(t, b.String(), 2000, "<!-- m -->")
		if !strings.Contains(b.String(), "more in the check run") {
			t.Error("no note")
		}
	})
	t.Run("marker too long", func(t *testing.T) {
		err := ResultMarkdown(io.Discard, sampleResult(), ResultOptions{Marker: strings.Repeat("x", 600), MaxBytes: 1024})
		if err == nil {
			t.Error("a marker leaving no room was accepted")
		}
	})
	t.Run("nil", func(t *testing.T) {
		if err := ResultMarkdown(io.Discard, nil, ResultOptions{}); err == nil {
			t.Error("nil result accepted")
		}
		if got := ResultAnnotations(nil); got == nil || len(got) != 0 {
			t.Errorf("annotations of nil: %v", got)
		}
	})
	t.Run("passing", func(t *testing.T) {
		var b bytes.Buffer
		if err := ResultMarkdown(&b, passingResult(), ResultOptions{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "## mpgate ✅ passed") || strings.Contains(b.String(), "NOTE") {
			t.Errorf("passing result:\n%s", b.String())
		}
	})
}

func TestResultMarkdownFoldsFirst(t *testing.T) {
	res := sampleResult()
	shop := res.Projects[0]
	for i := range 200 {
		d := diag(checks.MP305, fmt.Sprintf("images/x%d.png", i), 0, fmt.Sprintf("images/x%d.png is reachable from nothing", i), "delete it")
		shop.ExistingDiagnostics = append(shop.ExistingDiagnostics, d)
	}
	var full bytes.Buffer
	if err := ResultMarkdown(&full, res, ResultOptions{MaxBytes: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(full.String(), "new note</summary>") {
		t.Error("folded although everything fit")
	}
	var b bytes.Buffer
	if err := ResultMarkdown(&b, res, ResultOptions{MaxBytes: full.Len() - 100}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	checkMarkdown(t, out, full.Len()-100, "")
	for _, want := range []string{"<details><summary>1 new note</summary>", "<details><summary>2 lint problems</summary>", "201 findings more in the check run"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if !strings.Contains(out, "MP111") || strings.Contains(out, "images/x1.png") {
		t.Error("existing notes should go before existing warnings")
	}
}

// TestResultReportLink: a comment links the HTML report when there is one, and only through a web address.
func TestResultReportLink(t *testing.T) {
	for _, tc := range []struct {
		url, want string
	}{
		{"https://github.com/o/r/actions/runs/1", "📊 [Treemaps and budgets: the HTML report](https://github.com/o/r/actions/runs/1)\n"},
		{"javascript:alert(1)", ""},
		{"", ""},
	} {
		var buf bytes.Buffer
		if err := ResultMarkdown(&buf, sampleResult(), ResultOptions{ReportURL: tc.url}); err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(buf.String(), "HTML report")
		if got != (tc.want != "") || (tc.want != "" && !strings.Contains(buf.String(), tc.want)) {
			t.Errorf("ReportURL %q: link present %v, want %q", tc.url, got, tc.want)
		}
	}
}
