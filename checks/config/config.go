// Package config reads a repository's .mpgate.yml: which mini-programs the
// repository holds, how to build them, their size limits and the gates on a
// request. The file is strict: an unknown key is an error that names the file,
// the line and the keys valid there. Every key is documented in docs/config.md;
// schema/mpgate.schema.json describes the same keys for editors.
//
// Sizes are written with a unit: B, KB, MB, GB, where KB is 1024 bytes and MB
// is 1024 KB — the platforms' own reading ("2 MB" is 2048 KB of 1024 bytes).
// KiB, MiB and GiB are accepted as synonyms. Shares are written with "%".
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	yaml "go.yaml.in/yaml/v3"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/platform"
	"github.com/mpgate/mpgate/checks/tree"
)

// DefaultFile is the name of the config file at the root of a repository.
const DefaultFile = ".mpgate.yml"

// maxFileSize caps the config file: a config is a few hundred bytes; anything
// near this is not a config.
const maxFileSize = 1 << 20

// Trust levels for building requests from forks.
const (
	BuildForksNever         = "never"
	BuildForksAfterApproval = "after_approval"
	BuildForksAlways        = "always"
)

// Lint severities a lint gate fails on.
const (
	FailOnError   = "error"
	FailOnWarning = "warning"
)

// Config is a parsed .mpgate.yml with defaults applied.
type Config struct {
	// File is the path the config was read from; empty for the defaults.
	File string `yaml:"-"`
	// Projects are the mini-programs in the repository; never empty after
	// Parse or Default.
	Projects []Project `yaml:"projects"`
	Gates    Gates     `yaml:"gates"`
	Modules  []Module  `yaml:"modules"`
	// Boundaries are the rules between modules (docs/modules.md); off
	// when empty.
	Boundaries Boundaries `yaml:"boundaries"`
	Release    Release    `yaml:"release"`
	Trust      Trust      `yaml:"trust"`
	Comment    Comment    `yaml:"comment"`
}

// Comment configures the sticky comment on a request (one per project
// key).
type Comment struct {
	// RequireChanges posts no comment on a request without changes (as
	// Codecov's require_changes): no package added, removed or changed in
	// size by more than MinChange, no new or fixed finding, no lint problem,
	// no gate failed. A comment already there is updated all the same, so
	// it never shows an earlier push's figures.
	RequireChanges bool `yaml:"require_changes" json:"requireChanges,omitempty"`
	// MinChange is the size change a package may have and still count as
	// unchanged: it is folded with the unchanged packages, and a request
	// whose packages all stay within it says "No size change". 0: any
	// change counts.
	MinChange Size `yaml:"min_change" json:"minChange,omitempty"`
}

// Project is one mini-program of the repository.
type Project struct {
	// Name identifies the project in reports and on the command line;
	// required when there are several projects.
	Name string `yaml:"name"`
	// Platform is empty when it is to be detected from the files.
	Platform platform.ID `yaml:"platform"`
	// Root is the directory to analyse, relative to the repository, cleaned,
	// with "/"; "." is the repository itself.
	Root string `yaml:"root"`
	// Build is a shell command that produces Root; empty analyses the
	// source as it is.
	Build string `yaml:"build"`
	// Install is the step that installs the build's dependencies, run
	// before Build ("npm ci"), or "auto" to choose it from the lockfile;
	// empty: none. The server runs it with the network and the build
	// without (docs/builds.md).
	Install string `yaml:"install"`
	Limits  Limits `yaml:"limits"`
	// Line is the line of the project's entry in the file (0 for defaults).
	Line int `yaml:"-"`
}

// Limits override the platform's default limits; zero keeps the default.
type Limits struct {
	Package Size    `yaml:"package"`
	Main    Size    `yaml:"main"`
	Total   Size    `yaml:"total"`
	Preload Size    `yaml:"preload"`
	Warn    Percent `yaml:"warn"`
}

// Gates configure the gates on a request.
type Gates struct {
	Size      SizeGate      `yaml:"size"`
	Lint      LintGate      `yaml:"lint"`
	Coverage  CoverageGate  `yaml:"coverage"`
	Changelog ChangelogGate `yaml:"changelog"`
	API       APIGate       `yaml:"api"`
}

// APIGate (GATE-API) fails a request whose change to a module's public API
// needs a bigger version bump than the request's changelog entries plan:
// a breaking change (a removed or retyped export or component property) a
// major one, an addition a minor one (docs/modules.md).
type APIGate struct {
	// Enabled turns the gate on; it is off by default.
	Enabled bool `yaml:"enabled"`
	// Informational reports the gate without ever failing the check.
	Informational bool `yaml:"informational"`
}

// DefaultNoChangelogLabel is the label that exempts a request from the
// changelog gate unless gates.changelog.label names another.
const DefaultNoChangelogLabel = "no-changelog"

// ChangelogGate (GATE-CHANGELOG) fails a request that touches a module
// without a changelog entry for it.
type ChangelogGate struct {
	// Enabled turns the gate on; it is off by default.
	Enabled bool `yaml:"enabled"`
	// Label on a request exempts it: it needs no entry.
	Label string `yaml:"label"`
	// Informational reports the gate without ever failing the check.
	Informational bool `yaml:"informational"`
}

// SizeGate fails when a package grows more than MaxGrowth (a share of its
// base size) and more than NoiseFloor, or more than MaxGrowthBytes, or ends
// over its budget in Limits. A nil bound is off (write null in the file to
// turn a default bound off).
type SizeGate struct {
	MaxGrowth      *Percent `yaml:"max_growth"`
	MaxGrowthBytes *Size    `yaml:"max_growth_bytes"`
	// NoiseFloor is the growth in bytes a package may always have: the
	// MaxGrowth share fails only a growth above both (a few hundred bytes on
	// a small package are many percent). nil is no floor.
	NoiseFloor *Size `yaml:"noise_floor"`
	// Limits are budgets per package: the key is a subpackage's root (or
	// name), "main" for the main package, or a glob of them; the value a size
	// or a share of the platform's limit for that package.
	Limits map[string]Budget `yaml:"limits"`
	// ApproveLabel on a request passes a failing size gate, recorded like
	// /approve-size; empty turns it off.
	ApproveLabel string `yaml:"approve_label"`
	// Informational reports the gate without ever failing the check.
	Informational bool `yaml:"informational"`
}

// DefaultApproveSizeLabel is gates.size.approve_label unless the file says
// otherwise.
const DefaultApproveSizeLabel = "mpgate:approve-size"

// DefaultNoiseFloor is gates.size.noise_floor unless the file says otherwise.
const DefaultNoiseFloor = Size(1024)

// LintGate reads an ESLint or Stylelint JSON report.
type LintGate struct {
	// Report is the path of the JSON report; empty turns the gate off.
	Report string `yaml:"report"`
	// Command produces Report; empty means the report is already there.
	Command string `yaml:"command"`
	// FailOn is "error" or "warning".
	FailOn string `yaml:"fail_on"`
	// ChangedLinesOnly counts only findings on lines the request changed.
	ChangedLinesOnly bool `yaml:"changed_lines_only"`
	// Informational reports the gate without ever failing the check.
	Informational bool `yaml:"informational"`
}

// CoverageGate reads a coverage report (lcov, Cobertura, ...).
type CoverageGate struct {
	// Report is the path of the coverage report; empty turns the gate off.
	Report string `yaml:"report"`
	// Min is the minimum project coverage; nil is off.
	Min *Percent `yaml:"min"`
	// MaxDrop is the largest allowed drop against the base, in percentage
	// points; nil is off.
	MaxDrop *Percent `yaml:"max_drop"`
	// PatchMin is the minimum coverage of the changed lines; nil is off.
	PatchMin *Percent `yaml:"patch_min"`
	// Informational reports the coverage and patch-coverage gates without
	// ever failing the check.
	Informational bool `yaml:"informational"`
}

// Module is a part of the repository with its own changelog and tags.
type Module struct {
	Name      string   `yaml:"name"`
	Paths     []string `yaml:"paths"`
	Changelog string   `yaml:"changelog"`
	// Tag overrides Release.Tag for this module.
	Tag string `yaml:"tag"`
	// Public lists the module's public entries (repository-relative globs
	// of files, or of component paths without extension): another module
	// using any other file of it reaches into its internals (MP403).
	// Empty: every file is public.
	Public []string `yaml:"public"`
	Line   int      `yaml:"-"`
}

// Boundaries are the contracts between modules, checked on every edge of
// the dependency graph (docs/modules.md).
type Boundaries struct {
	// Layers, top first: a module may not use a module of a layer above
	// its own (MP401). Modules of one layer may use each other unless a
	// rule forbids it.
	Layers []Layer `yaml:"layers"`
	// Rules say which modules a module may use (MP401).
	Rules []BoundaryRule `yaml:"rules"`
	// PlatformAPI keeps the platforms' global APIs (wx, my, tt, swan, qq)
	// behind an adapter layer (MP404).
	PlatformAPI PlatformAPI `yaml:"platform_api"`
}

// Enabled reports whether any boundary is configured.
func (b Boundaries) Enabled() bool {
	return len(b.Layers) > 0 || len(b.Rules) > 0 || len(b.PlatformAPI.Adapters) > 0
}

// Layer is one layer of modules.
type Layer struct {
	Name string `yaml:"name"`
	// Modules are module names or globs of names ("feature-*").
	Modules []string `yaml:"modules"`
	Line    int      `yaml:"-"`
}

// BoundaryRule says what the modules From names may use: with Allow (not
// nil; empty forbids every other module), only those modules and itself;
// with Forbid, anything but those. Both hold module names or globs of names.
type BoundaryRule struct {
	From   string   `yaml:"from"`
	Allow  []string `yaml:"allow"`
	Forbid []string `yaml:"forbid"`
	Line   int      `yaml:"-"`
}

// PlatformAPI names where the platforms' global APIs may be called.
type PlatformAPI struct {
	// Adapters are repository-relative globs of the files that may call
	// wx.*, my.*, tt.*, swan.* and qq.* directly; a call anywhere else is
	// a finding (MP404). Empty: not checked.
	Adapters []string `yaml:"adapters"`
}

// Release configures release tags.
type Release struct {
	// Tag is the tag template; {module} and {version} are replaced.
	Tag string `yaml:"tag"`
	// PR opens a release pull request instead of tagging at once.
	PR bool `yaml:"pr"`
	// Bot lets the server (mpgate serve) release on every push to the
	// default branch: keep the release request up to date (PR) or release
	// at once, tag merged releases, publish forge releases. Off by default:
	// installing the App on an organisation opens no release requests.
	Bot bool `yaml:"bot"`
	// Identity is who the release commits and tags are made as; empty
	// fields are taken from GIT_AUTHOR_*/GIT_COMMITTER_* and the user's git
	// configuration (see release.ResolveIdentity).
	Identity Identity `yaml:"identity"`
}

// Identity is a git author or committer.
type Identity struct {
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
}

// Trust configures what the bot does for requests from forks.
type Trust struct {
	// BuildForks is "never", "after_approval" or "always".
	BuildForks string `yaml:"build_forks"`
	// OkToBuildLabel is the label the bot puts on a request when a
	// maintainer comments /ok-to-build: while it is on, later pushes of the
	// request are built too; removing it stops that. Empty: /ok-to-build
	// approves one commit only.
	OkToBuildLabel string `yaml:"ok_to_build_label"`
}

// DefaultOkToBuildLabel is trust.ok_to_build_label unless the file says
// otherwise.
const DefaultOkToBuildLabel = "mpgate:ok-to-build"

// Default returns the configuration used when a repository has no
// .mpgate.yml: one native project at the repository's root, the platform
// detected, the platform's limits, packages may grow 5% (and always 1 KB), and when a coverage
// report is configured 80% coverage overall and on changed lines.
func Default() *Config {
	return &Config{
		Projects: []Project{{Root: "."}},
		Gates: Gates{
			Size:      SizeGate{MaxGrowth: ptr(Percent(5)), NoiseFloor: ptr(DefaultNoiseFloor), ApproveLabel: DefaultApproveSizeLabel},
			Lint:      LintGate{FailOn: FailOnError, ChangedLinesOnly: true},
			Coverage:  CoverageGate{Min: ptr(Percent(80)), PatchMin: ptr(Percent(80))},
			Changelog: ChangelogGate{Label: DefaultNoChangelogLabel},
		},
		Release: Release{Tag: "{module}@v{version}", PR: true},
		Trust:   Trust{BuildForks: BuildForksAfterApproval, OkToBuildLabel: DefaultOkToBuildLabel},
	}
}

// Load reads the config at path. An empty path reads DefaultFile in the
// current directory and returns the defaults when it does not exist; a path
// given explicitly must exist.
func Load(path string) (*Config, error) {
	if path == "" {
		return loadOptional(DefaultFile)
	}
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// LoadDir reads DefaultFile in dir, or returns the defaults when there is
// none. A ".mpgate.yaml" there instead is an error rather than silently
// ignored.
func LoadDir(dir string) (*Config, error) {
	// Through the directory's root: a .mpgate.yml linked out of it, to a
	// device or to a FIFO is refused, not read.
	path := filepath.Join(dir, DefaultFile)
	var cfg *Config
	data, err := tree.ReadFileIn(dir, DefaultFile, maxFileSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		cfg, err = Default(), nil
	case errors.Is(err, tree.ErrTooLarge):
		err = fmt.Errorf("reading config %s: larger than the %d bytes a config may have", path, maxFileSize)
	case err != nil:
		err = fmt.Errorf("reading config: %w", err)
	default:
		cfg, err = Parse(data, path)
	}
	if err == nil && cfg.File == "" {
		alt := filepath.Join(dir, ".mpgate.yaml")
		if _, statErr := os.Stat(alt); statErr == nil {
			return nil, Errors{{File: alt, Msg: "mpgate reads " + DefaultFile + " (with .yml): rename this file"}}
		}
	}
	return cfg, err
}

func loadOptional(path string) (*Config, error) {
	data, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Default(), nil
	}
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

func readFile(path string) ([]byte, error) {
	// Non-blocking: a FIFO is refused below instead of waited on.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading config %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("reading config %s: is a directory", path)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("reading config %s: not a regular file", path)
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("reading config %s: %d bytes, larger than the %d a config may have", path, st.Size(), maxFileSize)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, fmt.Errorf("reading config %s: %w", path, err)
	}
	return buf.Bytes(), nil
}

// CheckLimits returns the project's limits in the engine's form (zero fields keep
// the platform's defaults). limits.package applies to the main package too
// unless limits.main is given.
func (p Project) CheckLimits() checks.Limits {
	main := p.Limits.Main
	if main == 0 {
		main = p.Limits.Package
	}
	return checks.Limits{
		Package:     int64(p.Limits.Package),
		MainPackage: int64(main),
		Total:       int64(p.Limits.Total),
		Preload:     int64(p.Limits.Preload),
		Warn:        float64(p.Limits.Warn),
	}
}

// Project returns the project with the given name.
func (c *Config) Project(name string) (Project, bool) {
	for _, p := range c.Projects {
		if p.Name == name {
			return p, true
		}
	}
	return Project{}, false
}

// ProjectNames lists the projects' names in file order.
func (c *Config) ProjectNames() []string {
	names := make([]string, 0, len(c.Projects))
	for _, p := range c.Projects {
		names = append(names, p.Name)
	}
	return names
}

func ptr[T any](v T) *T { return &v }

var (
	_ yaml.Unmarshaler = (*Size)(nil)
	_ yaml.Unmarshaler = (*Percent)(nil)
)
