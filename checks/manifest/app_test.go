package manifest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/platform"
)

func plat(t testing.TB, id platform.ID) *platform.Platform {
	t.Helper()
	p, ok := platform.Get(id)
	if !ok {
		t.Fatalf("no platform %s", id)
	}
	return p
}

// rules lists the diagnostics as "RULE line:col", sorted.
func rules(ds []checks.Diagnostic) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s %d:%d", d.Rule, d.Line, d.Column))
	}
	slices.Sort(out)
	return out
}

func ruleIDs(ds []checks.Diagnostic) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.Rule)
	}
	slices.Sort(out)
	return out
}

func TestParseAppRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    platform.ID
		src  string
		want []string // rule IDs, sorted; nil = none
	}{
		{"clean wechat", platform.WeChat, `{"pages":["pages/index/index"],"subPackages":[{"root":"packageA/","name":"a","pages":["pages/cat"]}],
			"preloadRule":{"pages/index/index":{"packages":["packageA","a","./packageA/","__APP__"],"network":"all"}},
			"tabBar":{"list":[{"pagePath":"pages/index/index"}]},"entryPagePath":"packageA/pages/cat"}`, nil},
		{"lower-case subpackages accepted on wechat", platform.WeChat, `{"pages":["a"],"subpackages":[{"root":"s","pages":["p"]}]}`, nil},
		{"both spellings", platform.WeChat, `{"pages":["a"],"subpackages":[{"root":"s","pages":["p"]}],"subPackages":[{"root":"t","pages":["p"]}]}`, []string{"MP111"}},
		{"misspelled subpackage key", platform.WeChat, `{"pages":["a"],"subpackage":[]}`, []string{"MP111"}},
		{"subPackage singular", platform.WeChat, `{"pages":["a"],"subPackage":[]}`, []string{"MP111"}},
		{"sub_packages", platform.Douyin, `{"pages":["a"],"sub_packages":[]}`, []string{"MP111"}},
		{"alipay Subpackages", platform.Alipay, `{"pages":["a"],"Subpackages":[]}`, []string{"MP111"}},
		{"baidu subpackages", platform.Baidu, `{"pages":["a"],"subpackages":[]}`, []string{"MP111"}},
		{"SubPackages wrong case", platform.WeChat, `{"pages":["a"],"SubPackages":[]}`, []string{"MP111"}},
		{"alipay lower-case subpackages ignored", platform.Alipay, `{"pages":["a"],"subpackages":[{"root":"s","pages":["p"]}]}`, []string{"MP111"}},
		{"alipay subPackages", platform.Alipay, `{"pages":["a"],"subPackages":[{"root":"s","pages":["p"]}],"tabBar":{"items":[{"pagePath":"a"}]}}`, nil},
		{"alipay tabBar list", platform.Alipay, `{"pages":["a"],"tabBar":{"list":[{"pagePath":"zzz"}]}}`, []string{"MP111"}},
		{"unknown key with suggestion", platform.WeChat, `{"pages":["a"],"windows":{}}`, []string{"MP111"}},
		{"short key one edit away", platform.WeChat, `{"pages":["a"],"debu":true}`, []string{"MP111"}},
		{"unknown key", platform.WeChat, `{"pages":["a"],"fooBarBaz":1}`, []string{"MP111"}},
		{"douyin own keys", platform.Douyin, `{"pages":["a"],"cookie":{},"skeleton":{},"component2":true}`, nil},
		{"duplicate key", platform.WeChat, `{"pages":["a"],"pages":["b"]}`, []string{"MP111"}},
		{"no pages", platform.WeChat, `{}`, []string{"MP101"}},
		{"pages empty", platform.WeChat, `{"pages":[]}`, []string{"MP101"}},
		{"pages wrong type", platform.WeChat, `{"pages":"a"}`, []string{"MP101"}},
		{"page twice in pages", platform.WeChat, `{"pages":["a","a"]}`, []string{"MP103"}},
		{"page twice in sub", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s","pages":["p","p"]}]}`, []string{"MP103"}},
		{"page in main and sub", platform.WeChat, `{"pages":["a","s/p"],"subPackages":[{"root":"s","pages":["p"]}]}`, []string{"MP103"}},
		{"root twice normalised", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s/","pages":["p"]},{"root":"./s","pages":["q"]}]}`, []string{"MP103"}},
		{"name twice", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s","name":"n","pages":["p"]},{"root":"t","name":"n","pages":["q"]}]}`, []string{"MP103"}},
		{"name __APP__", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s","name":"__APP__","pages":["p"]}]}`, []string{"MP103"}},
		{"root __APP__", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"__APP__/","pages":["p"]}]}`, []string{"MP103"}},
		{"root inside root", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s","pages":["p"]},{"root":"s/t/","pages":["q"]}]}`, []string{"MP104"}},
		{"sibling prefix is not nesting", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"sub","pages":["p"]},{"root":"subB","pages":["q"]}]}`, nil},
		{"root is the program root", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"./","pages":["p"]}]}`, []string{"MP104"}},
		{"main page under a root", platform.WeChat, `{"pages":["s/other"],"subPackages":[{"root":"s","pages":["p"]}]}`, []string{"MP105"}},
		{"tabBar page in sub", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s","pages":["p"]}],"tabBar":{"list":[{"pagePath":"s/p"}]}}`, []string{"MP106"}},
		{"tabBar page undeclared", platform.WeChat, `{"pages":["a"],"tabBar":{"list":[{"pagePath":"b"}]}}`, []string{"MP106"}},
		{"tabBar page with slash is not the page (miniprogram-ci compares exactly)", platform.WeChat, `{"pages":["a"],"tabBar":{"list":[{"pagePath":"/a"}]}}`, []string{"MP106"}},
		{"preload key with slash", platform.WeChat, `{"pages":["a"],"preloadRule":{"/a":{"packages":["__APP__"]}}}`, []string{"MP107"}},
		{"sub page path joined and cleaned", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s/","pages":["./p"]}],"entryPagePath":"s/p"}`, nil},
		{"preload key undeclared", platform.WeChat, `{"pages":["a"],"preloadRule":{"b":{"packages":["__APP__"]}}}`, []string{"MP107"}},
		{"preload key in sub", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s","pages":["p"]}],"preloadRule":{"s/p":{"packages":["__APP__"]}}}`, nil},
		{"preload package unknown", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s","pages":["p"]}],"preloadRule":{"a":{"packages":["t"]}}}`, []string{"MP108"}},
		{"preload without packages", platform.WeChat, `{"pages":["a"],"preloadRule":{"a":{"network":"all"}}}`, []string{"MP108"}},
		{"douyin preload must match exactly", platform.Douyin, `{"pages":["a"],"subpackages":[{"root":"s/","pages":["p"]}],"preloadRule":{"a":{"packages":["s"]}}}`, []string{"MP108"}},
		{"douyin preload exact root", platform.Douyin, `{"pages":["a"],"subpackages":[{"root":"s/","pages":["p"]}],"preloadRule":{"a":{"packages":["s/","__APP__"]}}}`, nil},
		{"qq preload needs name", platform.QQ, `{"pages":["a"],"subpackages":[{"root":"s","pages":["p"]}],"preloadRule":{"a":{"packages":["s"]}}}`, []string{"MP108"}},
		{"qq preload by name", platform.QQ, `{"pages":["a"],"subpackages":[{"root":"s","name":"n","pages":["p"]}],"preloadRule":{"a":{"packages":["n","s"]}}}`, nil},
		{"entryPagePath undeclared", platform.WeChat, `{"pages":["a"],"entryPagePath":"b"}`, []string{"MP109"}},
		{"no pages key in sub", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s","pages":[]},{"root":"t"}]}`, []string{"MP110"}},
		// A subpackage of async components or JS only: miniprogram-ci 2.1.42 packs it.
		{"empty pages list in sub", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s","pages":[]}]}`, nil},
		{"empty pages list in qq sub", platform.QQ, `{"pages":["a"],"subpackages":[{"root":"s","pages":[]}]}`, nil},
		{"pages of the wrong type in sub", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s","pages":"p"}]}`, []string{"MP101", "MP110"}},
		{"douyin common sub without pages", platform.Douyin, `{"pages":["a"],"subpackages":[{"root":"s","common":true}]}`, nil},
		{"douyin normal sub without pages", platform.Douyin, `{"pages":["a"],"subpackages":[{"root":"s"}]}`, []string{"MP110"}},
		{"common is douyin only", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s","common":true,"pages":["p"]}]}`, []string{"MP111"}},
		{"subpackage item misspelled", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s","page":["p"]}]}`, []string{"MP110", "MP111"}},
		{"subpackage without root", platform.WeChat, `{"pages":["a"],"subPackages":[{"pages":["p"]}]}`, []string{"MP101"}},
		{"plugins in independent", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s","independent":true,"pages":["p"],"plugins":{"x":{"provider":"wx1","version":"1.0.0"}}}]}`, []string{"MP209"}},
		{"plugins in normal sub", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"s","pages":["p"],"plugins":{"x":{"provider":"wx1","version":"1.0.0"}}}]}`, nil},
		{"alias must end with /*", platform.WeChat, `{"pages":["a"],"resolveAlias":{"@u":"utils/","@v/*":"v/*"}}`, []string{"MP111"}},
		{"alias target with ./", platform.WeChat, `{"pages":["a"],"resolveAlias":{"@u/*":"./utils/*"}}`, []string{"MP111"}},
		{"alias with //", platform.WeChat, `{"pages":["a"],"resolveAlias":{"@u//*":"utils/*"}}`, []string{"MP111"}},
		{"alias root", platform.WeChat, `{"pages":["a"],"resolveAlias":{"~/*":"/*"}}`, nil},
		{"workers wrong type", platform.WeChat, `{"pages":["a"],"workers":["w.js"]}`, []string{"MP101"}},
		{"alipay workers list", platform.Alipay, `{"pages":["a"],"workers":["w.js"]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, ds := ParseApp([]byte(tt.src), "app.json", plat(t, tt.p))
			if app == nil {
				t.Fatalf("ParseApp returned nil App; diagnostics %v", ds)
			}
			if got := ruleIDs(ds); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("rules = %v, want %v", got, tt.want)
				for _, d := range ds {
					t.Logf("  %s %d:%d %s (%s)", d.Rule, d.Line, d.Column, d.Message, d.Hint)
				}
			}
			for _, d := range ds {
				if d.File != "app.json" || d.Line < 1 || d.Column < 1 || d.Message == "" || d.Hint == "" {
					t.Errorf("incomplete diagnostic %+v", d)
				}
			}
		})
	}
}

func TestParseAppFields(t *testing.T) {
	src := `{
  "pages": ["pages/index/index", "pages/logs/logs"],
  "entryPagePath": "pages/logs/logs",
  "subpackages": [
    {"root": "./packageA/", "name": "pa", "pages": ["cat/cat"], "independent": true, "entry": "index.js",
     "plugins": {"p": {"provider": "wxabc", "version": "1.2.3"}}, "useExtendedLib": {"weui": true}}
  ],
  "preloadRule": {"pages/index/index": {"network": "all", "packages": ["pa"]}},
  "tabBar": {"list": [{"pagePath": "pages/index/index"}, {"pagePath": "pages/logs/logs"}]},
  "usingComponents": {"my-btn": "/components/btn/btn"},
  "componentPlaceholder": {"my-btn": "view"},
  "plugins": {"q": {"provider": "wxdef", "version": "dev-1"}},
  "workers": {"path": "workers", "isSubpackage": true},
  "resolveAlias": {"@utils/*": "utils/*"},
  "useExtendedLib": {"weui": true, "kbone": false},
  "sitemapLocation": "sitemap.json",
  "themeLocation": "theme.json",
  "lazyCodeLoading": "requiredComponents"
}`
	app, ds := ParseApp([]byte(src), "app.json", plat(t, platform.WeChat))
	// The independent subpackage declares plugins: MP209 is the one warning.
	if app == nil || !slices.Equal(rules(ds), []string{"MP209 6:18"}) {
		t.Fatalf("app %v, diagnostics %v", app, rules(ds))
	}
	check := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("pages", values(app.Pages), []string{"pages/index/index", "pages/logs/logs"})
	check("pages[1] pos", app.Pages[1].Pos, Pos{2, 34})
	check("entry", app.EntryPagePath.Value, "pages/logs/logs")
	check("key", app.SubpackagesKey, "subpackages")
	sp := app.Subpackages[0]
	check("root", sp.Root.Value, "packageA")
	check("raw root", sp.RawRoot, "./packageA/")
	check("root pos", sp.Root.Pos, Pos{5, 14})
	check("name", sp.Name.Value, "pa")
	check("page", sp.Page(0), "packageA/cat/cat")
	check("independent", sp.Independent, true)
	check("entry", sp.Entry.Value, "index.js")
	check("sub plugins", sp.Plugins[0].Provider+"@"+sp.Plugins[0].Version, "wxabc@1.2.3")
	check("sub extlib", sp.UseExtendedLib, []string{"weui"})
	check("preload", app.Preload[0].Page.Value+" "+app.Preload[0].Network+" "+app.Preload[0].Packages[0].Value, "pages/index/index all pa")
	check("tabBar", values(app.TabBarPages), []string{"pages/index/index", "pages/logs/logs"})
	check("components", app.UsingComponents[0].Tag.Value+"="+app.UsingComponents[0].Path.Value, "my-btn=/components/btn/btn")
	check("placeholder", app.ComponentPlaceholder[0].Placeholder.Value, "view")
	check("plugins", app.Plugins[0].Alias.Value, "q")
	check("workers", fmt.Sprintf("%s %v", app.Workers.Path.Value, app.Workers.IsSubpackage), "workers true")
	check("alias", app.ResolveAlias[0].From.Value+"->"+app.ResolveAlias[0].To, "@utils/*->utils/*")
	check("extlib", app.UseExtendedLib, []string{"weui"})
	check("sitemap", app.SitemapLocation.Value, "sitemap.json")
	check("theme", app.ThemeLocation.Value, "theme.json")
	check("lazy", app.LazyCodeLoading, "requiredComponents")
	if len(app.Keys) != 14 || app.Keys[0].Value != "pages" {
		t.Errorf("keys = %v", app.Keys)
	}
	if app.Tree.Get("pages") == nil {
		t.Error("Tree not kept")
	}
}

func TestParseAppPlatformsFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    platform.ID
		src  string
		tabs int
		subs int
	}{
		{platform.Alipay, `{"pages":["a"],"subPackages":[{"root":"s","pages":["p"]}],"tabBar":{"items":[{"pagePath":"a"}]},"subPackageBuildType":"shared"}`, 1, 1},
		{platform.Douyin, `{"pages":["a"],"subPackages":[{"root":"s","pages":["p"]},{"root":"c","common":true}],"tabBar":{"list":[{"pagePath":"a"}]}}`, 1, 2},
		{platform.QQ, `{"pages":["a"],"subpackages":[{"root":"s","name":"n","pages":["p"]}],"tabBar":{"list":[{"pagePath":"a"}]}}`, 1, 1},
		{platform.Baidu, `{"pages":["a"],"subPackages":[{"root":"s","name":"n","pages":["p"],"independent":true}],"tabBar":{"list":[{"pagePath":"a"}]},"routes":[]}`, 1, 1},
	}
	for _, tt := range tests {
		t.Run(string(tt.p), func(t *testing.T) {
			t.Parallel()
			app, ds := ParseApp([]byte(tt.src), "app.json", plat(t, tt.p))
			if app == nil || len(ds) != 0 {
				t.Fatalf("diagnostics %v", rules(ds))
			}
			if len(app.TabBarPages) != tt.tabs || len(app.Subpackages) != tt.subs {
				t.Errorf("tabs %d subs %d", len(app.TabBarPages), len(app.Subpackages))
			}
		})
	}
	app, _ := ParseApp([]byte(tests[1].src), "app.json", plat(t, platform.Douyin))
	if !app.Subpackages[1].Common {
		t.Error("Douyin common not read")
	}
	app, _ = ParseApp([]byte(tests[0].src), "app.json", plat(t, platform.Alipay))
	if app.SubPackageBuildType != "shared" {
		t.Error("subPackageBuildType not read")
	}
}

func TestParseAppPositions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"syntax error position", "{\n  \"pages\": [\n    \"a\"\n    \"b\"\n  ]\n}", []string{"MP101 4:5"}},
		{"trailing comma", "{\"pages\": [\"a\",]}", []string{"MP101 1:15"}},
		{"trailing comma in object", "{\"pages\": [\"a\"],\n}", []string{"MP101 1:16"}},
		{"leading comma", "{\"pages\": [,\"a\"]}", []string{"MP101 1:12"}},
		{"comment", "{\n// pages\n}", []string{"MP101 2:1"}},
		{"single quotes", "{'pages': []}", []string{"MP101 1:2"}},
		{"empty", "", []string{"MP101 1:1"}},
		{"only spaces", "  \n ", []string{"MP101 2:2"}},
		{"BOM", "\xef\xbb\xbf{\"pages\":[\"a\"]}", []string{"MP101 1:1"}},
		{"not UTF-8", "{\"pages\":[\"a\xc3\x28\"]}", []string{"MP101 1:13"}},
		{"control character", "{\"pages\":[\"a\tb\"]}", []string{"MP101 1:13"}},
		{"NUL byte", "{\"pages\":\x00}", []string{"MP101 1:10"}},
		{"array at top", `["a"]`, []string{"MP101 1:1"}},
		{"unterminated string", `{"pages":["a`, []string{"MP101 1:11"}},
		{"unterminated array", `{"pages":["a"`, []string{"MP101 1:14"}},
		{"bad number", `{"pages":[01]}`, []string{"MP101 1:12"}},
		{"bad literal", `{"pages":[tru]}`, []string{"MP101 1:11"}},
		{"two values", `{} {}`, []string{"MP101 1:4"}},
		{"missing colon", "{\"pages\" [\"a\"]}", []string{"MP101 1:10"}},
		{"unquoted key", "{pages: []}", []string{"MP101 1:2"}},
		{"CRLF lines", "{\r\n\"pages\": [\r\n1]}", []string{"MP101 3:1"}},
		{"multibyte column in bytes", "{\"pages\":[\"页\"], \"x\": }", []string{"MP101 1:24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, ds := ParseApp([]byte(tt.src), "app.json", plat(t, platform.WeChat))
			got := rules(ds)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
				for _, d := range ds {
					t.Logf("  %s", d.Message)
				}
			}
			if got[0] == "MP101 1:1" && tt.name != "array at top" && app != nil {
				t.Error("App returned for invalid JSON")
			}
			for _, d := range ds {
				if !strings.HasPrefix(d.Message, "invalid JSON") && !strings.Contains(d.Message, "must") {
					t.Errorf("message %q does not say what is wrong", d.Message)
				}
			}
		})
	}
}

func TestParseAppNilPlatformIsWeChat(t *testing.T) {
	app, ds := ParseApp([]byte(`{"pages":["a"],"subPackages":[{"root":"s","pages":["p"]}]}`), "app.json", nil)
	if app == nil || len(ds) != 0 || len(app.Subpackages) != 1 {
		t.Fatalf("app %v diagnostics %v", app, rules(ds))
	}
}

func TestNormalizeRoot(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"packageA": "packageA", "packageA/": "packageA", "./packageA": "packageA", "/packageA/": "packageA",
		"././a//": "a", "./": "", "/": "", ".": "", `a\b\`: "a/b", "pages/goods/": "pages/goods",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			if got := NormalizeRoot(in); got != want {
				t.Errorf("NormalizeRoot(%q) = %q, want %q", in, got, want)
			}
		})
	}
}
