package synth

import (
	"fmt"
	"path"
	"strings"
)

// pkg is one planned package. Every path is relative to the mini-program
// root, with "/".
type pkg struct {
	idx         int    // 0 = main
	root        string // "" for the main package
	rootWritten string // as written in app.json
	alias       string
	independent bool
	files       int   // file budget
	target      int64 // byte target

	pages     []string // stems: "pkgA/pages/p3/index"
	comps     []string // stems
	utils     []string // "pkgA/utils/m3.js"
	esm       []bool   // utils[i] uses import/export
	templates []string // imported templates
	includes  []string // included partials
	wxs       []string
	styles    []string
	images    []string
	entry     string // independent subpackages: entry script
}

// key names the package in Stats.PackageBytes.
func (p *pkg) key() string {
	if p.root == "" {
		return "__APP__"
	}
	return p.root
}

// owners are the files that make the package's other files reachable.
func (p *pkg) owners() []string {
	return append(append([]string(nil), p.pages...), p.comps...)
}

// gen holds the state of one generation.
type gen struct {
	opt  Options
	rng  randSource
	w    *writer
	pkgs []*pkg
}

// randSource is what gen needs of math/rand/v2.Rand.
type randSource interface {
	IntN(n int) int
	Uint64() uint64
}

var words = []string{"goods", "order", "user", "promo", "live", "coupon", "member", "search", "cart", "pay",
	"address", "review", "shop", "store", "gift", "points", "news", "help", "video", "topic"}

// fixedMainFiles are app.js, app.json, app.wxss, sitemap.json and
// project.config.json (outside the mini-program root).
const fixedMainFiles = 5

// plan decides every package, its file budget and the names of its files.
func (g *gen) plan() {
	n := g.opt.Subpackages
	// Weights: the main package carries 1.5 shares of files and bytes.
	const mainW, subW = 3, 2
	total := mainW + subW*n
	budget := g.opt.Files - fixedMainFiles
	used := 0
	for i := 0; i <= n; i++ {
		p := &pkg{idx: i}
		w := subW
		if i == 0 {
			w = mainW
		} else {
			word := words[(i-1)%len(words)]
			p.root = fmt.Sprintf("package%s%s%02d", strings.ToUpper(word[:1]), word[1:], i)
			p.rootWritten = p.root
			if i%2 == 1 {
				p.rootWritten += "/" // both spellings are legal
			}
			if i%3 == 1 {
				p.alias = "s-" + word + fmt.Sprint(i)
			}
			p.independent = i%10 == 0 || (n < 10 && n >= 2 && i == n)
		}
		if i > 0 {
			g.w.stats.Subpackages++
			if p.independent {
				g.w.stats.Independent++
			}
		}
		p.files = budget * w / total
		p.target = g.opt.Bytes * int64(w) / int64(total)
		used += p.files
		g.pkgs = append(g.pkgs, p)
	}
	g.pkgs[0].files += budget - used // rounding goes to the main package
	for _, p := range g.pkgs {
		g.planFiles(p)
	}
}

// planFiles splits the package's file budget into kinds and names them.
func (g *gen) planFiles(p *pkg) {
	f := p.files
	atLeast := func(v int) int { return max(1, v) }
	nPages := atLeast(f * 30 / 100 / 4)
	nComps := atLeast(f * 24 / 100 / 4)
	nTpl := atLeast(f * 4 / 100)
	nInc := atLeast(f * 2 / 100)
	nWxs := atLeast(f * 3 / 100)
	nStyles := atLeast(f * 4 / 100)
	nImages := atLeast(f * 8 / 100)
	extra := 0
	if p.independent {
		extra = 1 // entry.js
	}
	nUtils := f - 4*nPages - 4*nComps - nTpl - nInc - nWxs - nStyles - nImages - extra
	if nUtils < 1 {
		// Small budgets: give up images first (never below one).
		nImages = max(1, nImages+nUtils-1)
		nUtils = f - 4*nPages - 4*nComps - nTpl - nInc - nWxs - nStyles - nImages - extra
	}
	in := func(rel string) string {
		if p.root == "" {
			return rel
		}
		return p.root + "/" + rel
	}
	for i := range nPages {
		p.pages = append(p.pages, in(fmt.Sprintf("pages/%s%d/index", words[i%len(words)], i)))
	}
	for i := range nComps {
		p.comps = append(p.comps, in(fmt.Sprintf("components/c%d/c%d", i, i)))
	}
	for i := range nUtils {
		dir := "utils"
		if i%9 == 8 {
			dir = "utils/deep/er" // a deeper directory
		}
		p.utils = append(p.utils, in(fmt.Sprintf("%s/m%d.js", dir, i)))
		p.esm = append(p.esm, i%5 == 2)
	}
	for i := range nTpl {
		p.templates = append(p.templates, in(fmt.Sprintf("templates/t%d.wxml", i)))
	}
	for i := range nInc {
		p.includes = append(p.includes, in(fmt.Sprintf("templates/partials/header%d.wxml", i)))
	}
	for i := range nWxs {
		p.wxs = append(p.wxs, in(fmt.Sprintf("wxs/f%d.wxs", i)))
	}
	for i := range nStyles {
		p.styles = append(p.styles, in(fmt.Sprintf("styles/s%d.wxss", i)))
	}
	for i := range nImages {
		p.images = append(p.images, in(fmt.Sprintf("images/img%d.png", i)))
	}
	if p.independent {
		p.entry = in("entry.js")
	}
}

// normalSubs are the subpackages other packages may reach asynchronously.
func (g *gen) normalSubs(except *pkg) []*pkg {
	var out []*pkg
	for _, q := range g.pkgs[1:] {
		if !q.independent && q != except {
			out = append(out, q)
		}
	}
	return out
}

// rel returns the path from the directory of file from to the file to, as a
// template, style or script would write it ("./x", "../y/z").
func rel(from, to string) string {
	fromDir := strings.Split(path.Dir(from), "/")
	if fromDir[0] == "." {
		fromDir = nil
	}
	toParts := strings.Split(to, "/")
	common := 0
	for common < len(fromDir) && common < len(toParts)-1 && fromDir[common] == toParts[common] {
		common++
	}
	var b strings.Builder
	ups := len(fromDir) - common
	if ups == 0 {
		b.WriteString("./")
	}
	for range ups {
		b.WriteString("../")
	}
	b.WriteString(strings.Join(toParts[common:], "/"))
	return b.String()
}
