package synth

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// compUse is one usingComponents entry of a page or component.
type compUse struct {
	tag, stem   string
	placeholder string // "" unless the component is in another package
}

// uses are the references one page or component makes.
type uses struct {
	utils      []string // same package, or the main package from a normal subpackage
	asyncUtils []string // another subpackage: require.async
	cbUtils    []string // another subpackage: require(path, callback)
	templates  []string
	includes   []string
	wxs        []string
	styles     []string
	images     []string
	comps      []compUse
}

// globalTag is the main package's first component, declared in app.json.
const globalTag = "g-card"

func (g *gen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// assign decides who references what in package p, so that every file is
// reachable and every reference is legal. The stages run in a fixed order
// because each draws from g.rng: the same seed must give the same bytes.
func (g *gen) assign(p *pkg) map[string]*uses {
	owners := p.owners()
	u := make(map[string]*uses, len(owners))
	for _, o := range owners {
		u[o] = &uses{}
	}
	spreadFiles(p, owners, u)
	g.assignComps(p, u)
	for _, o := range owners {
		g.assignShared(p, u[o])
	}
	if others := g.normalSubs(p); !p.independent && len(others) > 0 {
		g.assignCross(p, others, u)
	}
	return u
}

// spreadFiles hands p's own files round-robin to its owners, each kind from
// a different offset, so that every file is referenced once.
func spreadFiles(p *pkg, owners []string, u map[string]*uses) {
	at := func(k int) *uses { return u[owners[k%len(owners)]] }
	for k, f := range p.utils {
		at(k).utils = append(at(k).utils, f)
	}
	for k, f := range p.templates {
		at(k + 1).templates = append(at(k+1).templates, f)
	}
	for k, f := range p.includes {
		at(k + 2).includes = append(at(k+2).includes, f)
	}
	for k, f := range p.wxs {
		at(k + 3).wxs = append(at(k+3).wxs, f)
	}
	for k, f := range p.styles {
		at(k + 4).styles = append(at(k+4).styles, f)
	}
	for k, f := range p.images {
		at(k + 5).images = append(at(k+5).images, f)
	}
}

// assignComps makes every component of p used by a page; components also use
// earlier ones.
func (g *gen) assignComps(p *pkg, u map[string]*uses) {
	for k, c := range p.comps {
		pg := u[p.pages[k%len(p.pages)]]
		pg.comps = append(pg.comps, compUse{tag: fmt.Sprintf("c%d", k), stem: c})
		for j := 0; j < k; j++ {
			if g.rng.IntN(12) == 0 {
				u[c].comps = append(u[c].comps, compUse{tag: fmt.Sprintf("c%d", j), stem: p.comps[j]})
			}
		}
	}
}

// assignShared adds to one owner x of p a second use of p's utils and, in a
// normal subpackage, uses of the main package's files, which it may use
// freely.
func (g *gen) assignShared(p *pkg, x *uses) {
	if g.rng.IntN(2) == 0 {
		x.utils = appendNew(x.utils, g.pick(p.utils))
	}
	if p.root == "" || p.independent {
		return
	}
	main := g.pkgs[0]
	x.utils = appendNew(x.utils, g.pick(main.utils))
	if g.rng.IntN(4) == 0 {
		x.templates = appendNew(x.templates, g.pick(main.templates))
	}
	if g.rng.IntN(4) == 0 {
		x.styles = appendNew(x.styles, g.pick(main.styles))
	}
	if g.rng.IntN(5) == 0 {
		x.wxs = appendNew(x.wxs, g.pick(main.wxs))
	}
	if g.rng.IntN(5) == 0 {
		x.images = appendNew(x.images, g.pick(main.images))
	}
	if len(main.comps) > 1 && g.rng.IntN(3) == 0 {
		k := 1 + g.rng.IntN(len(main.comps)-1)
		x.comps = append(x.comps, compUse{tag: fmt.Sprintf("mc%d", k), stem: main.comps[k]})
	}
}

// assignCross adds the cross-package references of p's pages to the other
// normal subpackages, all in their legal asynchronous forms.
func (g *gen) assignCross(p *pkg, others []*pkg, u map[string]*uses) {
	for i, pg := range p.pages {
		x := u[pg]
		switch i % 11 {
		case 3, 8:
			x.asyncUtils = append(x.asyncUtils, g.pick(others[g.rng.IntN(len(others))].utils))
		case 5:
			x.cbUtils = append(x.cbUtils, g.pick(others[g.rng.IntN(len(others))].utils))
		}
		if i%9 == 4 {
			q := others[g.rng.IntN(len(others))]
			k := g.rng.IntN(len(q.comps))
			ph := "view"
			if len(x.comps) > 0 && x.comps[0].placeholder == "" && i%2 == 0 {
				ph = x.comps[0].tag // a custom placeholder from this package
			}
			x.comps = append(x.comps, compUse{tag: fmt.Sprintf("x%d-%d", q.idx, k), stem: q.comps[k], placeholder: ph})
		}
	}
}

func appendNew(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

// write generates every file.
func (g *gen) write() error {
	if err := g.writeApp(); err != nil {
		return err
	}
	for _, p := range g.pkgs {
		if err := g.writePackage(p); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) put(p *pkg, rel string, data []byte) error {
	return g.w.put(MiniprogramRoot+"/"+rel, p.key(), data)
}

func (g *gen) writePackage(p *pkg) error {
	u := g.assign(p)
	for i, pg := range p.pages {
		if err := g.writeOwner(p, pg, u[pg], false, i); err != nil {
			return err
		}
		g.w.stats.Pages++
	}
	for i, c := range p.comps {
		if err := g.writeOwner(p, c, u[c], true, i); err != nil {
			return err
		}
		g.w.stats.Components++
	}
	for k, f := range p.utils {
		if err := g.put(p, f, g.utilJS(p, k)); err != nil {
			return err
		}
	}
	for k, f := range p.templates {
		if err := g.put(p, f, g.templateWXML(p, k)); err != nil {
			return err
		}
	}
	for k, f := range p.includes {
		if err := g.put(p, f, g.partialWXML(p, k)); err != nil {
			return err
		}
	}
	for k, f := range p.wxs {
		if err := g.put(p, f, g.wxsModule(p, k)); err != nil {
			return err
		}
	}
	for k, f := range p.styles {
		if err := g.put(p, f, g.styleWXSS(p, k)); err != nil {
			return err
		}
	}
	if p.entry != "" {
		src := fmt.Sprintf("// %s — the independent subpackage's entry: WeChat runs it first when\n"+
			"// the subpackage is injected, before any of its pages.\n'use strict';\nconst boot = require('%s');\n\nboot.run({ from: 'entry' });\n",
			p.entry, rel(p.entry, p.utils[0]))
		if err := g.put(p, p.entry, []byte(src)); err != nil {
			return err
		}
	}
	text := g.w.stats.PackageBytes[p.key()]
	limit := min(p.target, g.opt.PackageCap)
	if text > g.opt.PackageCap {
		return fmt.Errorf("synth: %s holds %d bytes of text, cap %d: %w", p.key(), text, g.opt.PackageCap, ErrPackageTooLarge)
	}
	left := max(0, limit-text)
	for k, f := range p.images {
		share := left / int64(len(p.images)-k)
		size := share/2 + int64(g.rng.IntN(int(share+1))) // jitter around the share
		size = min(size, left)
		img := g.png(size)
		left -= int64(len(img))
		left = max(0, left)
		if err := g.put(p, f, img); err != nil {
			return err
		}
	}
	if b := g.w.stats.PackageBytes[p.key()]; b > g.opt.PackageCap {
		return fmt.Errorf("synth: %s holds %d bytes, cap %d: %w", p.key(), b, g.opt.PackageCap, ErrPackageTooLarge)
	}
	return nil
}

// writeOwner writes the four files of a page or component.
func (g *gen) writeOwner(p *pkg, stem string, x *uses, component bool, i int) error {
	js := g.ownerJS(p, stem, x, component, i)
	if err := g.put(p, stem+".js", js); err != nil {
		return err
	}
	if err := g.put(p, stem+".json", ownerJSON(stem, x, component, i)); err != nil {
		return err
	}
	if err := g.put(p, stem+".wxml", g.ownerWXML(p, stem, x, component, i)); err != nil {
		return err
	}
	return g.put(p, stem+".wxss", g.ownerWXSS(p, stem, x))
}

type ownerJSONDoc struct {
	Component            bool              `json:"component,omitempty"`
	Title                string            `json:"navigationBarTitleText,omitempty"`
	StyleIsolation       string            `json:"styleIsolation,omitempty"`
	UsingComponents      map[string]string `json:"usingComponents,omitempty"`
	ComponentPlaceholder map[string]string `json:"componentPlaceholder,omitempty"`
}

func ownerJSON(stem string, x *uses, component bool, i int) []byte {
	d := ownerJSONDoc{Component: component}
	if component {
		if i%4 == 1 {
			d.StyleIsolation = "apply-shared"
		}
	} else {
		d.Title = titles[i%len(titles)]
	}
	for _, c := range x.comps {
		if d.UsingComponents == nil {
			d.UsingComponents = map[string]string{}
		}
		ref := "/" + c.stem
		if i%3 == 0 { // relative and absolute paths are both legal
			ref = rel(stem, c.stem)
		}
		d.UsingComponents[c.tag] = ref
		if c.placeholder != "" {
			if d.ComponentPlaceholder == nil {
				d.ComponentPlaceholder = map[string]string{}
			}
			d.ComponentPlaceholder[c.tag] = c.placeholder
		}
	}
	b, _ := json.MarshalIndent(d, "", "  ") // cannot fail: strings and maps of strings
	return append(b, '\n')
}

var titles = []string{"首页", "商品列表", "订单详情", "我的", "Coupons", "Live", "搜索", "Settings", "帮助中心", "Reviews"}

type tabItem struct {
	PagePath         string `json:"pagePath"`
	Text             string `json:"text"`
	IconPath         string `json:"iconPath"`
	SelectedIconPath string `json:"selectedIconPath"`
}

type tabBarDoc struct {
	Color         string    `json:"color"`
	SelectedColor string    `json:"selectedColor"`
	List          []tabItem `json:"list"`
}

type subDoc struct {
	Root        string   `json:"root"`
	Name        string   `json:"name,omitempty"`
	Pages       []string `json:"pages"`
	Independent bool     `json:"independent,omitempty"`
	Entry       string   `json:"entry,omitempty"`
}

type preloadDoc struct {
	Network  string   `json:"network,omitempty"`
	Packages []string `json:"packages"`
}

type appDoc struct {
	Pages           []string              `json:"pages"`
	EntryPagePath   string                `json:"entryPagePath"`
	Window          map[string]string     `json:"window"`
	TabBar          *tabBarDoc            `json:"tabBar,omitempty"`
	SubPackages     []subDoc              `json:"subPackages,omitempty"`
	PreloadRule     map[string]preloadDoc `json:"preloadRule,omitempty"`
	UsingComponents map[string]string     `json:"usingComponents,omitempty"`
	ResolveAlias    map[string]string     `json:"resolveAlias"`
	LazyCodeLoading string                `json:"lazyCodeLoading"`
	Style           string                `json:"style"`
	SitemapLocation string                `json:"sitemapLocation"`
}

// writeApp writes project.config.json and the app files of the main package.
func (g *gen) writeApp() error {
	main := g.pkgs[0]
	project := fmt.Sprintf(`{
  "description": "synthetic project generated by mpgate internal/synth (seed %d, %d files, %d subpackages)",
  "miniprogramRoot": "%s/",
  "compileType": "miniprogram",
  "appid": "touristappid",
  "projectname": "mpgate-synth",
  "setting": {
    "es6": true,
    "minified": true,
    "minifyWXML": true,
    "minifyWXSS": true,
    "ignoreUploadUnusedFiles": true
  },
  "packOptions": {"ignore": [], "include": []}
}
`, g.opt.Seed, g.opt.Files, g.opt.Subpackages, MiniprogramRoot)
	if err := g.w.put("project.config.json", "", []byte(project)); err != nil {
		return err
	}
	app := appDoc{
		Pages:           main.pages,
		EntryPagePath:   main.pages[0],
		Window:          map[string]string{"navigationBarTitleText": "synth", "backgroundColor": "#f6f6f6"},
		PreloadRule:     map[string]preloadDoc{},
		ResolveAlias:    map[string]string{"@main/*": "/*"},
		LazyCodeLoading: "requiredComponents",
		Style:           "v2",
		SitemapLocation: "sitemap.json",
	}
	if len(main.comps) > 0 {
		app.UsingComponents = map[string]string{globalTag: "/" + main.comps[0]}
	}
	if len(main.pages) >= 2 && len(main.images) >= 2 {
		tb := &tabBarDoc{Color: "#7a7e83", SelectedColor: "#e4393c"}
		for i := 0; i < min(4, len(main.pages)); i++ {
			tb.List = append(tb.List, tabItem{PagePath: main.pages[i], Text: titles[i],
				IconPath: main.images[i%len(main.images)], SelectedIconPath: main.images[(i+1)%len(main.images)]})
		}
		app.TabBar = tb
	}
	for _, p := range g.pkgs[1:] {
		sd := subDoc{Root: p.rootWritten, Name: p.alias, Independent: p.independent}
		for _, pg := range p.pages {
			sd.Pages = append(sd.Pages, strings.TrimPrefix(pg, p.root+"/"))
		}
		if p.entry != "" {
			sd.Entry = strings.TrimPrefix(p.entry, p.root+"/")
		}
		app.SubPackages = append(app.SubPackages, sd)
	}
	// preloadRule: one package per preloading package keeps every budget
	// well under 2 MB; independent pages preload the main package.
	subs := g.normalSubs(nil)
	if len(subs) > 0 {
		app.PreloadRule[main.pages[0]] = preloadDoc{Network: "all", Packages: []string{subs[0].preloadName()}}
	}
	for i, p := range g.pkgs[1:] {
		switch {
		case p.independent:
			app.PreloadRule[p.pages[0]] = preloadDoc{Packages: []string{"__APP__"}}
		case i%4 == 1 && len(subs) > 1:
			next := subs[(indexOf(subs, p)+1)%len(subs)]
			app.PreloadRule[p.pages[0]] = preloadDoc{Network: "wifi", Packages: []string{next.preloadName()}}
		}
	}
	b, err := json.MarshalIndent(app, "", "  ")
	if err != nil {
		return fmt.Errorf("synth: encode app.json: %w", err)
	}
	if err := g.put(main, "app.json", append(b, '\n')); err != nil {
		return err
	}
	appJS := fmt.Sprintf("// app.js — App() is called here and nowhere else.\n'use strict';\nconst boot = require('./%s');\n\nApp({\n  globalData: { user: null, theme: 'light' },\n  onLaunch(options) {\n    // require('./not/a/reference.js') in a comment is not a reference.\n    boot.run({ scene: options && options.scene });\n  },\n});\n",
		main.utils[0])
	if err := g.put(main, "app.js", []byte(appJS)); err != nil {
		return err
	}
	appWXSS := fmt.Sprintf("/* app.wxss — not applied to independent subpackages. */\n@import \"%s\";\n\npage {\n  background: #f6f6f6;\n  font-size: 28rpx;\n}\n", main.styles[0])
	if err := g.put(main, "app.wxss", []byte(appWXSS)); err != nil {
		return err
	}
	sitemap := "{\n  \"rules\": [{\"action\": \"allow\", \"page\": \"*\"}]\n}\n"
	return g.put(main, "sitemap.json", []byte(sitemap))
}

// preloadName is how preloadRule names the package: its alias when it has
// one, else its root as written.
func (p *pkg) preloadName() string {
	if p.alias != "" {
		return p.alias
	}
	return p.rootWritten
}

func indexOf(list []*pkg, p *pkg) int {
	for i, q := range list {
		if q == p {
			return i
		}
	}
	return 0
}

// jsPath is how a script names another script: relative, sometimes without
// the extension, sometimes through the app's resolveAlias (main package only).
func (g *gen) jsPath(from, to string, allowAlias bool) string {
	switch r := g.rng.IntN(8); {
	case r == 0:
		return strings.TrimSuffix(rel(from, to), ".js")
	case r == 1 && allowAlias:
		return "@main/" + to
	}
	return rel(from, to)
}

// moduleName turns a util path into a JS identifier.
func moduleName(f string) string {
	base := strings.TrimSuffix(path.Base(f), ".js")
	dir := path.Base(path.Dir(f))
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, dir+"_"+base)
}
