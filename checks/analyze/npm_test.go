package analyze

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/platform"
)

// TestNpmProbe runs the probe project that WeChat's own analyser
// (miniprogram-ci analyseCode) was run on (testdata/ORIGINS.md,
// docs/platforms.md) and checks that mpgate reports what WeChat does: an
// unresolved request where WeChat's analyser has an error, none elsewhere,
// and one MP215 per npm package that is not built. miniprogram_npm/wxbundle
// is loaded by nothing: its missing outside-dep fails nowhere (MP305 only).
func TestNpmProbe(t *testing.T) {
	tests := []struct {
		platform string
		mp210    []string // file:line
		mp215    []string // file:line package
	}{
		{
			platform: "wechat",
			// "/utils/root.js" from pages/a/a.js: WeChat reads it as
			// pages/a/utils/root.js, which does not exist.
			mp210: []string{"pages/a/a.js:1"},
			mp215: []string{
				"miniprogram_npm/bundle/index.js:6 notbuilt",
				"pages/a/a.js:5 missingpkg",
				"pages/b/b.js:3 @scope/missing",
				"pages/b/b.json:1 nopkg",
			},
		},
		{
			// Alipay: "/" is root-absolute; npm packages come from
			// node_modules, and this probe has none (miniprogram_npm
			// means nothing to Alipay): every package is not installed.
			// "/utils/rel.js" exists only next to the page: missing there.
			platform: "alipay",
			mp210:    []string{"pages/a/a.js:3"},
			mp215: []string{
				"pages/a/a.js:4 dep",
				"pages/a/a.js:5 missingpkg",
				"pages/a/a.js:6 bundle",
				"pages/b/b.js:1 local",
				"pages/b/b.js:3 @scope/missing",
				"pages/b/b.json:1 nopkg",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.platform, func(t *testing.T) {
			rep, err := Run(context.Background(), "testdata/npmprobe", Options{Platform: platform.ID(tc.platform)})
			if err != nil {
				t.Fatal(err)
			}
			var mp210, mp215 []string
			for _, d := range rep.Diagnostics {
				switch d.Rule {
				case checks.MP210:
					mp210 = append(mp210, fmt.Sprintf("%s:%d", d.File, d.Line))
				case checks.MP215:
					_, name, _ := strings.Cut(d.Message, "'")
					name, _, _ = strings.Cut(name, "'")
					mp215 = append(mp215, fmt.Sprintf("%s:%d %s", d.File, d.Line, name))
					if d.Severity != checks.SeverityError {
						t.Errorf("MP215 severity %s", d.Severity)
					}
				}
			}
			slices.Sort(mp210)
			slices.Sort(mp215)
			if !slices.Equal(mp210, tc.mp210) {
				t.Errorf("MP210 = %q, want %q\n%s", mp210, tc.mp210, dump(rep.Diagnostics))
			}
			if !slices.Equal(mp215, tc.mp215) {
				t.Errorf("MP215 = %q, want %q\n%s", mp215, tc.mp215, dump(rep.Diagnostics))
			}
		})
	}
}

// TestNpmNotBuiltGrouped: a package that is not built gives one MP215, at
// its first use, naming five files and how many more; requests of several
// kinds (require, import, component) of the same package count together.
// The same program with the package built has none.
func TestNpmNotBuiltGrouped(t *testing.T) {
	extra := map[string]string{
		"pages/index/index.js":   "import dayjs from 'dayjs'\nPage({})\n",
		"pages/index/index.json": `{"usingComponents": {"van-button": "@vant/weapp/button/index"}}`,
		"packageA/pages/a/a.js":  "const d = require('dayjs/plugin/utc')\nPage({})\n",
	}
	for i := range 6 {
		extra[fmt.Sprintf("utils/u%d.js", i)] = "require('dayjs')\n"
		extra["pages/index/index.js"] += fmt.Sprintf("require('../../utils/u%d.js')\n", i)
	}
	dir := writeTree(t, program(extra))
	rep, err := Run(context.Background(), dir, Options{Platform: platform.WeChat})
	if err != nil {
		t.Fatal(err)
	}
	var got []checks.Diagnostic
	for _, d := range rep.Diagnostics {
		if d.Rule == checks.MP215 {
			got = append(got, d)
		}
		if d.Rule == checks.MP210 {
			t.Errorf("MP210 for an npm request: %s", d.Message)
		}
	}
	if len(got) != 2 {
		t.Fatalf("want 2 MP215 (dayjs, @vant/weapp), got:\n%s", dump(rep.Diagnostics))
	}
	vant, dayjs := got[0], got[1]
	if vant.File == "packageA/pages/a/a.js" || strings.Contains(vant.Message, "dayjs") {
		vant, dayjs = dayjs, vant
	}
	if dayjs.File != "packageA/pages/a/a.js" || dayjs.Line != 1 ||
		!strings.Contains(dayjs.Message, "'dayjs'") || !strings.Contains(dayjs.Message, "8 uses") ||
		!strings.Contains(dayjs.Message, "and 3 more") || !strings.Contains(dayjs.Hint, "Build npm") {
		t.Errorf("dayjs finding: %s:%d %s / %s", dayjs.File, dayjs.Line, dayjs.Message, dayjs.Hint)
	}
	if vant.File != "pages/index/index.json" || !strings.Contains(vant.Message, "'@vant/weapp'") {
		t.Errorf("vant finding: %s:%d %s", vant.File, vant.Line, vant.Message)
	}

	// Built: no finding.
	built := program(extra, map[string]string{
		"miniprogram_npm/dayjs/index.js":                "module.exports = 1\n",
		"miniprogram_npm/dayjs/plugin/utc.js":           "module.exports = 1\n",
		"miniprogram_npm/@vant/weapp/button/index.js":   "Component({})\n",
		"miniprogram_npm/@vant/weapp/button/index.json": `{"component": true}`,
		"miniprogram_npm/@vant/weapp/button/index.wxml": "<button/>\n",
	})
	rep, err = Run(context.Background(), writeTree(t, built), Options{Platform: platform.WeChat})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rep.Diagnostics {
		if d.Rule == checks.MP215 || d.Rule == checks.MP210 {
			t.Errorf("built npm: %s %s", d.Rule, d.Message)
		}
	}

	// Built, but without the subpath one file asks for (Build npm bundles a
	// plain package into its index.js): one MP215 that says so.
	delete(built, "miniprogram_npm/dayjs/plugin/utc.js")
	rep, err = Run(context.Background(), writeTree(t, built), Options{Platform: platform.WeChat})
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, d := range rep.Diagnostics {
		if d.Rule == checks.MP215 {
			got = append(got, d)
		}
	}
	if len(got) != 1 || got[0].File != "packageA/pages/a/a.js" || !strings.Contains(got[0].Message, "is built in miniprogram_npm/dayjs") {
		t.Errorf("subpath missing: want one MP215 naming miniprogram_npm/dayjs, got:\n%s", dump(rep.Diagnostics))
	}
}

// TestNpmOtherPlatforms: QQ follows WeChat's npm rule; Douyin's ext://
// component paths go through package.json exports and are not checked.
func TestNpmOtherPlatforms(t *testing.T) {
	files := map[string]string{
		"app.json": `{"pages": ["pages/index/index"]}`,
		"app.js":   "App({})\n",
	}
	for _, tc := range []struct {
		id   platform.ID
		tpl  string
		want int
	}{
		{platform.QQ, ".qml", 2},
		{platform.Douyin, ".ttml", 1}, // the require only
	} {
		fs := map[string]string{
			"pages/index/index.js":       "require('dayjs')\nPage({})\n",
			"pages/index/index" + tc.tpl: "<view/>\n",
			"pages/index/index.json":     `{"usingComponents": {"x": "ext://some-npm/index"}}`,
		}
		if tc.id == platform.QQ {
			fs["pages/index/index.json"] = `{"usingComponents": {"x": "some-npm/index"}}`
		}
		maps.Copy(fs, files)
		rep, err := Run(context.Background(), writeTree(t, fs), Options{Platform: tc.id})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, d := range rep.Diagnostics {
			switch d.Rule {
			case checks.MP215:
				n++
			case checks.MP210:
				t.Errorf("%s: MP210 %s", tc.id, d.Message)
			}
		}
		if n != tc.want {
			t.Errorf("%s: %d MP215, want %d:\n%s", tc.id, n, tc.want, dump(rep.Diagnostics))
		}
	}
}
