package rules

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/graph"
	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/pack"
	"github.com/mpgate/mpgate/checks/platform"
)

// benchProgram is a WeChat program in the shape of scripts/bench.sh's
// synthetic one: subs subpackages of pages pages each, as many pages in the
// main package, and main-package components and scripts. Pages use the
// components and require the scripts, which require one another in chains
// (so that MP307 follows uses through main-package files), and each
// subpackage has main-package scripts of its own; a few pages of
// each subpackage require a script of the next subpackage (MP201) and use a
// component of the previous one (MP204).
type benchProgram struct {
	app   *manifest.App
	files map[string]int64
	g     *graph.Graph
}

func (b *benchProgram) file(f string, n int64) { b.files[f] = n }

func (b *benchProgram) edge(from, to string, k graph.EdgeKind) {
	b.g.Edges = append(b.g.Edges, graph.Edge{From: from, To: to, Kind: k, Request: to, Line: 1, Col: 1, Tag: "c"})
}

// stem adds a page's or component's four files.
func (b *benchProgram) stem(s string) {
	for _, ext := range []string{".js", ".json", ".wxml", ".wxss"} {
		b.file(s+ext, int64(100+len(s)))
	}
	b.g.Stems[s] = true
}

func newBenchProgram(subs, pages int) *benchProgram {
	b := &benchProgram{app: &manifest.App{File: "app.json"}, files: map[string]int64{"app.json": 300, "app.js": 200},
		g: &graph.Graph{Stems: map[string]bool{}, Used: map[string]bool{}}}
	const shared = 50 // main-package components and scripts
	for i := range shared {
		c := fmt.Sprintf("components/c%02d/index", i)
		b.stem(c)
		u := fmt.Sprintf("utils/u%02d.js", i)
		b.file(u, 2000)
		b.edge(u, fmt.Sprintf("utils/u%02d.js", (i+1)%shared), graph.Script)
		b.edge(c+".js", u, graph.Script)
	}
	page := func(root string, i, n int) string {
		s := fmt.Sprintf("pages/p%03d/index", i)
		if root != "" {
			s = root + "/" + s
		}
		b.stem(s)
		b.edge(s+".js", fmt.Sprintf("utils/u%02d.js", n%shared), graph.Script)
		b.edge(s+".json", fmt.Sprintf("components/c%02d/index", n%shared), graph.Component)
		b.edge(s+".wxml", "templates/t.wxml", graph.Template)
		return s
	}
	b.file("templates/t.wxml", 500)
	for i := range pages {
		s := page("", i, i)
		b.app.Pages = append(b.app.Pages, manifest.Str{Value: s})
	}
	for k := range subs {
		root := fmt.Sprintf("packageGoods%02d", k)
		sp := manifest.Subpackage{Root: manifest.Str{Value: root}, RawRoot: root}
		for i := range pages {
			s := page(root, i, pages+k*pages+i)
			sp.Pages = append(sp.Pages, manifest.Str{Value: s[len(root)+1:]})
			if i%10 == 0 {
				b.edge(s+".js", fmt.Sprintf("packageGoods%02d/pages/p000/index.js", (k+1)%subs), graph.Script)
				b.edge(s+".json", fmt.Sprintf("packageGoods%02d/pages/p001/index", (k+subs-1)%subs), graph.Component)
			}
		}
		// A main-package script (and the one it requires) that only this
		// subpackage uses: MP307.
		only, dep := fmt.Sprintf("utils/only%02d.js", k), fmt.Sprintf("utils/only%02d-dep.js", k)
		b.file(only, 1000)
		b.file(dep, 1000)
		b.edge(only, dep, graph.Script)
		b.edge(root+"/pages/p000/index.js", only, graph.Script)
		b.app.Subpackages = append(b.app.Subpackages, sp)
	}
	return b
}

func (b *benchProgram) input() Input {
	p, _ := platform.Get(platform.WeChat)
	layout := pack.NewLayout(b.app)
	files := make([]checks.File, 0, len(b.files))
	for f, n := range b.files {
		files = append(files, checks.File{Path: f, Package: layout.PackageOf(f), Bytes: n, Used: true})
		b.g.Used[f] = true
	}
	slices.SortFunc(files, func(x, y checks.File) int { return cmp.Compare(x.Path, y.Path) })
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.Path
	}
	// As checks/analyze judges files: a search of the uploaded paths.
	uploaded := func(f string) bool {
		_, ok := slices.BinarySearch(paths, f)
		return ok
	}
	return Input{Platform: p, App: b.app, Graph: b.g, Layout: layout, Files: files, AppScripts: []string{"app.js"}, Uploaded: uploaded}
}

// TestBenchProgram: the benchmark's program gives the findings it is meant
// to exercise.
func TestBenchProgram(t *testing.T) {
	t.Parallel()
	got := map[string]int{}
	for _, d := range Check(newBenchProgram(4, 20).input()) {
		got[d.Rule]++
	}
	for _, id := range []string{checks.MP201, checks.MP204, checks.MP307} {
		if got[id] == 0 {
			t.Errorf("no %s finding; got %v", id, got)
		}
	}
}

// BenchmarkCheck: every rule over a program of 40 subpackages and about
// 16,000 files.
func BenchmarkCheck(b *testing.B) {
	in := newBenchProgram(40, 100).input()
	for b.Loop() {
		Check(in)
	}
}
