package graph

import (
	"errors"
	"fmt"
	"path"
	"testing"

	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/platform"
)

// setFiles is a file set with its directories listed, for benchmarks
// (memFiles looks directories up by scanning every file).
type setFiles struct{ files, dirs map[string]bool }

func (s setFiles) Exists(p string) bool                   { return s.files[p] || s.dirs[p] }
func (s setFiles) IsDir(p string) bool                    { return s.dirs[p] }
func (s setFiles) ReadFile(string, int64) ([]byte, error) { return nil, errors.New("not here") }

func (s setFiles) add(f string) {
	s.files[f] = true
	for d := path.Dir(f); d != "."; d = path.Dir(d) {
		s.dirs[d] = true
	}
}

// benchGraph is the graph of a program in the shape of scripts/bench.sh's
// synthetic one: subs subpackages of pages pages each, as many main-package
// pages, and 50 main-package components and scripts, which every page uses;
// the scripts require one another.
func benchGraph(subs, pages int) (*Graph, setFiles, []string, *manifest.App) {
	files := setFiles{files: map[string]bool{}, dirs: map[string]bool{}}
	g := &Graph{Stems: map[string]bool{}, Used: map[string]bool{}}
	app := &manifest.App{File: "app.json"}
	edge := func(from, to string, k EdgeKind) { g.Edges = append(g.Edges, Edge{From: from, To: to, Kind: k}) }
	stem := func(s string) {
		for _, ext := range []string{".js", ".json", ".wxml", ".wxss"} {
			files.add(s + ext)
		}
		g.Stems[s] = true
	}
	files.add("app.json")
	files.add("app.js")
	const shared = 50
	for i := range shared {
		c, u := fmt.Sprintf("components/c%02d/index", i), fmt.Sprintf("utils/u%02d.js", i)
		stem(c)
		files.add(u)
		edge(u, fmt.Sprintf("utils/u%02d.js", (i+1)%shared), Script)
		edge(c+".js", u, Script)
	}
	page := func(s string, n int) {
		stem(s)
		edge(s+".js", fmt.Sprintf("utils/u%02d.js", n%shared), Script)
		edge(s+".json", fmt.Sprintf("components/c%02d/index", n%shared), Component)
		edge(s+".json", fmt.Sprintf("components/c%02d/index", (n+1)%shared), Component)
	}
	for i := range pages {
		s := fmt.Sprintf("pages/p%03d/index", i)
		page(s, i)
		app.Pages = append(app.Pages, manifest.Str{Value: s})
	}
	for k := range subs {
		root := fmt.Sprintf("packageGoods%02d", k)
		sp := manifest.Subpackage{Root: manifest.Str{Value: root}}
		for i := range pages {
			s := fmt.Sprintf("pages/p%03d/index", i)
			page(root+"/"+s, k*pages+i)
			sp.Pages = append(sp.Pages, manifest.Str{Value: s})
		}
		app.Subpackages = append(app.Subpackages, sp)
	}
	paths := make([]string, 0, len(files.files))
	for f := range files.files {
		paths = append(paths, f)
	}
	return g, files, paths, app
}

// BenchmarkReach: reachability over a program of 40 subpackages and about
// 16,000 files.
func BenchmarkReach(b *testing.B) {
	g, files, paths, app := benchGraph(40, 100)
	p, _ := platform.Get(platform.WeChat)
	opt := Options{Platform: p, App: app}
	for b.Loop() {
		clear(g.Used)
		g.reach(files, paths, opt, []string{".js"})
	}
	if len(g.Used) != len(paths) {
		b.Fatalf("%d files reached, want all %d", len(g.Used), len(paths))
	}
}

func BenchmarkStemFiles(b *testing.B) {
	_, files, _, _ := benchGraph(0, 100)
	p, _ := platform.Get(platform.WeChat)
	exts := []string{".js", ".ts"}
	stems := make([]string, 100)
	for i := range stems {
		stems[i] = fmt.Sprintf("pages/p%03d/index", i)
	}
	for b.Loop() {
		for _, s := range stems {
			StemFiles(files, s, p, exts)
		}
	}
}
