package analyze

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
)

// baseApp is a small legal WeChat program: a main page, two normal
// subpackages (one declared with a trailing slash and a name) and an
// independent one.
const baseApp = `{
  "pages": ["pages/index/index"],
  "subPackages": [
    {"root": "packageA", "pages": ["pages/a/a"]},
    {"root": "packageB/", "name": "bee", "pages": ["pages/b/b"]},
    {"root": "./packageI", "pages": ["pages/i/i"], "independent": true}
  ]
}`

func page(stem, js, wxml, json string) map[string]string {
	return map[string]string{stem + ".js": js, stem + ".wxml": wxml, stem + ".json": json}
}

func program(extra ...map[string]string) map[string]string {
	files := map[string]string{"app.json": baseApp, "app.js": "App({})\n", "app.wxss": "page{}\n"}
	for _, m := range []map[string]string{
		page("pages/index/index", "Page({})\n", "<view/>\n", "{}"),
		page("packageA/pages/a/a", "Page({})\n", "<view/>\n", "{}"),
		page("packageB/pages/b/b", "Page({})\n", "<view/>\n", "{}"),
		page("packageI/pages/i/i", "Page({})\n", "<view/>\n", "{}"),
	} {
		maps.Copy(files, m)
	}
	for _, m := range extra {
		maps.Copy(files, m)
	}
	return files
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// at is an expected diagnostic: rule, file and line ("" and 0 match any).
type at struct {
	rule, file string
	line       int
}

func (a at) String() string { return fmt.Sprintf("%s %s:%d", a.rule, a.file, a.line) }

func found(ds []checks.Diagnostic, want at) bool {
	for _, d := range ds {
		if d.Rule == want.rule && (want.file == "" || d.File == want.file) && (want.line == 0 || d.Line == want.line) {
			return true
		}
	}
	return false
}

func dump(ds []checks.Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "  %s %s %s:%d:%d %s\n", d.Rule, d.Severity, d.File, d.Line, d.Column, d.Message)
	}
	return b.String()
}

func TestRules(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		limits checks.Limits
		want   []at
		// notWant lists rules that must not fire at all.
		notWant []string
	}{
		{
			name:    "legal program has no findings",
			files:   program(),
			notWant: everyRule(),
		},
		{
			name: "MP201 subpackage requires another subpackage synchronously",
			files: program(map[string]string{
				"packageA/pages/a/a.js": "// require('../../../packageB/utils/x.js') in a comment is not a use\nconst x = require('../../../packageB/utils/x.js')\nPage({})\n",
				"packageB/utils/x.js":   "module.exports = 1\n",
				"packageB/pages/b/b.js": "require('../../utils/x.js')\nPage({})\n",
			}),
			want:    []at{{checks.MP201, "packageA/pages/a/a.js", 2}},
			notWant: []string{checks.MP202, checks.MP210},
		},
		{
			name: "MP201 not for require with callback, require.async or import()",
			files: program(map[string]string{
				"packageA/pages/a/a.js": "require('../../../packageB/utils/x.js', m => {})\nrequire.async('../../../packageB/utils/x.js').then(m => m)\nimport('../../../packageB/utils/x.js')\nPage({})\n",
				"packageB/utils/x.js":   "module.exports = 1\n",
				"packageB/pages/b/b.js": "require('../../utils/x.js')\nPage({})\n",
			}),
			notWant: []string{checks.MP201, checks.MP210},
		},
		{
			name: "MP202 main package requires subpackage JS",
			files: program(map[string]string{
				"pages/index/index.js":  "const u = require('../../packageA/utils/u')\nPage({})\n",
				"packageA/utils/u.js":   "module.exports = {}\n",
				"packageA/pages/a/a.js": "require('../../utils/u.js')\nPage({})\n",
			}),
			want: []at{{checks.MP202, "pages/index/index.js", 1}},
		},
		{
			name: "MP203 independent subpackage uses a main-package util, a template and a style",
			files: program(map[string]string{
				"utils/util.js":           "module.exports = {}\n",
				"common/base.wxss":        ".a{}\n",
				"packageI/pages/i/i.js":   "const u = require('../../../utils/util.js')\nPage({})\n",
				"packageI/pages/i/i.wxss": "@import \"/common/base.wxss\";\n",
				"pages/index/index.js":    "require('../../utils/util.js')\nPage({})\n",
				"pages/index/index.wxss":  "@import \"../../common/base.wxss\";\n",
			}),
			want:    []at{{checks.MP203, "packageI/pages/i/i.js", 1}, {checks.MP203, "packageI/pages/i/i.wxss", 1}},
			notWant: []string{checks.MP205},
		},
		{
			name: "MP203 not for require.async from an independent subpackage",
			files: program(map[string]string{
				"utils/util.js":         "module.exports = {}\n",
				"packageI/pages/i/i.js": "require.async('../../../utils/util.js')\nPage({})\n",
				"pages/index/index.js":  "require('../../utils/util.js')\nPage({})\n",
			}),
			notWant: []string{checks.MP203},
		},
		{
			name: "MP204 component from a subpackage without placeholder",
			files: program(
				page("packageA/components/card/card", "Component({})\n", "<view/>\n", `{"component": true}`),
				map[string]string{
					"pages/index/index.json": "{\n  \"usingComponents\": {\n    \"card\": \"/packageA/components/card/card\"\n  }\n}",
					"pages/index/index.wxml": "<card/>\n",
				}),
			want: []at{{checks.MP204, "pages/index/index.json", 3}},
		},
		{
			name: "MP204 not with a componentPlaceholder",
			files: program(
				page("packageA/components/card/card", "Component({})\n", "<view/>\n", `{"component": true}`),
				map[string]string{
					"pages/index/index.json": `{"usingComponents": {"card": "../../packageA/components/card/card"}, "componentPlaceholder": {"card": "view"}}`,
					"pages/index/index.wxml": "<card/>\n",
				}),
			notWant: []string{checks.MP204, checks.MP211, checks.MP210},
		},
		{
			name: "MP205 template import from another subpackage, MP206 its image",
			files: program(map[string]string{
				"packageA/pages/a/a.wxml": "<import src=\"/packageB/tpl/t.wxml\"/>\n<image src=\"/packageB/img/x.png\"/>\n",
				"packageB/tpl/t.wxml":     "<template name=\"t\"><view/></template>\n",
				"packageB/img/x.png":      "\x89PNG",
				"packageB/pages/b/b.wxml": "<import src=\"../../tpl/t.wxml\"/><image src=\"../../img/x.png\"/>\n",
			}),
			want: []at{{checks.MP205, "packageA/pages/a/a.wxml", 1}, {checks.MP206, "packageA/pages/a/a.wxml", 2}},
		},
		{
			name: "MP205 not for a subpackage using the main package's template and image",
			files: program(map[string]string{
				"packageA/pages/a/a.wxml": "<import src=\"/tpl/t.wxml\"/>\n<image src=\"/img/x.png\"/>\n<wxs src=\"/wxs/f.wxs\" module=\"f\"/>\n",
				"tpl/t.wxml":              "<template name=\"t\"><view/></template>\n",
				"img/x.png":               "\x89PNG",
				"wxs/f.wxs":               "module.exports = {}\n",
			}),
			notWant: []string{checks.MP205, checks.MP206, checks.MP210},
		},
		{
			name: "MP207 App() outside app.js, MP208 getApp() in independent",
			files: program(map[string]string{
				"packageA/pages/a/a.js": "App({})\nPage({})\n",
				"packageI/pages/i/i.js": "const app = getApp()\nconst ok = getApp({allowDefault: true})\nPage({})\n",
			}),
			want: []at{{checks.MP207, "packageA/pages/a/a.js", 1}, {checks.MP208, "packageI/pages/i/i.js", 1}},
		},
		{
			name: "MP210 missing file, MP212 dynamic path",
			files: program(map[string]string{
				"pages/index/index.js": "const name = 'x'\nrequire('./missing')\nrequire('./' + name)\nPage({})\n",
			}),
			want: []at{{checks.MP210, "pages/index/index.js", 2}, {checks.MP212, "pages/index/index.js", 3}},
		},
		{
			name: "MP211 placeholder for an undeclared tag",
			files: program(map[string]string{
				"pages/index/index.json": "{\"componentPlaceholder\": {\"nothere\": \"view\"}}",
			}),
			want: []at{{checks.MP211, "pages/index/index.json", 1}},
		},
		{
			name:   "MP301 package over its limit, MP302 total",
			files:  program(map[string]string{"packageA/big.png": strings.Repeat("x", 3000), "pages/index/index.wxml": "<image src=\"/packageA/big.png\"/>"}),
			limits: checks.Limits{Package: 2000, Total: 2500},
			want:   []at{{checks.MP301, "app.json", 4}, {checks.MP302, "app.json", 0}, {checks.MP206, "pages/index/index.wxml", 1}},
		},
		{
			name:    "MP304 package over the warning share",
			files:   program(map[string]string{"packageA/big.png": strings.Repeat("x", 950)}),
			limits:  checks.Limits{Package: 1000, MainPackage: 100000, Warn: 90},
			want:    []at{{checks.MP304, "app.json", 4}},
			notWant: []string{checks.MP301},
		},
		{
			name: "MP303 preload budget, by name and by root",
			files: program(map[string]string{
				"app.json": `{"pages": ["pages/index/index"], "subPackages": [
  {"root": "packageA", "pages": ["pages/a/a"]},
  {"root": "packageB/", "name": "bee", "pages": ["pages/b/b"]},
  {"root": "./packageI", "pages": ["pages/i/i"], "independent": true}],
 "preloadRule": {"pages/index/index": {"packages": ["bee", "packageA/"]}}}`,
				"packageA/big.png": strings.Repeat("x", 600),
				"packageB/big.png": strings.Repeat("x", 600),
			}),
			limits:  checks.Limits{Preload: 1000},
			want:    []at{{checks.MP303, "app.json", 0}},
			notWant: []string{checks.MP108, checks.MP107},
		},
		{
			name: "MP305 unused file, MP307 main util used by one subpackage",
			files: program(map[string]string{
				"utils/unused.js":       "module.exports = 1\n",
				"utils/onlyA.js":        "module.exports = require('./helper.js')\n",
				"utils/helper.js":       "module.exports = 2\n",
				"packageA/pages/a/a.js": "require('../../../utils/onlyA.js')\nPage({})\n",
			}),
			// MP307 is one finding for packageA, at its first file.
			want:    []at{{checks.MP305, "utils/unused.js", 0}, {checks.MP307, "utils/helper.js", 0}},
			notWant: []string{checks.MP210},
		},
		{
			name: "MP307 not for a main util also used through a main-package component",
			files: program(
				page("components/c/c", "require('../../utils/u.js')\nComponent({})\n", "<view/>\n", `{"component": true}`),
				map[string]string{
					"pages/index/index.json": `{"usingComponents": {"c": "/components/c/c"}}`,
					"utils/u.js":             "module.exports = 1\n",
					"packageA/pages/a/a.js":  "require('../../../utils/u.js')\nPage({})\n",
				}),
			notWant: []string{checks.MP307, checks.MP305},
		},
		{
			name: "MP306 identical files in two packages",
			files: program(map[string]string{
				"packageA/img/logo.png": strings.Repeat("logo", 200),
				"packageB/img/logo.png": strings.Repeat("logo", 200),
				"packageA/img/dot.png":  "tiny",
				"packageB/img/dot.png":  "tiny",
			}),
			want: []at{{checks.MP306, "packageA/img/logo.png", 0}},
		},
		{
			name: "MP306 not for tiny copies nor for pages",
			files: program(map[string]string{
				"packageA/img/dot.png":    "tiny",
				"packageB/img/dot.png":    "tiny",
				"packageA/pages/a/a.wxml": strings.Repeat("<view/>", 100),
				"packageB/pages/b/b.wxml": strings.Repeat("<view/>", 100),
			}),
			notWant: []string{checks.MP306},
		},
		{
			name:  "MP101 invalid app.json keeps a report",
			files: map[string]string{"app.json": "{\n  \"pages\": [\"a\",]\n}", "a.js": "", "a.wxml": ""},
			want:  []at{{checks.MP101, "app.json", 2}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			rep, err := Run(context.Background(), dir, Options{Limits: tc.limits, Platform: "wechat"})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			for _, w := range tc.want {
				if !found(rep.Diagnostics, w) {
					t.Errorf("missing %v; got:\n%s", w, dump(rep.Diagnostics))
				}
			}
			for _, r := range tc.notWant {
				if found(rep.Diagnostics, at{rule: r}) {
					t.Errorf("unexpected %s; got:\n%s", r, dump(rep.Diagnostics))
				}
			}
			for _, d := range rep.Diagnostics {
				if d.Message == "" || (d.Severity != checks.SeverityInfo && d.Hint == "") {
					t.Errorf("diagnostic without message or hint: %+v", d)
				}
			}
		})
	}
}

func everyRule() []string {
	var out []string
	for _, r := range checks.Catalog {
		out = append(out, r.ID)
	}
	return slices.Clip(out)
}
