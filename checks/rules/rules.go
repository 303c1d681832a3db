// Package rules applies the package rules of the catalog to a dependency graph
// laid out in packages: what may use what across packages (MP201–MP212) and
// the size budgets and hints (MP301–MP307).
package rules

import (
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/graph"
	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/platform"
)

// Layout says which package a file belongs to.
type Layout interface {
	PackageOf(path string) string
}

// Input is everything the rules look at.
type Input struct {
	Platform *platform.Platform
	App      *manifest.App
	Graph    *graph.Graph
	Layout   Layout
	// Uploaded reports whether a file is uploaded; findings in files that are
	// not are left out (the platform never sees them).
	Uploaded func(path string) bool
	// Packages carry sizes and limits; Basis says which size the limits apply to.
	Packages []checks.Package
	Basis    string
	Limits   checks.Limits
	// Files are the uploaded files with their package and sizes.
	Files []checks.File
	// Hashes maps uploaded files to a digest of their content (MP306).
	Hashes map[string]string
	// AppScripts are the app's own script files ("app.js", "app.ts").
	AppScripts []string
	// ScriptExts are the extensions a component's script may have (".js",
	// and ".ts" when the project compiles TypeScript); nil means ".js".
	ScriptExts []string
	// Exists reports whether a file will be on the platform (uploaded, or a
	// source the project compiles); nil skips the checks that need it.
	Exists func(path string) bool
	// NoReach is set when the manifest could not be read: every file would
	// look unused, so reachability hints (MP305, MP307) are left out.
	NoReach bool

	pkgs *packages // made by the first pkgOf
}

// pkg is what the rules need to know of a package.
type pkg struct {
	name        string
	main        bool
	independent bool
	common      bool
}

// packages are the manifest's packages and, once asked for, the package of
// each file: the rules ask for the packages of both ends of every edge, and
// several rules go over the same edges, so each file's is looked up once.
type packages struct {
	layout Layout
	byName map[string]pkg
	files  map[string]pkg
}

// packages returns in's packages, made on first use.
func (in *Input) packages() *packages {
	if in.pkgs != nil {
		return in.pkgs
	}
	ps := &packages{layout: in.Layout, byName: make(map[string]pkg, len(in.App.Subpackages)+1),
		// Nearly every file asked about is an uploaded one.
		files: make(map[string]pkg, len(in.Files))}
	ps.byName[checks.MainPackage] = pkg{name: checks.MainPackage, main: true}
	for _, sp := range in.App.Subpackages {
		ps.byName[sp.Root.Value] = pkg{name: sp.Root.Value, independent: sp.Independent, common: sp.Common}
	}
	in.pkgs = ps
	return ps
}

// named returns the package called name (one the manifest does not declare
// has only its name).
func (ps *packages) named(name string) pkg {
	if p, ok := ps.byName[name]; ok {
		return p
	}
	return pkg{name: name}
}

// pkgOf returns the package file belongs to.
func (in *Input) pkgOf(file string) pkg {
	ps := in.packages()
	if p, ok := ps.files[file]; ok {
		return p
	}
	p := ps.named(ps.layout.PackageOf(file))
	ps.files[file] = p
	return p
}

// Check runs every rule and returns the diagnostics in a stable order.
func Check(in Input) []checks.Diagnostic {
	var out []checks.Diagnostic
	out = append(out, deadCode(&in, crossPackage(&in))...)
	out = append(out, sizes(&in)...)
	out = append(out, hints(&in)...)
	return out
}

// deadCode turns the reference errors of uploaded files that nothing uses
// into warnings: such a file is shipped but never loaded, so a broken or
// cross-package reference in it fails nothing on the platform. (Files the
// platform drops as unused are not judged at all; see Input.Uploaded.)
func deadCode(in *Input, ds []checks.Diagnostic) []checks.Diagnostic {
	if in.NoReach {
		return ds
	}
	unused := map[string]bool{}
	for _, f := range in.Files {
		if !f.Used {
			unused[f.Path] = true
		}
	}
	for i := range ds {
		d := &ds[i]
		if d.Severity == checks.SeverityError && unused[d.File] {
			d.Severity = checks.SeverityWarning
			d.Message += " (nothing uses " + d.File + ", so it never runs; it is still uploaded)"
		}
	}
	return ds
}
