package htmlreport_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/analyze"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/htmlreport"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const mb = 1 << 20

func ptr[T any](v T) *T { return &v }

// grownResult is a judged request: the main package grew past its warning share, a subpackage with
// Chinese names grew, one came and one went; MP306 and MP307 offer savings; findings new, existing, fixed.
func grownResult() *compare.Result {
	limits := checks.Limits{Package: 2 * mb, MainPackage: 2 * mb, Total: 20 * mb, Warn: 90}
	pk := func(name, kind string, bytes int64) checks.Package {
		root := name + "/"
		if kind == checks.KindMain {
			root = ""
		}
		return checks.Package{Name: name, Root: root, Kind: kind, Bytes: bytes, UploadBytes: bytes, Limit: 2 * mb}
	}
	f := func(p, pkg string, n int64) checks.File {
		return checks.File{Path: p, Package: pkg, Bytes: n, UploadBytes: n, Used: true}
	}
	d := func(id, file string, line int, msg string, bytes int64) checks.Diagnostic {
		x := checks.New(id, file, line, 0, msg, "")
		x.Bytes = bytes
		return x
	}
	base := &checks.Report{Schema: checks.Schema, Platform: "wechat", Project: "shop", SizeBasis: checks.BasisUploadBytes, Limits: limits,
		Packages: []checks.Package{pk(checks.MainPackage, checks.KindMain, 1800000), pk("分包/订单", checks.KindSubpackage, 400000), pk("packageOld", checks.KindSubpackage, 30000)},
		Files: []checks.File{
			f("app.js", checks.MainPackage, 1000000), f("images/banner.png", checks.MainPackage, 700000), f("utils/format.js", checks.MainPackage, 100000),
			f("分包/订单/pages/列表/列表.js", "分包/订单", 300000), f("分包/订单/utils/big.js", "分包/订单", 100000),
			f("packageOld/index.js", "packageOld", 30000),
		},
		Diagnostics: []checks.Diagnostic{
			d(checks.MP305, "images/old.png", 0, "images/old.png is reachable from nothing", 0),
			d(checks.MP111, "app.json", 2, `unknown key "windoww"`, 0),
		},
	}
	head := &checks.Report{Schema: checks.Schema, Platform: "wechat", Project: "shop", SizeBasis: checks.BasisUploadBytes, Limits: limits,
		Packages: []checks.Package{pk(checks.MainPackage, checks.KindMain, 1960000), pk("分包/订单", checks.KindSubpackage, 428800), pk("packageNew", checks.KindSubpackage, 64000)},
		Files: []checks.File{
			f("app.js", checks.MainPackage, 1150000), f("images/banner.png", checks.MainPackage, 700000), f("utils/format.js", checks.MainPackage, 90000),
			f("components/卡片/卡片.wxss", checks.MainPackage, 20000),
			f("分包/订单/pages/列表/列表.js", "分包/订单", 328800), f("分包/订单/utils/big.js", "分包/订单", 100000),
			f("packageNew/index.js", "packageNew", 64000),
		},
		Diagnostics: []checks.Diagnostic{
			d(checks.MP201, "分包/订单/pages/列表/列表.js", 3, "分包/订单 requires packageNew/index.js synchronously", 0),
			d(checks.MP306, "分包/订单/utils/big.js", 0, "分包/订单/utils/big.js is identical to packageNew/big.js", 100000),
			d(checks.MP307, "utils/format.js", 0, "utils/format.js is used by 分包/订单 only", 90000),
			d(checks.MP111, "app.json", 2, `unknown key "windoww"`, 0),
		},
	}
	c := compare.Compare(base, head)
	c.BaseRev, c.HeadRev = "1111111aaaaaaa", "2222222bbbbbbb"
	c.PathPrefix = "miniprogram/"
	c.SizeGate(compare.SizeRules{MaxGrowth: ptr(5.0)})
	res := compare.NewResult(c)
	res.BaseRev, res.HeadRev = c.BaseRev, c.HeadRev
	res.Finish()
	return res
}

// shopResult is a check without a base of the bundled example, analysed for real.
func shopResult(t testing.TB) *compare.Result {
	t.Helper()
	r, err := analyze.Run(t.Context(), filepath.Join("..", "..", "examples", "shop"), analyze.Options{IncludeFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	return compare.NewHeadOnly([]*checks.Report{r}, []string{"examples/shop"})
}

func render(t testing.TB, res *compare.Result, o htmlreport.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := htmlreport.Write(&buf, res, o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
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
		t.Errorf("%s differs from the golden file; run go test ./checks/htmlreport -update and review the diff", name)
	}
}

func TestGolden(t *testing.T) {
	grown := render(t, grownResult(), htmlreport.Options{FileURL: "https://github.com/o/r/blob/2222222bbbbbbb/"})
	golden(t, "grown.html", grown)
	golden(t, "shop.html", render(t, shopResult(t), htmlreport.Options{}))
	if again := render(t, grownResult(), htmlreport.Options{FileURL: "https://github.com/o/r/blob/2222222bbbbbbb/"}); !bytes.Equal(again, grown) {
		t.Errorf("two renderings of the same result differ")
	}
}

func TestContent(t *testing.T) {
	got := string(render(t, grownResult(), htmlreport.Options{FileURL: "https://github.com/o/r/blob/2222222bbbbbbb/"}))
	for _, want := range []string{
		// findings linked to the forge's file at the head, with the line
		`<a href="https://github.com/o/r/blob/2222222bbbbbbb/miniprogram/%E5%88%86%E5%8C%85/%E8%AE%A2%E5%8D%95/pages/%E5%88%97%E8%A1%A8/%E5%88%97%E8%A1%A8.js#L3">分包/订单/pages/列表/列表.js:3</a>`,
		// budget bars: the main package at 93.5% is in its warning share
		`<span class="warn" style="width:93.5%">`,
		// savings of MP306 + MP307
		`Up to <strong>185.5 KB</strong>`,
		// growth colours: app.js grew, packageNew is new, format.js shrank
		`fill="#f0a040" data-bytes="64000" data-path="packageNew/index.js"`,
		`fill="#a5d6a7" data-bytes="90000" data-path="utils/format.js"`,
		// the diff table
		`<td class="path">packageOld</td><td>removed</td>`,
		`<td class="n grew">&#43;156.2 KB</td>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	for _, bad := range []string{"http://", "https://fonts", "<script src", "<link "} {
		if bad == "http://" {
			if strings.Contains(strings.ReplaceAll(got, "http://www.w3.org", ""), bad) {
				t.Errorf("report refers to the network: %q", bad)
			}
			continue
		}
		if strings.Contains(got, bad) {
			t.Errorf("report refers to the network: %q", bad)
		}
	}
	// Without FileURL, links are the repository paths, relative.
	rel := string(render(t, grownResult(), htmlreport.Options{}))
	if !strings.Contains(rel, `<a href="./miniprogram/app.json#L2">app.json:2</a>`) {
		t.Errorf("relative link to app.json:2 missing")
	}
}

func TestHostileNames(t *testing.T) {
	res := grownResult()
	h := res.Projects[0].Head
	h.Files = append(h.Files, checks.File{Path: `x/<script>alert(1)</script>.js`, Package: checks.MainPackage, Bytes: 5000, UploadBytes: 5000})
	h.Diagnostics = append(h.Diagnostics, checks.New(checks.MP111, `"><img src=x onerror=alert(1)>`, 1, 0, "<b>bold</b>", ""))
	got := string(render(t, res, htmlreport.Options{FileURL: "javascript:alert(1)//"}))
	for _, bad := range []string{"<script>alert", "<img src=x", "<b>bold", `href="javascript:`} {
		if strings.Contains(got, bad) {
			t.Errorf("unescaped %q in the report", bad)
		}
	}
}

func TestFileURL(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		sha  string
		want string
	}{
		{"github", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r"}, "abc", "https://github.com/o/r/blob/abc/"},
		{"gitlab", map[string]string{"GITLAB_CI": "true", "CI_PROJECT_URL": "https://gitlab.example.com/g/p"}, "abc", "https://gitlab.example.com/g/p/-/blob/abc/"},
		{"no sha", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r"}, "", ""},
		{"not CI", map[string]string{"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r"}, "abc", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := htmlreport.FileURL(func(k string) string { return tc.env[k] }, tc.sha); got != tc.want {
				t.Errorf("FileURL = %q, want %q", got, tc.want)
			}
		})
	}
}
