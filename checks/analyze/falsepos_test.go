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

// Fixtures of issue 7: each false-error class fires before the fix, is
// silent after it, and its true variant still fires. Platform facts behind
// them (measured with miniprogram-ci 2.1.42, see docs/rules.md).

// withCustomTabBar is baseApp with tabBar.custom.
var withCustomTabBar = strings.Replace(baseApp, `"pages": ["pages/index/index"],`, `"pages": ["pages/index/index"], "tabBar": {"custom": true, "list": []},`, 1)

func with(base map[string]string, extra ...map[string]string) map[string]string {
	out := maps.Clone(base)
	for _, m := range extra {
		maps.Copy(out, m)
	}
	return out
}

// severityOf returns the severity of the first diagnostic of rule (and file,
// when not empty), or "".
func severityOf(ds []checks.Diagnostic, rule, file string) checks.Severity {
	for _, d := range ds {
		if d.Rule == rule && (file == "" || d.File == file) {
			return d.Severity
		}
	}
	return ""
}

func TestFalseErrors(t *testing.T) {
	// A Node build script and a lint config: code files the platform drops
	// as unused under ignoreUploadUnusedFiles.
	buildScript := map[string]string{
		"scripts/build.js": "const fs = require('fs')\nconst c = require('../config')\nApp({})\n",
		".eslintrc.js":     "module.exports = require('eslint-config-x')\n",
	}
	unusedOn := map[string]string{"project.config.json": `{"setting": {"ignoreUploadUnusedFiles": true}}`}
	unusedOff := map[string]string{"project.config.json": `{"setting": {"ignoreUploadUnusedFiles": false}}`}
	ignored := map[string]string{
		"project.config.json": `{"setting": {"ignoreUploadUnusedFiles": false},
  "packOptions": {"ignore": [{"type": "folder", "value": "tests"}]}}`,
		"tests/pages/t/t.js":   "require('../../../packageA/pages/a/a.js')\nrequire('./missing')\nApp({})\nPage({})\n",
		"tests/pages/t/t.wxml": "<image src=\"/packageA/none.png\"/>\n",
	}
	tests := []struct {
		name    string
		files   map[string]string
		want    []at
		notWant []string
		// messages are texts some diagnostic's message must contain.
		messages []string
	}{
		{
			name:    "1b unused build script and lint config are not judged under ignoreUploadUnusedFiles",
			files:   program(unusedOn, buildScript),
			notWant: []string{checks.MP210, checks.MP207},
		},
		{
			name:  "1b true variant: the same requires in a page are judged",
			files: program(unusedOn, map[string]string{"pages/index/index.js": "const c = require('../../config')\nPage({})\n"}),
			want:  []at{{checks.MP210, "pages/index/index.js", 1}},
		},
		{
			// Uploaded but never loaded: judged, as warnings (TestDeadCodeWarns).
			name:  "1b true variant: uploaded unused files are judged when the platform keeps them",
			files: program(unusedOff, buildScript),
			want:  []at{{checks.MP210, "scripts/build.js", 2}, {checks.MP207, "scripts/build.js", 3}},
		},
		{
			name:    "1b a folder dropped by packOptions.ignore is not judged",
			files:   program(ignored),
			notWant: []string{checks.MP202, checks.MP206, checks.MP207, checks.MP210},
		},
		{
			name: "1h App() in a framework runtime loaded by app.js (uni-app common/vendor.js)",
			files: program(map[string]string{
				"app.js":            "require('./common/runtime.js')\nrequire('./common/vendor.js')\nrequire('./common/main.js')\n",
				"common/runtime.js": "module.exports = {}\n",
				"common/vendor.js":  "function createApp(a) { App(a) }\nmodule.exports = { createApp }\n",
				"common/main.js":    "require('./vendor.js').createApp({})\n",
			}),
			notWant: []string{checks.MP207, checks.MP210},
		},
		{
			name: "1h true variant: App() in a file only a page loads",
			files: program(map[string]string{
				"pages/index/index.js": "require('../../lib/boot.js')\nPage({})\n",
				"lib/boot.js":          "App({})\n",
			}),
			want: []at{{checks.MP207, "lib/boot.js", 1}},
		},
		{
			name: "1g a subpackage with \"pages\": [] holding async JS",
			files: program(map[string]string{
				"app.json": `{"pages": ["pages/index/index"],
 "subPackages": [{"root": "packageA", "pages": ["pages/a/a"]}, {"root": "packageB/", "pages": ["pages/b/b"]},
  {"root": "./packageI", "pages": ["pages/i/i"], "independent": true}, {"root": "lib", "pages": []}]}`,
				"lib/x.js":             "module.exports = 1\n",
				"pages/index/index.js": "require.async('../../lib/x.js')\nPage({})\n",
			}),
			notWant: []string{checks.MP110, checks.MP202, checks.MP210},
		},
		{
			name: "1g true variant: a subpackage without a pages key",
			files: program(map[string]string{
				"app.json": `{"pages": ["pages/index/index"], "subPackages": [{"root": "lib"}]}`,
				"lib/x.js": "module.exports = 1\n",
			}),
			want: []at{{checks.MP110, "app.json", 1}},
		},
		{
			// towxml's markdown-it plugins are browserify standalone builds:
			// the factories' require is the bundle's own, looked up in the
			// map beside each factory first (found 2026-12-06 in
			// walkingp/xterra-weapp's towxml/parse/markdown/plugins/emoji.js).
			name: "new: requires inside a vendored browserify bundle go to its module map",
			files: program(map[string]string{
				"pages/index/index.js": "require('../../vendor/emoji.js')\nPage({})\n",
				"vendor/emoji.js": `!function(e){module.exports=e()}(function(){return {1:[function(require,module,exports){module.exports={}},{}],` +
					`2:[function(require,a,exports){var d=require("./lib/data/full.json"),r=require("./lib/render")},{"./lib/data/full.json":1,"./lib/render":1}]}})` + "\n",
			}),
			notWant: []string{checks.MP210},
		},
		{
			name: "new true variant: a request the bundle's map lacks goes to the platform's require",
			files: program(map[string]string{
				"pages/index/index.js": "require('../../vendor/emoji.js')\nPage({})\n",
				"vendor/emoji.js":      `module.exports={2:[function(require,a,exports){var r=require("./lib/render")},{"./lib/other":1}]}` + "\n",
			}),
			want: []at{{checks.MP210, "vendor/emoji.js", 1}},
		},
		{
			// Paths written into miniprogram_npm when npm is not built
			// (undercurre/meiju-finclip-miniprogram: 187 MP210 for
			// "/miniprogram_npm/m-ui/…" and "../../miniprogram_npm/m-ui/…";
			// tornado404/baby-album-miniprogram: an MP215 naming the package
			// "miniprogram_npm"): one cause, one MP215 per package.
			name: "3 paths into an unbuilt miniprogram_npm give one MP215 per package",
			files: program(map[string]string{
				"app.json":               `{"pages": ["pages/index/index"], "usingComponents": {"t-button": "miniprogram_npm/tdesign-miniprogram/button/button"}}`,
				"pages/index/index.js":   "const d = require('../../miniprogram_npm/m-ui/mx-dialog/dialog')\nconst e = require('/miniprogram_npm/@scope/kit/index')\nPage({})\n",
				"pages/index/index.json": `{"usingComponents": {"mx-dialog": "/miniprogram_npm/m-ui/mx-dialog/index"}}`,
				"pages/index/index.wxml": "<mx-dialog/><t-button/>\n",
			}),
			want:     []at{{checks.MP215, "app.json", 1}, {checks.MP215, "pages/index/index.js", 1}, {checks.MP215, "pages/index/index.js", 2}},
			notWant:  []string{checks.MP210},
			messages: []string{"npm package 'tdesign-miniprogram'", "npm package 'm-ui' is not built into miniprogram_npm (2 uses", "npm package '@scope/kit'"},
		},
		{
			name: "3 true variant: the package is built but lacks the path",
			files: program(map[string]string{
				"miniprogram_npm/m-ui/index.js": "module.exports = {}\n",
				"pages/index/index.js":          "const d = require('../../miniprogram_npm/m-ui/mx-dialog/dialog')\nPage({})\n",
			}),
			want:    []at{{checks.MP210, "pages/index/index.js", 1}},
			notWant: []string{checks.MP215},
		},
		{
			name: "2 a component whose script is missing",
			files: program(map[string]string{
				"components/card/card.wxml": "<view/>\n",
				"components/card/card.json": `{"component": true}`,
				"pages/index/index.json":    "{\n  \"usingComponents\": {\"card\": \"/components/card/card\"}\n}",
				"pages/index/index.wxml":    "<card/>\n",
			}),
			want: []at{{checks.MP210, "pages/index/index.json", 2}},
		},
		{
			name: "2 the component with its script is fine",
			files: program(page("components/card/card", "Component({})\n", "<view/>\n", `{"component": true}`), map[string]string{
				"pages/index/index.json": "{\n  \"usingComponents\": {\"card\": \"/components/card/card\"}\n}",
				"pages/index/index.wxml": "<card/>\n",
			}),
			notWant: []string{checks.MP210},
		},
		{
			name: "2 tabBar.custom without custom-tab-bar/index",
			files: program(map[string]string{
				"app.json":                  `{"pages": ["pages/index/index"], "tabBar": {"custom": true, "list": []}}`,
				"custom-tab-bar/index.wxml": "<view/>\n",
			}),
			want: []at{{checks.MP102, "app.json", 1}},
		},
		{
			name: "2 tabBar.custom with custom-tab-bar/index: reachable, not unused",
			files: program(unusedOn, page("custom-tab-bar/index", "require('./icons.js')\nComponent({})\n", "<view/>\n", `{"component": true}`), map[string]string{
				"app.json":                  withCustomTabBar,
				"custom-tab-bar/icons.js":   "module.exports = {}\n",
				"custom-tab-bar/index.wxss": ".t{}\n",
			}),
			notWant: []string{checks.MP102, checks.MP305},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			rep, err := Run(context.Background(), dir, Options{Platform: "wechat"})
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
			for _, m := range tc.messages {
				if !slices.ContainsFunc(rep.Diagnostics, func(d checks.Diagnostic) bool { return strings.Contains(d.Message, m) }) {
					t.Errorf("no message with %q; got:\n%s", m, dump(rep.Diagnostics))
				}
			}
		})
	}
}

func TestCustomTabBarUploaded(t *testing.T) {
	files := program(map[string]string{"project.config.json": `{"setting": {"ignoreUploadUnusedFiles": true}}`},
		page("custom-tab-bar/index", "Component({})\n", "<view/>\n", `{"component": true}`),
		map[string]string{"app.json": `{"pages": ["pages/index/index"], "tabBar": {"custom": true, "list": []}}`})
	rep, err := Run(context.Background(), writeTree(t, files), Options{Platform: "wechat", IncludeFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	// miniprogram-ci 2.1.42 keeps custom-tab-bar/* under ignoreUploadUnusedFiles.
	for _, f := range rep.Files {
		if strings.HasPrefix(f.Path, "custom-tab-bar/") && (!f.Used || f.UploadBytes == 0) {
			t.Errorf("%s: used %v, uploadBytes %d; want used and uploaded", f.Path, f.Used, f.UploadBytes)
		}
	}
}

func TestPreloadSeverity(t *testing.T) {
	manifest := func(from string) string {
		return `{"pages": ["pages/index/index"], "subPackages": [
  {"root": "packageA", "pages": ["pages/a/a"]},
  {"root": "packageB/", "name": "bee", "pages": ["pages/b/b"]},
  {"root": "./packageI", "pages": ["pages/i/i"], "independent": true}],
 "preloadRule": {"` + from + `": {"packages": ["bee", "packageI"]}}}`
	}
	big := map[string]string{"packageB/big.png": strings.Repeat("x", 600), "packageI/big.png": strings.Repeat("x", 600)}
	for _, tc := range []struct {
		from string
		want checks.Severity
	}{
		// Undocumented for main-package pages (WeChat's demo preloads 3.1 MB from its tabs).
		{"pages/index/index", checks.SeverityWarning},
		// "同一个分包中的页面享有共同的预下载大小限额 2M，限额会在工具中打包时校验".
		{"packageA/pages/a/a", checks.SeverityError},
	} {
		t.Run(tc.from, func(t *testing.T) {
			files := program(big, map[string]string{"app.json": manifest(tc.from)})
			rep, err := Run(context.Background(), writeTree(t, files), Options{Platform: "wechat", Limits: checks.Limits{Preload: 1000}})
			if err != nil {
				t.Fatal(err)
			}
			if got := severityOf(rep.Diagnostics, checks.MP303, ""); got != tc.want {
				t.Errorf("MP303 severity %q, want %q; got:\n%s", got, tc.want, dump(rep.Diagnostics))
			}
			for _, d := range rep.Diagnostics {
				if d.Rule == checks.MP303 && (!strings.Contains(d.Message, "1.2 KB") && !strings.Contains(d.Message, "1,200")) {
					t.Logf("MP303 message: %s", d.Message)
				}
			}
		})
	}
}

func TestGroupedHints(t *testing.T) {
	files := program(map[string]string{
		"old/a.js":                "module.exports = 1\n",
		"old/b.js":                "module.exports = 22\n",
		"old/c.wxml":              "<view/>\n",
		"other/d.js":              "module.exports = 4\n",
		"packageA/img/one.png":    strings.Repeat("1", 600),
		"packageB/img/one.png":    strings.Repeat("1", 600),
		"packageA/img/two.png":    strings.Repeat("2", 700),
		"packageB/img/two.png":    strings.Repeat("2", 700),
		"utils/x.js":              "module.exports = require('./y.js')\n",
		"utils/y.js":              "module.exports = 2\n",
		"packageA/pages/a/a.js":   "require('../../../utils/x.js')\nPage({})\n",
		"packageA/pages/a/a.wxml": "<image src=\"../../img/one.png\"/><image src=\"../../img/two.png\"/>\n",
		"packageB/pages/b/b.wxml": "<image src=\"../../img/one.png\"/><image src=\"../../img/two.png\"/>\n",
	})
	rep, err := Run(context.Background(), writeTree(t, files), Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string][]checks.Diagnostic{}
	for _, d := range rep.Diagnostics {
		count[d.Rule] = append(count[d.Rule], d)
	}
	// MP305: one per folder (old/, other/), with the folder's bytes.
	if got := count[checks.MP305]; len(got) != 2 || got[0].File != "old/a.js" || got[0].Bytes != int64(len("module.exports = 1\n")+len("module.exports = 22\n")+len("<view/>\n")) {
		t.Errorf("MP305 = %s", dump(got))
	}
	// MP306: one for the package pair, both images, 1,300 bytes saved.
	if got := count[checks.MP306]; len(got) != 1 || got[0].Bytes != 1300 || !strings.Contains(got[0].Message, "2 files") {
		t.Errorf("MP306 = %s", dump(got))
	}
	// MP307: one for packageA with both utils.
	if got := count[checks.MP307]; len(got) != 1 || !strings.Contains(got[0].Message, "2 main-package files") {
		t.Errorf("MP307 = %s", dump(got))
	}
}

func TestBrokenManifestNoReachability(t *testing.T) {
	files := with(program(map[string]string{"utils/u.js": "module.exports = 1\n"}), map[string]string{"app.json": "{\n  \"pages\": [\"pages/index/index\",]\n}"})
	rep, err := Run(context.Background(), writeTree(t, files), Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	if !found(rep.Diagnostics, at{checks.MP101, "app.json", 2}) {
		t.Errorf("missing MP101; got:\n%s", dump(rep.Diagnostics))
	}
	for _, r := range []string{checks.MP305, checks.MP307} {
		if found(rep.Diagnostics, at{rule: r}) {
			t.Errorf("unexpected %s with a broken manifest; got:\n%s", r, dump(rep.Diagnostics))
		}
	}
}

func TestIgnoredFolderTreeProblems(t *testing.T) {
	files := program(map[string]string{"project.config.json": `{"packOptions": {"ignore": [{"type": "folder", "value": "tests"}]}}`})
	dir := writeTree(t, files)
	for _, link := range []string{"tests/fixture.js", "lib/linked.js"} {
		p := filepath.Join(dir, filepath.FromSlash(link))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("does-not-exist.js", p); err != nil {
			t.Skipf("symlinks: %v", err)
		}
	}
	rep, err := Run(context.Background(), dir, Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	if found(rep.Diagnostics, at{checks.MP112, "tests/fixture.js", 0}) {
		t.Errorf("a problem in an ignored folder is reported; got:\n%s", dump(rep.Diagnostics))
	}
	if !found(rep.Diagnostics, at{checks.MP112, "lib/linked.js", 0}) {
		t.Errorf("true variant: the uploaded dangling link is not reported; got:\n%s", dump(rep.Diagnostics))
	}
}

func TestDeadCodeWarns(t *testing.T) {
	files := program(map[string]string{
		"project.config.json":  `{"setting": {"ignoreUploadUnusedFiles": false}}`,
		"scripts/build.js":     "const c = require('../config')\n",
		"pages/index/index.js": "const c = require('../../config')\nPage({})\n",
	})
	rep, err := Run(context.Background(), writeTree(t, files), Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	if got := severityOf(rep.Diagnostics, checks.MP210, "scripts/build.js"); got != checks.SeverityWarning {
		t.Errorf("MP210 in an unused uploaded file: %q, want warning; got:\n%s", got, dump(rep.Diagnostics))
	}
	if got := severityOf(rep.Diagnostics, checks.MP210, "pages/index/index.js"); got != checks.SeverityError {
		t.Errorf("MP210 in a page: %q, want error; got:\n%s", got, dump(rep.Diagnostics))
	}
}

// A repository root whose program sits in a folder below without a
// project.config.json to point at it (yinren112/bookworm-miniprogram: 125
// MP210 for "/components/…" paths resolved against the repository root):
// MP101 names the folder, and no reference is judged against the wrong
// root. Run on the folder itself, the same references are judged.
func TestMissingManifestNoReferences(t *testing.T) {
	files := map[string]string{
		"miniprogram/app.json":                  `{"pages": ["pages/index/index"]}`,
		"miniprogram/app.js":                    "App({})\n",
		"miniprogram/pages/index/index.js":      "require('../../utils/missing.js')\nPage({})\n",
		"miniprogram/pages/index/index.wxml":    "<card/>\n<image src=\"/images/a.png\"/>\n",
		"miniprogram/pages/index/index.json":    `{"usingComponents": {"card": "/components/card/card"}}`,
		"miniprogram/components/card/card.js":   "Component({})\n",
		"miniprogram/components/card/card.wxml": "<view/>\n",
		"miniprogram/components/card/card.json": `{"component": true}`,
		"miniprogram/images/a.png":              "png",
	}
	dir := writeTree(t, files)
	rep, err := Run(context.Background(), dir, Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	if !found(rep.Diagnostics, at{rule: checks.MP101}) {
		t.Errorf("missing MP101; got:\n%s", dump(rep.Diagnostics))
	}
	for _, d := range rep.Diagnostics {
		if strings.HasPrefix(d.Rule, "MP2") {
			t.Errorf("unexpected %s without a manifest: %s", d.Rule, d.Message)
		}
	}
	rep, err = Run(context.Background(), filepath.Join(dir, "miniprogram"), Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	if !found(rep.Diagnostics, at{checks.MP210, "pages/index/index.js", 1}) {
		t.Errorf("missing MP210 run on the program; got:\n%s", dump(rep.Diagnostics))
	}
	if found(rep.Diagnostics, at{checks.MP210, "pages/index/index.json", 0}) || found(rep.Diagnostics, at{checks.MP210, "pages/index/index.wxml", 0}) {
		t.Errorf("root-absolute paths of the program do not resolve from its root; got:\n%s", dump(rep.Diagnostics))
	}
}

// A folder without a manifest (a repository root holding src/ and dist/
// copies of a program) gives its MP101 and no findings that assume it is the
// program: no MP207 for the copies' App(), no per-package size limit for a
// main package that is only "every file". The total still counts.
func TestMissingManifestOnlyMP101(t *testing.T) {
	big := strings.Repeat("x", 3<<20)
	files := map[string]string{
		"project.config.json": `{"setting": {"ignoreUploadUnusedFiles": false}}`,
		"src/app.js":          "App({})\n",
		"dist/app.js":         "App({})\n",
		"dist/big.png":        big,
	}
	rep, err := Run(context.Background(), writeTree(t, files), Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	if !found(rep.Diagnostics, at{rule: checks.MP101}) {
		t.Errorf("missing MP101; got:\n%s", dump(rep.Diagnostics))
	}
	for _, r := range []string{checks.MP207, checks.MP301, checks.MP304, checks.MP305} {
		if found(rep.Diagnostics, at{rule: r}) {
			t.Errorf("unexpected %s without a manifest; got:\n%s", r, dump(rep.Diagnostics))
		}
	}
	// The true variant: with its manifest, the same App() copy fires and the
	// main package is judged.
	files["app.json"] = `{"pages": ["pages/index/index"]}`
	files["app.js"] = "App({})\n"
	files["pages/index/index.js"] = "require('../../dist/app.js')\nPage({})\n"
	files["pages/index/index.wxml"] = "<view/>\n"
	rep, err = Run(context.Background(), writeTree(t, files), Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{checks.MP207, checks.MP301} {
		if !found(rep.Diagnostics, at{rule: r}) {
			t.Errorf("with a manifest, %s is missing; got:\n%s", r, dump(rep.Diagnostics))
		}
	}
}

// The unused components of a built component library are one MP305 per
// package, not one per component folder (walkingp/xterra-weapp: 21 notes
// for miniprogram_npm/@vant/weapp/*/); folders outside miniprogram_npm keep
// one each.
func TestUnusedNpmGrouped(t *testing.T) {
	files := program(map[string]string{
		"miniprogram_npm/@vant/weapp/button/index.js":   "Component({})\n",
		"miniprogram_npm/@vant/weapp/button/index.wxml": "<view/>\n",
		"miniprogram_npm/@vant/weapp/dialog/dialog.js":  "module.exports = {}\n",
		"miniprogram_npm/@vant/weapp/common/utils.js":   "module.exports = {}\n",
		"miniprogram_npm/dayjs/index.js":                "module.exports = {}\n",
		"old/a.js":                                      "module.exports = 1\n",
		"other/b.js":                                    "module.exports = 2\n",
	})
	rep, err := Run(context.Background(), writeTree(t, files), Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range rep.Diagnostics {
		if d.Rule == checks.MP305 {
			got = append(got, d.File)
		}
	}
	want := []string{"miniprogram_npm/@vant/weapp/button/index.js", "miniprogram_npm/dayjs/index.js", "old/a.js", "other/b.js"}
	if !slices.Equal(got, want) {
		t.Errorf("MP305 at %q, want %q; got:\n%s", got, want, dump(rep.Diagnostics))
	}
	for _, d := range rep.Diagnostics {
		if d.File == want[0] && d.Rule == checks.MP305 && !strings.Contains(d.Message, "4 files of npm package miniprogram_npm/@vant/weapp/") {
			t.Errorf("MP305 message = %q", d.Message)
		}
	}
}

// References into a directory that holds no file of the program (a
// component library's example app pointing at its uncommitted build
// output: ant-mini-program/mini-antui examples, 80 MP210 into es/;
// weimob-tech/titian-weapp, 68 into ../dist/) are one MP210 per directory.
// Below three, and for a missing file in a directory that exists, one per
// reference.
func TestMissingDirGrouped(t *testing.T) {
	files := program(map[string]string{
		"pages/index/index.json": "{\"usingComponents\": {\n  \"a\": \"../../es/a/index\",\n  \"b\": \"../../es/b/index\",\n  \"c\": \"/es/c/index\"}}",
		"pages/index/index.wxml": "<a/><b/><c/><image src=\"/images/none.png\"/><image src=\"/gone/x.png\"/>\n",
		"pages/index/index.js":   "require('../../lib/x.js')\nrequire('../../lib/y.js')\nPage({})\n",
		"images/one.png":         "png",
	})
	rep, err := Run(context.Background(), writeTree(t, files), Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range rep.Diagnostics {
		if d.Rule == checks.MP210 {
			got = append(got, fmt.Sprintf("%s:%d", d.File, d.Line))
		}
	}
	want := []string{"pages/index/index.js:1", "pages/index/index.js:2", "pages/index/index.json:2", "pages/index/index.wxml:1", "pages/index/index.wxml:1"}
	if !slices.Equal(got, want) {
		t.Errorf("MP210 at %q, want %q; got:\n%s", got, want, dump(rep.Diagnostics))
	}
	if !slices.ContainsFunc(rep.Diagnostics, func(d checks.Diagnostic) bool {
		return d.Rule == checks.MP210 && strings.HasPrefix(d.Message, "3 references resolve into es/")
	}) {
		t.Errorf("no grouped MP210 for es/; got:\n%s", dump(rep.Diagnostics))
	}

	// An uploaded file nothing uses is grouped apart: its finding is a
	// warning, the used page's an error.
	files["project.config.json"] = `{"setting": {"ignoreUploadUnusedFiles": false}}`
	files["old/u.js"] = "require('../es/a/index.js')\nrequire('../es/b/index.js')\nrequire('../es/c/index.js')\n"
	rep, err = Run(context.Background(), writeTree(t, files), Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	if got := severityOf(rep.Diagnostics, checks.MP210, "old/u.js"); got != checks.SeverityWarning {
		t.Errorf("MP210 in old/u.js: %q, want warning; got:\n%s", got, dump(rep.Diagnostics))
	}
	if got := severityOf(rep.Diagnostics, checks.MP210, "pages/index/index.json"); got != checks.SeverityError {
		t.Errorf("MP210 in the page: %q, want error; got:\n%s", got, dump(rep.Diagnostics))
	}
}
