package manifest

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/platform"
)

// reader collects diagnostics while it reads one JSON file.
type reader struct {
	file    string
	invalid string // rule for malformed content: MP101 (manifest), MP114 (page/component)
	diags   []checks.Diagnostic
}

func (r *reader) add(id string, pos Pos, msg, hint string) {
	r.diags = append(r.diags, checks.New(id, r.file, pos.Line, pos.Col, msg, hint))
}

// wrongType reports a value of the wrong JSON type.
func (r *reader) wrongType(n *Node, what, want string) {
	r.add(r.invalid, n.Pos, fmt.Sprintf("%s must be %s, not %s", what, want, n.Kind), "change the value to "+want)
}

func (r *reader) str(n *Node, what string) (Str, bool) {
	if n.Kind != String {
		r.wrongType(n, what, "a string")
		return Str{}, false
	}
	return Str{Value: n.Str, Pos: n.Pos}, true
}

func (r *reader) strs(n *Node, what string) []Str {
	if n.Kind != Array {
		r.wrongType(n, what, "an array of strings")
		return nil
	}
	out := make([]Str, 0, len(n.Items))
	for i, it := range n.Items {
		if s, ok := r.str(it, fmt.Sprintf("%s[%d]", what, i)); ok {
			out = append(out, s)
		}
	}
	return out
}

func (r *reader) boolean(n *Node, what string) bool {
	if n.Kind != Bool {
		r.wrongType(n, what, "true or false")
		return false
	}
	return n.Bool
}

func (r *reader) object(n *Node, what string) bool {
	if n.Kind != Object {
		r.wrongType(n, what, "an object")
		return false
	}
	return true
}

// dups warns about keys declared twice in one object.
func (r *reader) dups(n *Node, where string) {
	for _, d := range n.Dups {
		r.add(checks.MP111, d.Key.Pos, fmt.Sprintf("%s declares key %q more than once; only the last one is used", where, d.Key.Value),
			"remove this earlier declaration or merge it into the last one")
	}
}

// parse parses src and reports a syntax error with rule r.invalid.
func (r *reader) parse(src []byte) *Node {
	n, err := ParseJSON(src)
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			r.add(r.invalid, se.Pos, "invalid JSON: "+se.Msg, se.Hint)
		} else {
			r.add(r.invalid, Pos{Line: 1, Col: 1}, "invalid JSON: "+err.Error(), "fix the JSON syntax")
		}
		return nil
	}
	return n
}

// NormalizeRoot normalises a subpackage root or directory setting: no
// leading "./" or "/", no trailing "/", "/" separators.
func NormalizeRoot(s string) string {
	s = strings.ReplaceAll(s, "\\", "/")
	for {
		t := strings.TrimPrefix(strings.TrimPrefix(s, "./"), "/")
		if t == s {
			break
		}
		s = t
	}
	s = strings.TrimRight(s, "/")
	if s == "." {
		return ""
	}
	return s
}

// normPage is a page path as looked up in the files: without a leading "/".
func normPage(s string) string { return strings.TrimPrefix(s, "/") }

// joinRoot is a subpackage page's path from the mini-program root, as
// miniprogram-ci computes it (normalizePath(path.posix.join(root, page))).
// Main-package pages, tabBar pages, entryPagePath and preloadRule keys are
// compared with it exactly, as written, like miniprogram-ci does.
func joinRoot(root, page string) string {
	if root == "" {
		return page
	}
	return path.Join(root, page)
}

// under reports whether path lies inside directory root (not equal to it).
func under(path, root string) bool {
	return root != "" && strings.HasPrefix(path, root+"/")
}

// ParseApp parses an app manifest (app.json) of platform p. It returns nil
// and an MP101 diagnostic when src is not a JSON object; otherwise the App and
// the diagnostics of the rules that need nothing but the manifest: MP101 for
// values of the wrong type, MP103–MP111 and MP209. file is the manifest's
// path relative to the mini-program root, used in diagnostics.
func ParseApp(src []byte, file string, p *platform.Platform) (*App, []checks.Diagnostic) {
	r := &reader{file: file, invalid: checks.MP101}
	if p == nil {
		p, _ = platform.Get(platform.WeChat)
	}
	root := r.parse(src)
	if root == nil {
		return nil, r.diags
	}
	if root.Kind != Object {
		r.add(checks.MP101, root.Pos, fmt.Sprintf("the manifest must be a JSON object, not %s", root.Kind), `write {"pages": [...]}`)
		return nil, r.diags
	}
	app := &App{File: file, Tree: root}
	r.dups(root, file)
	known := appKeys[p.ID]
	var subsNode *Node
	for _, m := range root.Members {
		k, v := m.Key, m.Value
		app.Keys = append(app.Keys, k)
		if isSubKey(p, k.Value) {
			if subsNode != nil {
				r.add(checks.MP111, k.Pos, fmt.Sprintf("both %q and %q are declared; only %q is used", app.SubpackagesKey, k.Value, preferredSubKey(p, app.SubpackagesKey, k.Value)),
					"merge the two lists under one key")
				if preferredSubKey(p, app.SubpackagesKey, k.Value) == app.SubpackagesKey {
					continue
				}
			}
			app.SubpackagesKey, subsNode = k.Value, v
			continue
		}
		if !known[k.Value] {
			r.unknownKey(k, known, p)
			continue
		}
		r.appKey(app, p, k, v)
	}
	if subsNode != nil {
		app.Subpackages = r.subpackages(subsNode, p)
	}
	if m, ok := root.Member("pages"); !ok {
		r.add(checks.MP101, root.Pos, "the manifest declares no pages", `add "pages": ["pages/index/index"] with the main package's pages`)
	} else if m.Value.Kind == Array && len(m.Value.Items) == 0 {
		r.add(checks.MP101, m.Value.Pos, "pages is empty; the main package needs at least its start page", `list the main package's pages, e.g. ["pages/index/index"]`)
	}
	r.crossCheck(app, p)
	sortDiags(r.diags)
	return app, r.diags
}

// appKey reads the value v of a known key k of the manifest into app.
func (r *reader) appKey(app *App, p *platform.Platform, k Str, v *Node) {
	switch k.Value {
	case "pages":
		app.Pages = r.strs(v, "pages")
	case "entryPagePath":
		if s, ok := r.str(v, "entryPagePath"); ok {
			app.EntryPagePath = &s
		}
	case "preloadRule":
		app.Preload = r.preload(v)
	case "tabBar":
		app.TabBarPages = r.tabBar(v, p)
		// Only WeChat (and QQ, which follows it) document custom-tab-bar/index.
		if c := v.Get("custom"); c != nil && c.Kind == Bool && c.Bool && (p.ID == platform.WeChat || p.ID == platform.QQ) {
			app.TabBarCustom = &Str{Value: "custom-tab-bar/index", Pos: c.Pos}
		}
	case "appBar":
		app.AppBar = v.Kind == Object
	case "usingComponents":
		app.UsingComponents = r.components(v, "usingComponents")
	case "componentPlaceholder":
		app.ComponentPlaceholder = r.placeholders(v)
	case "plugins":
		app.Plugins = r.plugins(v, "plugins")
	case "workers":
		app.Workers = r.workers(v, p)
	case "resolveAlias":
		app.ResolveAlias = r.aliases(v, "resolveAlias")
	case "useExtendedLib":
		app.UseExtendedLib = r.extendedLib(v, "useExtendedLib")
	case "sitemapLocation":
		if s, ok := r.str(v, k.Value); ok {
			app.SitemapLocation = &s
		}
	case "themeLocation":
		if s, ok := r.str(v, k.Value); ok {
			app.ThemeLocation = &s
		}
	case "lazyCodeLoading":
		if s, ok := r.str(v, k.Value); ok {
			app.LazyCodeLoading = s.Value
		}
	case "subPackageBuildType":
		if s, ok := r.str(v, k.Value); ok {
			app.SubPackageBuildType = s.Value
		}
	}
}

// sortDiags orders diagnostics by position, keeping the order of equal ones.
func sortDiags(ds []checks.Diagnostic) {
	slices.SortStableFunc(ds, func(a, b checks.Diagnostic) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
}

func isSubKey(p *platform.Platform, k string) bool {
	for _, s := range p.SubpackagesKeys {
		if s == k {
			return true
		}
	}
	return false
}

// preferredSubKey is the key a platform reads when both spellings are given:
// miniprogram-ci's checkSubpackages copies subpackages over subPackages
// before anything else reads them.
func preferredSubKey(p *platform.Platform, a, b string) string {
	if a == "subpackages" || b == "subpackages" {
		return "subpackages"
	}
	return a
}

// unknownKey reports a top-level key the platform does not know.
func (r *reader) unknownKey(k Str, known map[string]bool, p *platform.Platform) {
	cands := map[string]bool{}
	for c := range known {
		cands[c] = true
	}
	for _, s := range p.SubpackagesKeys {
		cands[s] = true
	}
	// Subpackage spellings the platform does not accept: name the one it does.
	if sug := suggest(k.Value, map[string]bool{p.SubpackagesKeys[0]: true}, nil); sug != "" ||
		strings.EqualFold(strings.ReplaceAll(k.Value, "_", ""), "subpackages") || strings.EqualFold(k.Value, "subpackage") {
		r.add(checks.MP111, k.Pos, fmt.Sprintf("%q is not a manifest key on %s, so these subpackages are ignored", k.Value, p.ID.Name()),
			fmt.Sprintf("spell it %q (case matters)", p.SubpackagesKeys[0]))
		return
	}
	if sug := suggest(k.Value, cands, nil); sug != "" {
		r.add(checks.MP111, k.Pos, fmt.Sprintf("unknown manifest key %q", k.Value), fmt.Sprintf("did you mean %q?", sug))
		return
	}
	r.add(checks.MP111, k.Pos, fmt.Sprintf("unknown manifest key %q on %s", k.Value, p.ID.Name()),
		"remove it, or check the platform's app.json reference for the right key")
}

func (r *reader) preload(v *Node) []PreloadRule {
	if !r.object(v, "preloadRule") {
		return nil
	}
	r.dups(v, "preloadRule")
	var out []PreloadRule
	for _, m := range v.Members {
		pr := PreloadRule{Page: m.Key}
		what := fmt.Sprintf("preloadRule[%q]", m.Key.Value)
		if !r.object(m.Value, what) {
			continue
		}
		if pk := m.Value.Get("packages"); pk != nil {
			pr.Packages = r.strs(pk, what+".packages")
		} else {
			r.add(checks.MP108, m.Value.Pos, what+" has no packages", `add "packages": ["<root or name>"]`)
		}
		if nw := m.Value.Get("network"); nw != nil {
			if s, ok := r.str(nw, what+".network"); ok {
				pr.Network = s.Value
			}
		}
		out = append(out, pr)
	}
	return out
}

func (r *reader) tabBar(v *Node, p *platform.Platform) []Str {
	if !r.object(v, "tabBar") {
		return nil
	}
	key := p.TabBarListKey
	list := v.Get(key)
	for _, other := range []string{"list", "items"} {
		if other == key {
			continue
		}
		if m, ok := v.Member(other); ok {
			r.add(checks.MP111, m.Key.Pos, fmt.Sprintf("%s reads the tab pages from tabBar.%s, not tabBar.%s", p.ID.Name(), key, other),
				fmt.Sprintf("rename %q to %q", other, key))
		}
	}
	if list == nil {
		return nil
	}
	what := "tabBar." + key
	if list.Kind != Array {
		r.wrongType(list, what, "an array")
		return nil
	}
	var out []Str
	for i, it := range list.Items {
		w := fmt.Sprintf("%s[%d]", what, i)
		if !r.object(it, w) {
			continue
		}
		if pp := it.Get("pagePath"); pp != nil {
			if s, ok := r.str(pp, w+".pagePath"); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func (r *reader) components(v *Node, what string) []ComponentRef {
	if !r.object(v, what) {
		return nil
	}
	r.dups(v, what)
	var out []ComponentRef
	for _, m := range v.Members {
		if s, ok := r.str(m.Value, fmt.Sprintf("%s[%q]", what, m.Key.Value)); ok {
			out = append(out, ComponentRef{Tag: m.Key, Path: s})
		}
	}
	return out
}

func (r *reader) placeholders(v *Node) []Placeholder {
	if !r.object(v, "componentPlaceholder") {
		return nil
	}
	r.dups(v, "componentPlaceholder")
	var out []Placeholder
	for _, m := range v.Members {
		if s, ok := r.str(m.Value, fmt.Sprintf("componentPlaceholder[%q]", m.Key.Value)); ok {
			out = append(out, Placeholder{Tag: m.Key, Placeholder: s})
		}
	}
	return out
}

func (r *reader) plugins(v *Node, what string) []Plugin {
	if !r.object(v, what) {
		return nil
	}
	r.dups(v, what)
	var out []Plugin
	for _, m := range v.Members {
		w := fmt.Sprintf("%s[%q]", what, m.Key.Value)
		if !r.object(m.Value, w) {
			continue
		}
		pl := Plugin{Alias: m.Key}
		if n := m.Value.Get("provider"); n != nil {
			if s, ok := r.str(n, w+".provider"); ok {
				pl.Provider = s.Value
			}
		}
		if n := m.Value.Get("version"); n != nil {
			if s, ok := r.str(n, w+".version"); ok {
				pl.Version = s.Value
			}
		}
		out = append(out, pl)
	}
	return out
}

func (r *reader) workers(v *Node, p *platform.Platform) *Workers {
	switch v.Kind {
	case String:
		return &Workers{Path: Str{Value: v.Str, Pos: v.Pos}}
	case Object:
		w := &Workers{}
		if n := v.Get("path"); n != nil {
			if s, ok := r.str(n, "workers.path"); ok {
				w.Path = s
			}
		} else {
			r.add(checks.MP101, v.Pos, "workers has no path", `add "path": "<workers directory>"`)
		}
		if n := v.Get("isSubpackage"); n != nil {
			w.IsSubpackage = r.boolean(n, "workers.isSubpackage")
		}
		return w
	case Array:
		if p.ID != platform.Alipay {
			r.wrongType(v, "workers", `a directory name or {"path": ..., "isSubpackage": ...}`)
			return nil
		}
		w := &Workers{Files: r.strs(v, "workers")}
		return w
	}
	r.wrongType(v, "workers", "a string")
	return nil
}

func (r *reader) aliases(v *Node, what string) []Alias {
	if !r.object(v, what) {
		return nil
	}
	r.dups(v, what)
	var out []Alias
	for _, m := range v.Members {
		w := fmt.Sprintf("%s[%q]", what, m.Key.Value)
		s, ok := r.str(m.Value, w)
		if !ok {
			continue
		}
		// miniprogram-ci's checkResolveAlias: no "//", targets not "./…", both end "/*".
		switch {
		case strings.Contains(m.Key.Value, "//") || strings.Contains(s.Value, "//"):
			r.add(checks.MP111, m.Key.Pos, fmt.Sprintf("%s: %q: %q contains \"//\"", what, m.Key.Value, s.Value), "remove the doubled slash")
			continue
		case strings.HasPrefix(s.Value, "./"):
			r.add(checks.MP111, s.Pos, fmt.Sprintf("%s: target %q starts with \"./\"", what, s.Value),
				fmt.Sprintf("write it from the mini-program root: %q", strings.TrimPrefix(s.Value, "./")))
			continue
		case !strings.HasSuffix(m.Key.Value, "/*") || !strings.HasSuffix(s.Value, "/*"):
			r.add(checks.MP111, m.Key.Pos, fmt.Sprintf("%s: alias and target must both end with \"/*\" (%q: %q)", what, m.Key.Value, s.Value),
				`write rules like "@utils/*": "utils/*"`)
			continue
		}
		out = append(out, Alias{From: m.Key, To: s.Value})
	}
	return out
}

func (r *reader) extendedLib(v *Node, what string) []string {
	if !r.object(v, what) {
		return nil
	}
	var out []string
	for _, m := range v.Members {
		// "weui": true, or a version string in newer projects
		if m.Value.Kind == Bool && !m.Value.Bool {
			continue
		}
		out = append(out, m.Key.Value)
	}
	return out
}

func (r *reader) subpackages(v *Node, p *platform.Platform) []Subpackage {
	if v.Kind != Array {
		r.wrongType(v, "subpackages", "an array of objects")
		return nil
	}
	known := subKeys[p.ID]
	var out []Subpackage
	for i, it := range v.Items {
		w := fmt.Sprintf("subpackages[%d]", i)
		if !r.object(it, w) {
			continue
		}
		r.dups(it, w)
		sp := Subpackage{Pos: it.Pos}
		hasRoot := false
		for _, m := range it.Members {
			k, val := m.Key, m.Value
			if !known[k.Value] {
				msg := fmt.Sprintf("unknown subpackage key %q on %s", k.Value, p.ID.Name())
				if sug := suggest(k.Value, known, nil); sug != "" {
					r.add(checks.MP111, k.Pos, msg, fmt.Sprintf("did you mean %q?", sug))
				} else {
					r.add(checks.MP111, k.Pos, msg, "remove it; subpackage items accept "+strings.Join(sortedKeys(known), ", "))
				}
				continue
			}
			switch k.Value {
			case "root":
				if s, ok := r.str(val, w+".root"); ok {
					hasRoot = true
					sp.RawRoot = s.Value
					sp.Root = Str{Value: NormalizeRoot(s.Value), Pos: s.Pos}
				}
			case "name":
				if s, ok := r.str(val, w+".name"); ok {
					sp.Name = &s
				}
			case "pages":
				sp.Pages = r.strs(val, w+".pages")
				sp.PagesDeclared = val.Kind == Array
			case "independent":
				sp.Independent = r.boolean(val, w+".independent")
			case "common":
				sp.Common = r.boolean(val, w+".common")
			case "entry":
				if s, ok := r.str(val, w+".entry"); ok {
					sp.Entry = &s
				}
			case "plugins":
				sp.Plugins = r.plugins(val, w+".plugins")
			case "useExtendedLib":
				sp.UseExtendedLib = r.extendedLib(val, w+".useExtendedLib")
			}
		}
		if !hasRoot {
			r.add(checks.MP101, it.Pos, w+" has no root", `add "root": "<directory of the subpackage>"`)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// crossCheck applies the rules that relate sections of the manifest, in
// stages: subpackage roots and names, their nesting, the pages of each
// package, then what must name a declared page (tabBar, entryPagePath,
// preloadRule) and plugins in independent subpackages.
func (r *reader) crossCheck(app *App, p *platform.Platform) {
	r.checkRoots(app)
	r.checkNesting(app)
	pages := r.checkPages(app, p)
	r.checkTabBar(app, pages)
	r.checkPageRefs(app, p, pages)
	r.checkIndependentPlugins(app)
}

// checkRoots: roots empty (MP104) or twice, and names twice or the main
// package's (MP103).
func (r *reader) checkRoots(app *App) {
	roots := map[string]int{}
	names := map[string]int{}
	for i := range app.Subpackages {
		sp := &app.Subpackages[i]
		if sp.Root.Value == "" {
			r.add(checks.MP104, sp.Root.Pos, fmt.Sprintf("subpackage root %q is the mini-program root itself, which contains every package", sp.RawRoot),
				"give the subpackage its own directory")
			continue
		}
		if j, ok := roots[sp.Root.Value]; ok {
			o := app.Subpackages[j].Root
			r.add(checks.MP103, sp.Root.Pos, fmt.Sprintf("subpackage root %q is declared twice (first at %d:%d)", sp.Root.Value, o.Pos.Line, o.Pos.Col),
				"merge the two entries into one")
		} else {
			roots[sp.Root.Value] = i
		}
		if sp.Root.Value == checks.MainPackage {
			r.add(checks.MP103, sp.Root.Pos, fmt.Sprintf("subpackage root %q is the main package's own name", sp.Root.Value),
				"choose another directory name")
		}
		if sp.Name != nil && sp.Name.Value == checks.MainPackage {
			r.add(checks.MP103, sp.Name.Pos, fmt.Sprintf("subpackage name %q is the main package's own name", sp.Name.Value),
				"choose another name")
		} else if sp.Name != nil {
			if j, ok := names[sp.Name.Value]; ok {
				o := app.Subpackages[j].Name
				r.add(checks.MP103, sp.Name.Pos, fmt.Sprintf("subpackage name %q is declared twice (first at %d:%d)", sp.Name.Value, o.Pos.Line, o.Pos.Col),
					"give each subpackage a unique name")
			} else {
				names[sp.Name.Value] = i
			}
		}
	}
}

// checkNesting: a subpackage root inside another (MP104).
func (r *reader) checkNesting(app *App) {
	for i := range app.Subpackages {
		a := &app.Subpackages[i]
		if a.Root.Value == "" {
			continue
		}
		for j := range app.Subpackages {
			b := &app.Subpackages[j]
			if i != j && under(a.Root.Value, b.Root.Value) {
				r.add(checks.MP104, a.Root.Pos, fmt.Sprintf("subpackage root %q lies inside subpackage root %q", a.Root.Value, b.Root.Value),
					"move the subpackage out of the other one's directory; subpackages cannot nest")
				break
			}
		}
	}
}

// subOf returns the subpackage whose root contains path (the deepest).
func subOf(app *App, path string) *Subpackage {
	var best *Subpackage
	for i := range app.Subpackages {
		sp := &app.Subpackages[i]
		if under(path, sp.Root.Value) && (best == nil || len(sp.Root.Value) > len(best.Root.Value)) {
			best = sp
		}
	}
	return best
}

// declaredPages are the pages the manifest declares: the main package's
// and, by full path, the subpackages'.
type declaredPages struct {
	main map[string]Str
	sub  map[string]*Subpackage
}

func (d declaredPages) has(k string) bool {
	_, m := d.main[k]
	_, s := d.sub[k]
	return m || s
}

// checkPages reads the pages of each package: a subpackage without a pages
// list (MP110), a page declared twice or in two packages (MP103), a
// main-package page under a subpackage root (MP105).
func (r *reader) checkPages(app *App, p *platform.Platform) declaredPages {
	mainPages := map[string]Str{}
	subPages := map[string]*Subpackage{}
	subPagePos := map[string]Str{}
	for i := range app.Subpackages {
		sp := &app.Subpackages[i]
		// "pages": [] is legal (a subpackage holding only async components or
		// JS; miniprogram-ci 2.1.42 packs it): only a missing key is an error.
		if !sp.PagesDeclared && !(p.ID == platform.Douyin && sp.Common) {
			r.add(checks.MP110, sp.Pos, fmt.Sprintf("subpackage %q has no \"pages\" list", sp.Root.Value),
				`add "pages" with its pages relative to the root ("pages": [] for a subpackage of async components or JS only)`+commonHint(p))
		}
		for j, pg := range sp.Pages {
			full := sp.Page(j)
			if o, ok := subPagePos[full]; ok {
				r.add(checks.MP103, pg.Pos, fmt.Sprintf("page %q is declared twice (first at %d:%d)", full, o.Pos.Line, o.Pos.Col), "remove one of the declarations")
				continue
			}
			subPages[full], subPagePos[full] = sp, pg
		}
	}
	for _, pg := range app.Pages {
		k := pg.Value
		if o, ok := mainPages[k]; ok {
			r.add(checks.MP103, pg.Pos, fmt.Sprintf("page %q is declared twice in pages (first at %d:%d)", pg.Value, o.Pos.Line, o.Pos.Col), "remove one of the declarations")
			continue
		}
		mainPages[k] = pg
		if sp, ok := subPages[k]; ok {
			r.add(checks.MP103, pg.Pos, fmt.Sprintf("page %q is declared both in the main package and in subpackage %q", pg.Value, sp.Root.Value),
				"remove it from pages; a page belongs to one package")
			continue
		}
		if sp := subOf(app, k); sp != nil {
			r.add(checks.MP105, pg.Pos, fmt.Sprintf("main-package page %q lies under subpackage root %q, so it would be packed into the subpackage", pg.Value, sp.Root.Value),
				fmt.Sprintf("move the page out of %s/, or declare it in that subpackage's pages", sp.Root.Value))
		}
	}
	return declaredPages{main: mainPages, sub: subPages}
}

// checkTabBar: tabBar pages must be main-package pages (MP106).
func (r *reader) checkTabBar(app *App, pages declaredPages) {
	mainPages, subPages := pages.main, pages.sub
	for _, tp := range app.TabBarPages {
		k := tp.Value
		if _, ok := mainPages[k]; ok {
			continue
		}
		if sp, ok := subPages[k]; ok {
			r.add(checks.MP106, tp.Pos, fmt.Sprintf("tabBar page %q is in subpackage %q; tab pages must be in the main package", tp.Value, sp.Root.Value),
				"move the page to the main package and list it in pages")
			continue
		}
		hint := "add it to pages, or fix the path"
		if _, ok := mainPages[normPage(k)]; ok {
			hint = fmt.Sprintf("write it as in pages: %q", normPage(k))
		}
		r.add(checks.MP106, tp.Pos, fmt.Sprintf("tabBar page %q is not declared in pages", tp.Value), hint)
	}
}

// checkPageRefs: entryPagePath (MP109) and preloadRule keys (MP107) name
// declared pages, preloadRule packages declared packages (MP108).
func (r *reader) checkPageRefs(app *App, p *platform.Platform, pages declaredPages) {
	// entryPagePath.
	if e := app.EntryPagePath; e != nil && !pages.has(e.Value) {
		r.add(checks.MP109, e.Pos, fmt.Sprintf("entryPagePath %q is not a declared page", e.Value), "set it to one of pages, or declare the page")
	}

	// preloadRule keys and packages.
	for _, pr := range app.Preload {
		if !pages.has(pr.Page.Value) {
			r.add(checks.MP107, pr.Page.Pos, fmt.Sprintf("preloadRule key %q is not a declared page", pr.Page.Value),
				"use the path of a page listed in pages or in a subpackage's pages")
		}
		for _, pk := range pr.Packages {
			r.preloadPackage(app, p, pk)
		}
	}
}

// checkIndependentPlugins: plugins in independent subpackages (MP209).
func (r *reader) checkIndependentPlugins(app *App) {
	for _, sp := range app.Subpackages {
		if sp.Independent && len(sp.Plugins) > 0 {
			pl := sp.Plugins[0]
			r.add(checks.MP209, pl.Alias.Pos, fmt.Sprintf("independent subpackage %q declares plugins; the platform documents plugins as unsupported there", sp.Root.Value),
				"test the plugin on real devices, or move it to a normal subpackage")
		}
	}
}

func commonHint(p *platform.Platform) string {
	if p.ID == platform.Douyin {
		return `, or mark it "common": true if it only holds shared code`
	}
	return ""
}

func (r *reader) preloadPackage(app *App, p *platform.Platform, pk Str) {
	if pk.Value == checks.MainPackage {
		return
	}
	if p.ID == platform.Douyin {
		// Douyin: "必须严格等于 subpackages 中配置的 root 或 name".
		for _, sp := range app.Subpackages {
			if pk.Value == sp.RawRoot || (sp.Name != nil && pk.Value == sp.Name.Value) {
				return
			}
		}
		hint := "write the root or name exactly as declared in subpackages"
		for _, sp := range app.Subpackages {
			if NormalizeRoot(pk.Value) == sp.Root.Value {
				hint = fmt.Sprintf("Douyin needs the exact spelling: write %q", sp.RawRoot)
			}
		}
		r.add(checks.MP108, pk.Pos, fmt.Sprintf("preloadRule package %q matches no subpackage root or name exactly", pk.Value), hint)
		return
	}
	for _, sp := range app.Subpackages {
		if sp.Name != nil && pk.Value == sp.Name.Value {
			return
		}
	}
	for _, sp := range app.Subpackages {
		if NormalizeRoot(pk.Value) == sp.Root.Value && sp.Root.Value != "" {
			if p.PreloadNeedsName && sp.Name == nil {
				r.add(checks.MP108, pk.Pos, fmt.Sprintf("subpackage %q is preloaded but declares no name; %s requires one", sp.Root.Value, p.ID.Name()),
					fmt.Sprintf(`add "name" to the subpackage %q and use it here`, sp.Root.Value))
			}
			return
		}
	}
	r.add(checks.MP108, pk.Pos, fmt.Sprintf("preloadRule package %q is neither a subpackage root, a subpackage name nor %s", pk.Value, checks.MainPackage),
		"use a root or name declared in subpackages")
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for _, k := range []string{"root", "name", "pages", "independent", "entry", "common", "plugins", "useExtendedLib", "componentFramework", "renderer"} {
		if m[k] {
			out = append(out, k)
		}
	}
	return out
}
