package scan

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

func ref(k Kind, path string, line, col int) Ref {
	return Ref{Kind: k, Path: path, Line: line, Col: col}
}

func dyn(k Kind, text string, line, col int) Ref {
	return Ref{Kind: k, Path: text, Dynamic: true, Line: line, Col: col}
}

func TestJSReferences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []Ref
	}{
		{"require", `var a = require('./a')`, []Ref{ref(Require, "./a", 1, 17)}},
		{"require double quotes", `require("../b.js")`, []Ref{ref(Require, "../b.js", 1, 9)}},
		{"require template literal", "require(`./c`)", []Ref{ref(Require, "./c", 1, 9)}},
		{"require escapes", `require('./\u0061\x62\'c')`, []Ref{ref(Require, "./ab'c", 1, 9)}},
		{"require callback", `require('../sub/x.js', mod => mod.run(), ({errMsg}) => {})`,
			[]Ref{ref(RequireCallback, "../sub/x.js", 1, 9)}},
		{"require one callback", `require('./x', function (m) {})`, []Ref{ref(RequireCallback, "./x", 1, 9)}},
		{"require.async", `require.async('./y').then(m => m)`, []Ref{ref(RequireAsync, "./y", 1, 15)}},
		{"optional require", `require?.('./opt')`, []Ref{ref(Require, "./opt", 1, 11)}},
		{"import default", `import a from './a'`, []Ref{ref(Import, "./a", 1, 15)}},
		{"import named and namespace", "import {a, b as c} from \"./m\"\nimport * as ns from './ns'",
			[]Ref{ref(Import, "./m", 1, 25), ref(Import, "./ns", 2, 21)}},
		{"import side effect", `import './side.js';`, []Ref{ref(Import, "./side.js", 1, 8)}},
		// Import attributes (ES2025): tdewolff/parse reads them since v2.25.
		{"import attributes", "import data from './d.json' with { type: 'json' }\nrequire('./e')",
			[]Ref{ref(Import, "./d.json", 1, 18), ref(Require, "./e", 2, 9)}},
		{"export from", "export * from './all'\nexport { x } from './x'\nexport * as n from './n'",
			[]Ref{ref(Import, "./all", 1, 15), ref(Import, "./x", 2, 19), ref(Import, "./n", 3, 20)}},
		{"local export is no reference", `export const a = 1; export default function () {}`, nil},
		{"dynamic import", `const m = await import('./lazy')`, []Ref{ref(ImportDynamic, "./lazy", 1, 24)}},
		{"requirePlugin", `const p = requirePlugin('myPlugin')`, []Ref{ref(RequirePlugin, "myPlugin", 1, 25)}},
		{"requirePlugin callback", `requirePlugin('p', plugin => plugin.init())`,
			[]Ref{ref(RequirePluginAsync, "p", 1, 15)}},
		{"requirePlugin.async", `requirePlugin.async('p').then(x => x)`, []Ref{ref(RequirePluginAsync, "p", 1, 21)}},
		{"identifier is dynamic", `require(name)`, []Ref{dyn(Require, "name", 1, 9)}},
		{"concatenation is dynamic", `require('./x/' + name + '.js')`, []Ref{dyn(Require, "'./x/' + name + '.js'", 1, 9)}},
		{"template with substitution is dynamic", "require(`./y/${name}`)", []Ref{dyn(Require, "`./y/${name}`", 1, 9)}},
		{"dynamic import of a variable", `import(path)`, []Ref{dyn(ImportDynamic, "path", 1, 8)}},
		{"dynamic import in a function", "async function f(x) {\n  return import(toURL(x))\n}",
			[]Ref{dyn(ImportDynamic, "toURL(x)", 2, 17)}},
		{"dynamic requirePlugin", `requirePlugin(cfg.name)`, []Ref{dyn(RequirePlugin, "cfg.name", 1, 15)}},
		{"spread argument is dynamic", `require(...args)`, []Ref{dyn(Require, "...args", 1, 9)}},
		{"dynamic text is cut", "require(a" + strings.Repeat("+a", 150) + ")",
			[]Ref{dyn(Require, "a"+strings.Repeat("+a", 99)+"+…", 1, 9)}},
		{"nested calls", `require(require('./inner'))`,
			[]Ref{dyn(Require, "require('./inner')", 1, 9), ref(Require, "./inner", 1, 17)}},
		{"call chain keeps source order", `require('./i').use(require('./j'))`,
			[]Ref{ref(Require, "./i", 1, 9), ref(Require, "./j", 1, 28)}},
		{"inside a template substitution", "const t = `x ${require('./t')} y`", []Ref{ref(Require, "./t", 1, 24)}},
		{"if and else in source order", "if (require(c)) { require('./g') } else { require(h) }",
			[]Ref{dyn(Require, "c", 1, 13), ref(Require, "./g", 1, 27), dyn(Require, "h", 1, 51)}},
		{"loops, switch, try", "for (const k of require(a)) { while (require(b)) {} }\n" +
			"switch (require(c)) { case require(d): require(e) }\ntry { require(f) } catch (err) { require(g) } finally { require(h) }",
			[]Ref{dyn(Require, "a", 1, 25), dyn(Require, "b", 1, 46), dyn(Require, "c", 2, 17), dyn(Require, "d", 2, 36),
				dyn(Require, "e", 2, 48), dyn(Require, "f", 3, 15), dyn(Require, "g", 3, 42), dyn(Require, "h", 3, 65)}},
		{"functions and classes", "function f(a = require(x)) { return require(y) }\n" +
			"class C extends require(z) { static s = require(w); m(p = require(v)) { return () => require(u) } }",
			[]Ref{dyn(Require, "x", 1, 24), dyn(Require, "y", 1, 45), dyn(Require, "z", 2, 25), dyn(Require, "w", 2, 49),
				dyn(Require, "v", 2, 67), dyn(Require, "u", 2, 94)}},
		{"new and tagged templates", "new (require(a))(require(b)); tag(require(c))`${require(d)}`",
			[]Ref{dyn(Require, "a", 1, 14), dyn(Require, "b", 1, 26), dyn(Require, "c", 1, 43), dyn(Require, "d", 1, 57)}},
		{"modern syntax", "class A { #p = 1n; static { require('./s') } async *g() { await x?.y?.(); yield* [...z] } }\n" +
			"const o = { ...rest, [k]: v ?? require('./n'), get g() { return 1 } }; a ||= b; c &&= d; e **= 2; 1_000_000",
			[]Ref{ref(Require, "./s", 1, 37), ref(Require, "./n", 2, 40)}},
		{"top-level return (CommonJS)", "if (loaded) return;\nmodule.exports = require('./impl')", []Ref{ref(Require, "./impl", 2, 26)}},
		{"es5 wxs", "var fmt = require('./fmt.wxs');\nmodule.exports = { f: function (v) { return fmt.n(v) } };",
			[]Ref{ref(Require, "./fmt.wxs", 1, 19)}},
		{"two on one line", `var a=require("./a"),b=require("./b")`,
			[]Ref{ref(Require, "./a", 1, 15), ref(Require, "./b", 1, 32)}},
		{"line and column after newlines", "\n\n  require('./z')", []Ref{ref(Require, "./z", 3, 11)}},
		{"call before a block on the next line", "require(x)\n{ let y = 1 }\nrequire(z)",
			[]Ref{dyn(Require, "x", 1, 9), dyn(Require, "z", 3, 9)}},
		{"method named require then a call", "class K { require(p) { return p } get App() { return 1 } }\nrequire(q)",
			[]Ref{dyn(Require, "q", 2, 9)}},
		{"object method named require", "const o = { require(p) {}, async getApp() {} }; require(w)", []Ref{dyn(Require, "w", 1, 57)}},
		// The token scan takes the '/' after a function expression's body
		// for a regular expression; the call it hides stays unplaced
		// (0:0) instead of taking another call's place.
		{"unplaced rather than misplaced", "a = function () {} / require(b) / 1\nrequire(c)",
			[]Ref{dyn(Require, "b", 0, 0), dyn(Require, "c", 2, 9)}},
		{"column counts bytes", `var s = "中文"; require('./u')`, []Ref{ref(Require, "./u", 1, 27)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := JS([]byte(tt.src))
			if got.Err != nil {
				t.Fatalf("unexpected error %d:%d %s", got.Err.Line, got.Err.Col, got.Err.Msg)
			}
			if !reflect.DeepEqual(got.Refs, tt.want) {
				t.Errorf("refs\n got %v\nwant %v", got.Refs, tt.want)
			}
		})
	}
}

func TestJSNotReferences(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, src string }{
		{"line comment", "// require('./a')\nvar x = 1"},
		{"block comment", "/* require('./a') import('./b') */"},
		{"html-like comment", "<!-- require('./a')\nx = 1"},
		{"string", `var s = "require('./a')"; var t = 'import("./b")'`},
		{"template text", "var s = `require('./a') import x from './b'`"},
		{"regex literal", `var re = /require\('\.\/a'\)/g; var r2 = /import('x')/`},
		{"regex after keyword", `function f() { return /require('a')/.test(s) }`},
		{"member call", `wx.require('./a'); foo.requirePlugin('p'); a?.require('./b'); this.App({}); x.getApp()`},
		{"computed member", `obj['require']('./a')`},
		{"new", `new require('./a')`},
		{"method named require", `const o = { require(x) { return x } }; class K { require(p) {} static requirePlugin(n) {} }`},
		{"function declaration", `function require(x) { return x }`},
		{"no arguments", `require(); requirePlugin(); import.meta.url`},
		{"empty path", `require(''); import('')`},
		{"other property of require", `require.resolve('./a'); require.cache['./b']`},
		{"division is not a regex", `var a = b / require.length / 2; var c = (d) / 2 / require('./real').x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := JS([]byte(tt.src))
			if got.Err != nil {
				t.Fatalf("unexpected error %d:%d %s", got.Err.Line, got.Err.Col, got.Err.Msg)
			}
			var bad []Ref
			for _, r := range got.Refs {
				if r.Path != "./real" {
					bad = append(bad, r)
				}
			}
			if len(bad) > 0 || len(got.AppCall) > 0 || len(got.GetApp) > 0 {
				t.Errorf("found %v, App %v, getApp %v; want none", bad, got.AppCall, got.GetApp)
			}
		})
	}
}

func TestJSAppAndGetApp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		src    string
		app    []Call
		getApp []GetAppCall
	}{
		{"App", "App({\n  onLaunch() {}\n})", []Call{{1, 1}}, nil},
		{"getApp plain", `const app = getApp()`, nil, []GetAppCall{{1, 13, false}}},
		{"getApp allowDefault", `getApp({ allowDefault: true })`, nil, []GetAppCall{{1, 1, true}}},
		{"getApp quoted key", `getApp({ "allowDefault": true, other: 1 })`, nil, []GetAppCall{{1, 1, true}}},
		{"getApp allowDefault false", `getApp({ allowDefault: false })`, nil, []GetAppCall{{1, 1, false}}},
		{"getApp non-literal", `getApp(opts); getApp({ ...o })`, nil, []GetAppCall{{1, 1, false}, {1, 15, false}}},
		{"getApp nested object", `getApp({ x: { allowDefault: true } })`, nil, []GetAppCall{{1, 1, false}}},
		{"both", "const a = getApp();\nApp({ globalData: {} })", []Call{{2, 1}}, []GetAppCall{{1, 11, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := JS([]byte(tt.src))
			if got.Err != nil {
				t.Fatalf("unexpected error: %v", got.Err)
			}
			if !reflect.DeepEqual(got.AppCall, tt.app) || !reflect.DeepEqual(got.GetApp, tt.getApp) {
				t.Errorf("App %v getApp %v; want App %v getApp %v", got.AppCall, got.GetApp, tt.app, tt.getApp)
			}
			// The token scan alone, used on syntax errors, agrees.
			tok := fromTokens([]byte(tt.src), scanTokens([]byte(tt.src), false), newLineIndex([]byte(tt.src)))
			if !reflect.DeepEqual(tok.AppCall, tt.app) || !reflect.DeepEqual(tok.GetApp, tt.getApp) {
				t.Errorf("token scan: App %v getApp %v; want App %v getApp %v", tok.AppCall, tok.GetApp, tt.app, tt.getApp)
			}
		})
	}
}

func TestJSEncodings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  []byte
		want []Ref
	}{
		{"empty", nil, nil},
		{"crlf", []byte("var a = 1;\r\nvar b = require('./b');\r\n\r\nrequire('./c')\r\n"),
			[]Ref{ref(Require, "./b", 2, 17), ref(Require, "./c", 4, 9)}},
		{"bom", append([]byte("\xEF\xBB\xBF"), "require('./a')"...), []Ref{ref(Require, "./a", 1, 12)}},
		{"non-utf-8 in a string", []byte("var s = '\xff\xfe'; require('./a')"), []Ref{ref(Require, "./a", 1, 23)}},
		{"non-utf-8 in a comment", []byte("// \xc3\x28 bad\nrequire('./a')"), []Ref{ref(Require, "./a", 2, 9)}},
		{"non-utf-8 in the path", []byte("require('./\xff')"), []Ref{ref(Require, "./\xff", 1, 9)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := JS(tt.src)
			if got.Err != nil {
				t.Fatalf("unexpected error: %d:%d %s", got.Err.Line, got.Err.Col, got.Err.Msg)
			}
			if !reflect.DeepEqual(got.Refs, tt.want) {
				t.Errorf("got %v want %v", got.Refs, tt.want)
			}
		})
	}
}

func TestJSSyntaxError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		src     string
		errLine int
		want    []Ref
		app     int
	}{
		{"midway", "var a = require('./a');\nvar = 1;\nrequire('./b', cb); import('./c')\nApp({})",
			2, []Ref{ref(Require, "./a", 1, 17), ref(RequireCallback, "./b", 3, 9), ref(ImportDynamic, "./c", 3, 28)}, 1},
		{"unclosed call", "require('./a'", 1, []Ref{ref(Require, "./a", 1, 9)}, 0},
		{"unterminated string", "require('./a')\nvar s = 'oops\nrequire('./b')", 2,
			[]Ref{ref(Require, "./a", 1, 9), ref(Require, "./b", 3, 9)}, 0},
		{"unterminated comment", "require('./a') /* never ends", 1, []Ref{ref(Require, "./a", 1, 9)}, 0},
		{"stray character", "require('./a') #\nrequire(x)", 1, []Ref{ref(Require, "./a", 1, 9), dyn(Require, "x", 2, 9)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := JS([]byte(tt.src))
			if got.Err == nil {
				t.Fatal("want a parse error")
			}
			if got.Err.Line != tt.errLine || got.Err.Msg == "" {
				t.Errorf("error at %d:%d %q, want line %d", got.Err.Line, got.Err.Col, got.Err.Msg, tt.errLine)
			}
			if !reflect.DeepEqual(got.Refs, tt.want) {
				t.Errorf("refs\n got %v\nwant %v", got.Refs, tt.want)
			}
			if len(got.AppCall) != tt.app {
				t.Errorf("App calls %v, want %d", got.AppCall, tt.app)
			}
		})
	}
}

func TestJSErrorColumnInBytes(t *testing.T) {
	got := JS([]byte("var s = '中文'; var = 1"))
	if got.Err == nil {
		t.Fatal("want a parse error")
	}
	// "var s = '中文'; " is 18 bytes; the parser complains at the '='.
	if got.Err.Line != 1 || got.Err.Col != 23 {
		t.Errorf("error at %d:%d (%s), want 1:23", got.Err.Line, got.Err.Col, got.Err.Msg)
	}
}

// TestJSDeepNesting checks that nesting far beyond any real program neither
// overflows the stack nor hides the references around it: the parser bounds
// its own depth and reports an error; the token scan is iterative.
func TestJSDeepNesting(t *testing.T) {
	t.Parallel()
	const depth = 200000
	tests := []struct{ name, open, close string }{
		{"parens", "(", ")"},
		{"arrays", "[", "]"},
		{"objects", "{a:", "}"},
		{"unary", "!", ""},
		{"functions", "function(){", "}"},
		{"arrows", "()=>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			b.WriteString("require('./before');\nx = ")
			for range depth {
				b.WriteString(tt.open)
			}
			b.WriteString("require('./deep')")
			for range depth {
				b.WriteString(tt.close)
			}
			b.WriteString(";\nrequire('./after')")
			got := JS(b.Bytes())
			if got.Err == nil {
				t.Fatal("want the parser's nesting error")
			}
			paths := make([]string, len(got.Refs))
			for i, r := range got.Refs {
				paths[i] = r.Path
			}
			if !reflect.DeepEqual(paths, []string{"./before", "./deep", "./after"}) {
				t.Errorf("paths %v", paths)
			}
		})
	}
}

// TestJSBundle scans a 5 MB single-line minified bundle: every require is
// found, in order, at its exact column.
func TestJSBundle(t *testing.T) {
	src, n := bundle(5 << 20)
	got := JS(src)
	if got.Err != nil {
		t.Fatalf("unexpected error: %v", got.Err)
	}
	if len(got.Refs) != 2*n {
		t.Fatalf("%d refs, want %d", len(got.Refs), 2*n)
	}
	for i, r := range got.Refs {
		want := fmt.Sprintf("./m/%d.js", i/2)
		if i%2 == 1 {
			want = fmt.Sprintf("dep%d", i/2)
		}
		if r.Path != want || r.Line != 1 || !bytes.HasPrefix(src[r.Col-1:], []byte("'"+want+"'")) {
			t.Fatalf("ref %d = %+v, want %q at its quote", i, r, want)
		}
	}
}

// bundle builds a minified one-line bundle of at least size bytes and says
// how many modules it holds.
func bundle(size int) ([]byte, int) {
	var b bytes.Buffer
	b.WriteString(`!function(e){var t={};`)
	n := 0
	for b.Len() < size {
		fmt.Fprintf(&b, `t[%d]=function(e,t,n){"use strict";var r=require('./m/%d.js'),o=/[a-z]+\/require\(/g,i="require('no')";`+
			`e.exports={f:function(e){return e/2/r.x?r.y(o.test(i)):requirePlugin('dep%d')},g:`+"`${e}px`"+`}};`, n, n, n)
		n++
	}
	b.WriteString(`}();`)
	return b.Bytes(), n
}

// TestJSTokenScanAgrees runs the token-level scan, which stands in for the
// AST on syntax errors, over the valid test sources and expects the AST's
// answer.
func TestJSTokenScanAgrees(t *testing.T) {
	t.Parallel()
	srcs := []string{
		`var a = require('./a'), b = require("./b", cb); require.async('./c'); import('./d')`,
		"import x from './x'\nexport * from './y'\nimport './z'\nexport { q } from \"./q\"",
		"requirePlugin('p'); requirePlugin('q', cb); requirePlugin.async('r'); require(dyn + 1)",
		"if (a) { require('./g') } else { require(h) } const t = `${require('./t')}`",
		`var x = a / b / require('./div'); var re = /require('no')/; function f() { return /x/ }`,
	}
	srcs = append(srcs, string(mustBundle()))
	for i, s := range srcs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			src := []byte(s)
			ast := JS(src)
			if ast.Err != nil {
				t.Fatalf("unexpected error: %v", ast.Err)
			}
			tok := fromTokens(src, scanTokens(src, false), newLineIndex(src))
			if !reflect.DeepEqual(ast.Refs, tok.Refs) {
				t.Errorf("AST  %v\ntokens %v", ast.Refs, tok.Refs)
			}
		})
	}
}

func mustBundle() []byte {
	b, _ := bundle(4 << 10)
	return b
}

// TestJSNpmBundle: in a module of a built npm bundle, requests in the
// module table are the bundle's own modules (no reference); the others go
// on to the platform's require and stay references. The same requests
// outside a __DEFINE__ factory are references.
func TestJSNpmBundle(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/npmbundle/index.js")
	if err != nil {
		t.Fatal(err)
	}
	got := JS(src)
	if got.Err != nil {
		t.Fatalf("parse error: %v", got.Err)
	}
	want := []Ref{ref(Require, "outside-dep", 8, 19)}
	if !reflect.DeepEqual(got.Refs, want) {
		t.Errorf("bundle refs = %+v, want %+v", got.Refs, want)
	}

	tests := []struct {
		name string
		src  string
		want []Ref
	}{
		{"not a __DEFINE__ call", "define(1, function(require, module, exports) { require('./a') }, function(modId) { var map = {\"./a\": 2}; return __REQUIRE__(map[modId], modId) })",
			[]Ref{ref(Require, "./a", 1, 56)}},
		{"factory without require parameter", "__DEFINE__(1, function(r, module, exports) { require('./a') }, function(modId) { var map = {\"./a\": 2}; return __REQUIRE__(map[modId], modId) })",
			[]Ref{ref(Require, "./a", 1, 54)}},
		{"resolver without __REQUIRE__", "__DEFINE__(1, function(require, module, exports) { require('./a') }, function(modId) { var map = {\"./a\": 2}; return map[modId] })",
			[]Ref{ref(Require, "./a", 1, 60)}},
		{"after the factory", "__DEFINE__(1, function(require) {}, function(modId) { var map = {\"./a\": 2}; return __REQUIRE__(map[modId], modId) }); require('./a')",
			[]Ref{ref(Require, "./a", 1, 127)}},
		{"identifier keys", "__DEFINE__(1, function(require) { require('a'); require('b') }, function(m) { var map = {a: 2}; return __REQUIRE__(map[m], m) })",
			[]Ref{ref(Require, "b", 1, 57)}},
		{"require(source) outside __REQUIRE__ stays dynamic", "var f = function(modId, source) { return require(source) }",
			[]Ref{dyn(Require, "source", 1, 50)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := JS([]byte(tt.src))
			if got.Err != nil {
				t.Fatalf("parse error: %v", got.Err)
			}
			if !reflect.DeepEqual(got.Refs, tt.want) {
				t.Errorf("refs = %+v, want %+v", got.Refs, tt.want)
			}
		})
	}
}

// TestJSBrowserifyBundle: in a module of a browserify bundle (the standalone
// builds vendored into mini-programs, such as towxml's markdown-it plugins),
// requests in the map next to the factory are the bundle's own modules (no
// reference); the others go on to the require outside the bundle and stay
// references, and so do the same requests outside the factory.
func TestJSBrowserifyBundle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []Ref
	}{
		{"own modules", `!function(){return {1:[function(require,module,exports){var r=require("./lib/render"),d=require("./lib/data/full.json")},{"./lib/render":2,"./lib/data/full.json":3}]}}()`,
			nil},
		{"a request the map lacks", `({1:[function(require,a,exports){require("./own");require("outside")},{"./own":2}]})`,
			[]Ref{ref(Require, "outside", 1, 59)}},
		{"first parameter not require", `({1:[function(r,module,exports){require("./own")},{"./own":2}]})`,
			[]Ref{ref(Require, "./own", 1, 41)}},
		{"not a pair", `[function(require){require("./own")},{"./own":2},3]`,
			[]Ref{ref(Require, "./own", 1, 28)}},
		{"after the factory", `var m=[function(require){},{"./own":2}];require("./own")`,
			[]Ref{ref(Require, "./own", 1, 49)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := JS([]byte(tt.src))
			if got.Err != nil {
				t.Fatalf("parse error: %v", got.Err)
			}
			if !reflect.DeepEqual(got.Refs, tt.want) {
				t.Errorf("refs = %+v, want %+v", got.Refs, tt.want)
			}
		})
	}
}
