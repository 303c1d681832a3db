// Package graph builds a mini-program's dependency graph: which file uses which,
// how (a synchronous require, an asynchronous one, a template import, a
// component…), written where. It resolves requests the way the platforms do
// (relative, "/"-absolute, resolveAlias, miniprogram_npm, plugin://, extended
// libraries) and computes which files are reachable from the program's
// entries. It knows nothing of packages; package rules does.
package graph

import (
	"context"
	"fmt"
	"path"
	"runtime"
	"sort"
	"strings"

	"github.com/sourcegraph/conc/pool"
	"github.com/tdewolff/parse/v2/js"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/platform"
	"github.com/mpgate/mpgate/checks/scan"
)

// EdgeKind says how a file uses another.
type EdgeKind int

// Edge kinds.
const (
	Script       EdgeKind = iota + 1 // synchronous require / import
	ScriptAsync                      // require(p, cb), require.async, import()
	Plugin                           // requirePlugin (External holds "plugin:<alias>")
	Template                         // template <import>/<include>
	ScriptModule                     // <wxs src>, require inside wxs/sjs
	Style                            // @import
	Resource                         // image/media src, style url()
	Component                        // usingComponents / componentGenerics
)

var edgeKindNames = map[EdgeKind]string{Script: "require", ScriptAsync: "async require", Plugin: "plugin",
	Template: "template", ScriptModule: "script module", Style: "style import", Resource: "resource", Component: "component"}

func (k EdgeKind) String() string { return edgeKindNames[k] }

// Edge is one use of a file (or of something outside the files: a plugin or
// an extended library) by another.
type Edge struct {
	From string
	// To is the file used; for a component it is the component's stem (its
	// path without extension). Empty when unresolved or External.
	To   string
	Kind EdgeKind
	// Request is the path as written.
	Request   string
	Line, Col int
	// Tag is the component's tag (Component edges).
	Tag string
	// Placeholder is the componentPlaceholder declared for Tag in the
	// referencing JSON ("" when none).
	Placeholder string
	// External names a target outside the files ("plugin://alias/comp",
	// "plugin:alias", an extended library's path).
	External string
	// Dynamic marks a non-literal request: not followed.
	Dynamic bool
	// Renderers, on a Resource edge of a template that other templates
	// import or include, are the templates of the pages and components that
	// render it, against which its relative path is resolved (render.go): the
	// one renderer the edge was resolved from, or, on an Unresolved edge,
	// every renderer tried. Empty for every other edge.
	Renderers []string
	// Npm names the npm package of an unresolved bare request of a script
	// or a component ("@vant/weapp" for "@vant/weapp/button/index"): the
	// package is neither built into a miniprogram_npm directory nor a path
	// of the program. Empty otherwise.
	Npm string
	// NpmDir is the miniprogram_npm directory of the package Npm when it is
	// built there but lacks the requested path ("call-bind/callBound").
	NpmDir string
}

// Loc is a place in a file.
type Loc struct {
	File      string
	Line, Col int
}

// GetApp is a getApp() call.
type GetApp struct {
	Loc
	AllowDefault bool
}

// Graph is the result of Build.
type Graph struct {
	// Edges are resolved uses (To or External set), in file order.
	Edges []Edge
	// Unresolved are uses whose target does not exist (MP210).
	Unresolved []Edge
	// Dynamic are uses with a non-literal path (MP212).
	Dynamic []Edge
	// Components maps every parsed page/component JSON to its content.
	Components map[string]*manifest.Component
	// Stems are the stems of pages and components (path without extension).
	Stems map[string]bool
	// Used holds every file reachable from the program's entries.
	Used map[string]bool
	// AppCalls are App() calls; GetApps getApp() calls.
	AppCalls []Loc
	GetApps  []GetApp
	// Diagnostics: MP114 (invalid component JSON), MP213 (unparsable file).
	Diagnostics []checks.Diagnostic
	// NpmFiles are the files of installed npm packages the program's
	// requests resolved to, on a platform that loads packages from
	// node_modules itself (Alipay): not among the paths given to Build
	// (the walk does not list node_modules), read on demand, scanned and
	// resolved like the program's own. Sorted.
	NpmFiles []string
}

// Options of Build.
type Options struct {
	Platform *platform.Platform
	App      *manifest.App
	// Aliases are resolveAlias rules (app.json's, or Alipay's compileOptions).
	Aliases []manifest.Alias
	// TypeScript: pages and modules may be .ts (the project compiles them).
	TypeScript bool
	// MaxScanBytes: larger files are not scanned (MP213). Default 16 MiB.
	MaxScanBytes int64
	// Cache, when set, holds the scanners' results per content: a file
	// scanned before with the same bytes is not parsed again.
	Cache Cache
	// Digest, when set, returns the SHA-256 of src, the bytes read from
	// path, for the cache key (a caller hashing the same read for its own
	// cache computes it once); nil: sha256.Sum256.
	Digest func(path string, src []byte) [32]byte
	// ParsedScript, when set, is called for each .js script the scan
	// parses (a cache miss) with the syntax tree of its bytes
	// (scan.JSParsed: nil when it does not parse), so that the caller need
	// not parse them again. It must neither change nor keep the tree.
	ParsedScript func(path string, src []byte, ast *js.AST)
}

// scanEnv is what scanFile takes of Options besides the program.
type scanEnv struct {
	cache  Cache
	digest func(path string, src []byte) [32]byte
	parsed func(path string, src []byte, ast *js.AST)
}

func (o Options) scanEnv() scanEnv {
	return scanEnv{cache: o.Cache, digest: o.Digest, parsed: o.ParsedScript}
}

// scanned is what one file yields.
type scanned struct {
	edges   []Edge // unresolved requests (To empty), resolved later
	comp    *manifest.Component
	apps    []Loc
	getApps []GetApp
	diags   []checks.Diagnostic
}

// Build scans the files in paths (those worth scanning: scripts, templates,
// styles, script modules and JSON) and builds the graph.
func Build(ctx context.Context, files Files, paths []string, opt Options) (*Graph, error) {
	p := opt.Platform
	if p == nil || opt.App == nil {
		return nil, fmt.Errorf("graph: platform and app manifest are required")
	}
	maxScan := opt.MaxScanBytes
	if maxScan <= 0 {
		maxScan = 16 << 20
	}
	scriptExts := []string{".js"}
	if opt.TypeScript {
		scriptExts = append(scriptExts, ".ts")
	}
	aliases := append([]manifest.Alias(nil), opt.Aliases...)
	sort.SliceStable(aliases, func(i, j int) bool { return len(aliases[i].From.Value) > len(aliases[j].From.Value) })
	r := &resolver{files: files, aliases: aliases, scriptExts: scriptExts, slashRelative: p.ID == platform.WeChat,
		noDirIndex: p.ID == platform.WeChat, pathNpmFallback: p.ID == platform.WeChat,
		buildsNpm: p.ID == platform.WeChat || p.ID == platform.QQ || p.ID == platform.Douyin}
	if p.ID == platform.Alipay {
		// Alipay has no "Build npm": it loads installed packages from
		// node_modules (docs/platforms.md, "JS modules and npm").
		r.npmHome, r.pkgMain = nodeModules, true
	}

	hasStem := func(stem string) bool {
		if files.Exists(stem+".json") || files.Exists(stem+p.Template) {
			return true
		}
		for _, e := range scriptExts {
			if files.Exists(stem + e) {
				return true
			}
		}
		return false
	}

	results := make([]scanned, len(paths))
	env := opt.scanEnv()
	workers := runtime.GOMAXPROCS(0)
	pl := pool.New().WithContext(ctx).WithCancelOnError().WithMaxGoroutines(workers)
	for i, f := range paths {
		pl.Go(func(ctx context.Context) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			results[i] = scanFile(files, f, p, opt.App, scriptExts, maxScan, env)
			return nil
		})
	}
	if err := pl.Wait(); err != nil {
		return nil, fmt.Errorf("scan files: %w", err)
	}

	g := &Graph{Components: map[string]*manifest.Component{}, Stems: map[string]bool{}, Used: make(map[string]bool, len(paths))}
	for i, f := range paths {
		res := &results[i]
		if res.comp != nil {
			g.Components[f] = res.comp
		}
		g.AppCalls = append(g.AppCalls, res.apps...)
		g.GetApps = append(g.GetApps, res.getApps...)
		g.Diagnostics = append(g.Diagnostics, res.diags...)
	}
	// app.json's global components are edges from app.json.
	appComp := &manifest.Component{File: opt.App.File, UsingComponents: opt.App.UsingComponents,
		ComponentPlaceholder: opt.App.ComponentPlaceholder}
	results = append(results, scanned{edges: componentEdges(appComp)})

	// Resources of templates wait until every template edge and every stem
	// is known: they resolve against the pages and components rendering them.
	var rendered []Edge
	// Nearly every edge lands in g.Edges: sized once, not grown by copying
	// (a twentieth of a warm run on 20,000 files went to growing it).
	n := 0
	for _, res := range results {
		n += len(res.edges)
	}
	if n > 0 {
		g.Edges = make([]Edge, 0, n)
	}
	for _, res := range results {
		for _, e := range res.edges {
			if e.Kind == Resource && !e.Dynamic && path.Ext(e.From) == p.Template {
				rendered = append(rendered, e)
				continue
			}
			g.resolve(r, e, p, hasStem)
		}
	}
	if r.npmHome == nodeModules {
		rendered = g.scanNpm(ctx, files, paths, r, p, opt.App, scriptExts, maxScan, hasStem, rendered, scanEnv{cache: opt.Cache, digest: opt.Digest})
	}
	// Pages are stems too (so that their siblings are reached together).
	for _, pg := range pagePaths(opt.App) {
		g.Stems[pg] = true
	}
	for _, c := range conventionComponents(opt.App) {
		g.Stems[c] = true
	}
	g.resolveRendered(r, rendered, p.Template)
	if r.npmHome == nodeModules {
		g.NpmFiles = g.npmTargets(files, p, scriptExts)
	}
	g.reach(files, paths, opt, scriptExts)
	return g, nil
}

func (g *Graph) resolve(r *resolver, e Edge, p *platform.Platform, hasStem func(string) bool) {
	if e.Dynamic {
		g.Dynamic = append(g.Dynamic, e)
		return
	}
	var (
		to string
		ok bool
	)
	switch e.Kind {
	case Script, ScriptAsync:
		to, ok = r.script(e.From, e.Request)
	case Plugin:
		e.External = "plugin:" + e.Request
		g.Edges = append(g.Edges, e)
		return
	case Template:
		to, ok = r.withExt(e.From, e.Request, p.Template)
	case ScriptModule:
		to, ok = r.withExt(e.From, e.Request, p.ScriptModule)
	case Style:
		to, ok = r.withExt(e.From, e.Request, p.Style)
	case Resource:
		req := e.Request
		if path.Ext(e.From) == p.Style {
			// A url() in a style may carry a query or a fragment (font
			// fallbacks: "x.eot?#iefix", "x.svg#font"); the file is the path.
			req = stripQuery(req)
		}
		to, ok = r.withExt(e.From, req, "")
	case Component:
		// Douyin names npm components ext://<package>/<alias>, the alias
		// mapped by the package's package.json (exports.components):
		// outside what mpgate reads, like a plugin's.
		if strings.HasPrefix(e.Request, "plugin://") || strings.HasPrefix(e.Request, "plugin-private://") ||
			(p.ID == platform.Douyin && strings.HasPrefix(e.Request, "ext://")) {
			e.External = e.Request
			g.Edges = append(g.Edges, e)
			return
		}
		to, ok = r.component(e.From, e.Request, hasStem)
		if !ok && extendedLib(e.Request) {
			e.External = e.Request
			g.Edges = append(g.Edges, e)
			return
		}
		if ok {
			g.Stems[to] = true
		}
	}
	if !ok {
		switch e.Kind {
		case Script, ScriptAsync, Component:
			if _, aliased := r.alias(e.Request); !aliased {
				e.Npm = r.npmPackage(e.From, e.Request)
				if e.Npm != "" {
					e.NpmDir = r.npmDir(e.From, e.Npm)
				}
			}
		}
		g.Unresolved = append(g.Unresolved, e)
		return
	}
	e.To = to
	g.Edges = append(g.Edges, e)
}

// nodeModules is where Alipay finds installed npm packages.
const nodeModules = "node_modules"

// inNodeModules reports whether f lies in a node_modules directory.
func inNodeModules(f string) bool {
	return strings.HasPrefix(f, nodeModules+"/") || strings.Contains(f, "/"+nodeModules+"/")
}

// scanNpm follows the edges into node_modules: the files of installed
// packages that requests resolved to are read (only those: node_modules
// is never walked), scanned and resolved in turn, until no new file is
// reached. It returns rendered with the template resources of the files
// it scanned added.
func (g *Graph) scanNpm(ctx context.Context, files Files, paths []string, r *resolver, p *platform.Platform,
	app *manifest.App, scriptExts []string, maxScan int64, hasStem func(string) bool, rendered []Edge, env scanEnv) []Edge {
	known := make(map[string]bool, len(paths))
	for _, f := range paths {
		known[f] = true
	}
	for start := 0; start < len(g.Edges) && ctx.Err() == nil; {
		var next []string
		add := func(f string) {
			if !known[f] && inNodeModules(f) && files.Exists(f) && !files.IsDir(f) {
				known[f] = true
				next = append(next, f)
			}
		}
		for _, e := range g.Edges[start:] {
			switch {
			case e.To == "" || e.External != "":
			case e.Kind == Component:
				for _, f := range StemFiles(files, e.To, p, scriptExts) {
					add(f)
				}
			default:
				add(e.To)
			}
		}
		start = len(g.Edges)
		if len(next) == 0 {
			break
		}
		for _, f := range next {
			res := scanFile(files, f, p, app, scriptExts, maxScan, env)
			if res.comp != nil {
				g.Components[f] = res.comp
			}
			g.AppCalls = append(g.AppCalls, res.apps...)
			g.GetApps = append(g.GetApps, res.getApps...)
			g.Diagnostics = append(g.Diagnostics, res.diags...)
			for _, e := range res.edges {
				if e.Kind == Resource && !e.Dynamic && path.Ext(e.From) == p.Template {
					rendered = append(rendered, e)
					continue
				}
				g.resolve(r, e, p, hasStem)
			}
		}
	}
	return rendered
}

// npmTargets lists the files in node_modules that resolved edges lead to
// (scripts, components' files, templates, styles, resources).
func (g *Graph) npmTargets(files Files, p *platform.Platform, scriptExts []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(f string) {
		if !seen[f] && inNodeModules(f) && files.Exists(f) && !files.IsDir(f) {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, e := range g.Edges {
		switch {
		case e.To == "" || e.External != "":
		case e.Kind == Component:
			for _, f := range StemFiles(files, e.To, p, scriptExts) {
				add(f)
			}
		default:
			add(e.To)
		}
	}
	sort.Strings(out)
	return out
}

// extendedLib reports whether a component path points into one of WeChat's
// extended libraries (useExtendedLib), which are not part of the package.
func extendedLib(req string) bool {
	return strings.HasPrefix(req, "weui-miniprogram/") || strings.HasPrefix(req, "kbone/")
}

func pagePaths(app *manifest.App) []string {
	var out []string
	for _, pg := range app.Pages {
		out = append(out, strings.TrimPrefix(pg.Value, "/"))
	}
	for _, sp := range app.Subpackages {
		for _, pg := range sp.Pages {
			out = append(out, path.Join(sp.Root.Value, strings.TrimPrefix(pg.Value, "/")))
		}
	}
	return out
}

// conventionComponents are the components the platform loads by their fixed
// path when the manifest turns them on: WeChat's code analysis adds
// custom-tab-bar/index for tabBar.custom === true and app-bar/index for
// appBar, and miniprogram-ci keeps them under ignoreUploadUnusedFiles.
func conventionComponents(app *manifest.App) []string {
	var out []string
	if app.TabBarCustom != nil {
		out = append(out, app.TabBarCustom.Value)
	}
	if app.AppBar {
		out = append(out, "app-bar/index")
	}
	return out
}

func componentEdges(c *manifest.Component) []Edge {
	ph := map[string]string{}
	for _, p := range c.ComponentPlaceholder {
		ph[p.Tag.Value] = p.Placeholder.Value
	}
	var out []Edge
	add := func(refs []manifest.ComponentRef) {
		for _, u := range refs {
			out = append(out, Edge{From: c.File, Kind: Component, Request: u.Path.Value, Line: u.Path.Pos.Line,
				Col: u.Path.Pos.Col, Tag: u.Tag.Value, Placeholder: ph[u.Tag.Value]})
		}
	}
	add(c.UsingComponents)
	add(c.Generics)
	return out
}

// scanFile reads and scans one file.
func scanFile(files Files, f string, p *platform.Platform, app *manifest.App, scriptExts []string, maxScan int64, env scanEnv) scanned {
	var res scanned
	ext := path.Ext(f)
	stem := strings.TrimSuffix(f, ext)
	isScript := false
	for _, e := range scriptExts {
		isScript = isScript || ext == e
	}
	// A JSON file is a page/component configuration when a script or
	// template of the same stem exists.
	isJSON := ext == ".json" && f != app.File && isComponentStem(files, stem, p, scriptExts)
	if !isScript && !isJSON && ext != p.Template && ext != p.Style && ext != p.ScriptModule {
		return res
	}
	src, err := files.ReadFile(f, maxScan)
	if err != nil {
		res.diags = append(res.diags, checks.New(checks.MP213, f, 0, 0,
			fmt.Sprintf("%s was not scanned: %v", f, err),
			"references in this file are not checked; keep source files small or split them"))
		return res
	}
	addRefs := func(refs []scan.Ref, kindOf func(scan.Kind) EdgeKind) {
		for _, rf := range refs {
			k := kindOf(rf.Kind)
			if k == 0 {
				continue
			}
			res.edges = append(res.edges, Edge{From: f, Kind: k, Request: rf.Path, Line: rf.Line, Col: rf.Col, Dynamic: rf.Dynamic})
		}
	}
	parseErr := func(pe *scan.ParseError) {
		if pe == nil {
			return
		}
		res.diags = append(res.diags, checks.New(checks.MP213, f, pe.Line, pe.Col,
			fmt.Sprintf("%s could not be parsed: %s", f, pe.Msg),
			"fix the syntax error; references after it may be missed"))
	}
	switch {
	case isScript:
		scanJS, kind := scan.JS, "js"
		if ext == ".ts" {
			scanJS, kind = scan.TS, "ts"
		} else if env.parsed != nil {
			scanJS = func(src []byte) scan.JSResult {
				return scan.JSParsed(src, func(ast *js.AST) { env.parsed(f, src, ast) })
			}
		}
		jr := cachedScan(env, f, kind, src, func(src []byte) scanOut {
			r := scanJS(src)
			return scanOut{Refs: r.Refs, AppCall: r.AppCall, GetApp: r.GetApp, Err: r.Err}
		})
		addRefs(jr.Refs, scriptEdgeKind)
		for _, c := range jr.AppCall {
			res.apps = append(res.apps, Loc{File: f, Line: c.Line, Col: c.Col})
		}
		for _, c := range jr.GetApp {
			res.getApps = append(res.getApps, GetApp{Loc: Loc{File: f, Line: c.Line, Col: c.Col}, AllowDefault: c.AllowDefault})
		}
		parseErr(jr.Err)
	case ext == p.ScriptModule:
		jr := cachedScan(env, f, "js", src, func(src []byte) scanOut {
			r := scan.JS(src)
			return scanOut{Refs: r.Refs, AppCall: r.AppCall, GetApp: r.GetApp, Err: r.Err}
		})
		addRefs(jr.Refs, func(k scan.Kind) EdgeKind {
			if k == scan.Require || k == scan.Import {
				return ScriptModule
			}
			return 0
		})
		parseErr(jr.Err)
	case ext == p.Template:
		tr := cachedScan(env, f, "template|"+string(p.ID), src, func(src []byte) scanOut {
			r := scan.Template(src, p)
			return scanOut{Refs: r.Refs, Err: r.Err}
		})
		addRefs(tr.Refs, templateEdgeKind)
		parseErr(tr.Err)
	case ext == p.Style:
		sr := cachedScan(env, f, "style", src, func(src []byte) scanOut {
			r := scan.Style(src)
			return scanOut{Refs: r.Refs, Err: r.Err}
		})
		addRefs(sr.Refs, func(k scan.Kind) EdgeKind {
			switch k {
			case scan.StyleImport:
				return Style
			case scan.StyleURL:
				return Resource
			}
			return 0
		})
		parseErr(sr.Err)
	case isJSON:
		c, diags := manifest.ParseComponent(src, f)
		res.diags = append(res.diags, diags...)
		if c != nil {
			res.comp = c
			res.edges = append(res.edges, componentEdges(c)...)
		}
	}
	return res
}

// isComponentStem: a JSON file is a page/component configuration when a
// script or template of the same stem exists.
func isComponentStem(files Files, stem string, p *platform.Platform, scriptExts []string) bool {
	if files.Exists(stem + p.Template) {
		return true
	}
	for _, e := range scriptExts {
		if files.Exists(stem + e) {
			return true
		}
	}
	return false
}

func scriptEdgeKind(k scan.Kind) EdgeKind {
	switch k {
	case scan.Require, scan.Import:
		return Script
	case scan.RequireCallback, scan.RequireAsync, scan.ImportDynamic:
		return ScriptAsync
	case scan.RequirePlugin, scan.RequirePluginAsync:
		return Plugin
	}
	return 0
}

func templateEdgeKind(k scan.Kind) EdgeKind {
	switch k {
	case scan.TemplateImport, scan.TemplateInclude:
		return Template
	case scan.ScriptModuleSrc:
		return ScriptModule
	case scan.Require, scan.Import:
		return ScriptModule // require inside an inline <wxs> module
	case scan.Resource:
		return Resource
	}
	return 0
}

// StemFiles returns the files of a page or component stem that exist: its
// scripts (in the order of scriptExts), template, style and JSON.
func StemFiles(files Files, stem string, p *platform.Platform, scriptExts []string) []string {
	var out []string
	add := func(ext string) {
		if f := stem + ext; files.Exists(f) && !files.IsDir(f) {
			if out == nil {
				out = make([]string, 0, len(scriptExts)+3)
			}
			out = append(out, f)
		}
	}
	for _, e := range scriptExts {
		add(e)
	}
	add(p.Template)
	add(p.Style)
	add(".json")
	return out
}

// stemLister lists the files of stems (StemFiles), each stem's once: reach
// wants a component's files for every edge naming it, and a page's or
// component's for each of its files reached.
type stemLister struct {
	files      Files
	p          *platform.Platform
	scriptExts []string
	known      map[string][]string
}

func (l *stemLister) of(stem string) []string {
	fs, ok := l.known[stem]
	if !ok {
		fs = StemFiles(l.files, stem, l.p, l.scriptExts)
		l.known[stem] = fs
	}
	return fs
}

// successors maps each file to the files its resolved edges lead to (all
// of a component's files); n is the number of files, which the edges leave.
func (g *Graph) successors(stems *stemLister, n int) map[string][]string {
	out := make(map[string][]string, n)
	for _, e := range g.Edges {
		if e.To == "" {
			continue
		}
		if e.Kind == Component {
			out[e.From] = append(out[e.From], stems.of(e.To)...)
			continue
		}
		out[e.From] = append(out[e.From], e.To)
	}
	return out
}

// entryFiles are the files the platform loads first: the app's files and
// those it names, every page's files, the components loaded by convention,
// subpackage entries and workers. Some may not exist.
func entryFiles(app *manifest.App, stems *stemLister, paths []string) []string {
	entries := []string{app.File, "sitemap.json", "theme.json", "ext.json"}
	for _, loc := range []*manifest.Str{app.SitemapLocation, app.ThemeLocation} {
		if loc != nil && loc.Value != "" {
			entries = append(entries, strings.TrimPrefix(loc.Value, "/"))
		}
	}
	entries = append(entries, stems.of("app")...)
	for _, pg := range pagePaths(app) {
		entries = append(entries, stems.of(pg)...)
	}
	// Components loaded by convention (custom-tab-bar/index, app-bar/index).
	for _, c := range conventionComponents(app) {
		entries = append(entries, stems.of(c)...)
	}
	for _, sp := range app.Subpackages {
		if sp.Entry != nil {
			entries = append(entries, path.Join(sp.Root.Value, strings.TrimPrefix(sp.Entry.Value, "/")))
		}
	}
	if app.Workers != nil {
		// Every script under the workers directory is packed (into the main
		// package or a workers package).
		dir := strings.Trim(app.Workers.Path.Value, "/") + "/"
		for _, f := range paths {
			if strings.HasPrefix(f, dir) {
				entries = append(entries, f)
			}
		}
	}
	return entries
}

// reach marks every file reachable from the entries (entryFiles).
func (g *Graph) reach(files Files, paths []string, opt Options, scriptExts []string) {
	stems := &stemLister{files: files, p: opt.Platform, scriptExts: scriptExts, known: make(map[string][]string, len(g.Stems))}
	out := g.successors(stems, len(paths))
	var queue []string
	push := func(f string) {
		if f != "" && !g.Used[f] && files.Exists(f) && !files.IsDir(f) {
			g.Used[f] = true
			queue = append(queue, f)
		}
	}
	for _, f := range entryFiles(opt.App, stems, paths) {
		push(f)
	}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		for _, t := range out[f] {
			push(t)
		}
		// A request resolved to the .js the typescript plugin compiles
		// from a .ts reaches the .ts, whose own imports are the edges
		// (measured: life-helper's app/services → app/core modules, kept
		// by WeChat's unused-file rule).
		if opt.TypeScript && strings.HasSuffix(f, ".js") {
			push(strings.TrimSuffix(f, ".js") + ".ts")
		}
		// A reached page or component brings its siblings.
		ext := path.Ext(f)
		if stem := strings.TrimSuffix(f, ext); g.Stems[stem] {
			for _, s := range stems.of(stem) {
				push(s)
			}
		}
	}
}
