// Package analyze runs the whole engine on one mini-program: it reads the
// project settings and the manifest, walks the files, scans every reference,
// builds the dependency graph, assigns files to packages, measures them and
// applies every rule of the catalog.
package analyze

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	pjs "github.com/tdewolff/parse/v2/js"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/filecache"
	"github.com/mpgate/mpgate/checks/graph"
	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/pack"
	"github.com/mpgate/mpgate/checks/platform"
	"github.com/mpgate/mpgate/checks/rules"
	"github.com/mpgate/mpgate/checks/tree"
)

// Options of a run. The zero value analyses a native WeChat project with the
// platform's default limits.
type Options struct {
	// Platform to use; empty detects it from the files.
	Platform platform.ID
	// Root is the mini-program root relative to the directory; empty reads it
	// from the project settings (miniprogramRoot), else the directory itself.
	Root string
	// Limits override the platform's defaults field by field (zero = default).
	Limits checks.Limits
	// BuildOutput marks the directory as a build output (already minified):
	// limits are judged on the bytes as they are.
	BuildOutput bool
	// IncludeFiles fills Report.Files.
	IncludeFiles bool
	// Brotli computes brotli sizes too (slower; gzip is always computed).
	Brotli bool
	// Progress, when set, is called as stages start; done/total count files.
	Progress func(stage string, done, total int)
	Logger   *slog.Logger
	// MaxReadBytes caps the bytes of the files one run reads (0:
	// DefaultMaxReadBytes); a larger program fails the run with an error
	// wrapping tree.ErrLimit instead of costing the process its memory.
	MaxReadBytes int64
	// Cache, when set, keeps what is derived from each file's bytes alone
	// (references found, sizes, upload estimates) across runs and between
	// the base and head of one run (a *filecache.Cache). The report is the
	// same with and without it.
	Cache Cache
	// Boundaries are the contracts between modules to check (MP401–MP404);
	// nil checks none.
	Boundaries *Boundaries
}

// Cache is the store of per-file results (see Options.Cache).
type Cache interface {
	Get(key filecache.Key) ([]byte, bool)
	Put(key filecache.Key, val []byte)
}

// DefaultMaxReadBytes is 512 MiB: the platforms upload at most 30 MB, so
// sources seventeen times that are not a mini-program.
const DefaultMaxReadBytes int64 = 512 << 20

// ErrNotADirectory is returned when the directory cannot be read at all.
var ErrNotADirectory = errors.New("not a readable directory")

// maxManifest caps the manifest and project settings files.
const maxManifest = 8 << 20

// appFile is the manifest, at the mini-program root.
const appFile = "app.json"

// Run analyses the mini-program in dir. Problems of the mini-program itself
// are diagnostics in the report; an error means dir could not be analysed at
// all (missing, unreadable), which the CLI reports as a usage error.
func Run(ctx context.Context, dir string, opt Options) (*checks.Report, error) {
	r := newRun(ctx, dir, opt)
	if err := r.settings(); err != nil {
		return nil, err
	}
	if err := r.walk(); err != nil {
		return nil, err
	}
	defer r.t.Close()
	r.readManifest()
	r.uploadRules()
	if err := r.listFiles(); err != nil {
		return nil, err
	}
	if err := r.scan(); err != nil {
		return nil, err
	}
	if err := r.measure(); err != nil {
		return nil, err
	}
	r.assemble()
	if err := r.applyRules(); err != nil {
		return nil, err
	}
	return r.finish(), nil
}

// run is one analysis in progress: its options and what the stages of Run
// share. Each stage fills the fields the stages after it read.
type run struct {
	ctx context.Context
	dir string
	opt Options
	log *slog.Logger
	// diags are the diagnostics in the order the stages find them (the
	// report sorts them stably).
	diags []checks.Diagnostic

	// Left by settings.
	p       *platform.Platform
	pconf   string            // the project settings file's name
	proj    *manifest.Project // nil without readable settings
	root    string            // the mini-program root: slash-separated, relative to dir, "" for dir
	rootDir string            // root as a host path

	// Left by walk.
	t *tree.Tree

	// Left by readManifest.
	app *manifest.App // never nil: empty when app.json is missing or unreadable
	ts  bool          // TypeScript sources are compiled (useCompilerPlugins)

	// Left by uploadRules.
	filter  *pack.Filter
	setting manifest.Setting // the project's, zero without settings
	est     *pack.Estimator  // without cache: measure replaces it
	gen     []string         // the sources the compiler plugins compile
	cache   *sourceCache
	view    generatedView // the tree as the compiler sees it, reads recorded in cache

	// Left by listFiles, both sorted.
	uploaded  []string
	scanPaths []string // the uploaded files and the TypeScript sources

	// Left by scan.
	g          *graph.Graph
	dropUnused bool // ignoreUploadUnusedFiles applies: see dropped
	noManifest bool // no app.json: references (MP2xx) are not judged

	// Left by measure.
	layout   *pack.Layout
	npmFiles []string // the npm files the program reaches, sorted
	sizes    map[string]pack.Sizes

	// Left by assemble.
	rep      *checks.Report // all but the diagnostics, the verdict and the files
	pkgIndex map[string]int // a package's index in rep.Packages by name
	files    []checks.File  // the packed files, sorted
}

func newRun(ctx context.Context, dir string, opt Options) *run {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &run{ctx: ctx, dir: dir, opt: opt, log: log}
}

// progress reports the start of a stage to Options.Progress, if set.
func (r *run) progress(stage string, done, total int) {
	if r.opt.Progress != nil {
		r.opt.Progress(stage, done, total)
	}
}

// settings checks dir, picks the platform and reads the project settings;
// it leaves the platform, the settings and the mini-program root.
func (r *run) settings() error {
	if st, err := os.Stat(r.dir); err != nil {
		return fmt.Errorf("%s: %w: %w", r.dir, ErrNotADirectory, err)
	} else if !st.IsDir() {
		return fmt.Errorf("%s: %w", r.dir, ErrNotADirectory)
	}
	if err := r.platform(); err != nil {
		return err
	}
	fromParent := r.readProject()
	return r.resolveRoot(fromParent)
}

// platform sets r.p (Options.Platform, else detected from the files) and
// r.pconf, the name of its project settings file.
func (r *run) platform() error {
	pid, pconf := r.opt.Platform, ""
	if pid == "" {
		pid, pconf = detect(r.dir)
	}
	p, ok := platform.Get(pid)
	if !ok {
		return fmt.Errorf("unknown platform %q: use one of wechat, alipay, douyin, baidu, qq", pid)
	}
	if pconf == "" {
		pconf = p.ProjectConfig
	}
	r.p, r.pconf = p, pconf
	return nil
}

// readProject sets r.proj from the project settings (and WeChat's private
// settings), adding their diagnostics; it reports whether they were read
// from the project directory above dir.
func (r *run) readProject() (fromParent bool) {
	// The settings of a mini-program root analysed directly sit in the
	// project directory above it (miniprogramRoot pointing here).
	confDir, confFile := r.dir, r.pconf
	if _, err := os.Stat(filepath.Join(r.dir, r.pconf)); errors.Is(err, fs.ErrNotExist) && r.opt.Root == "" {
		if parent, rel, ok := parentProject(r.dir, r.pconf, r.p); ok {
			confDir, confFile, fromParent = parent, rel, true
			r.log.Debug("project settings from a parent directory", "file", rel)
		}
	}
	// Files of the checkout are read through tree.ReadFileIn: a link out
	// of the directory, a device or a FIFO is refused, a huge file too.
	src, err := tree.ReadFileIn(confDir, r.pconf, maxManifest)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.diags = append(r.diags, checks.New(checks.MP113, r.pconf, 0, 0,
			fmt.Sprintf("%s cannot be read: %v; analysed without the project's settings", r.pconf, err),
			"fix its permissions: miniprogramRoot, packOptions and the minification switches live there"))
	}
	if err == nil {
		var d []checks.Diagnostic
		r.proj, d = manifest.ParseProject(src, confFile, r.p)
		r.diags = append(r.diags, d...)
		if priv, err := tree.ReadFileIn(confDir, "project.private.config.json", maxManifest); err == nil && r.proj != nil && r.p.ProjectConfig == "project.config.json" {
			r.diags = append(r.diags, manifest.MergePrivate(r.proj, priv, path.Join(path.Dir(confFile), "project.private.config.json"))...)
		}
	}
	return fromParent
}

// resolveRoot sets r.root and r.rootDir: Options.Root, else the settings'
// miniprogramRoot (unless they were found above dir), else dir itself.
func (r *run) resolveRoot(fromParent bool) error {
	root := r.opt.Root
	if root == "" && r.proj != nil && !fromParent {
		root = r.proj.MiniprogramRoot
	}
	r.root = strings.Trim(path.Clean("/"+filepath.ToSlash(root)), "/")
	r.rootDir = filepath.Join(r.dir, filepath.FromSlash(r.root))
	if err := tree.SubdirIn(r.dir, r.root); err != nil {
		// A miniprogramRoot through a link out of the checkout would
		// list (and report) files of the host.
		return fmt.Errorf("mini-program root %q (miniprogramRoot of %s) is not a directory inside the project directory: %w", r.root, r.pconf, err)
	}
	r.log.Debug("analyse", "dir", r.dir, "platform", r.p.ID, "root", r.root)
	return nil
}

// walk lists the files under the mini-program root into r.t (which Run
// closes when it returns).
func (r *run) walk() error {
	r.progress("walk", 0, 0)
	t, err := tree.Walk(r.ctx, r.rootDir)
	if err != nil {
		if r.root != "" {
			return fmt.Errorf("mini-program root %q (miniprogramRoot of %s): %w", r.root, r.pconf, err)
		}
		return fmt.Errorf("%s: %w", r.dir, err)
	}
	r.t = t
	return nil
}

// readManifest parses app.json into r.app (an empty one, with MP101, when
// it is missing or unreadable) and notes whether TypeScript is compiled.
func (r *run) readManifest() {
	src, err := r.t.ReadFile(appFile, maxManifest)
	switch {
	case err == nil:
		var d []checks.Diagnostic
		r.app, d = manifest.ParseApp(src, appFile, r.p)
		r.diags = append(r.diags, d...)
	case !r.t.Exists(appFile):
		r.diags = append(r.diags, r.missingManifest())
	default:
		r.diags = append(r.diags, checks.New(checks.MP101, appFile, 0, 0,
			fmt.Sprintf("%s cannot be read: %v", appFile, err), "check the file's permissions and size"))
	}
	if r.app == nil {
		r.app = &manifest.App{File: appFile}
	}
	r.ts = r.proj != nil && slices.Contains(r.proj.Setting.UseCompilerPlugins, "typescript")
}

// missingManifest is MP101 for a root without app.json; its hint names the
// folders below that look like the mini-program.
func (r *run) missingManifest() checks.Diagnostic {
	where := "the analysed directory"
	if r.root != "" {
		where = r.root + "/"
	}
	hint := "run mpgate on the mini-program's directory (the one with project.config.json or app.json), or set root in .mpgate.yml"
	if c := candidates(r.rootDir); len(c) > 0 {
		for i := range c {
			c[i] = path.Join(r.root, c[i])
		}
		hint = fmt.Sprintf("the mini-program is probably in %s: run mpgate check on it (or set root in .mpgate.yml)", strings.Join(c, ", "))
	}
	return checks.New(checks.MP101, appFile, 0, 0, fmt.Sprintf("no %s in %s", appFile, where), hint)
}

// uploadRules sets what decides the upload (packOptions' filter, the
// settings, the compiler plugins' sources and outputs) and the view of the
// tree the graph reads, then validates the manifest against that view and
// adds the tree's problems of uploaded files.
func (r *run) uploadRules() {
	filter, err := pack.NewFilter(r.p, r.proj)
	if err != nil {
		r.diags = append(r.diags, filterDiag(err, r.pconf))
		filter, _ = pack.NewFilter(r.p, nil)
	}
	r.filter = filter
	if r.proj != nil {
		r.setting = r.proj.Setting
	}
	r.est = pack.NewEstimatorOptions(r.p, r.setting, pack.Options{PostCSS: r.setting.PostCSS, Brotli: r.opt.Brotli})
	// The compiler plugins' outputs (a .ts's .js, a .less's .wxss) exist
	// for the manifest and the references.
	gen, targets := generatedSources(r.t, r.filter, r.est)
	r.gen = gen
	r.cache = newSourceCache(r.t)
	r.view = generatedView{recorder{r.cache}, targets}
	r.diags = append(r.diags, manifest.Validate(r.app, r.p, r.root, r.view, r.ts)...)
	// Problems of files packOptions.ignore drops do not concern the upload.
	for _, d := range treeProblems(r.t) {
		if !r.p.Uploads(d.File) || r.filter.Uploaded(d.File) {
			r.diags = append(r.diags, d)
		}
	}
}

// listFiles sets r.uploaded and r.scanPaths and fails when reading them
// would pass Options.MaxReadBytes.
func (r *run) listFiles() error {
	for _, f := range r.t.Files {
		up := r.filter.Uploaded(f.Path)
		if up {
			r.uploaded = append(r.uploaded, f.Path)
		}
		if up || (r.ts && strings.HasSuffix(f.Path, ".ts") && !strings.HasSuffix(f.Path, ".d.ts")) {
			r.scanPaths = append(r.scanPaths, f.Path)
		}
	}
	maxRead := cmp.Or(r.opt.MaxReadBytes, DefaultMaxReadBytes)
	var toRead int64
	for _, f := range r.t.Files {
		_, up := slices.BinarySearch(r.uploaded, f.Path)
		_, sc := slices.BinarySearch(r.scanPaths, f.Path)
		if up || sc {
			toRead += f.Size
		}
	}
	if toRead > maxRead {
		return fmt.Errorf("%w: the files to analyse total %d bytes, more than the %d bytes one analysis reads", tree.ErrLimit, toRead, maxRead)
	}
	return nil
}

// isUploaded reports whether f is among the uploaded files of the tree.
func (r *run) isUploaded(f string) bool {
	_, ok := slices.BinarySearch(r.uploaded, f)
	return ok
}

// scan builds the dependency graph of r.scanPaths into r.g and adds its
// diagnostics but those of dropped files (and without app.json those of
// references).
func (r *run) scan() error {
	r.progress("scan", 0, len(r.scanPaths))
	g, err := graph.Build(r.ctx, r.graphFiles(), r.scanPaths, r.graphOptions())
	if err != nil {
		return fmt.Errorf("build dependency graph: %w", err)
	}
	r.g = g
	// Files the platform drops as unused (ignoreUploadUnusedFiles) are never
	// seen by it: nothing in them is judged (build scripts, lint configs,
	// undeclared test pages).
	r.dropUnused = r.proj != nil && r.proj.Setting.IgnoreUploadUnusedFiles && !r.opt.BuildOutput
	// Without app.json the directory is not a mini-program root (the
	// program is probably in a folder below, which MP101's hint names):
	// "/"-absolute paths and npm lookups would be resolved against the
	// wrong root, so references are not judged.
	r.noManifest = !r.t.Exists(appFile)
	for _, d := range g.Diagnostics {
		if r.noManifest && strings.HasPrefix(d.Rule, "MP2") {
			continue
		}
		if !r.dropped(d.File) {
			r.diags = append(r.diags, d)
		}
	}
	return nil
}

// graphFiles is the tree as the graph reads it.
func (r *run) graphFiles() graph.Files {
	if r.p.ID == platform.Alipay {
		// Alipay loads installed npm packages from node_modules, which
		// the walk skips: the graph looks up what it needs there.
		return newNpmView(r.view, r.t)
	}
	return r.view
}

// graphOptions are the graph's options: the manifest's and the settings'
// aliases, TypeScript, and the caches it shares with the measure.
func (r *run) graphOptions() graph.Options {
	aliases := r.app.ResolveAlias
	if r.proj != nil {
		aliases = append(slices.Clone(aliases), r.proj.ResolveAlias...)
	}
	gopt := graph.Options{Platform: r.p, App: r.app, Aliases: aliases, TypeScript: r.ts, Digest: r.cache.digest}
	if r.opt.Cache != nil {
		gopt.Cache = r.opt.Cache
	}
	if r.est.ReadsFacts() {
		// The estimate's ES6 count and minifier read the scan's syntax
		// tree: one parse of each script instead of three.
		est := r.est // measure replaces r.est once the scan is done
		gopt.ParsedScript = func(path string, src []byte, ast *pjs.AST) {
			r.cache.keepFacts(path, src, est.Facts(path, src, ast))
		}
	}
	return gopt
}

// dropped reports whether the platform drops f as unused
// (ignoreUploadUnusedFiles); it reads r.g.Used as it is at the call.
func (r *run) dropped(f string) bool {
	return r.dropUnused && !r.g.Used[f] && (codeExt(r.p, f) || (r.ts && strings.HasSuffix(f, ".ts")))
}

// judged reports whether the rules judge f: uploaded and not dropped.
func (r *run) judged(f string) bool { return r.isUploaded(f) && !r.dropped(f) }

// measure sizes the packed files (the uploaded ones, the npm files the
// program reaches, the compiler plugins' sources) into r.sizes with the
// measuring estimator, which replaces r.est, and sets r.layout and
// r.npmFiles; a file that cannot be read is MP113.
func (r *run) measure() error {
	r.progress("measure", 0, len(r.uploaded))
	// WeChat re-serialises the JSON it compiles: app.json and the reached
	// pages' and components' JSON.
	r.layout = pack.NewLayout(r.app)
	r.est = r.measuringEstimator()
	// The files of npm packages Alipay packs: those the program reaches
	// (docs/platforms.md: it packs what is used, not node_modules whole).
	for _, f := range r.g.NpmFiles {
		if r.g.Used[f] {
			r.npmFiles = append(r.npmFiles, f)
		}
	}
	// less and sass sources are measured on an approximation of the CSS
	// they compile to; the .wxss files they import are loaded by WeChat
	// (and so kept by its unused-file rule).
	styles := expandStyles(r.t, r.est, r.gen)
	for _, f := range styles.imports {
		if r.t.Exists(f) {
			r.g.Used[f] = true
		}
	}
	sizes, err := pack.Measure(r.ctx, expandedSource{replayer{r.cache}, styles.css}, slices.Concat(r.uploaded, r.npmFiles, r.gen), r.est)
	r.sizes = sizes
	if err == nil {
		return nil
	}
	if r.ctx.Err() != nil {
		return fmt.Errorf("measure files: %w", r.ctx.Err())
	}
	// Files that could not be read are reported; the others count.
	for _, f := range slices.Concat(r.uploaded, r.npmFiles) {
		if _, ok := sizes[f]; !ok {
			r.diags = append(r.diags, checks.New(checks.MP113, f, 0, 0,
				fmt.Sprintf("%s cannot be read while measuring it; its size is not counted", f),
				"fix its permissions (or remove it)"))
		}
	}
	return nil
}

// measuringEstimator is the upload estimator of the measure: the scan's
// digests and syntax facts, the per-file cache, the compiled JSON and the
// independent subpackages' helper roots.
func (r *run) measuringEstimator() *pack.Estimator {
	var pcache pack.Cache
	if r.opt.Cache != nil {
		pcache = r.opt.Cache
	}
	return pack.NewEstimatorOptions(r.p, r.setting, pack.Options{PostCSS: r.setting.PostCSS, Brotli: r.opt.Brotli, Cache: pcache,
		Digest: r.cache.takeDigest, Facts: r.cache.takeFacts, ExpandedStyles: true,
		CompiledJSON: func(f string) bool { return f == appFile || (r.g.Components[f] != nil && r.g.Used[f]) },
		HelperRoot: func(f string) string {
			if info, ok := r.layout.Package(r.layout.PackageOf(f)); ok && info.Independent {
				return info.Root
			}
			return ""
		}})
}

// isNpm reports whether f is among the npm files the program reaches.
func (r *run) isNpm(f string) bool {
	_, ok := slices.BinarySearch(r.npmFiles, f)
	return ok
}

// assemble builds r.rep but for its diagnostics: the packages, what the
// packed files add to them (r.files), what the upload adds besides, and
// the totals.
func (r *run) assemble() {
	r.newReport()
	r.countFiles()
	r.addUploadOnly()
	for _, pk := range r.rep.Packages {
		r.rep.TotalBytes += pk.Bytes
		r.rep.TotalUploadBytes += pk.UploadBytes
		r.rep.TotalGzipBytes += pk.GzipBytes
	}
}

// newReport sets r.rep with the platform, root, limits and size basis, and
// its packages (limit and pages, no size yet) indexed in r.pkgIndex.
func (r *run) newReport() {
	limits := mergeLimits(r.p.Limits, r.opt.Limits)
	rep := &checks.Report{
		Schema:   checks.Schema,
		Platform: string(r.p.ID),
		Root:     r.root,
		Limits:   limits,
	}
	rep.SizeBasis = checks.BasisBytes
	if !r.opt.BuildOutput && (r.est.Transforms() || r.dropUnused) {
		rep.SizeBasis = checks.BasisUploadBytes
	}
	r.pkgIndex = map[string]int{}
	for _, info := range r.layout.Packages() {
		r.pkgIndex[info.Name] = len(rep.Packages)
		limit := limits.Package
		if info.Kind == checks.KindMain {
			limit = limits.MainPackage
		}
		rep.Packages = append(rep.Packages, checks.Package{Name: info.Name, Alias: info.Alias, Root: info.Root,
			Kind: info.Kind, Independent: info.Independent, Limit: limit})
	}
	for _, sp := range r.app.Subpackages {
		if i, ok := r.pkgIndex[sp.Root.Value]; ok {
			rep.Packages[i].Pages = len(sp.Pages)
		}
	}
	if i, ok := r.pkgIndex[checks.MainPackage]; ok {
		rep.Packages[i].Pages = len(r.app.Pages)
	}
	r.rep = rep
}

// countFiles lists the packed files (uploaded and npm) in r.files and adds
// their sizes to their packages; the unused files the platform drops
// upload nothing.
func (r *run) countFiles() {
	packed := slices.Concat(r.uploaded, r.npmFiles)
	slices.Sort(packed)
	r.files = make([]checks.File, 0, len(packed))
	for _, f := range packed {
		s := r.sizes[f]
		// WeChat uploads a project.config.json of its own at the root.
		used := r.g.Used[f] || !codeExt(r.p, f) || f == manifest.ProjectConfig
		up := s.Upload
		if r.dropUnused && !used {
			up = 0
		}
		name := r.layout.PackageOf(f)
		r.files = append(r.files, checks.File{Path: f, Package: name, Bytes: s.Bytes, UploadBytes: up, GzipBytes: s.Gzip, Used: used})
		i, ok := r.pkgIndex[name]
		if !ok {
			continue
		}
		pk := &r.rep.Packages[i]
		pk.Files++
		pk.Bytes += s.Bytes
		pk.UploadBytes += up
		pk.GzipBytes += s.Gzip
		pk.BrotliBytes += s.Brotli
	}
}

// addUploadOnly adds to the packages' upload bytes what the platform
// uploads that no packed file holds (compiler plugins' outputs, its own
// project.config.json, runtime helpers) and sets the notes on what of it
// is estimated; a build output gets none of it.
func (r *run) addUploadOnly() {
	if r.opt.BuildOutput {
		return
	}
	r.rep.UploadNotes = addGenerated(r.rep.Packages, r.pkgIndex, r.layout, r.est, r.gen, r.sizes, func(src, target string) bool {
		return !r.dropUnused || r.g.Used[src] || r.g.Used[target]
	})
	if r.setting.SWC && r.p.ID == platform.WeChat {
		r.rep.UploadNotes = append(r.rep.UploadNotes, "setting.swc: WeChat compiles the scripts with SWC instead of Babel; mpgate approximates SWC's output (four-space layout, CommonJS module wrappers), measured from 13% low to 6% high per program, so the scripts' figure is an estimate (docs/sizes.md)")
	}
	if n := r.est.Worklets(); n > 0 {
		r.rep.UploadNotes = append(r.rep.UploadNotes, fmt.Sprintf("%d Skyline worklet function(s): the metadata WeChat's compiler adds to each (its source text, captured variables, the file's path on the build machine) is approximated, within about 5%% of WeChat's figure on the programs measured", n))
	}
	// WeChat uploads a project.config.json of its own even when the
	// project's lies outside the mini-program root.
	if i, ok := r.pkgIndex[checks.MainPackage]; ok && !r.t.Exists(manifest.ProjectConfig) {
		r.rep.Packages[i].UploadBytes += r.est.ProjectConfigBytes()
	}
	// The platform's ES6 step adds runtime helper files to the main package
	// (an independent subpackage gets its own): they are uploaded although
	// no source file holds them.
	for f, s := range r.sizes {
		if s.Hash == "" && strings.Contains(f, pack.HelperDir+"/") {
			if i, ok := r.pkgIndex[r.layout.PackageOf(f)]; ok {
				r.rep.Packages[i].UploadBytes += s.Upload
			}
		}
	}
}

// applyRules adds the diagnostics of the rule catalog on the graph and
// the assembled report (without app.json, none of references), then those
// of the module boundaries.
func (r *run) applyRules() error {
	r.progress("rules", 0, 0)
	appScripts := []string{"app.js"}
	if r.ts {
		appScripts = append(appScripts, "app.ts")
	}
	for _, d := range rules.Check(rules.Input{
		Platform: r.p, App: r.app, Graph: r.g, Layout: r.layout, Uploaded: r.judged, ScriptExts: scriptExts(r.ts),
		NoReach:  r.app.Tree == nil,
		Exists:   r.exists,
		Packages: r.rep.Packages, Basis: r.rep.SizeBasis, Limits: r.rep.Limits, Files: r.files,
		Hashes: hashes(r.sizes), AppScripts: appScripts,
	}) {
		if r.noManifest && strings.HasPrefix(d.Rule, "MP2") {
			continue
		}
		r.diags = append(r.diags, d)
	}
	if r.opt.Boundaries == nil {
		return nil
	}
	return r.checkBoundaries()
}

// exists reports whether f exists for the rules: packed, or a TypeScript
// source when TypeScript is compiled.
func (r *run) exists(f string) bool {
	return r.isUploaded(f) || r.isNpm(f) || (r.ts && strings.HasSuffix(f, ".ts") && r.t.Exists(f))
}

// checkBoundaries adds the diagnostics of Options.Boundaries on the judged
// scripts.
func (r *run) checkBoundaries() error {
	var scripts []string
	for _, f := range r.uploaded {
		if r.judged(f) && strings.HasSuffix(f, ".js") {
			scripts = append(scripts, f)
		}
	}
	bd, err := checkBoundaries(r.opt.Boundaries, r.g, r.app, r.root, scripts, r.t.ReadFile)
	if err != nil {
		return fmt.Errorf("module boundaries: %w", err)
	}
	r.diags = append(r.diags, bd...)
	return nil
}

// finish completes r.rep: the diagnostics sorted, no gates, the verdict,
// and the files when Options.IncludeFiles asks for them.
func (r *run) finish() *checks.Report {
	sortDiagnostics(r.diags)
	rep := r.rep
	rep.Diagnostics = r.diags
	if rep.Diagnostics == nil {
		rep.Diagnostics = []checks.Diagnostic{}
	}
	rep.Gates = []checks.Gate{}
	rep.Verdict = Verdict(rep)
	if r.opt.IncludeFiles {
		rep.Files = r.files
	}
	return rep
}

// Verdict is "fail" when an error diagnostic or a failed gate is present.
func Verdict(r *checks.Report) string {
	for _, d := range r.Diagnostics {
		if d.Severity == checks.SeverityError {
			return checks.VerdictFail
		}
	}
	for _, g := range r.Gates {
		if g.Blocks() {
			return checks.VerdictFail
		}
	}
	return checks.VerdictPass
}

func scriptExts(ts bool) []string {
	if ts {
		return []string{".js", ".ts"}
	}
	return []string{".js"}
}

func codeExt(p *platform.Platform, f string) bool {
	switch path.Ext(f) {
	case ".js", ".json", p.Template, p.Style, p.ScriptModule:
		return true
	}
	return false
}

func mergeLimits(def platform.Limits, o checks.Limits) checks.Limits {
	return checks.Limits{
		Package:     cmp.Or(o.Package, def.Package),
		MainPackage: cmp.Or(o.MainPackage, o.Package, def.MainPackage),
		Total:       cmp.Or(o.Total, def.Total),
		Preload:     cmp.Or(o.Preload, def.Preload),
		Warn:        cmp.Or(o.Warn, def.Warn),
	}
}

// detect picks the platform of the project in dir from its project files,
// appid and template extensions, and names the project settings file.
func detect(dir string) (platform.ID, string) {
	var id platform.ID
	if root, err := os.OpenRoot(dir); err == nil {
		id, _ = platform.DetectFS(tree.RootFS{Root: root})
		root.Close()
	}
	if id == "" {
		id = platform.WeChat
	}
	p, _ := platform.Get(id)
	return id, p.ProjectConfig
}

func treeProblems(t *tree.Tree) []checks.Diagnostic {
	var out []checks.Diagnostic
	for _, pr := range t.Problems {
		switch pr.Kind {
		case tree.SymlinkOutside, tree.SymlinkDangling, tree.SymlinkLoop:
			out = append(out, checks.New(checks.MP112, pr.Path, 0, 0,
				fmt.Sprintf("%s: %s; it was not followed", pr.Path, pr.Kind),
				"the platform uploads only what is inside the root: copy the target in, or remove the link"))
		default:
			out = append(out, checks.New(checks.MP113, pr.Path, 0, 0,
				fmt.Sprintf("%s cannot be read: %s", pr.Path, pr.Detail),
				"fix its permissions (or remove it): its size and references are not counted"))
		}
	}
	return out
}

func filterDiag(err error, file string) checks.Diagnostic {
	return checks.New(checks.MP111, file, 0, 0,
		fmt.Sprintf("packOptions cannot be applied: %v; sizes are computed without them", err),
		"fix the rule's value (glob or regular expression)")
}

func hashes(sizes map[string]pack.Sizes) map[string]string {
	out := make(map[string]string, len(sizes))
	for f, s := range sizes {
		if s.Hash != "" {
			out[f] = s.Hash
		}
	}
	return out
}

func sortDiagnostics(ds []checks.Diagnostic) {
	rank := map[checks.Severity]int{checks.SeverityError: 0, checks.SeverityWarning: 1, checks.SeverityInfo: 2}
	slices.SortStableFunc(ds, func(a, b checks.Diagnostic) int {
		return cmp.Or(cmp.Compare(rank[a.Severity], rank[b.Severity]), cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column), cmp.Compare(a.Rule, b.Rule))
	})
}

// generatedSources lists the sources the project's compiler plugins compile
// into uploaded files (.ts, .less, .scss, .sass whose generated .js or style
// file does not exist itself and would be uploaded).
func generatedSources(t *tree.Tree, filter *pack.Filter, est *pack.Estimator) ([]string, map[string]bool) {
	var out []string
	targets := map[string]bool{}
	for _, f := range t.Files {
		if target, ok := est.Generated(f.Path); ok && !t.Exists(target) && filter.Uploaded(target) {
			out = append(out, f.Path)
			targets[target] = true
		}
	}
	return out, targets
}

// generatedView is the tree as the platform's compiler sees it: the files
// the compiler plugins generate exist (and are never read: their sources
// are scanned instead).
type generatedView struct {
	graph.Files
	targets map[string]bool
}

func (v generatedView) Exists(p string) bool { return v.targets[p] || v.Files.Exists(p) }

// addGenerated adds the upload estimate of the compiler plugins' output to
// its package (the sources themselves are not uploaded, so they add no
// bytes) and returns the notes on what is estimated rather than modelled.
// An output the unused-file rule drops (used reports false) is not counted:
// a partial or library entry that only other less/sass sources import is
// expanded into them (pack.ExpandStyle) and not loaded itself.
func addGenerated(pkgs []checks.Package, index map[string]int, layout *pack.Layout, est *pack.Estimator,
	gen []string, sizes map[string]pack.Sizes, used func(src, target string) bool) []string {
	var styles int
	var styleBytes int64
	for _, src := range gen {
		target, _ := est.Generated(src)
		s, ok := sizes[src]
		i, inPkg := index[layout.PackageOf(target)]
		if !ok || !inPkg {
			continue
		}
		style := !strings.HasSuffix(target, ".js")
		if !used(src, target) {
			continue
		}
		pkgs[i].UploadBytes += s.Upload
		if style {
			styles++
			styleBytes += s.Upload
		}
	}
	if styles == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%d less/sass source(s) are compiled by WeChat's compiler plugins; their %d bytes of style output are an estimate: mpgate does not compile less or sass but expands their imports, loops and mixins (within 5%% of WeChat's figure on the programs measured, docs/sizes.md), and values, functions and conditions may make WeChat's figure differ",
		styles, styleBytes)}
}

// expandedStyles holds ExpandStyle's text per less/sass source and the
// plain stylesheets those sources import.
type expandedStyles struct {
	css     map[string][]byte
	imports []string
}

// expandStyles expands the less and sass sources among gen (their imports
// read from the tree).
func expandStyles(t *tree.Tree, est *pack.Estimator, gen []string) expandedStyles {
	out := expandedStyles{css: map[string][]byte{}}
	read := map[string][]byte{}
	readFile := func(p string) ([]byte, bool) {
		if b, ok := read[p]; ok {
			return b, b != nil
		}
		b, err := t.ReadFile(p, pack.MaxTransformBytes)
		if err != nil {
			b = nil
		}
		read[p] = b
		return b, b != nil
	}
	for _, src := range gen {
		target, _ := est.Generated(src)
		if strings.HasSuffix(target, ".js") {
			continue
		}
		b, ok := readFile(src)
		if !ok {
			continue
		}
		css, imports := pack.ExpandStyle(src, b, readFile, est.MinifiesStyles())
		out.css[src] = css
		out.imports = append(out.imports, imports...)
	}
	return out
}

// expandedSource is the tree as Measure reads it, with each less/sass
// source replaced by its expansion.
type expandedSource struct {
	pack.Source
	css map[string][]byte
}

func (s expandedSource) ReadFile(p string, max int64) ([]byte, error) {
	if b, ok := s.css[p]; ok {
		return b, nil
	}
	return s.Source.ReadFile(p, max)
}

func (s expandedSource) Open(p string) (io.ReadCloser, error) {
	if b, ok := s.css[p]; ok {
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	return s.Source.Open(p)
}
