package rules

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/graph"
	"github.com/mpgate/mpgate/checks/platform"
)

// describe names a package for messages.
func describe(p pkg) string {
	switch {
	case p.main:
		return "the main package"
	case p.independent:
		return "independent subpackage " + p.name
	default:
		return "subpackage " + p.name
	}
}

// syncAllowed: may a file of from use a file of to synchronously (or at all,
// for templates, styles, script modules and resources)?
func syncAllowed(from, to pkg) bool {
	if from.name == to.name {
		return true
	}
	return to.main && !from.independent
}

// asyncAllowed: may from load to asynchronously (JS async, components with a
// placeholder)? Douyin allows it only into packages marked common.
func (in *Input) asyncAllowed(to pkg) bool {
	if in.Platform.AsyncOnlyIntoCommon {
		return to.common || to.main
	}
	return true
}

// uploadedFunc returns in.Uploaded (every file when nil), remembering its
// last answer: edges come in file order, so the edges of a file ask about
// it in a row, and Uploaded searches the upload's paths.
func (in *Input) uploadedFunc() func(string) bool {
	if in.Uploaded == nil {
		return func(string) bool { return true }
	}
	var (
		last     string
		asked    bool
		lastSays bool
	)
	return func(f string) bool {
		if !asked || f != last {
			last, lastSays, asked = f, in.Uploaded(f), true
		}
		return lastSays
	}
}

func crossPackage(in *Input) []checks.Diagnostic {
	uploaded := in.uploadedFunc()
	var out []checks.Diagnostic
	g := in.Graph

	// A template's resource resolved for several renderers of one package
	// is reported once.
	type resKey struct {
		file      string
		line, col int
		from, to  string
	}
	seenRes := map[resKey]bool{}
	for _, e := range g.Edges {
		if e.To == "" || !uploaded(e.From) {
			continue
		}
		if e.Kind == graph.Resource && in.styleURLNotLoaded(e) {
			continue // the platform never loads it: no package rule applies
		}
		from := in.pkgOf(e.From)
		if e.Kind == graph.Resource && len(e.Renderers) > 0 {
			// Judged for the page or component that renders the template.
			from = in.pkgOf(e.Renderers[0])
		}
		target := e.To
		if e.Kind == graph.Component {
			target = e.To + ".json"
		}
		to := in.pkgOf(target)
		if syncAllowed(from, to) {
			continue
		}
		switch e.Kind {
		case graph.ScriptAsync:
			if in.asyncAllowed(to) {
				continue
			}
			out = append(out, crossScript(e, from, to, true))
		case graph.Script:
			out = append(out, crossScript(e, from, to, false))
		case graph.Component:
			if e.Placeholder != "" && in.Platform.AsyncComponents && in.asyncAllowed(to) {
				continue
			}
			out = append(out, crossComponent(e, from, to, in))
		case graph.Template, graph.Style, graph.ScriptModule:
			out = append(out, crossTemplate(e, from, to))
		case graph.Resource:
			k := resKey{e.From, e.Line, e.Col, from.name, to.name}
			if seenRes[k] {
				continue
			}
			seenRes[k] = true
			out = append(out, crossResource(e, from, to))
		}
	}

	npm := map[string][]graph.Edge{}
	var lost []graph.Edge
	for _, e := range g.Unresolved {
		if !uploaded(e.From) {
			continue
		}
		if e.Npm != "" {
			// A missing package fails where a file loads it: requests of
			// files that nothing loads (a bundle no page requires, a
			// Node script) are left to MP305, as WeChat's analyser,
			// which follows only what the app reaches, leaves them.
			if g.Used[e.From] {
				npm[e.Npm] = append(npm[e.Npm], e)
			}
			continue
		}
		if in.styleURLNotLoaded(e) {
			out = append(out, missingStyleURL(e, in.Platform.ID.Name()))
			continue
		}
		lost = append(lost, e)
	}
	out = append(out, in.unresolvedGrouped(lost)...)
	out = append(out, npmNotBuilt(in, npm)...)
	out = append(out, componentScripts(in, uploaded)...)
	out = append(out, in.dynamic(uploaded)...)
	out = append(out, placeholders(in)...)
	out = append(out, appCalls(in)...)
	return out
}

// styleURLNotLoaded reports whether e is a url() of a style on a platform
// that loads no local files from styles (platform.StyleLocalFiles).
func (in *Input) styleURLNotLoaded(e graph.Edge) bool {
	return e.Kind == graph.Resource && !in.Platform.StyleLocalFiles && path.Ext(e.From) == in.Platform.Style
}

func missingStyleURL(e graph.Edge, platform string) checks.Diagnostic {
	return checks.New(checks.MP214, e.From, e.Line, e.Col,
		fmt.Sprintf("url(%s) in %s names no file; %s does not load local files from styles anyway", e.Request, e.From, platform),
		"use a network URL or a base64 data: URL in the style, or show a package image with <image>; remove the url() if it is unused")
}

// dynamic reports the non-literal references worth a note (MP212): one
// finding per file, listing where they are. Data-bound template attributes
// ({{ }} in an image src) are how templates show data, not a path to check,
// and third-party code under miniprogram_npm or node_modules is not the
// project's to change: neither is reported.
func (in *Input) dynamic(uploaded func(string) bool) []checks.Diagnostic {
	byFile := map[string][]graph.Edge{}
	var files []string
	for _, e := range in.Graph.Dynamic {
		if !uploaded(e.From) || e.Kind == graph.Resource || thirdParty(e.From) {
			continue
		}
		if _, ok := byFile[e.From]; !ok {
			files = append(files, e.From)
		}
		byFile[e.From] = append(byFile[e.From], e)
	}
	slices.Sort(files)
	out := make([]checks.Diagnostic, 0, len(files))
	for _, f := range files {
		es := byFile[f]
		first := es[0]
		var msg string
		if len(es) == 1 {
			msg = fmt.Sprintf("%s with a non-literal path %s is not checked", first.Kind, clip(first.Request))
		} else {
			where := make([]string, 0, min(len(es), 5))
			for _, e := range es[:min(len(es), 5)] {
				where = append(where, fmt.Sprintf("%s %s at %d:%d", e.Kind, clip(e.Request), e.Line, e.Col))
			}
			more := ""
			if len(es) > 5 {
				more = fmt.Sprintf(" and %d more", len(es)-5)
			}
			msg = fmt.Sprintf("%d references with a non-literal path in %s are not checked: %s%s", len(es), f, strings.Join(where, ", "), more)
		}
		d := checks.New(checks.MP212, f, first.Line, first.Col, msg,
			"use a string literal path so that mpgate (and the platform's own analysis) can follow it")
		d.Package = in.Layout.PackageOf(f)
		out = append(out, d)
	}
	return out
}

// thirdParty reports whether f is built or installed package code.
func thirdParty(f string) bool {
	for _, dir := range []string{"miniprogram_npm/", "node_modules/"} {
		if strings.HasPrefix(f, dir) || strings.Contains(f, "/"+dir) {
			return true
		}
	}
	return false
}

// clip shortens an expression quoted in a message.
func clip(s string) string {
	const limit = 60
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}

func crossScript(e graph.Edge, from, to pkg, async bool) checks.Diagnostic {
	how := "synchronously"
	if async {
		how = "asynchronously, which this platform allows only into packages marked \"common\""
	}
	switch {
	case from.independent:
		d := checks.New(checks.MP203, e.From, e.Line, e.Col,
			fmt.Sprintf("%s requires %s of %s %s", describe(from), e.To, describe(to), how),
			fmt.Sprintf("an independent subpackage may use nothing outside itself: copy %s into %s, or load it with require.async('%s')",
				path.Base(e.To), from.name, e.Request))
		d.Package = from.name
		return d
	case from.main:
		d := checks.New(checks.MP202, e.From, e.Line, e.Col,
			fmt.Sprintf("the main package requires %s of %s %s", e.To, describe(to), how),
			fmt.Sprintf("use require.async('%s') (or require with a callback), or move %s to the main package",
				e.Request, path.Base(e.To)))
		d.Package = from.name
		return d
	default:
		d := checks.New(checks.MP201, e.From, e.Line, e.Col,
			fmt.Sprintf("%s requires %s of %s %s", from.name, e.To, describe(to), how),
			fmt.Sprintf("use require.async('%s') or move %s to the main package", e.Request, path.Base(e.To)))
		d.Package = from.name
		return d
	}
}

func crossComponent(e graph.Edge, from, to pkg, in *Input) checks.Diagnostic {
	if from.independent {
		d := checks.New(checks.MP203, e.From, e.Line, e.Col,
			fmt.Sprintf("%s uses component <%s> (%s) of %s", describe(from), e.Tag, e.To, describe(to)),
			fmt.Sprintf("copy the component into %s, or declare \"componentPlaceholder\": {\"%s\": \"view\"} in %s to load it asynchronously",
				from.name, e.Tag, e.From))
		d.Package = from.name
		return d
	}
	var hint string
	switch {
	case !in.Platform.AsyncComponents:
		hint = fmt.Sprintf("this platform loads no component asynchronously: move the component to %s", placeFor(from))
	case in.Platform.AsyncOnlyIntoCommon && !to.common:
		hint = fmt.Sprintf("on this platform a component may cross packages only into a subpackage marked \"common\": true; mark %s common and add a componentPlaceholder for <%s>, or move the component to %s", to.name, e.Tag, placeFor(from))
	default:
		hint = fmt.Sprintf("add \"componentPlaceholder\": {\"%s\": \"view\"} to %s so the component loads asynchronously, or move it to %s",
			e.Tag, e.From, placeFor(from))
	}
	msg := fmt.Sprintf("component <%s> (%s) is in %s, used from %s without a componentPlaceholder", e.Tag, e.To, describe(to), describe(from))
	if e.Placeholder != "" {
		msg = fmt.Sprintf("component <%s> (%s) is in %s, used from %s; its componentPlaceholder does not make that legal here", e.Tag, e.To, describe(to), describe(from))
	}
	d := checks.New(checks.MP204, e.From, e.Line, e.Col, msg, hint)
	d.Package = from.name
	return d
}

func placeFor(from pkg) string {
	if from.main {
		return "the main package"
	}
	return from.name + " or the main package"
}

func crossTemplate(e graph.Edge, from, to pkg) checks.Diagnostic {
	id := checks.MP205
	if from.independent {
		id = checks.MP203
	}
	d := checks.New(id, e.From, e.Line, e.Col,
		fmt.Sprintf("%s in %s reaches %s of %s", e.Kind, describe(from), e.To, describe(to)),
		fmt.Sprintf("templates, styles and script modules never cross packages, not even asynchronously: copy %s into %s",
			path.Base(e.To), placeFor(from)))
	d.Package = from.name
	return d
}

func crossResource(e graph.Edge, from, to pkg) checks.Diagnostic {
	id := checks.MP206
	if from.independent {
		id = checks.MP203
	}
	msg := fmt.Sprintf("%s uses %s of %s", describe(from), e.To, describe(to))
	if len(e.Renderers) > 0 {
		msg = fmt.Sprintf("%s, which renders this template in %s, uses %s of %s", e.Renderers[0], describe(from), e.To, describe(to))
	}
	d := checks.New(id, e.From, e.Line, e.Col, msg,
		fmt.Sprintf("a package may only use its own resources and the main package's: copy %s into %s, or serve it from a CDN",
			path.Base(e.To), placeFor(from)))
	d.Package = from.name
	return d
}

func unresolved(in *Input, e graph.Edge) checks.Diagnostic {
	what := e.Kind.String()
	hint := "check the path: relative paths start at the file's directory, \"/\" paths at the mini-program root"
	switch e.Kind {
	case graph.Component:
		what = fmt.Sprintf("component <%s>", e.Tag)
		hint = "a component path names the component's files without extension (\"/components/card/card\"), relative to this JSON file or \"/\"-absolute; npm components need \"Build npm\" (miniprogram_npm)"
	case graph.Script, graph.ScriptAsync:
		hint = "check the path; bare names are looked up in miniprogram_npm (run the DevTools' \"Build npm\"), and resolveAlias keys must end with /*"
		if in.Platform.ID == platform.WeChat {
			hint = "check the path; WeChat adds .js to a path but never looks for a directory's index.js (name the file: \"./lib/index\"); bare names are looked up in miniprogram_npm, and resolveAlias keys must end with /*"
		}
		if in.Platform.ID == platform.WeChat && strings.HasPrefix(e.Request, "/") {
			hint = "WeChat does not read a JS path starting with \"/\" from the mini-program root: it drops the \"/\" and resolves the rest relative to this file's directory; write the path relative to this file (\"../../utils/x\") or map a prefix with resolveAlias"
		}
	case graph.Resource:
		if len(e.Renderers) > 0 && !strings.HasPrefix(e.Request, "/") {
			who := e.Renderers[0]
			if len(e.Renderers) > 1 {
				who = fmt.Sprintf("%s and %d more", who, len(e.Renderers)-1)
			}
			return checks.New(checks.MP210, e.From, e.Line, e.Col,
				fmt.Sprintf("%s '%s' in %s resolves to no file from the pages and components that render this template (%s)", what, e.Request, e.From, who),
				"in an imported or included template a relative path is resolved against the page or component that renders it, not against the template file: use a \"/\"-absolute path")
		}
	}
	return checks.New(checks.MP210, e.From, e.Line, e.Col,
		fmt.Sprintf("%s '%s' in %s resolves to no file", what, e.Request, e.From), hint)
}

// minMissingDir is the number of unresolved references into one missing
// directory from which they are reported as one finding.
const minMissingDir = 3

// unresolvedGrouped applies MP210 to the unresolved edges: one finding per
// edge, except that references into a directory that does not exist at
// all (a build output that is not committed: "../../es/list/index",
// "../dist/button/index", "libs/dayjs/…") are one finding per directory
// when there are minMissingDir or more of them. The finding is at the first
// reference and names the files that hold them.
func (in *Input) unresolvedGrouped(edges []graph.Edge) []checks.Diagnostic {
	dirs := map[string]bool{}
	unused := make(map[string]bool, len(in.Files))
	for _, f := range in.Files {
		for d := path.Dir(f.Path); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
		unused[f.Path] = !f.Used
	}
	// References from files nothing uses are grouped apart: their
	// findings are warnings (deadCode), the others errors.
	key := func(e graph.Edge) string {
		d := in.missingDir(e, dirs)
		if d == "" {
			return ""
		}
		if unused[e.From] {
			return d + "\x00unused"
		}
		return d
	}
	byDir := map[string][]graph.Edge{}
	for _, e := range edges {
		if k := key(e); k != "" {
			byDir[k] = append(byDir[k], e)
		}
	}
	var out []checks.Diagnostic
	done := map[string]bool{}
	for _, e := range edges {
		k := key(e)
		if k == "" || len(byDir[k]) < minMissingDir {
			out = append(out, unresolved(in, e))
			continue
		}
		if done[k] {
			continue
		}
		done[k] = true
		group := byDir[k]
		d := in.missingDir(e, dirs)
		var files []string
		for _, x := range group {
			if !slices.Contains(files, x.From) {
				files = append(files, x.From)
			}
		}
		where := d + "/"
		if strings.HasPrefix(d, "../") || d == ".." {
			where += " (outside the mini-program root)"
		}
		dd := checks.New(checks.MP210, e.From, e.Line, e.Col,
			fmt.Sprintf("%d references resolve into %s, which holds no file of the program (first: %s '%s' in %s), in %s",
				len(group), where, e.Kind, e.Request, e.From, nameList(files)),
			"the directory is probably a build output that is not committed (a component library's dist/ or es/, a copied vendor folder): "+
				"build it before the check (a build: step in .mpgate.yml), commit it, or fix the paths")
		dd.Package = in.Layout.PackageOf(e.From)
		out = append(out, dd)
	}
	return out
}

// missingDir returns the outermost directory on the path of e's target
// that holds no file of the program ("" when the target's directory exists,
// or the request is not a relative or "/"-absolute path). A target above
// the root gives its first directory there ("../dist").
func (in *Input) missingDir(e graph.Edge, dirs map[string]bool) string {
	if len(e.Renderers) > 0 {
		return "" // resolved against the renderers: see unresolved
	}
	req := e.Request
	var p string
	switch {
	case strings.HasPrefix(req, "./"), strings.HasPrefix(req, "../"):
		p = path.Join(path.Dir(e.From), req)
	case strings.HasPrefix(req, "/"):
		if in.Platform.ID == platform.WeChat && (e.Kind == graph.Script || e.Kind == graph.ScriptAsync) {
			p = path.Join(path.Dir(e.From), strings.TrimLeft(req, "/"))
		} else {
			p = path.Clean(strings.TrimLeft(req, "/"))
		}
	default:
		return ""
	}
	segs := strings.Split(p, "/")
	up := 0
	for up < len(segs) && segs[up] == ".." {
		up++
	}
	for k := up + 1; k < len(segs); k++ {
		d := strings.Join(segs[:k], "/")
		if up > 0 || !dirs[d] {
			return d
		}
	}
	return ""
}

// componentScripts applies MP210 to components that resolve (by their JSON
// or template) but have no script: WeChat's analyser reports "Couldn't
// resolve the Js file" and the component cannot be created.
func componentScripts(in *Input, uploaded func(string) bool) []checks.Diagnostic {
	if in.Exists == nil {
		return nil
	}
	exts := in.ScriptExts
	if len(exts) == 0 {
		exts = []string{".js"}
	}
	var out []checks.Diagnostic
	for _, e := range in.Graph.Edges {
		if e.Kind != graph.Component || e.To == "" || e.External != "" || !uploaded(e.From) {
			continue
		}
		if slices.ContainsFunc(exts, func(x string) bool { return in.Exists(e.To + x) }) {
			continue
		}
		d := checks.New(checks.MP210, e.From, e.Line, e.Col,
			fmt.Sprintf("component <%s> '%s' in %s has no script: %s does not exist (or is not uploaded)", e.Tag, e.Request, e.From, e.To+exts[0]),
			"a component needs its script, template and JSON: create "+path.Base(e.To)+exts[0]+" with Component({}), or fix the path")
		d.Package = in.Layout.PackageOf(e.From)
		out = append(out, d)
	}
	return out
}

// placeholders checks componentPlaceholder entries (MP211).
func placeholders(in *Input) []checks.Diagnostic {
	// Which tags of each JSON resolve to a component in another package.
	type key struct{ file, tag string }
	cross := map[key]bool{}
	hasPH := map[key]bool{}
	for _, e := range in.Graph.Edges {
		if e.Kind != graph.Component {
			continue
		}
		k := key{e.From, e.Tag}
		if e.Placeholder != "" {
			hasPH[k] = true
		}
		if e.External != "" {
			cross[k] = true // a plugin component may be unavailable until loaded
			continue
		}
		if e.To != "" && !syncAllowed(in.pkgOf(e.From), in.pkgOf(e.To+".json")) {
			cross[k] = true
		}
	}
	var out []checks.Diagnostic
	files := make([]string, 0, len(in.Graph.Components))
	for f := range in.Graph.Components {
		files = append(files, f)
	}
	slices.Sort(files)
	for _, f := range files {
		c := in.Graph.Components[f]
		if in.Uploaded != nil && !in.Uploaded(f) {
			continue
		}
		used := map[string]bool{}
		for _, u := range c.UsingComponents {
			used[u.Tag.Value] = true
		}
		for _, ph := range c.ComponentPlaceholder {
			tag, place := ph.Tag.Value, ph.Placeholder.Value
			switch {
			case !used[tag]:
				out = append(out, checks.New(checks.MP211, f, ph.Tag.Pos.Line, ph.Tag.Pos.Col,
					fmt.Sprintf("componentPlaceholder names <%s>, which is not in usingComponents of %s", tag, f),
					fmt.Sprintf("declare <%s> in usingComponents or remove its placeholder", tag)))
			case used[place] && (cross[key{f, place}] || hasPH[key{f, place}]):
				out = append(out, checks.New(checks.MP211, f, ph.Placeholder.Pos.Line, ph.Placeholder.Pos.Col,
					fmt.Sprintf("the placeholder <%s> for <%s> is itself loaded asynchronously or from another package", place, tag),
					"a placeholder must be available at once: use a built-in component such as view, or a component of this package"))
			case !used[place] && in.Platform.ID == "alipay":
				out = append(out, checks.New(checks.MP211, f, ph.Placeholder.Pos.Line, ph.Placeholder.Pos.Col,
					fmt.Sprintf("the placeholder <%s> for <%s> is not a custom component", place, tag),
					"on Alipay a placeholder must be a custom component declared in usingComponents"))
			}
		}
	}
	return out
}

// appLoad is the app script's own synchronous load: the app scripts and
// every file they require synchronously, directly or not. A framework
// runtime that calls App() (uni-app's common/vendor.js, loaded by app.js)
// runs as part of it.
func (in *Input) appLoad() map[string]bool {
	next := map[string][]string{}
	for _, e := range in.Graph.Edges {
		if e.Kind == graph.Script && e.To != "" {
			next[e.From] = append(next[e.From], e.To)
		}
	}
	seen := map[string]bool{}
	queue := slices.Clone(in.AppScripts)
	for _, f := range queue {
		seen[f] = true
	}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		for _, t := range next[f] {
			if !seen[t] {
				seen[t] = true
				queue = append(queue, t)
			}
		}
	}
	return seen
}

// appCalls checks App() and getApp() (MP207, MP208).
func appCalls(in *Input) []checks.Diagnostic {
	var out []checks.Diagnostic
	load := in.appLoad()
	for _, c := range in.Graph.AppCalls {
		// Without a manifest the folder is not known to be the program
		// (its app scripts may be copies under dist/, src/): not judged.
		if in.NoReach || load[c.File] || strings.HasPrefix(c.File, "miniprogram_npm/") {
			continue
		}
		if in.Uploaded != nil && !in.Uploaded(c.File) {
			continue
		}
		out = append(out, checks.New(checks.MP207, c.File, c.Line, c.Col,
			fmt.Sprintf("App() is called in %s, which the app script does not load; only the app script (and what it requires) may call it", c.File),
			"call App() once, in app.js; elsewhere use getApp() to reach the app instance"))
	}
	for _, c := range in.Graph.GetApps {
		if c.AllowDefault {
			continue
		}
		if in.Uploaded != nil && !in.Uploaded(c.File) {
			continue
		}
		p := in.pkgOf(c.File)
		if !p.independent {
			continue
		}
		d := checks.New(checks.MP208, c.File, c.Line, c.Col,
			fmt.Sprintf("getApp() in independent subpackage %s returns undefined when the subpackage is opened directly", p.name),
			"call getApp({allowDefault: true}) so a default app object exists until the main package loads")
		d.Package = p.name
		out = append(out, d)
	}
	return out
}

// maxNpmFiles caps the files an MP215 finding names.
const maxNpmFiles = 5

// npmNotInstalled is MP215 on Alipay, which loads packages from
// node_modules itself (no "Build npm").
func npmNotInstalled(in *Input, name string, first graph.Edge, uses string, listed []string, more string) checks.Diagnostic {
	var d checks.Diagnostic
	if first.NpmDir != "" {
		d = checks.New(checks.MP215, first.From, first.Line, first.Col,
			fmt.Sprintf("npm package '%s' is installed in %s but lacks what is asked of it (%s: first '%s'), needed by %s%s",
				name, first.NpmDir, uses, first.Request, strings.Join(listed, ", "), more),
			"Alipay resolves a package path like Node (the file, with .js added, or the directory's package.json \"main\" or index.js; "+
				"a component path names its files without extension): check the path inside the package, or the installed version")
	} else {
		d = checks.New(checks.MP215, first.From, first.Line, first.Col,
			fmt.Sprintf("npm package '%s' is not installed in node_modules (%s: first '%s'), needed by %s%s",
				name, uses, first.Request, strings.Join(listed, ", "), more),
			fmt.Sprintf("Alipay packs npm packages from node_modules (it has no \"Build npm\"): add %s to package.json \"dependencies\" "+
				"and run npm install in the mini-program before uploading (in CI, a build: step in .mpgate.yml that runs npm ci)", name))
	}
	d.Package = in.Layout.PackageOf(first.From)
	return d
}

// npmNotBuilt gives one MP215 per npm package that scripts or components
// ask for but that no miniprogram_npm directory holds. WeChat, QQ and
// Douyin run only what "Build npm" put into miniprogram_npm; node_modules is
// never uploaded. Alipay loads installed packages from node_modules: there
// the finding is a package not installed (npmNotInstalled). Baidu's npm
// rule is not verified: its bare requests are not checked, rather than
// reported falsely (docs/platforms.md).
func npmNotBuilt(in *Input, byPkg map[string][]graph.Edge) []checks.Diagnostic {
	alipay := in.Platform.ID == platform.Alipay
	switch in.Platform.ID {
	case platform.WeChat, platform.QQ, platform.Douyin, platform.Alipay:
	default:
		return nil
	}
	names := make([]string, 0, len(byPkg))
	for n := range byPkg {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []checks.Diagnostic
	for _, name := range names {
		edges := byPkg[name]
		slices.SortStableFunc(edges, func(a, b graph.Edge) int {
			return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
		})
		var files []string
		for _, e := range edges {
			if len(files) == 0 || files[len(files)-1] != e.From {
				files = append(files, e.From)
			}
		}
		listed := files
		more := ""
		if len(listed) > maxNpmFiles {
			listed = listed[:maxNpmFiles]
			more = fmt.Sprintf(" and %d more", len(files)-maxNpmFiles)
		}
		uses := "1 use"
		if len(edges) > 1 {
			uses = fmt.Sprintf("%d uses", len(edges))
		}
		first := edges[0]
		if alipay {
			out = append(out, npmNotInstalled(in, name, first, uses, listed, more))
			continue
		}
		if first.NpmDir != "" {
			d := checks.New(checks.MP215, first.From, first.Line, first.Col,
				fmt.Sprintf("npm package '%s' is built in %s but lacks what is asked of it (%s: first '%s'), needed by %s%s",
					name, first.NpmDir, uses, first.Request, strings.Join(listed, ", "), more),
				"Build npm copies a mini-program package's miniprogram_dist and bundles any other package into one index.js from its main entry: "+
					"require the package's entry, check the path inside the package, or rebuild npm after updating it")
			d.Package = in.Layout.PackageOf(first.From)
			out = append(out, d)
			continue
		}
		d := checks.New(checks.MP215, first.From, first.Line, first.Col,
			fmt.Sprintf("npm package '%s' is not built into miniprogram_npm (%s: first '%s'), needed by %s%s",
				name, uses, first.Request, strings.Join(listed, ", "), more),
			fmt.Sprintf("node_modules is not uploaded: add %s to package.json \"dependencies\", run npm install, then build npm "+
				"(the DevTools' \"Build npm\", miniprogram-ci packNpm / \"miniprogram-ci pack-npm\", or a build: step in .mpgate.yml that does it) "+
				"and commit miniprogram_npm or build it in CI", name))
		d.Package = in.Layout.PackageOf(first.From)
		out = append(out, d)
	}
	return out
}
