package graph

import (
	"reflect"
	"testing"
)

func TestResolveRendered(t *testing.T) {
	files := memFiles{
		"pages/index/img/p.png": true, "pages/a/deep/img/d.png": true, "tpl/img/t.png": true,
		"components/c/img/c.png": true, "abs.png": true,
	}
	g := &Graph{
		Stems: map[string]bool{"pages/index/index": true, "pages/a/deep/deep": true, "components/c/c": true},
		Edges: []Edge{
			{From: "pages/index/index.wxml", To: "tpl/t.wxml", Kind: Template},
			{From: "pages/a/deep/deep.wxml", To: "tpl/mid.wxml", Kind: Template},
			{From: "tpl/mid.wxml", To: "tpl/t.wxml", Kind: Template},
			{From: "components/c/c.wxml", To: "tpl/t.wxml", Kind: Template},
			// A cycle between two templates nothing else renders.
			{From: "tpl/x.wxml", To: "tpl/y.wxml", Kind: Template},
			{From: "tpl/y.wxml", To: "tpl/x.wxml", Kind: Template},
			// A page template that another page includes renders itself.
			{From: "pages/a/deep/deep.wxml", To: "pages/index/index.wxml", Kind: Template},
		},
	}
	got := g.templateRenderers(".wxml")
	want := map[string][]string{
		"tpl/t.wxml":   {"components/c/c.wxml", "pages/a/deep/deep.wxml", "pages/index/index.wxml"},
		"tpl/mid.wxml": {"pages/a/deep/deep.wxml"},
		"tpl/x.wxml":   nil,
		"tpl/y.wxml":   nil,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("renderers\n got %v\nwant %v", got, want)
	}

	r := &resolver{files: files}
	res := func(from, req string) Edge { return Edge{From: from, Kind: Resource, Request: req, Line: 1, Col: 1} }
	g.resolveRendered(r, []Edge{
		res("tpl/t.wxml", "img/p.png"), // only from pages/index
		res("tpl/t.wxml", "img/t.png"), // only beside the template: unresolved
		res("tpl/t.wxml", "/abs.png"),  // one edge per renderer
		res("tpl/x.wxml", "img/t.png"), // no renderer: against itself
		res("pages/index/index.wxml", "img/p.png"),
	}, ".wxml")
	type pair struct{ to, via string }
	var edges []pair
	for _, e := range g.Edges[7:] {
		via := ""
		if len(e.Renderers) > 0 {
			via = e.Renderers[0]
		}
		edges = append(edges, pair{e.To, via})
	}
	wantEdges := []pair{
		{"pages/index/img/p.png", "pages/index/index.wxml"},
		{"abs.png", "components/c/c.wxml"}, {"abs.png", "pages/a/deep/deep.wxml"}, {"abs.png", "pages/index/index.wxml"},
		{"tpl/img/t.png", ""},
		{"pages/index/img/p.png", ""},
	}
	if !reflect.DeepEqual(edges, wantEdges) {
		t.Errorf("edges\n got %v\nwant %v", edges, wantEdges)
	}
	if len(g.Unresolved) != 1 || g.Unresolved[0].Request != "img/t.png" || len(g.Unresolved[0].Renderers) != 3 {
		t.Errorf("unresolved = %+v; want img/t.png with its 3 renderers", g.Unresolved)
	}
}
