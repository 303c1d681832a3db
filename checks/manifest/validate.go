package manifest

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/platform"
)

// Files answers questions about the files of a mini-program. Paths are
// slash-separated and relative to the mini-program root.
type Files interface {
	Exists(path string) bool
	IsDir(path string) bool
}

// UsesTypeScript reports whether the project compiles TypeScript itself
// (WeChat's setting.useCompilerPlugins contains "typescript"; Alipay's
// compileOptions.typescript), so that a page's .ts stands for its .js.
func UsesTypeScript(proj *Project) bool {
	return proj != nil && slices.Contains(proj.Setting.UseCompilerPlugins, "typescript")
}

// Validate checks the manifest against the files: MP102 (a declared page
// without its script or template, tabBar.custom without custom-tab-bar/index) and MP110 (a subpackage root directory that
// does not exist). root is the mini-program root relative to the analysed
// directory ("" = the same); it only makes messages clearer, files answers
// for paths relative to the mini-program root. With ts, a page's .ts file
// stands for its .js (see UsesTypeScript).
func Validate(app *App, p *platform.Platform, root string, files Files, ts bool) []checks.Diagnostic {
	if app == nil || files == nil {
		return nil
	}
	if p == nil {
		p, _ = platform.Get(platform.WeChat)
	}
	root = NormalizeRoot(root)
	v := &validator{app: app, p: p, files: files, ts: ts, where: "the mini-program root"}
	if root != "" {
		v.where = root + "/"
	}
	for _, pg := range app.Pages {
		v.page(normPage(pg.Value), pg.Pos)
	}
	v.subpackages()
	v.customTabBar()
	v.workers()
	return v.out
}

// validator is Validate's state: what it checks against, and its findings.
type validator struct {
	app   *App
	p     *platform.Platform
	files Files
	ts    bool
	where string // the mini-program root, for messages
	out   []checks.Diagnostic
}

func (v *validator) add(id string, pos Pos, msg, hint string) {
	v.out = append(v.out, checks.New(id, v.app.File, pos.Line, pos.Col, msg, hint))
}

// page checks a declared page (its path from the mini-program root) has
// its script and template (MP102).
func (v *validator) page(full string, pos Pos) {
	if !clean(full) {
		v.add(checks.MP102, pos, fmt.Sprintf("page %q leaves the mini-program root", full), "write the page path relative to the mini-program root")
		return
	}
	full = path.Clean(full)
	var missing []string
	if !v.files.Exists(full+".js") && !(v.ts && v.files.Exists(full+".ts")) {
		s := full + ".js"
		if v.ts {
			s += " (or .ts)"
		}
		missing = append(missing, s)
	}
	if !v.files.Exists(full + v.p.Template) {
		missing = append(missing, full+v.p.Template)
	}
	if len(missing) > 0 {
		hint := "create the missing file, or fix the page path (it names the files without extension)"
		if ext := path.Ext(full); ext == ".js" || ext == ".ts" || ext == v.p.Template || ext == ".json" {
			hint = fmt.Sprintf("drop the extension: write %q", strings.TrimSuffix(full, ext))
		}
		v.add(checks.MP102, pos, fmt.Sprintf("page %q has no %s", full, strings.Join(missing, " and no ")), hint)
	}
}

// subpackages checks each subpackage root is a directory in the
// mini-program (MP110), then its pages.
func (v *validator) subpackages() {
	for i := range v.app.Subpackages {
		sp := &v.app.Subpackages[i]
		if sp.Root.Value == "" {
			continue // MP104 already
		}
		if !clean(sp.Root.Value) {
			v.add(checks.MP110, sp.Root.Pos, fmt.Sprintf("subpackage root %q leaves the mini-program root", sp.Root.Value),
				"write the root relative to the mini-program root")
			continue
		}
		if !v.files.IsDir(sp.Root.Value) {
			v.add(checks.MP110, sp.Root.Pos, fmt.Sprintf("subpackage root directory %q does not exist in %s", sp.Root.Value, v.where),
				"create the directory, or fix the root")
			continue
		}
		for j, pg := range sp.Pages {
			v.page(sp.Page(j), pg.Pos)
		}
	}
}

// customTabBar: tabBar.custom: true loads the component
// custom-tab-bar/index by convention (WeChat's analyser adds it as a
// component of app.json); its script, template and JSON must exist (MP102).
func (v *validator) customTabBar() {
	tb := v.app.TabBarCustom
	if tb == nil {
		return
	}
	stem := tb.Value
	var missing []string
	if !v.files.Exists(stem+".js") && !(v.ts && v.files.Exists(stem+".ts")) {
		missing = append(missing, stem+".js")
	}
	for _, ext := range []string{v.p.Template, ".json"} {
		if !v.files.Exists(stem + ext) {
			missing = append(missing, stem+ext)
		}
	}
	if len(missing) > 0 {
		v.add(checks.MP102, tb.Pos, fmt.Sprintf("tabBar.custom is true but the custom tab bar has no %s in %s", strings.Join(missing, " and no "), v.where),
			"create the custom-tab-bar/index component (script, template and JSON with \"component\": true), or remove tabBar.custom")
	}
}

// workers: miniprogram-ci's checkWorkers requires the directory. Packed as
// a subpackage it is a package root (MP110); otherwise a reference (MP210).
// Alipay's list of worker scripts must exist (MP210).
func (v *validator) workers() {
	w := v.app.Workers
	if w == nil {
		return
	}
	if dir := NormalizeRoot(w.Path.Value); w.Path.Value != "" && (!clean(dir) || !v.files.IsDir(dir)) {
		id, what := checks.MP210, "workers directory"
		if w.IsSubpackage {
			id, what = checks.MP110, "workers directory, packed as a subpackage,"
		}
		v.add(id, w.Path.Pos, fmt.Sprintf("%s %q does not exist in %s", what, w.Path.Value, v.where), "create the directory, or fix workers")
	}
	for _, f := range w.Files {
		if rel := normPage(f.Value); !clean(rel) || !v.files.Exists(path.Clean(rel)) {
			v.add(checks.MP210, f.Pos, fmt.Sprintf("worker script %q does not exist in %s", f.Value, v.where), "create the file, or fix the workers list")
		}
	}
}

// clean reports whether a declared path stays inside the mini-program root;
// other paths are not looked up.
func clean(p string) bool {
	p = normPage(p)
	if p == "" || strings.ContainsRune(p, 0) {
		return false
	}
	c := path.Clean(p)
	return c != ".." && !strings.HasPrefix(c, "../")
}
