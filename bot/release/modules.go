package release

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/modules"
	"github.com/mpgate/mpgate/checks/platform"
	"github.com/mpgate/mpgate/checks/tree"
)

// AppModule is the name of the main package's module when modules come from
// the mini-program's subpackages.
const AppModule = modules.AppModule

// DefaultTag is the tag template when the config names none.
const DefaultTag = "{module}@v{version}"

// Module is a module with its globs compiled.
type Module struct {
	Name      string
	Paths     []string // repository-relative minimatch globs
	Changelog string   // repository-relative path of its CHANGELOG.md
	Tag       string   // tag template
	// files routes files to modules as the boundaries do (checks/modules).
	files *modules.Module
}

// ErrModules: the modules cannot be determined.
var ErrModules = errors.New("cannot determine modules")

// maxManifestFile caps app.json and project settings read here.
const maxManifestFile = 8 << 20

// Modules returns the repository's modules: those of the config, or when it
// configures none, one per subpackage of the first project's mini-program
// (name = the subpackage root, paths = "<root>/**", changelog =
// "<root>/CHANGELOG.md", all relative to the repository) and AppModule for
// everything else under the mini-program root (changelog
// "<mini-program root>/CHANGELOG.md"). The mini-program root is the first
// project's root joined with miniprogramRoot of its project settings; the
// manifest is read with checks/manifest. A config module without a changelog
// gets "CHANGELOG.md" under the literal prefix of its first glob.
func Modules(repoDir string, cfg *config.Config) ([]*Module, error) {
	if cfg == nil {
		cfg = config.Default()
	}
	tagFor := func(t string) string {
		switch {
		case t != "":
			return t
		case cfg.Release.Tag != "":
			return cfg.Release.Tag
		}
		return DefaultTag
	}
	var out []*Module
	if len(cfg.Modules) > 0 {
		for _, m := range cfg.Modules {
			cl := m.Changelog
			if cl == "" && len(m.Paths) > 0 {
				cl = path.Join(modules.LiteralPrefix(m.Paths[0]), "CHANGELOG.md")
			}
			mod, err := newModule(m.Name, m.Paths, cl, tagFor(m.Tag))
			if err != nil {
				return nil, err
			}
			out = append(out, mod)
		}
		return out, nil
	}
	root, subs, err := subpackages(repoDir, cfg)
	if err != nil {
		return nil, err
	}
	defaults, err := modules.Defaults(root, subs)
	if err != nil {
		return nil, err
	}
	for _, d := range defaults {
		mod, err := newModule(d.Name, d.Paths, path.Join(modules.LiteralPrefix(d.Paths[0]), "CHANGELOG.md"), tagFor(""))
		if err != nil {
			return nil, err
		}
		out = append(out, mod)
	}
	return out, nil
}

func newModule(name string, paths []string, changelog, tag string) (*Module, error) {
	m := &Module{Name: name, Paths: paths, Changelog: changelog, Tag: tag}
	if _, err := ParseTagTemplate(tag, name); err != nil {
		return nil, fmt.Errorf("module %s: %w", name, err)
	}
	files, err := modules.New(name, paths, nil)
	if err != nil {
		return nil, err
	}
	m.files = files
	return m, nil
}

// subpackages reads the first project's mini-program root (repository-
// relative, "" for the repository itself) and its subpackage roots.
func subpackages(repoDir string, cfg *config.Config) (string, []string, error) {
	proj := "."
	var pid platform.ID
	if len(cfg.Projects) > 0 {
		proj = cfg.Projects[0].Root
		pid = cfg.Projects[0].Platform
	}
	projDir := filepath.Join(repoDir, filepath.FromSlash(proj))
	if pid == "" {
		if fsys, done, err := tree.DetectIn(projDir); err == nil {
			pid, _ = platform.DetectFS(fsys)
			done()
		}
		if pid == "" {
			pid = platform.WeChat
		}
	}
	p, ok := platform.Get(pid)
	if !ok {
		return "", nil, fmt.Errorf("%w: unknown platform %q", ErrModules, pid)
	}
	mpRoot := ""
	if src, err := readCapped(repoDir, path.Join(proj, p.ProjectConfig)); err == nil {
		if pr, _ := manifest.ParseProject(src, p.ProjectConfig, p); pr != nil {
			mpRoot = pr.MiniprogramRoot
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", nil, fmt.Errorf("%w: %w", ErrModules, err)
	}
	root := strings.Trim(path.Clean("/"+path.Join(proj, mpRoot)), "/")
	src, err := readCapped(repoDir, path.Join(root, "app.json"))
	if err != nil {
		return "", nil, fmt.Errorf("%w: no modules configured and no app.json to take subpackages from: %w", ErrModules, err)
	}
	app, diags := manifest.ParseApp(src, "app.json", p)
	if app == nil {
		msg := "invalid"
		if len(diags) > 0 {
			msg = diags[0].Message
		}
		return "", nil, fmt.Errorf("%w: %s/app.json: %s", ErrModules, root, msg)
	}
	var subs []string
	seen := map[string]bool{}
	for _, s := range app.Subpackages {
		r := s.Root.Value
		if r == "" || seen[r] || strings.HasPrefix(r, "..") {
			continue
		}
		seen[r] = true
		subs = append(subs, r)
	}
	return root, subs, nil
}

// readCapped reads rel under repoDir through tree.ReadFileIn: no link out
// of the checkout, no special file, at most maxManifestFile bytes.
func readCapped(repoDir, rel string) ([]byte, error) {
	return tree.ReadFileIn(repoDir, strings.Trim(path.Clean("/"+rel), "/"), maxManifestFile)
}

// Router assigns files to modules.
type Router struct {
	mods  []*Module
	files *modules.Router
	of    map[*modules.Module]*Module
}

// NewRouter routes among mods.
func NewRouter(mods []*Module) *Router {
	r := &Router{mods: mods, of: map[*modules.Module]*Module{}}
	var fm []*modules.Module
	for _, m := range mods {
		fm = append(fm, m.files)
		r.of[m.files] = m
	}
	r.files = modules.NewRouter(fm)
	return r
}

// Module returns the module a repository-relative file belongs to, nil when
// none: the module with a matching glob of the longest literal prefix (the
// most specific); on a tie the module listed first wins (config order; with
// default modules AppModule is first, but its prefix is always shorter than
// a subpackage's). Files under a dot-directory such as ".changes" match no
// "**" glob (minimatch's rule), so they belong to no module. The rule is
// checks/modules.Router's, which the module boundaries use.
func (r *Router) Module(file string) *Module {
	return r.of[r.files.Module(file)]
}

// Touched returns the names of the modules files belong to, in module order.
func (r *Router) Touched(files []string) []string {
	hit := map[string]bool{}
	for _, f := range files {
		if m := r.Module(f); m != nil {
			hit[m.Name] = true
		}
	}
	var out []string
	for _, m := range r.mods {
		if hit[m.Name] {
			out = append(out, m.Name)
		}
	}
	return out
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
