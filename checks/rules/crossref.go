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

func crossPackage(in *Input) []checks.Diagnostic {
	ps := in.packages()
	uploaded := func(f string) bool { return in.Uploaded == nil || in.Uploaded(f) }
	var out []checks.Diagnostic
	g := in.Graph

	for _, e := range g.Edges {
		if e.To == "" || !uploaded(e.From) {
			continue
		}
		from := in.pkgOf(ps, e.From)
		target := e.To
		if e.Kind == graph.Component {
			target = e.To + ".json"
		}
		to := in.pkgOf(ps, target)
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
			out = append(out, crossResource(e, from, to))
		}
	}

	npm := map[string][]graph.Edge{}
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
		out = append(out, unresolved(in, e))
	}
	out = append(out, npmNotBuilt(in, npm)...)
	for _, e := range g.Dynamic {
		if !uploaded(e.From) {
			continue
		}
		d := checks.New(checks.MP212, e.From, e.Line, e.Col,
			fmt.Sprintf("%s with a non-literal path %s is not checked", e.Kind, e.Request),
			"use a string literal path so that mpgate (and the platform's own analysis) can follow it")
		d.Package = in.Layout.PackageOf(e.From)
		out = append(out, d)
	}
	out = append(out, placeholders(in, ps)...)
	out = append(out, appCalls(in, ps)...)
	return out
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
	d := checks.New(id, e.From, e.Line, e.Col,
		fmt.Sprintf("%s uses %s of %s", describe(from), e.To, describe(to)),
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
	}
	return checks.New(checks.MP210, e.From, e.Line, e.Col,
		fmt.Sprintf("%s '%s' in %s resolves to no file", what, e.Request, e.From), hint)
}

// placeholders checks componentPlaceholder entries (MP211).
func placeholders(in *Input, ps map[string]pkg) []checks.Diagnostic {
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
		if e.To != "" && !syncAllowed(in.pkgOf(ps, e.From), in.pkgOf(ps, e.To+".json")) {
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

// appCalls checks App() and getApp() (MP207, MP208).
func appCalls(in *Input, ps map[string]pkg) []checks.Diagnostic {
	var out []checks.Diagnostic
	for _, c := range in.Graph.AppCalls {
		if slices.Contains(in.AppScripts, c.File) || strings.HasPrefix(c.File, "miniprogram_npm/") {
			continue
		}
		if in.Uploaded != nil && !in.Uploaded(c.File) {
			continue
		}
		out = append(out, checks.New(checks.MP207, c.File, c.Line, c.Col,
			fmt.Sprintf("App() is called in %s; only the main package's app script may call it", c.File),
			"call App() once, in app.js; elsewhere use getApp() to reach the app instance"))
	}
	for _, c := range in.Graph.GetApps {
		if c.AllowDefault {
			continue
		}
		if in.Uploaded != nil && !in.Uploaded(c.File) {
			continue
		}
		p := in.pkgOf(ps, c.File)
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

// maxNpmFiles caps the files an MP214 finding names.
const maxNpmFiles = 5

// npmNotBuilt gives one MP214 per npm package that scripts or components
// ask for but that no miniprogram_npm directory holds. WeChat, QQ and
// Douyin run only what "Build npm" put into miniprogram_npm; node_modules is
// never uploaded. Alipay and Baidu read packages elsewhere (Alipay from
// node_modules, which mpgate does not walk): their bare requests are not
// checked, rather than reported falsely (docs/platforms.md).
func npmNotBuilt(in *Input, byPkg map[string][]graph.Edge) []checks.Diagnostic {
	switch in.Platform.ID {
	case platform.WeChat, platform.QQ, platform.Douyin:
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
		if first.NpmDir != "" {
			d := checks.New(checks.MP214, first.From, first.Line, first.Col,
				fmt.Sprintf("npm package '%s' is built in %s but lacks what is asked of it (%s: first '%s'), needed by %s%s",
					name, first.NpmDir, uses, first.Request, strings.Join(listed, ", "), more),
				"Build npm copies a mini-program package's miniprogram_dist and bundles any other package into one index.js from its main entry: "+
					"require the package's entry, check the path inside the package, or rebuild npm after updating it")
			d.Package = in.Layout.PackageOf(first.From)
			out = append(out, d)
			continue
		}
		d := checks.New(checks.MP214, first.From, first.Line, first.Col,
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
