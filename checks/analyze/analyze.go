// Package analyze runs the whole engine on one mini-program: it reads the
// project settings and the manifest, walks the files, scans every reference,
// builds the dependency graph, assigns files to packages, measures them and
// applies every rule of the catalog.
package analyze

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mpgate/mpgate/checks"
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
}

// DefaultMaxReadBytes is 512 MiB: the platforms upload at most 30 MB, so
// sources seventeen times that are not a mini-program.
const DefaultMaxReadBytes int64 = 512 << 20

// ErrNotADirectory is returned when the directory cannot be read at all.
var ErrNotADirectory = errors.New("not a readable directory")

// maxManifest caps the manifest and project settings files.
const maxManifest = 8 << 20

// Run analyses the mini-program in dir. Problems of the mini-program itself
// are diagnostics in the report; an error means dir could not be analysed at
// all (missing, unreadable), which the CLI reports as a usage error.
func Run(ctx context.Context, dir string, opt Options) (*checks.Report, error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	progress := func(stage string, done, total int) {
		if opt.Progress != nil {
			opt.Progress(stage, done, total)
		}
	}
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", dir, ErrNotADirectory, err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%s: %w", dir, ErrNotADirectory)
	}

	var diags []checks.Diagnostic
	// Platform and project settings.
	pid, pconf := opt.Platform, ""
	if pid == "" {
		pid, pconf = detect(dir)
	}
	p, ok := platform.Get(pid)
	if !ok {
		return nil, fmt.Errorf("unknown platform %q: use one of wechat, alipay, douyin, baidu, qq", pid)
	}
	if pconf == "" {
		pconf = p.ProjectConfig
	}
	var proj *manifest.Project
	// Files of the checkout are read through tree.ReadFileIn: a link out
	// of the directory, a device or a FIFO is refused, a huge file too.
	src, err := tree.ReadFileIn(dir, pconf, maxManifest)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		diags = append(diags, checks.New(checks.MP113, pconf, 0, 0,
			fmt.Sprintf("%s cannot be read: %v; analysed without the project's settings", pconf, err),
			"fix its permissions: miniprogramRoot, packOptions and the minification switches live there"))
	}
	if err == nil {
		var d []checks.Diagnostic
		proj, d = manifest.ParseProject(src, pconf, p)
		diags = append(diags, d...)
		if priv, err := tree.ReadFileIn(dir, "project.private.config.json", maxManifest); err == nil && proj != nil && p.ProjectConfig == "project.config.json" {
			diags = append(diags, manifest.MergePrivate(proj, priv, "project.private.config.json")...)
		}
	}
	root := opt.Root
	if root == "" && proj != nil {
		root = proj.MiniprogramRoot
	}
	root = strings.Trim(path.Clean("/"+filepath.ToSlash(root)), "/")
	rootDir := filepath.Join(dir, filepath.FromSlash(root))
	if err := tree.SubdirIn(dir, root); err != nil {
		// A miniprogramRoot through a link out of the checkout would
		// list (and report) files of the host.
		return nil, fmt.Errorf("mini-program root %q (miniprogramRoot of %s) is not a directory inside the project directory: %w", root, pconf, err)
	}
	log.Debug("analyse", "dir", dir, "platform", pid, "root", root)

	progress("walk", 0, 0)
	t, err := tree.Walk(ctx, rootDir)
	if err != nil {
		if root != "" {
			return nil, fmt.Errorf("mini-program root %q (miniprogramRoot of %s): %w", root, pconf, err)
		}
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	defer t.Close()
	diags = append(diags, treeProblems(t)...)

	// Manifest.
	appFile := "app.json"
	var app *manifest.App
	src, err = t.ReadFile(appFile, maxManifest)
	switch {
	case err == nil:
		var d []checks.Diagnostic
		app, d = manifest.ParseApp(src, appFile, p)
		diags = append(diags, d...)
	case !t.Exists(appFile):
		where := "the analysed directory"
		if root != "" {
			where = root + "/"
		}
		diags = append(diags, checks.New(checks.MP101, appFile, 0, 0,
			fmt.Sprintf("no %s in %s", appFile, where),
			"run mpgate on the mini-program's directory (the one with project.config.json or app.json), or set root in .mpgate.yml"))
	default:
		diags = append(diags, checks.New(checks.MP101, appFile, 0, 0,
			fmt.Sprintf("%s cannot be read: %v", appFile, err), "check the file's permissions and size"))
	}
	if app == nil {
		app = &manifest.App{File: appFile}
	}
	ts := proj != nil && slices.Contains(proj.Setting.UseCompilerPlugins, "typescript")
	diags = append(diags, manifest.Validate(app, p, root, t, ts)...)

	// What is uploaded.
	filter, err := pack.NewFilter(p, proj)
	if err != nil {
		diags = append(diags, filterDiag(err, pconf))
		filter, _ = pack.NewFilter(p, nil)
	}
	var uploaded, scanPaths []string
	for _, f := range t.Files {
		up := filter.Uploaded(f.Path)
		if up {
			uploaded = append(uploaded, f.Path)
		}
		if up || (ts && strings.HasSuffix(f.Path, ".ts") && !strings.HasSuffix(f.Path, ".d.ts")) {
			scanPaths = append(scanPaths, f.Path)
		}
	}
	maxRead := cmp.Or(opt.MaxReadBytes, DefaultMaxReadBytes)
	var toRead int64
	for _, f := range t.Files {
		_, up := slices.BinarySearch(uploaded, f.Path)
		_, sc := slices.BinarySearch(scanPaths, f.Path)
		if up || sc {
			toRead += f.Size
		}
	}
	if toRead > maxRead {
		return nil, fmt.Errorf("%w: the files to analyse total %d bytes, more than the %d bytes one analysis reads", tree.ErrLimit, toRead, maxRead)
	}
	isUploaded := func(f string) bool {
		_, ok := slices.BinarySearch(uploaded, f)
		return ok
	}

	progress("scan", 0, len(scanPaths))
	aliases := app.ResolveAlias
	if proj != nil {
		aliases = append(slices.Clone(aliases), proj.ResolveAlias...)
	}
	cache := newSourceCache(t)
	g, err := graph.Build(ctx, recorder{cache}, scanPaths, graph.Options{Platform: p, App: app, Aliases: aliases, TypeScript: ts})
	if err != nil {
		return nil, fmt.Errorf("build dependency graph: %w", err)
	}
	diags = append(diags, g.Diagnostics...)

	progress("measure", 0, len(uploaded))
	var setting manifest.Setting
	if proj != nil {
		setting = proj.Setting
	}
	est := pack.NewEstimatorOptions(p, setting, pack.Options{PostCSS: setting.PostCSS, Brotli: opt.Brotli})
	sizes, err := pack.Measure(ctx, replayer{cache}, uploaded, est)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("measure files: %w", ctx.Err())
		}
		// Files that could not be read are reported; the others count.
		for _, f := range uploaded {
			if _, ok := sizes[f]; !ok {
				diags = append(diags, checks.New(checks.MP113, f, 0, 0,
					fmt.Sprintf("%s cannot be read while measuring it; its size is not counted", f),
					"fix its permissions (or remove it)"))
			}
		}
	}

	layout := pack.NewLayout(app)
	limits := mergeLimits(p.Limits, opt.Limits)
	rep := &checks.Report{
		Schema:   checks.Schema,
		Platform: string(p.ID),
		Root:     root,
		Limits:   limits,
	}
	dropUnused := setting.IgnoreUploadUnusedFiles && !opt.BuildOutput
	rep.SizeBasis = checks.BasisBytes
	if !opt.BuildOutput && (est.Transforms() || dropUnused) {
		rep.SizeBasis = checks.BasisUploadBytes
	}
	pkgIndex := map[string]int{}
	for _, info := range layout.Packages() {
		pkgIndex[info.Name] = len(rep.Packages)
		limit := limits.Package
		if info.Kind == checks.KindMain {
			limit = limits.MainPackage
		}
		rep.Packages = append(rep.Packages, checks.Package{Name: info.Name, Alias: info.Alias, Root: info.Root,
			Kind: info.Kind, Independent: info.Independent, Limit: limit})
	}
	for _, sp := range app.Subpackages {
		if i, ok := pkgIndex[sp.Root.Value]; ok {
			rep.Packages[i].Pages = len(sp.Pages)
		}
	}
	if i, ok := pkgIndex[checks.MainPackage]; ok {
		rep.Packages[i].Pages = len(app.Pages)
	}
	files := make([]checks.File, 0, len(uploaded))
	for _, f := range uploaded {
		s := sizes[f]
		used := g.Used[f] || !codeExt(p, f)
		up := s.Upload
		if dropUnused && !used {
			up = 0
		}
		name := layout.PackageOf(f)
		files = append(files, checks.File{Path: f, Package: name, Bytes: s.Bytes, UploadBytes: up, GzipBytes: s.Gzip, Used: used})
		i, ok := pkgIndex[name]
		if !ok {
			continue
		}
		pk := &rep.Packages[i]
		pk.Files++
		pk.Bytes += s.Bytes
		pk.UploadBytes += up
		pk.GzipBytes += s.Gzip
		pk.BrotliBytes += s.Brotli
	}
	// The platform's ES6 step adds runtime helper files to the main package:
	// they are uploaded although no source file holds them.
	if i, ok := pkgIndex[checks.MainPackage]; ok && !opt.BuildOutput {
		for f, s := range sizes {
			if strings.HasPrefix(f, pack.HelperDir+"/") {
				rep.Packages[i].UploadBytes += s.Upload
			}
		}
	}
	for _, pk := range rep.Packages {
		rep.TotalBytes += pk.Bytes
		rep.TotalUploadBytes += pk.UploadBytes
		rep.TotalGzipBytes += pk.GzipBytes
	}

	progress("rules", 0, 0)
	appScripts := []string{"app.js"}
	if ts {
		appScripts = append(appScripts, "app.ts")
	}
	diags = append(diags, rules.Check(rules.Input{
		Platform: p, App: app, Graph: g, Layout: layout, Uploaded: isUploaded,
		Packages: rep.Packages, Basis: rep.SizeBasis, Limits: limits, Files: files,
		Hashes: hashes(sizes), AppScripts: appScripts,
	})...)

	sortDiagnostics(diags)
	rep.Diagnostics = diags
	if rep.Diagnostics == nil {
		rep.Diagnostics = []checks.Diagnostic{}
	}
	rep.Gates = []checks.Gate{}
	rep.Verdict = Verdict(rep)
	if opt.IncludeFiles {
		rep.Files = files
	}
	return rep, nil
}

// Verdict is "fail" when an error diagnostic or a failed gate is present.
func Verdict(r *checks.Report) string {
	for _, d := range r.Diagnostics {
		if d.Severity == checks.SeverityError {
			return checks.VerdictFail
		}
	}
	for _, g := range r.Gates {
		if g.Status == checks.GateFail || g.Status == checks.GateError {
			return checks.VerdictFail
		}
	}
	return checks.VerdictPass
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
