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
	where := "the mini-program root"
	if root != "" {
		where = root + "/"
	}
	var out []checks.Diagnostic
	checkPage := func(full string, pos Pos) {
		if !clean(full) {
			out = append(out, checks.New(checks.MP102, app.File, pos.Line, pos.Col,
				fmt.Sprintf("page %q leaves the mini-program root", full), "write the page path relative to the mini-program root"))
			return
		}
		full = path.Clean(full)
		var missing []string
		if !files.Exists(full+".js") && !(ts && files.Exists(full+".ts")) {
			s := full + ".js"
			if ts {
				s += " (or .ts)"
			}
			missing = append(missing, s)
		}
		if !files.Exists(full + p.Template) {
			missing = append(missing, full+p.Template)
		}
		if len(missing) > 0 {
			hint := "create the missing file, or fix the page path (it names the files without extension)"
			if ext := path.Ext(full); ext == ".js" || ext == ".ts" || ext == p.Template || ext == ".json" {
				hint = fmt.Sprintf("drop the extension: write %q", strings.TrimSuffix(full, ext))
			}
			out = append(out, checks.New(checks.MP102, app.File, pos.Line, pos.Col,
				fmt.Sprintf("page %q has no %s", full, strings.Join(missing, " and no ")), hint))
		}
	}
	for _, pg := range app.Pages {
		checkPage(normPage(pg.Value), pg.Pos)
	}
	for i := range app.Subpackages {
		sp := &app.Subpackages[i]
		if sp.Root.Value == "" {
			continue // MP104 already
		}
		if !clean(sp.Root.Value) {
			out = append(out, checks.New(checks.MP110, app.File, sp.Root.Pos.Line, sp.Root.Pos.Col,
				fmt.Sprintf("subpackage root %q leaves the mini-program root", sp.Root.Value),
				"write the root relative to the mini-program root"))
			continue
		}
		if !files.IsDir(sp.Root.Value) {
			out = append(out, checks.New(checks.MP110, app.File, sp.Root.Pos.Line, sp.Root.Pos.Col,
				fmt.Sprintf("subpackage root directory %q does not exist in %s", sp.Root.Value, where),
				"create the directory, or fix the root"))
			continue
		}
		for j, pg := range sp.Pages {
			checkPage(sp.Page(j), pg.Pos)
		}
	}
	// tabBar.custom: true loads the component custom-tab-bar/index by
	// convention (WeChat's analyser adds it as a component of app.json); its
	// script, template and JSON must exist.
	if tb := app.TabBarCustom; tb != nil {
		stem := tb.Value
		var missing []string
		if !files.Exists(stem+".js") && !(ts && files.Exists(stem+".ts")) {
			missing = append(missing, stem+".js")
		}
		for _, ext := range []string{p.Template, ".json"} {
			if !files.Exists(stem + ext) {
				missing = append(missing, stem+ext)
			}
		}
		if len(missing) > 0 {
			out = append(out, checks.New(checks.MP102, app.File, tb.Pos.Line, tb.Pos.Col,
				fmt.Sprintf("tabBar.custom is true but the custom tab bar has no %s in %s", strings.Join(missing, " and no "), where),
				"create the custom-tab-bar/index component (script, template and JSON with \"component\": true), or remove tabBar.custom"))
		}
	}
	// Workers: miniprogram-ci's checkWorkers requires the directory. Packed as
	// a subpackage it is a package root (MP110); otherwise a reference (MP210).
	if w := app.Workers; w != nil {
		if dir := NormalizeRoot(w.Path.Value); w.Path.Value != "" && (!clean(dir) || !files.IsDir(dir)) {
			id, what := checks.MP210, "workers directory"
			if w.IsSubpackage {
				id, what = checks.MP110, "workers directory, packed as a subpackage,"
			}
			out = append(out, checks.New(id, app.File, w.Path.Pos.Line, w.Path.Pos.Col,
				fmt.Sprintf("%s %q does not exist in %s", what, w.Path.Value, where),
				"create the directory, or fix workers"))
		}
		for _, f := range w.Files { // Alipay: a list of scripts
			if rel := normPage(f.Value); !clean(rel) || !files.Exists(path.Clean(rel)) {
				out = append(out, checks.New(checks.MP210, app.File, f.Pos.Line, f.Pos.Col,
					fmt.Sprintf("worker script %q does not exist in %s", f.Value, where), "create the file, or fix the workers list"))
			}
		}
	}
	return out
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
