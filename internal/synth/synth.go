// Package synth generates a large, deterministic, synthetic native WeChat
// mini-program for benchmarks and scale tests.
//
// The same Options (seed included) always produce the same bytes. The project
// is legal under every packaging rule mpgate checks (MP1xx, MP2xx): every
// reference resolves, cross-package JS is asynchronous, cross-package
// components have a componentPlaceholder, templates, styles, wxs and images
// stay inside their package (or come from the main package into a normal
// subpackage), independent subpackages use nothing outside themselves, and
// every file is reachable. Each package stays well under WeChat's 2 MB, so
// only the total-size rule (MP302) may fire at the default scale.
//
// Legal but interesting cases it contains, to keep an analyzer honest:
// ES modules (import/export) beside CommonJS; requires without ".js" and
// through app.json's resolveAlias ("@main/*"); comments, strings and regular
// expression literals that mention require and import; require.async and
// require(path, callback) across packages; components of other subpackages
// with a componentPlaceholder, sometimes a custom one from the same package;
// a global component; absolute and relative paths; inline <wxs> beside
// <wxs src>; subpackage roots written with and without a trailing "/";
// preloadRule naming packages by alias, by root and "__APP__"; independent
// subpackages with an entry script and getApp({allowDefault: true}); Chinese
// text; incompressible PNG images.
package synth

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
)

// Options of a generated project. Zero fields take the documented defaults.
type Options struct {
	// Seed of the pseudo-random generator; default 1.
	Seed int64
	// Files is the number of files to write (the result has at least this
	// many, a few more for the fixed app files); default 20,000.
	Files int
	// Subpackages is the number of subpackages; default 40, negative for
	// none. Every tenth one (the 10th, 20th, …) is independent, and the last
	// one when there are fewer than ten (but two or more).
	Subpackages int
	// Bytes is the approximate total size; default 1,700 bytes per file
	// (34 MB for 20,000 files). Images absorb the difference between the
	// text and the target, so the total lands close to it.
	Bytes int64
	// PackageCap is the most bytes any one package may hold; default 1.6 MB
	// (under the 90% warning share of WeChat's 2 MB). Generate fails when a
	// package's text alone would exceed it.
	PackageCap int64
}

// Defaults.
const (
	DefaultSeed        = 1
	DefaultFiles       = 20000
	DefaultSubpackages = 40
	DefaultBytesPer    = 1700
	DefaultPackageCap  = 1600 * 1024
)

// Stats describes what Generate wrote.
type Stats struct {
	// Files and Bytes count everything written under dir.
	Files int
	Bytes int64
	// Pages and Components are declared pages and custom components.
	Pages, Components int
	// Subpackages and Independent count the declared subpackages.
	Subpackages, Independent int
	// ByExt counts files per extension (".js", ".png", …).
	ByExt map[string]int
	// PackageBytes are the bytes under the mini-program root per package
	// ("__APP__" for the main package, else the subpackage root).
	PackageBytes map[string]int64
	// Root is the mini-program root relative to dir ("miniprogram").
	Root string
}

// ErrPackageTooLarge is returned when a package would exceed PackageCap.
var ErrPackageTooLarge = errors.New("package over the cap")

// MiniprogramRoot is where the mini-program lives inside the generated dir.
const MiniprogramRoot = "miniprogram"

func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Files <= 0 {
		o.Files = DefaultFiles
	}
	switch {
	case o.Subpackages < 0:
		o.Subpackages = 0
	case o.Subpackages == 0:
		o.Subpackages = DefaultSubpackages
	}
	if o.Bytes <= 0 {
		o.Bytes = int64(o.Files) * DefaultBytesPer
	}
	if o.PackageCap <= 0 {
		o.PackageCap = DefaultPackageCap
	}
	return o
}

// Generate writes a synthetic project into dir (created if missing; it must
// be empty or absent so that the result is exactly the generated tree).
func Generate(dir string, opt Options) (Stats, error) {
	opt = opt.withDefaults()
	if opt.Files < 40 {
		return Stats{}, fmt.Errorf("synth: %d files is too few (need 40 or more)", opt.Files)
	}
	if opt.Files < 30*(opt.Subpackages+1) {
		return Stats{}, fmt.Errorf("synth: %d files cannot fill %d subpackages (need 30 per package)", opt.Files, opt.Subpackages)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Stats{}, fmt.Errorf("synth: create %s: %w", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Stats{}, fmt.Errorf("synth: read %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return Stats{}, fmt.Errorf("synth: %s is not empty", dir)
	}
	g := &gen{
		opt: opt,
		rng: rand.New(rand.NewPCG(uint64(opt.Seed), 0x9e3779b97f4a7c15)),
		w:   &writer{dir: dir, made: map[string]bool{}},
	}
	g.w.stats.ByExt = map[string]int{}
	g.w.stats.PackageBytes = map[string]int64{}
	g.w.stats.Root = MiniprogramRoot
	g.plan()
	if err := g.write(); err != nil {
		return g.w.stats, err
	}
	return g.w.stats, nil
}

// writer writes files and keeps the statistics.
type writer struct {
	dir   string
	made  map[string]bool
	stats Stats
}

// put writes a file at rel (slash path relative to dir) for package pkg
// ("" outside the mini-program root).
func (w *writer) put(rel, pkg string, data []byte) error {
	full := filepath.Join(w.dir, filepath.FromSlash(rel))
	d := filepath.Dir(full)
	if !w.made[d] {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("synth: create directory for %s: %w", rel, err)
		}
		w.made[d] = true
	}
	if err := os.WriteFile(full, data, 0o644); err != nil {
		return fmt.Errorf("synth: write %s: %w", rel, err)
	}
	w.stats.Files++
	w.stats.Bytes += int64(len(data))
	w.stats.ByExt[path.Ext(rel)]++
	if pkg != "" {
		w.stats.PackageBytes[pkg] += int64(len(data))
	}
	return nil
}
