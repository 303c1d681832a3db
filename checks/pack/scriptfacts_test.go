package pack

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	pjs "github.com/tdewolff/parse/v2/js"

	"github.com/mpgate/mpgate/checks/manifest"
	minifyjs "github.com/mpgate/mpgate/checks/pack/internal/minifyjs"
	"github.com/mpgate/mpgate/checks/scan"
)

// TestFactsSameAsOwnParse: the facts derived from the tree of the
// reference scan's parse (checks/scan.JSParsed) give every estimate the
// estimate's own parses give (the ES6 count's and the minifier's), for
// scripts that parse, scripts only the scan's second try (top-level
// return) reads, scripts that do not parse at all, and while loops (which
// the shared parse turns into for loops, as the minifier's does).
func TestFactsSameAsOwnParse(t *testing.T) {
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
		"while":         []byte("let i = 0;\nwhile (i < 3) { const j = i; setTimeout(() => j); i++; }\nouter: while (true) { do { break outer; } while (0); }\nwhile (x) y();\n"),
		"top return":    []byte("if (typeof wx === 'undefined') return;\nmodule.exports = () => 1;\n"),
		"syntax error":  []byte("function (\n"),
		"empty":         []byte(""),
		"comments only": []byte("// nothing\n/* at all */\n"),
	}
	settings := map[string]manifest.Setting{
		"minified":      allOn,
		"babel":         {ES6: true},
		"minified only": {Minified: true},
	}
	for name, src := range cases {
		for sname, s := range settings {
			t.Run(name+"/"+sname, func(t *testing.T) {
				est := NewEstimator(wechat(t), s)
				var facts ScriptFacts
				called := false
				scan.JSParsed(src, func(ast *pjs.AST) { facts, called = est.Facts("pages/a.js", src, ast), true })
				if !called {
					t.Fatal("JSParsed did not hand over a tree")
				}
				own := NewEstimator(wechat(t), s)
				shared := NewEstimatorOptions(wechat(t), s, Options{Facts: func(path string, b []byte) (ScriptFacts, bool) {
					if path != "pages/a.js" || string(b) != string(src) {
						t.Errorf("Facts asked for %q", path)
					}
					return facts, true
				}})
				wn, wh, ww := own.estimate("pages/a.js", src)
				gn, gh, gw := shared.estimate("pages/a.js", src)
				if gn != wn || !slices.Equal(gh, wh) || gw != ww {
					t.Errorf("estimate from the scan's tree = %d %v %d, own parse %d %v %d", gn, gh, gw, wn, wh, ww)
				}
				if s.Minified && !facts.minified {
					t.Error("the minified length was not derived from the tree")
				}
			})
		}
	}
}

// TestScanParsesAsMinifier: the reference scan parses scripts with the
// options the minifier's own parse uses, which MinifyAST expects of the
// tree it is given.
func TestScanParsesAsMinifier(t *testing.T) {
	if scan.ParseOptions != minifyjs.ParseOptions {
		t.Fatalf("scan.ParseOptions = %+v, the minifier parses with %+v", scan.ParseOptions, minifyjs.ParseOptions)
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
			es5CountAST(ast)
		}
	})
}

// FuzzFacts: for any script, the estimate from the facts derived on the
// reference scan's tree equals the estimate's own parses, under the
// minified, Babel and minified-only settings (which picks which).
func FuzzFacts(f *testing.F) {
	for _, s := range []string{"while (a) b();", "async()=>{'worklet';await x}", "class A{m(){return`${a}`}}",
		"for(const[a,...b]of c){}", "if (x) return;\nmodule.exports = 1;", "function (", ""} {
		f.Add(uint8(0), []byte(s))
	}
	settings := []manifest.Setting{allOn, {ES6: true}, {Minified: true}}
	f.Fuzz(func(t *testing.T, which uint8, src []byte) {
		s := settings[int(which)%len(settings)]
		est := NewEstimator(wechat(t), s)
		var facts ScriptFacts
		called := false
		scan.JSParsed(src, func(ast *pjs.AST) { facts, called = est.Facts("a.js", src, ast), true })
		if !called {
			t.Fatal("JSParsed did not hand over a tree")
		}
		shared := NewEstimatorOptions(wechat(t), s, Options{Facts: func(string, []byte) (ScriptFacts, bool) { return facts, true }})
		wn, wh, ww := NewEstimator(wechat(t), s).estimate("a.js", src)
		gn, gh, gw := shared.estimate("a.js", src)
		if gn != wn || !slices.Equal(gh, wh) || gw != ww {
			t.Fatalf("estimate from the scan's tree = %d %v %d, own parse %d %v %d", gn, gh, gw, wn, wh, ww)
		}
	})
}
