package graph

import (
	"errors"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/manifest"
)

// memFiles is a file set in memory: paths of files; directories are implied.
type memFiles map[string]bool

func (m memFiles) Exists(p string) bool { return m[p] || m.IsDir(p) }
func (m memFiles) IsDir(p string) bool {
	for f := range m {
		if strings.HasPrefix(f, p+"/") {
			return true
		}
	}
	return false
}
func (m memFiles) ReadFile(string, int64) ([]byte, error) { return nil, errors.New("not here") }

func TestResolveScript(t *testing.T) {
	files := memFiles{
		"utils/a.js": true, "utils/index.js": true, "lib/b.ts": true,
		"miniprogram_npm/dayjs/index.js": true, "miniprogram_npm/@vant/weapp/button/index.js": true,
		"packageA/miniprogram_npm/local/index.js": true, "packageA/pages/p.js": true,
		"subpackageB/utils/mod.js": true, "mod.js": true,
	}
	alias := func(from, to string) manifest.Alias { return manifest.Alias{From: manifest.Str{Value: from}, To: to} }
	r := &resolver{files: files, scriptExts: []string{".js", ".ts"},
		aliases: []manifest.Alias{alias("subBUtils/*", "subpackageB/utils/*"), alias("~/*", "/*")}}
	tests := []struct {
		from, req, want string
	}{
		{"pages/i/i.js", "../../utils/a", "utils/a.js"},
		{"pages/i/i.js", "../../utils/a.js", "utils/a.js"},
		{"pages/i/i.js", "/utils/a", "utils/a.js"},
		{"pages/i/i.js", "../../utils", "utils/index.js"}, // not on WeChat: see below
		{"pages/i/i.js", "../../lib/b", "lib/b.ts"},
		{"pages/i/i.js", "dayjs", "miniprogram_npm/dayjs/index.js"},
		{"pages/i/i.js", "@vant/weapp/button/index", "miniprogram_npm/@vant/weapp/button/index.js"},
		{"packageA/pages/p.js", "local", "packageA/miniprogram_npm/local/index.js"},
		{"pages/i/i.js", "local", ""}, // not visible from outside packageA
		{"pages/i/i.js", "subBUtils/mod.js", "subpackageB/utils/mod.js"},
		{"pages/i/i.js", "~/mod.js", "mod.js"},
		{"a.js", "../../outside.js", ""},
		{"pages/i/i.js", "../../nothere", ""},
	}
	for _, tc := range tests {
		got, ok := r.script(tc.from, tc.req)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("script(%q, %q) = %q, %v; want %q", tc.from, tc.req, got, ok, tc.want)
		}
	}
}

func TestResolveTemplateAndComponent(t *testing.T) {
	files := memFiles{"tpl/item.wxml": true, "pages/i/row.wxml": true, "components/c/c.json": true,
		"components/c/c.js": true, "miniprogram_npm/vant/index.json": true, "miniprogram_npm/vant/index.js": true}
	r := &resolver{files: files, scriptExts: []string{".js"}}
	for _, tc := range []struct{ from, req, ext, want string }{
		{"pages/i/i.wxml", "/tpl/item", ".wxml", "tpl/item.wxml"},
		{"pages/i/i.wxml", "row.wxml", ".wxml", "pages/i/row.wxml"},
		{"pages/i/i.wxml", "../../tpl/item.wxml", ".wxml", "tpl/item.wxml"},
		{"pages/i/i.wxml", "../../../tpl/item.wxml", ".wxml", ""},
		{"pages/i/i.wxml", "/tpl", ".wxml", ""},
	} {
		if got, _ := r.withExt(tc.from, tc.req, tc.ext); got != tc.want {
			t.Errorf("withExt(%q, %q) = %q, want %q", tc.from, tc.req, got, tc.want)
		}
	}
	has := func(stem string) bool { return files[stem+".json"] || files[stem+".js"] }
	for _, tc := range []struct{ from, req, want string }{
		{"pages/i/i.json", "/components/c/c", "components/c/c"},
		{"pages/i/i.json", "../../components/c/c", "components/c/c"},
		{"pages/i/i.json", "vant", "miniprogram_npm/vant/index"},
		{"pages/i/i.json", "/components/c", ""}, // a component path names the stem, not the directory
	} {
		if got, _ := r.component(tc.from, tc.req, has); got != tc.want {
			t.Errorf("component(%q, %q) = %q, want %q", tc.from, tc.req, got, tc.want)
		}
	}
}

// TestResolveScriptSlashOnWeChat: WeChat's resolver drops a leading "/" of a
// JS request and reads the rest from the requiring file's directory
// (measured with miniprogram-ci analyseCode, docs/platforms.md);
// resolveAlias targets stay root-relative.
func TestResolveScriptSlashOnWeChat(t *testing.T) {
	files := memFiles{"utils/root.js": true, "utils/both.js": true, "pages/a/utils/both.js": true, "pages/a/utils/rel.js": true}
	alias := manifest.Alias{From: manifest.Str{Value: "@u/*"}, To: "/utils/*"}
	for _, tc := range []struct {
		slashRelative   bool
		from, req, want string
	}{
		{true, "pages/a/a.js", "/utils/root.js", ""},
		{true, "pages/a/a.js", "/utils/both.js", "pages/a/utils/both.js"},
		{true, "pages/a/a.js", "/utils/rel", "pages/a/utils/rel.js"},
		{true, "pages/a/a.js", "@u/root", "utils/root.js"},
		{true, "app.js", "/utils/root.js", "utils/root.js"},
		{false, "pages/a/a.js", "/utils/root.js", "utils/root.js"},
		{false, "pages/a/a.js", "/utils/both.js", "utils/both.js"},
		{false, "pages/a/a.js", "/utils/rel.js", ""},
	} {
		r := &resolver{files: files, scriptExts: []string{".js"}, slashRelative: tc.slashRelative, aliases: []manifest.Alias{alias}}
		got, ok := r.script(tc.from, tc.req)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("slashRelative=%v script(%q, %q) = %q, %v; want %q", tc.slashRelative, tc.from, tc.req, got, ok, tc.want)
		}
	}
}

func TestNpmPackage(t *testing.T) {
	r := &resolver{files: memFiles{"utils/x.js": true, "pages/a/lib/y.js": true}}
	for _, tc := range []struct{ from, req, want string }{
		{"pages/a/a.js", "dayjs", "dayjs"},
		{"pages/a/a.js", "dayjs/plugin/utc", "dayjs"},
		{"pages/a/a.js", "@vant/weapp/button/index", "@vant/weapp"},
		{"pages/a/a.js", "@vant", ""},
		{"pages/a/a.js", "./dayjs", ""},
		{"pages/a/a.js", "/dayjs", ""},
		{"pages/a/a.js", "utils/missing", ""}, // a directory at the root: a path
		{"pages/a/a.js", "lib/missing", ""},   // a directory next to the file: a path
		{"pages/b/b.js", "lib/missing", "lib"},
		{"pages/b/b.json", "ext://myNpm/index", ""},
	} {
		if got := r.npmPackage(tc.from, tc.req); got != tc.want {
			t.Errorf("npmPackage(%q, %q) = %q, want %q", tc.from, tc.req, got, tc.want)
		}
	}
}

func TestNpmDir(t *testing.T) {
	r := &resolver{files: memFiles{"miniprogram_npm/call-bind/index.js": true, "pkgA/miniprogram_npm/x/index.js": true}}
	for _, tc := range []struct{ from, name, want string }{
		{"pages/a/a.js", "call-bind", "miniprogram_npm/call-bind"},
		{"pkgA/p/p.js", "x", "pkgA/miniprogram_npm/x"},
		{"pages/a/a.js", "x", ""},
	} {
		if got := r.npmDir(tc.from, tc.name); got != tc.want {
			t.Errorf("npmDir(%q, %q) = %q, want %q", tc.from, tc.name, got, tc.want)
		}
	}
}

// TestResolveScriptNoDirIndexOnWeChat: WeChat's resolver adds ".js" to a
// program path but never tries dir/index.js (measured with analyseCode,
// docs/platforms.md); npm packages keep their index.
func TestResolveScriptNoDirIndexOnWeChat(t *testing.T) {
	files := memFiles{"lib/index.js": true, "utils/root.js": true, "miniprogram_npm/dayjs/index.js": true}
	for _, tc := range []struct {
		noDirIndex      bool
		from, req, want string
	}{
		{true, "pages/a/a.js", "../../lib", ""},
		{true, "pages/a/a.js", "../../lib/", ""},
		{true, "pages/a/a.js", "../../lib/index", "lib/index.js"},
		{true, "pages/a/a.js", "../../utils/root", "utils/root.js"},
		{true, "pages/a/a.js", "dayjs", "miniprogram_npm/dayjs/index.js"},
		{false, "pages/a/a.js", "../../lib", "lib/index.js"},
	} {
		r := &resolver{files: files, scriptExts: []string{".js"}, noDirIndex: tc.noDirIndex}
		got, ok := r.script(tc.from, tc.req)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("noDirIndex=%v script(%q, %q) = %q, %v; want %q", tc.noDirIndex, tc.from, tc.req, got, ok, tc.want)
		}
	}
}

// pkgFiles is memFiles whose package.json files have contents.
type pkgFiles struct {
	memFiles
	json map[string]string
}

func (p pkgFiles) ReadFile(f string, _ int64) ([]byte, error) {
	if s, ok := p.json[f]; ok {
		return []byte(s), nil
	}
	return nil, errors.New("not here")
}

// TestResolveNodeModules: on Alipay bare requests are looked up Node style
// in node_modules (walking up to the root, package.json "main" before
// index.js, never a main that leaves the package); miniprogram_npm means
// nothing there.
func TestResolveNodeModules(t *testing.T) {
	files := pkgFiles{
		memFiles: memFiles{
			"node_modules/withmain/lib/entry.js": true, "node_modules/withmain/index.js": true,
			"node_modules/withmain/package.json": true,
			"node_modules/plain/index.js":        true, "node_modules/plain/sub.js": true,
			"node_modules/escape/package.json": true, "node_modules/escape/index.js": true,
			"node_modules/@s/p/index.js":      true,
			"sub/node_modules/plain/index.js": true,
			"miniprogram_npm/built/index.js":  true,
			"secret.js":                       true,
		},
		json: map[string]string{
			"node_modules/withmain/package.json": `{"main": "lib/entry"}`,
			"node_modules/escape/package.json":   `{"main": "../../secret.js"}`,
		},
	}
	r := &resolver{files: files, scriptExts: []string{".js"}, npmHome: "node_modules", pkgMain: true}
	tests := []struct {
		from, req, want string
	}{
		{"pages/i/i.js", "withmain", "node_modules/withmain/lib/entry.js"},
		{"pages/i/i.js", "withmain/index", "node_modules/withmain/index.js"},
		{"pages/i/i.js", "plain", "node_modules/plain/index.js"},
		{"pages/i/i.js", "plain/sub", "node_modules/plain/sub.js"},
		{"pages/i/i.js", "@s/p", "node_modules/@s/p/index.js"},
		{"sub/p/p.js", "plain", "sub/node_modules/plain/index.js"}, // the nearest wins
		{"sub/p/p.js", "withmain", "node_modules/withmain/lib/entry.js"},
		{"pages/i/i.js", "escape", "node_modules/escape/index.js"},
		{"pages/i/i.js", "built", ""},
		{"pages/i/i.js", "missing", ""},
	}
	for _, tc := range tests {
		got, ok := r.script(tc.from, tc.req)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("script(%q, %q) = %q, %v; want %q", tc.from, tc.req, got, ok, tc.want)
		}
	}
	if d := r.npmDir("pages/i/i.js", "plain"); d != "node_modules/plain" {
		t.Errorf("npmDir(plain) = %q, want node_modules/plain", d)
	}
}

// WeChat looks a JS path that names no file of the program up under
// miniprogram_npm too (its official demo requires './threejs-miniprogram'
// that way); a path that names a file keeps it, and one found nowhere stays
// unresolved.
func TestPathNpmFallback(t *testing.T) {
	files := memFiles{
		"miniprogram_npm/threejs-miniprogram/index.js": true,
		"pages/ar/local.js":                            true,
		"pages/ar/miniprogram_npm/near/index.js":       true,
	}
	for _, tc := range []struct {
		fallback        bool
		from, req, want string
	}{
		{true, "pages/ar/ar.js", "./threejs-miniprogram", "miniprogram_npm/threejs-miniprogram/index.js"},
		{true, "pages/ar/ar.js", "/threejs-miniprogram", "miniprogram_npm/threejs-miniprogram/index.js"},
		{true, "pages/ar/ar.js", "./near", "pages/ar/miniprogram_npm/near/index.js"},
		{true, "pages/ar/ar.js", "./local", "pages/ar/local.js"},
		{true, "pages/ar/ar.js", "./missing", ""},
		{true, "pages/ar/ar.js", "../threejs-miniprogram", ""},
		{false, "pages/ar/ar.js", "./threejs-miniprogram", ""},
	} {
		r := &resolver{files: files, scriptExts: []string{".js"}, slashRelative: tc.fallback, noDirIndex: tc.fallback, pathNpmFallback: tc.fallback}
		got, ok := r.script(tc.from, tc.req)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("fallback=%v script(%q, %q) = %q, %v; want %q", tc.fallback, tc.from, tc.req, got, ok, tc.want)
		}
	}
}
