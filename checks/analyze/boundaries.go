package analyze

import (
	"fmt"
	"path"
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/graph"
	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/modules"
)

// Boundaries are the contracts between a repository's modules to check
// (docs/modules.md): modules: and boundaries: of .mpgate.yml.
type Boundaries struct {
	// Modules are the configured modules; empty: one per subpackage and
	// modules.AppModule for the rest of the mini-program.
	Modules []config.Module
	Rules   config.Boundaries
	// Dir is the analysed directory relative to the repository ("." for
	// the repository itself): module globs are repository-relative.
	Dir string
	// ConfigFile names the config in messages.
	ConfigFile string
}

// BoundariesOf returns what cfg asks to check of the project analysed in
// dir (relative to the repository), nil when it asks nothing: no
// boundaries and no module with public entries.
func BoundariesOf(cfg *config.Config, dir string) *Boundaries {
	if cfg == nil {
		return nil
	}
	public := false
	for _, m := range cfg.Modules {
		public = public || len(m.Public) > 0
	}
	if !cfg.Boundaries.Enabled() && !public {
		return nil
	}
	file := cfg.File
	if file == "" {
		file = config.DefaultFile
	}
	return &Boundaries{Modules: cfg.Modules, Rules: cfg.Boundaries, Dir: dir, ConfigFile: path.Base(file)}
}

// maxAPIScan caps a script read for the platform-API check.
const maxAPIScan = 16 << 20

// checkBoundaries applies b to the program: root is the mini-program root
// relative to the analysed directory, scripts the uploaded scripts.
func checkBoundaries(b *Boundaries, g *graph.Graph, app *manifest.App, root string, scripts []string,
	read func(string, int64) ([]byte, error)) ([]checks.Diagnostic, error) {
	prefix := strings.Trim(path.Clean("/"+path.Join(b.Dir, root)), "/")
	var mods []*modules.Module
	if len(b.Modules) > 0 {
		for i, m := range b.Modules {
			mod, err := modules.New(m.Name, m.Paths, m.Public)
			if err != nil {
				return nil, fmt.Errorf("%s line %d: %w", b.ConfigFile, m.Line, err)
			}
			mod.Index = i
			mods = append(mods, mod)
		}
	} else {
		var subs []string
		for _, s := range app.Subpackages {
			subs = append(subs, s.Root.Value)
		}
		var err error
		if mods, err = modules.Defaults(prefix, subs); err != nil {
			return nil, fmt.Errorf("modules of the subpackages: %w", err)
		}
	}
	out := modules.Check(modules.Input{Edges: g.Edges, Prefix: prefix, Router: modules.NewRouter(mods),
		Config: b.Rules, ConfigFile: b.ConfigFile})
	api, err := modules.CheckPlatformAPI(modules.APIInput{Scripts: scripts, Prefix: prefix, Config: b.Rules.PlatformAPI,
		ConfigFile: b.ConfigFile, ReadFile: func(f string) ([]byte, error) { return read(f, maxAPIScan) }})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.ConfigFile, err)
	}
	return append(out, api...), nil
}
