package modules

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/graph"
)

// testRouter: core (public: core/index.js), shared (public components by
// stem), feature-a, feature-b, adapters; files are under "mp/" in the
// repository, the mini-program root.
func testRouter(t *testing.T) *Router {
	t.Helper()
	var mods []*Module
	for _, m := range []struct {
		name          string
		paths, public []string
	}{
		{"app", []string{"mp/**"}, nil},
		{"core", []string{"mp/core/**"}, []string{"mp/core/index.js"}},
		{"shared", []string{"mp/shared/**"}, []string{"mp/shared/*.js", "mp/shared/components/*/index"}},
		{"feature-a", []string{"mp/packageA/**"}, nil},
		{"feature-b", []string{"mp/packageB/**"}, nil},
		{"adapters", []string{"mp/adapters/**"}, nil},
	} {
		mod, err := New(m.name, m.paths, m.public)
		if err != nil {
			t.Fatal(err)
		}
		mods = append(mods, mod)
	}
	return NewRouter(mods)
}

func edge(from, to string, kind graph.EdgeKind, line int) graph.Edge {
	return graph.Edge{From: from, To: to, Kind: kind, Line: line, Col: 1}
}

var testBoundaries = config.Boundaries{
	Layers: []config.Layer{
		{Name: "shell", Modules: []string{"app"}, Line: 10},
		{Name: "features", Modules: []string{"feature-*"}, Line: 11},
		{Name: "shared", Modules: []string{"shared"}, Line: 12},
		{Name: "core", Modules: []string{"core"}, Line: 13},
		{Name: "platform", Modules: []string{"adapters"}, Line: 14},
	},
	Rules: []config.BoundaryRule{
		{From: "feature-*", Allow: []string{"core", "shared"}, Line: 20},
		{From: "core", Allow: []string{"adapters"}, Line: 21},
		{From: "shared", Forbid: []string{"adapters"}, Line: 22},
	},
}

func summary(ds []checks.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s %s:%d", d.Rule, d.File, d.Line))
	}
	return out
}

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edges []graph.Edge
		want  []string
		// say are fragments the first finding's message must hold.
		say []string
	}{
		{"allowed uses", []graph.Edge{
			edge("packageA/p.js", "core/index.js", graph.Script, 1),
			edge("packageA/p.json", "shared/components/price/index", graph.Component, 2),
			edge("packageA/p.js", "packageA/util.js", graph.Script, 3),
			edge("app.js", "core/index.js", graph.Script, 4),
			edge("core/index.js", "adapters/platform.js", graph.Script, 5),
		}, nil, nil},
		{"feature uses the shell above it", []graph.Edge{edge("packageA/p.js", "vendor.js", graph.Script, 6)},
			[]string{"MP401 packageA/p.js:6"}, []string{"module feature-a may not use module app", "layer shell is above layer features"}},
		{"feature uses another feature", []graph.Edge{edge("packageA/p.js", "packageB/q.js", graph.ScriptAsync, 7)},
			[]string{"MP401 packageA/p.js:7"},
			[]string{"module feature-a may not use module feature-b", "async require", "boundaries.rules[0] (.mpgate.yml line 20) allows it only core, shared"}},
		{"feature uses the platform adapters directly", []graph.Edge{edge("packageA/p.wxml", "adapters/a.wxs", graph.ScriptModule, 2)},
			[]string{"MP401 packageA/p.wxml:2"}, []string{"allows it only core, shared"}},
		{"a layer above", []graph.Edge{edge("core/index.js", "shared/format.js", graph.Script, 3)},
			[]string{"MP401 core/index.js:3"}, []string{"layer shared is above layer core", "line 12"}},
		{"forbid", []graph.Edge{edge("shared/format.js", "adapters/platform.js", graph.Script, 4)},
			[]string{"MP401 shared/format.js:4"}, []string{"boundaries.rules[2] (.mpgate.yml line 22) forbids adapters"}},
		{"deep import into core", []graph.Edge{edge("packageA/p.js", "core/internal/http.js", graph.Script, 5)},
			[]string{"MP403 packageA/p.js:5"}, []string{"internals of module core", "core/internal/http.js", "mp/core/index.js"}},
		{"component that is not public", []graph.Edge{edge("packageA/p.json", "shared/components/price/inner/x", graph.Component, 1)},
			[]string{"MP403 packageA/p.json:1"}, []string{"component shared/components/price/inner/x"}},
		{"resource and style cross", []graph.Edge{
			edge("packageA/p.wxss", "packageB/b.wxss", graph.Style, 1),
			edge("packageA/p.wxml", "packageB/b.png", graph.Resource, 2),
		}, []string{"MP401 packageA/p.wxss:1", "MP401 packageA/p.wxml:2"}, nil},
		{"within one module, deep is fine", []graph.Edge{edge("core/index.js", "core/internal/http.js", graph.Script, 1)}, nil, nil},
		{"external and unresolved edges are not judged", []graph.Edge{
			{From: "packageA/p.json", External: "plugin://x/y", Kind: graph.Component, Line: 1},
			{From: "packageA/p.js", Kind: graph.Plugin, External: "plugin:x", Line: 2},
		}, nil, nil},
		{"a cycle of two", []graph.Edge{
			edge("core/index.js", "shared/format.js", graph.Script, 3),
			edge("shared/format.js", "core/index.js", graph.Script, 8),
		}, []string{"MP401 core/index.js:3", "MP402 core/index.js:3"}, nil},
	}
	r := testRouter(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Check(Input{Edges: tt.edges, Prefix: "mp", Router: r, Config: testBoundaries})
			if !slices.Equal(summary(got), tt.want) {
				t.Fatalf("got %v\nwant %v", summary(got), tt.want)
			}
			for _, s := range tt.say {
				if !strings.Contains(got[0].Message, s) {
					t.Errorf("message %q lacks %q", got[0].Message, s)
				}
			}
			for _, d := range got {
				if d.Hint == "" {
					t.Errorf("%s has no hint", d.Rule)
				}
			}
		})
	}
}

func TestCheckShortestCycle(t *testing.T) {
	t.Parallel()
	// a → b → c → a and a → c → a: the shortest is a → c → a. No rules: a
	// cycle is reported whenever boundaries are configured.
	var mods []*Module
	for _, n := range []string{"a", "b", "c", "d"} {
		m, err := New(n, []string{n + "/**"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		mods = append(mods, m)
	}
	edges := []graph.Edge{
		edge("a/1.js", "b/1.js", graph.Script, 1),
		edge("b/1.js", "c/1.js", graph.Script, 2),
		edge("c/1.js", "a/1.js", graph.Script, 3),
		edge("a/2.js", "c/2.js", graph.Script, 4),
		edge("a/3.js", "c/3.js", graph.Script, 5), // a second use of a → c
		edge("d/1.js", "a/1.js", graph.Script, 6), // d reaches the cycle, is not in it
	}
	cfg := config.Boundaries{Rules: []config.BoundaryRule{{From: "x", Forbid: []string{"y"}}}}
	got := Check(Input{Edges: edges, Router: NewRouter(mods), Config: cfg})
	if len(got) != 1 || got[0].Rule != checks.MP402 {
		t.Fatalf("got %v, want one MP402", summary(got))
	}
	want := "modules use each other in a cycle: a → c → a (a/2.js:4 uses c/2.js; c/1.js:3 uses a/1.js)"
	if got[0].Message != want || got[0].File != "a/2.js" || got[0].Line != 4 {
		t.Errorf("got %s:%d %q\nwant a/2.js:4 %q", got[0].File, got[0].Line, got[0].Message, want)
	}
}

func TestCheckOff(t *testing.T) {
	t.Parallel()
	// Nothing configured and no public entries: not even a cycle.
	a, _ := New("a", []string{"a/**"}, nil)
	b, _ := New("b", []string{"b/**"}, nil)
	edges := []graph.Edge{edge("a/1.js", "b/1.js", graph.Script, 1), edge("b/1.js", "a/1.js", graph.Script, 2)}
	if got := Check(Input{Edges: edges, Router: NewRouter([]*Module{a, b})}); len(got) != 0 {
		t.Errorf("got %v with nothing configured", summary(got))
	}
}

func TestRouterMostSpecific(t *testing.T) {
	t.Parallel()
	r := testRouter(t)
	for file, want := range map[string]string{
		"mp/app.js":             "app",
		"mp/core/index.js":      "core",
		"mp/packageA/x/y.js":    "feature-a",
		"mp/packageAB/x.js":     "app",
		"other/x.js":            "",
		"mp/.changes/x.md":      "",
		"mp/shared/components/": "shared",
	} {
		got := ""
		if m := r.Module(file); m != nil {
			got = m.Name
		}
		if got != want {
			t.Errorf("Module(%q) = %q, want %q", file, got, want)
		}
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	mods, err := Defaults("miniprogram", []string{"packageA", "packageA", "", "../x", "packageB"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range mods {
		names = append(names, m.Name+"="+strings.Join(m.Paths, ","))
	}
	want := []string{"app=miniprogram/**", "packageA=miniprogram/packageA/**", "packageB=miniprogram/packageB/**"}
	if !slices.Equal(names, want) {
		t.Errorf("got %v, want %v", names, want)
	}
}
