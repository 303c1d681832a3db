package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
)

// wideReports are a base and a head whose package, page and gate names are
// Chinese (two terminal columns per character) mixed with ASCII.
func wideReports() (base, head *checks.Report) {
	limits := checks.Limits{Package: 2 * mb, MainPackage: 2 * mb, Total: 20 * mb, Preload: 2 * mb, Warn: 90}
	mk := func(cart int64) *checks.Report {
		return &checks.Report{Schema: checks.Schema, Platform: "wechat", Project: "商城", SizeBasis: checks.BasisBytes, Limits: limits,
			Packages: []checks.Package{
				{Name: checks.MainPackage, Kind: checks.KindMain, Bytes: 900000, Files: 40, Limit: 2 * mb},
				{Name: "分包购物车", Alias: "购物", Kind: checks.KindSubpackage, Bytes: cart, Files: 12, Limit: 2 * mb},
				{Name: "packageUser", Kind: checks.KindSubpackage, Bytes: 52000, Files: 7, Limit: 2 * mb},
				{Name: "活动页面/双十一", Kind: checks.KindSubpackage, Bytes: 1900000, Files: 30, Limit: 2 * mb},
			},
			Files: []checks.File{
				{Path: "app.js", Package: checks.MainPackage, Bytes: 900000},
				{Path: "分包购物车/pages/结算/结算.js", Package: "分包购物车", Bytes: cart - 20000},
				{Path: "分包购物车/images/横幅.png", Package: "分包购物车", Bytes: 20000},
				{Path: "packageUser/index.js", Package: "packageUser", Bytes: 52000},
				{Path: "活动页面/双十一/index.js", Package: "活动页面/双十一", Bytes: 1900000},
			},
			Diagnostics: []checks.Diagnostic{
				diag(checks.MP210, "分包购物车/pages/结算/结算.wxml", 4, "<image src=\"优惠券.png\"> resolves to no file", "检查路径 (check the path)"),
				diag(checks.MP304, "", 0, "活动页面/双十一 uses 91% of its limit", "move code to subpackages"),
			},
		}
	}
	return mk(300000), mk(364000)
}

// Chinese names keep the tables aligned: every row of a table is as wide
// (in terminal columns) as its header, and the golden files show it.
func TestTerminalWideNamesGolden(t *testing.T) {
	base, head := wideReports()
	c := compare.Compare(base, head)
	c.Project = "商城"
	c.SizeGate(compare.SizeRules{MaxGrowth: ptr(5.0)})
	res := compare.NewResult(c)
	res.BaseRev, res.HeadRev = "1111111aaaaaaa", "2222222bbbbbbb"
	res.Gates = append(res.Gates, checks.Gate{Name: "覆盖率", Rule: checks.GateCov, Status: checks.GatePass, Summary: "85.00%（最低 80%）"})
	res.Finish()

	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{"wide.txt", func(b *bytes.Buffer) error { return Terminal(b, head, TerminalOptions{Width: 80}) }},
		{"wide.narrow.txt", func(b *bytes.Buffer) error { return Terminal(b, head, TerminalOptions{Width: 71}) }},
		{"result/wide.txt", func(b *bytes.Buffer) error {
			return ResultTerminal(b, res, TerminalOptions{Width: 100, AllPackages: true})
		}},
		{"result/wide.folded.txt", func(b *bytes.Buffer) error {
			return ResultTerminal(b, res, TerminalOptions{Width: 100, AllPackagesHint: "--all-packages"})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			checkTableAlignment(t, b.String())
			if dir, file, ok := strings.Cut(tc.name, "/"); ok && dir == "result" {
				resultGolden(t, file, b.Bytes())
			} else {
				golden(t, tc.name, b.Bytes())
			}
		})
	}
}

// checkTableAlignment checks that the rows of the package table (from its
// PACKAGE header to its TOTAL row) end their limit column at the same
// terminal column as the header's: the figures are right-aligned, so a
// miscounted name shifts them.
func checkTableAlignment(t *testing.T, out string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	tables := 0
	defer func() {
		if tables == 0 {
			t.Errorf("no package table in:\n%s", out)
		}
	}()
	for i, l := range lines {
		if !strings.HasPrefix(l, "PACKAGE") {
			continue
		}
		tables++
		// The header's LIMIT column ends where every row's limit figure ends.
		end := width(l[:strings.Index(l, "LIMIT")+len("LIMIT")])
		rows := 0
		for _, row := range lines[i+1:] {
			if row == "" || strings.HasPrefix(row, "Sizes:") {
				break
			}
			if strings.HasPrefix(row, "  ") { // a file line under a package
				continue
			}
			// The cell that ends the LIMIT column: a figure with its unit.
			prefix := cutToWidth(row, end)
			if !strings.HasSuffix(prefix, "B") || width(prefix) != end {
				t.Errorf("row %q: the limit column does not end at column %d (got %q)", row, end, prefix)
			}
			rows++
			if strings.HasPrefix(row, "TOTAL") {
				break // the folded-packages and legend lines follow
			}
		}
		if rows == 0 {
			t.Errorf("no rows under the header %q", l)
		}
	}
}

// cutToWidth is the prefix of s that takes n columns.
func cutToWidth(s string, n int) string {
	head, _ := cutWidth(s, n)
	return head
}

func TestWidthHelpers(t *testing.T) {
	tests := []struct {
		s         string
		n         int
		width     int
		pad, trun string
	}{
		{"abc", 5, 3, "abc  ", "abc"},
		{"购物车", 8, 6, "购物车  ", "购物车"},
		{"购物车", 5, 6, "购物车", "购物…"},
		{"购物车", 4, 6, "购物车", "购…"},
		{"a购b", 4, 4, "a购b", "a购b"},
		{"ｶﾀｶﾅ", 4, 4, "ｶﾀｶﾅ", "ｶﾀｶﾅ"}, // halfwidth katakana: one column each
		{"Ｆｕｌｌ", 5, 8, "Ｆｕｌｌ", "Ｆｕ…"},
		{"é", 2, 1, "é ", "é"}, // e + combining acute
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			if got := width(tt.s); got != tt.width {
				t.Errorf("width = %d, want %d", got, tt.width)
			}
			if got := pad(tt.s, tt.n); got != tt.pad {
				t.Errorf("pad(%d) = %q, want %q", tt.n, got, tt.pad)
			}
			if got := truncate(tt.s, tt.n); got != tt.trun || width(got) > tt.n {
				t.Errorf("truncate(%d) = %q (width %d), want %q", tt.n, got, width(got), tt.trun)
			}
		})
	}
	for _, line := range wrap("购物车结算页面 加载 优惠券列表失败", 10) {
		if width(line) > 10 {
			t.Errorf("wrapped line %q is %d columns wide", line, width(line))
		}
	}
}
