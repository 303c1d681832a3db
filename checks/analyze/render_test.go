package analyze

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/platform"
)

// TestRenderedPaths covers references whose meaning depends on where they are
// rendered or loaded (issue 7, items 1c, 1d, 1e and 5): each class has its
// fixture that was a false finding before, and its true variant that still
// fires.
func TestRenderedPaths(t *testing.T) {
	with := func(m ...map[string]string) map[string]string {
		out := map[string]string{}
		for _, x := range m {
			maps.Copy(out, x)
		}
		return out
	}
	deepApp := `{"pages": ["pages/index/index", "pages/a/deep/deep"],
  "subPackages": [{"root": "packageA", "pages": ["pages/a/a"]}, {"root": "packageB", "pages": ["pages/b/b"]}]}`
	deep := func(extra map[string]string) map[string]string {
		return program(map[string]string{"app.json": deepApp},
			page("pages/a/deep/deep", "Page({})\n", "<view/>\n", "{}"), extra)
	}
	tests := []struct {
		name     string
		platform string
		files    map[string]string
		want     []at
		notWant  []string
		// severity, when set, is the severity every wanted finding must have.
		severity checks.Severity
		// count, when set, is how many findings of a rule there must be.
		count map[string]int
	}{
		{
			name: "1c template image relative to the page that imports it",
			files: deep(map[string]string{
				"pages/index/index.wxml":   "<import src=\"../../templates/tpl.wxml\"/>\n<template is=\"t\"/>\n",
				"pages/a/deep/deep.wxml":   "<import src=\"../../../templates/tpl.wxml\"/>\n<template is=\"t\"/>\n",
				"templates/tpl.wxml":       "<template name=\"t\">\n<image src=\"img/p.png\"/>\n<image src=\"/templates/abs.png\"/>\n</template>\n",
				"pages/index/img/p.png":    "png",
				"templates/abs.png":        "png",
				"pages/a/deep/deep.js":     "Page({})\n",
				"pages/a/deep/deep.json":   "{}",
				"pages/index/index.js":     "Page({})\n",
				"pages/index/index.json":   "{}",
				"templates/unrelated.wxml": "<view/>\n",
			}),
			notWant: []string{checks.MP210, checks.MP206},
		},
		{
			name: "1c include chain resolves against the page at its end",
			files: deep(map[string]string{
				"pages/a/deep/deep.wxml":   "<include src=\"/common/outer.wxml\"/>\n",
				"common/outer.wxml":        "<include src=\"inner/inner.wxml\"/>\n",
				"common/inner/inner.wxml":  "<image src=\"../icons/i.png\"/>\n",
				"pages/a/icons/i.png":      "png",
				"common/inner/icons/i.png": "not this one",
			}),
			notWant: []string{checks.MP210},
		},
		{
			name: "1c true variant: a path that names a file only next to the template",
			files: deep(map[string]string{
				"pages/index/index.wxml":  "<import src=\"../../templates/tpl.wxml\"/>\n",
				"templates/tpl.wxml":      "<template name=\"t\">\n<image src=\"img/t.png\"/>\n<image src=\"/nowhere.png\"/>\n</template>\n",
				"templates/img/t.png":     "png",
				"templates/orphan.wxml":   "<image src=\"./missing.png\"/>\n",
				"templates/orphanok.wxml": "<image src=\"img/t.png\"/>\n",
			}),
			want: []at{{checks.MP210, "templates/tpl.wxml", 2}, {checks.MP210, "templates/tpl.wxml", 3}, {checks.MP210, "templates/orphan.wxml", 1}},
		},
		{
			name: "1c MP206 judged for the subpackage page rendering a main-package template",
			files: deep(map[string]string{
				"packageA/pages/a/a.wxml":      "<import src=\"/templates/tpl.wxml\"/>\n",
				"templates/tpl.wxml":           "<template name=\"t\"><image src=\"img/own.png\"/></template>\n",
				"packageA/pages/a/img/own.png": "png",
			}),
			notWant: []string{checks.MP206, checks.MP210},
		},
		{
			name: "1c true variant: MP206 for the renderer in another subpackage",
			files: deep(map[string]string{
				"packageB/pages/b/b.wxml": "<import src=\"/templates/tpl.wxml\"/>\n",
				"templates/tpl.wxml":      "<template name=\"t\"><image src=\"/packageA/img/x.png\"/></template>\n",
				"packageA/img/x.png":      "png",
			}),
			want: []at{{checks.MP206, "templates/tpl.wxml", 1}},
		},
		{
			name: "1d custom component attributes are properties",
			files: program(map[string]string{
				"app.json":                  strings.Replace(baseApp, "{\n", "{\n  \"usingComponents\": {\"g-icon\": \"/components/icon/icon\"},\n", 1),
				"pages/index/index.json":    `{"usingComponents": {"my-card": "/components/card/card"}, "componentGenerics": {"slot-view": true}}`,
				"pages/index/index.wxml":    "<my-card src=\"./none.png\" url=\"./none2.png\" icon=\"x.png\"/>\n<g-icon src=\"icon.svg\"/>\n<slot-view src=\"./s.png\"/>\n",
				"components/card/card.js":   "Component({})\n",
				"components/card/card.json": `{"component": true}`,
				"components/card/card.wxml": "<view/>\n",
				"components/icon/icon.js":   "Component({})\n",
				"components/icon/icon.json": `{"component": true}`,
				"components/icon/icon.wxml": "<view/>\n",
			}),
			notWant: []string{checks.MP210},
		},
		{
			name: "1d true variant: a built-in image with a missing file",
			files: program(map[string]string{
				"pages/index/index.wxml": "<view/>\n<image src=\"./none.png\"/>\n<video src=\"v.mp4\" poster=\"p.jpg\"/>\n",
			}),
			want: []at{{checks.MP210, "pages/index/index.wxml", 2}, {checks.MP210, "pages/index/index.wxml", 3}},
		},
		{
			name: "1e WeChat style url(): missing is a warning, present and font fallbacks are nothing",
			files: program(map[string]string{
				"pages/index/index.wxss": ".a{background:url(./bg.png)}\n.b{background:url(./missing.png)}\n" +
					"@font-face{font-family:f;src:url('./f.eot?#iefix') format('embedded-opentype'),url(./f.svg#f) format('svg'),url(./f.woff?v=2)}\n",
				"pages/index/bg.png": "png",
				"pages/index/f.eot":  "eot",
				"pages/index/f.svg":  "svg",
				"pages/index/f.woff": "woff",
				"app.wxss":           ".c{background:url(/packageA/only.png)}\n",
				"packageA/only.png":  "png",
			}),
			want:     []at{{checks.MP214, "pages/index/index.wxss", 2}},
			notWant:  []string{checks.MP210, checks.MP206},
			severity: checks.SeverityWarning,
		},
		{
			name:     "1e Alipay loads local style files: a missing one is still MP210",
			platform: "alipay",
			files: map[string]string{
				"app.json": `{"pages": ["pages/index/index"]}`, "app.js": "App({})\n",
				"pages/index/index.js": "Page({})\n", "pages/index/index.axml": "<view/>\n", "pages/index/index.json": "{}",
				"pages/index/index.acss": ".a{background:url('/img/bg.png')}\n.b{background:url('/img/none.png?x=1')}\n",
				"img/bg.png":             "png",
			},
			want:    []at{{checks.MP210, "pages/index/index.acss", 2}},
			notWant: []string{checks.MP214},
		},
		{
			name: "5 data-bound template attributes are not MP212; non-literal requires are one per file",
			files: program(map[string]string{
				"pages/index/index.wxml":       "<image src=\"{{item.url}}\"/>\n<image src=\"/img/{{name}}.png\"/>\n<video src=\"{{v}}\"/>\n",
				"pages/index/index.js":         "const a = require(name)\nconst b = require('./x/' + k)\nPage({})\n",
				"miniprogram_npm/lib/index.js": "module.exports = function (m) { return require(m) }\n",
			}),
			want:  []at{{checks.MP212, "pages/index/index.js", 1}},
			count: map[string]int{checks.MP212: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, with(tc.files))
			plat := tc.platform
			if plat == "" {
				plat = "wechat"
			}
			rep, err := Run(context.Background(), dir, Options{Platform: platform.ID(plat)})
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
			checkRuleCounts(t, rep.Diagnostics, tc.count)
			for _, d := range rep.Diagnostics {
				if tc.severity != "" && ruleWanted(tc.want, d.Rule) && d.Severity != tc.severity {
					t.Errorf("%s is %s, want %s", d.Rule, d.Severity, tc.severity)
				}
			}
		})
	}
}

// checkRuleCounts checks that there are count[rule] findings of each rule
// in count.
func checkRuleCounts(t *testing.T, ds []checks.Diagnostic, count map[string]int) {
	t.Helper()
	for rule, n := range count {
		got := 0
		for _, d := range ds {
			if d.Rule == rule {
				got++
			}
		}
		if got != n {
			t.Errorf("%d %s findings, want %d; got:\n%s", got, rule, n, dump(ds))
		}
	}
}

func ruleWanted(want []at, rule string) bool {
	for _, w := range want {
		if w.rule == rule {
			return true
		}
	}
	return false
}
