package pack

import (
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/manifest"
)

// MainPackage is the name of the main package, the platforms' own word.
const MainPackage = "__APP__"

// PackageInfo describes one package of the mini-program.
type PackageInfo struct {
	// Name is "__APP__" for the main package, else the normalised root.
	Name string
	// Alias is the subpackage's declared name, if any.
	Alias string
	// Root is "" for the main package.
	Root string
	// Kind is checks.KindMain, checks.KindSubpackage or checks.KindWorkers.
	Kind        string
	Independent bool
}

// Layout assigns files to packages.
type Layout struct {
	pkgs []PackageInfo
	// byRoot maps the root of each non-main package to its name. PackageOf
	// looks up the path and its parent directories in it, a few lookups per
	// file, rather than testing the path against every root: the rules ask
	// for the package of every edge's ends, on programs with dozens of
	// subpackages.
	byRoot map[string]string
}

// NewLayout builds the layout of app: the main package, one package per
// subpackage (in manifest order), and a workers package when the workers are
// packed as a subpackage. app may be nil (main package only). Duplicate roots
// keep their first declaration (the manifest rules report the rest).
func NewLayout(app *manifest.App) *Layout {
	l := &Layout{pkgs: []PackageInfo{{Name: MainPackage, Kind: checks.KindMain}}}
	if app == nil {
		return l
	}
	seen := map[string]bool{}
	add := func(p PackageInfo) {
		if p.Root == "" || seen[p.Root] {
			return
		}
		seen[p.Root] = true
		l.pkgs = append(l.pkgs, p)
	}
	for _, s := range app.Subpackages {
		root := normRoot(s.Root.Value)
		p := PackageInfo{Name: root, Root: root, Kind: checks.KindSubpackage, Independent: s.Independent}
		if s.Name != nil {
			p.Alias = s.Name.Value
		}
		add(p)
	}
	if app.Workers != nil && app.Workers.IsSubpackage {
		root := normRoot(app.Workers.Path.Value)
		add(PackageInfo{Name: root, Root: root, Kind: checks.KindWorkers})
	}
	l.byRoot = make(map[string]string, len(l.pkgs)-1)
	for _, p := range l.pkgs[1:] {
		l.byRoot[p.Root] = p.Name
	}
	return l
}

// normRoot strips leading "./" and "/" and trailing "/" (manifest already
// does so for subpackage roots; workers paths are as written).
func normRoot(r string) string {
	for {
		switch {
		case strings.HasPrefix(r, "./"):
			r = r[2:]
		case strings.HasPrefix(r, "/"):
			r = r[1:]
		default:
			return strings.TrimRight(r, "/")
		}
	}
}

// Packages returns the packages, the main package first, then in manifest
// order.
func (l *Layout) Packages() []PackageInfo {
	return append([]PackageInfo(nil), l.pkgs...)
}

// Package returns the package with the given name.
func (l *Layout) Package(name string) (PackageInfo, bool) {
	for _, p := range l.pkgs {
		if p.Name == name {
			return p, true
		}
	}
	return PackageInfo{}, false
}

// PackageOf returns the name of the package that owns path (relative to the
// mini-program root): the subpackage whose root is the longest prefix of path
// at a "/" boundary, else "__APP__".
func (l *Layout) PackageOf(path string) string {
	// The roots that own path are path itself and its prefixes ending
	// before a "/": tried longest first, the first root found is the
	// longest.
	for p := path; ; {
		if name, ok := l.byRoot[p]; ok {
			return name
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return MainPackage
		}
		p = p[:i]
	}
}
