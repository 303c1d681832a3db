package manifest

import (
	"fmt"
	"path"
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/platform"
)

// Files answers questions about the files of a mini-program. Paths are
// slash-separated and relative to the directory Validate's root is relative to.
type Files interface {
	Exists(path string) bool
	IsDir(path string) bool
}

// ValidateOptions change what counts as a page's files.
type ValidateOptions struct {
	// TypeScript accepts a .ts script in place of the .js one (the project
	// compiles TypeScript itself: WeChat's setting.useCompilerPlugins
	// contains "typescript").
	TypeScript bool
}

// OptionsFor derives the options from the project settings (nil allowed).
func OptionsFor(proj *Project) ValidateOptions {
	var o ValidateOptions
	if proj != nil {
		for _, c := range proj.Setting.UseCompilerPlugins {
			if c == "typescript" {
				o.TypeScript = true
			}
		}
	}
	return o
}

// Validate checks the manifest against the files: MP102 (a declared page
// without its script or template) and MP110 (a subpackage root directory that
// does not exist). root is the mini-program root relative to the files ("" =
// the same); diagnostics keep paths relative to the mini-program root.
func Validate(app *App, p *platform.Platform, root string, files Files, opt ValidateOptions) []checks.Diagnostic {
	if app == nil || files == nil {
		return nil
	}
	if p == nil {
		p, _ = platform.Get(platform.WeChat)
	}
	root = NormalizeRoot(root)
	at := func(rel string) string {
		if root == "" {
			return rel
		}
		return root + "/" + rel
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
		if !files.Exists(at(full+".js")) && !(opt.TypeScript && files.Exists(at(full+".ts"))) {
			s := full + ".js"
			if opt.TypeScript {
				s += " (or .ts)"
			}
			missing = append(missing, s)
		}
		if !files.Exists(at(full + p.Template)) {
			missing = append(missing, full+p.Template)
		}
		if len(missing) > 0 {
			out = append(out, checks.New(checks.MP102, app.File, pos.Line, pos.Col,
				fmt.Sprintf("page %q has no %s", full, strings.Join(missing, " and no ")),
				"create the missing file, or fix the page path (it names the files without extension)"))
		}
	}
	for _, pg := range app.Pages {
		checkPage(normPage(pg.Value), pg.Pos)
	}
	for i := range app.Subpackages {
		sp := &app.Subpackages[i]
		if sp.Root.Value == "" || !clean(sp.Root.Value) {
			continue
		}
		if !files.IsDir(at(sp.Root.Value)) {
			out = append(out, checks.New(checks.MP110, app.File, sp.Root.Pos.Line, sp.Root.Pos.Col,
				fmt.Sprintf("subpackage root directory %q does not exist", sp.Root.Value),
				"create the directory, or fix the root"))
			continue
		}
		for j, pg := range sp.Pages {
			checkPage(sp.Page(j), pg.Pos)
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
