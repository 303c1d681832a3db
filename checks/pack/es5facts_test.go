package pack

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	pjs "github.com/tdewolff/parse/v2/js"

	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/scan"
)

// TestCountES5SameAsOwnParse: the ES6 step's facts counted on the tree of
// the reference scan's parse (checks/scan.JSParsed) are those of the
// estimate's own parse, and so is every estimate made from them, for
// scripts that parse, scripts only the scan's second try (top-level
// return) reads, and scripts that do not parse at all.
func TestCountES5SameAsOwnParse(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("testdata", "estimate", "page.js"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"page.js":       page,
		"passes":        passesSource(),
		"use strict":    []byte("'use strict';\nvar a = 1; module.exports = function (x) { return x + a; };\n"),
		"es6":           []byte("const f = async (a = 1, ...r) => { for (const x of r) await x; return `${a}`; };\nclass A extends Error {}\nexport * from './b';\n"),
		"worklet":       []byte("const v = 1;\nfunction onScroll(e) { 'worklet'; return e.detail.scrollTop + v; }\nComponent({ methods: { h: function () { 'worklet'; return this.x; } } });\n"),
		"spread":        []byte("const { a, ...rest } = obj; const b = [...rest.list]; f({ ...a });\n"),
		"top return":    []byte("if (typeof wx === 'undefined') return;\nmodule.exports = () => 1;\n"),
		"syntax error":  []byte("function (\n"),
		"empty":         []byte(""),
		"comments only": []byte("// nothing\n/* at all */\n"),
	}
	settings := map[string]manifest.Setting{
		"minified": allOn,
		"babel":    {ES6: true},
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			var facts ES5Facts
			called := false
			scan.JSParsed(src, func(ast *pjs.AST) { facts, called = CountES5(ast), true })
			if !called {
				t.Fatal("JSParsed did not hand over a tree")
			}
			wantExtra, wantC := es5Count(src)
			if facts.extra != wantExtra {
				t.Errorf("extra = %d, own parse %d", facts.extra, wantExtra)
			}
			if (facts.c == nil) != (wantC == nil) {
				t.Fatalf("counter = %v, own parse %v", facts.c, wantC)
			}
			if wantC != nil {
				if got, want := facts.c.helperPaths(), wantC.helperPaths(); !slices.Equal(got, want) {
					t.Errorf("helpers = %v, own parse %v", got, want)
				}
				if facts.c.worklets != wantC.worklets {
					t.Errorf("worklets = %d, own parse %d", facts.c.worklets, wantC.worklets)
				}
			}
			for sname, s := range settings {
				own := NewEstimator(wechat(t), s)
				shared := NewEstimatorOptions(wechat(t), s, Options{ES5: func(path string, b []byte) (ES5Facts, bool) {
					if path != "pages/a.js" || string(b) != string(src) {
						t.Errorf("ES5 asked for %q", path)
					}
					return facts, true
				}})
				wn, wh, ww := own.estimate("pages/a.js", src)
				gn, gh, gw := shared.estimate("pages/a.js", src)
				if gn != wn || !slices.Equal(gh, wh) || gw != ww {
					t.Errorf("%s: estimate from the scan's tree = %d %v %d, own parse %d %v %d", sname, gn, gh, gw, wn, wh, ww)
				}
			}
		})
	}
}

// BenchmarkES5Count: the estimate's ES6 count of 200 KB of ES6 code on its
// own parse (what a script's estimate cost before the count moved onto the
// reference scan's tree) and on a tree already parsed (what it costs now:
// the walk only).
func BenchmarkES5Count(b *testing.B) {
	src := passesSource()
	b.Run("own parse", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			es5Count(src)
		}
	})
	b.Run("scan's tree", func(b *testing.B) {
		var ast *pjs.AST
		scan.JSParsed(src, func(a *pjs.AST) { ast = a })
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			CountES5(ast)
		}
	})
}
