// Package modules knows the modules a repository is split into (the
// modules: of .mpgate.yml, or one per subpackage) and checks the contracts
// between them that teams configure under boundaries: which module may use
// which (layers and rules), which files of a module others may use (its
// public entries), cycles between modules, and the platforms' global APIs
// kept behind an adapter layer. It works on the dependency graph the
// analysis already built (checks/graph) and knows no forge.
package modules

import (
	"fmt"
	"path"
	"strings"

	"github.com/mpgate/mpgate/checks/pack"
)

// AppModule is the name of the main package's module when modules come from
// the mini-program's subpackages.
const AppModule = "app"

// Module is a module with its globs compiled. Paths and public entries are
// repository-relative minimatch globs.
type Module struct {
	Name   string
	Paths  []string
	Public []string
	// Index is the module's place in the config's modules: list (-1 for
	// the default modules), for messages that point at the config.
	Index  int
	globs  []*pack.Glob
	public []*pack.Glob
}

// New compiles a module.
func New(name string, paths, public []string) (*Module, error) {
	m := &Module{Name: name, Paths: paths, Public: public, Index: -1}
	for _, p := range paths {
		g, err := pack.CompileGlob(strings.TrimPrefix(p, "./"))
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", name, err)
		}
		m.globs = append(m.globs, g)
	}
	for _, p := range public {
		g, err := pack.CompileGlob(strings.TrimPrefix(p, "./"))
		if err != nil {
			return nil, fmt.Errorf("module %s: public: %w", name, err)
		}
		m.public = append(m.public, g)
	}
	return m, nil
}

// Defaults are the modules of a mini-program without configured modules:
// AppModule for everything under the mini-program root (root, repository-
// relative; "" for the repository itself) and one per subpackage root,
// named by that root.
func Defaults(root string, subpackages []string) ([]*Module, error) {
	all := "**"
	if root != "" {
		all = root + "/**"
	}
	app, err := New(AppModule, []string{all}, nil)
	if err != nil {
		return nil, err
	}
	out := []*Module{app}
	seen := map[string]bool{}
	for _, s := range subpackages {
		if s == "" || seen[s] || strings.HasPrefix(s, "..") {
			continue
		}
		seen[s] = true
		m, err := New(s, []string{path.Join(root, s) + "/**"}, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// HasPublic reports whether the module declares public entries.
func (m *Module) HasPublic() bool { return len(m.public) > 0 }

// IsPublic reports whether another module may use file (repository-
// relative): the module declares no public entries, or one matches the
// file, or, for a component used by its path without extension (stem),
// the stem or its script.
func (m *Module) IsPublic(file string, component bool) bool {
	if len(m.public) == 0 {
		return true
	}
	for _, g := range m.public {
		if g.Match(file) || (component && (g.Match(file+".js") || g.Match(file+".ts"))) {
			return true
		}
	}
	return false
}

// LiteralPrefix is the leading "/"-separated segments of a glob with no
// magic characters ("packagePay/sub/**" → "packagePay/sub").
func LiteralPrefix(glob string) string {
	glob = strings.TrimPrefix(glob, "./")
	var segs []string
	for s := range strings.SplitSeq(glob, "/") {
		if strings.ContainsAny(s, "*?[{\\!") {
			break
		}
		segs = append(segs, s)
	}
	return strings.Join(segs, "/")
}

// Router assigns files to modules.
type Router struct{ mods []*Module }

// NewRouter routes among mods.
func NewRouter(mods []*Module) *Router { return &Router{mods: mods} }

// Modules are the modules routed among, in order.
func (r *Router) Modules() []*Module { return r.mods }

// Module returns the module a repository-relative file belongs to, nil when
// none: the module with a matching glob of the longest literal prefix (the
// most specific); on a tie the module listed first wins (config order; with
// default modules AppModule is first, but its prefix is always shorter than
// a subpackage's). Files under a dot-directory such as ".changes" match no
// "**" glob (minimatch's rule), so they belong to no module.
func (r *Router) Module(file string) *Module {
	var best *Module
	bestLen := -1
	for _, m := range r.mods {
		for i, g := range m.globs {
			if !g.Match(file) {
				continue
			}
			if l := len(LiteralPrefix(m.Paths[i])); l > bestLen {
				best, bestLen = m, l
			}
		}
	}
	return best
}

// ByName finds a module.
func (r *Router) ByName(name string) *Module {
	for _, m := range r.mods {
		if m.Name == name {
			return m
		}
	}
	return nil
}
