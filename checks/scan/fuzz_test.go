package scan

import (
	"bytes"
	"sort"
	"testing"

	"github.com/mpgate/mpgate/checks/platform"
)

// checkPos fails unless line:col lies inside src (col may point one past a
// line's last byte, where an error at the end of the input sits).
func checkPos(t *testing.T, src []byte, what string, line, col int) {
	t.Helper()
	lines := bytes.Split(src, []byte("\n"))
	if line < 1 || line > len(lines) || col < 1 || col > len(lines[line-1])+1 {
		t.Fatalf("%s at %d:%d is outside the input (%d lines)", what, line, col, len(lines))
	}
}

func checkRefs(t *testing.T, src []byte, refs []Ref) {
	t.Helper()
	for _, r := range refs {
		if r.Path == "" {
			t.Fatalf("empty path in %+v", r)
		}
		if r.Kind.String() == "unknown" {
			t.Fatalf("unknown kind in %+v", r)
		}
		if r.Dynamic && r.Line == 0 && r.Col == 0 {
			continue // unplaced, as JS documents
		}
		checkPos(t, src, "ref "+r.Path, r.Line, r.Col)
	}
	if !sort.SliceIsSorted(refs, func(i, j int) bool {
		return refs[i].Line < refs[j].Line || refs[i].Line == refs[j].Line && refs[i].Col < refs[j].Col
	}) {
		t.Fatalf("refs not in source order: %v", refs)
	}
}

func checkErr(t *testing.T, src []byte, err *ParseError) {
	t.Helper()
	if err != nil {
		if err.Msg == "" {
			t.Fatal("error without a message")
		}
		checkPos(t, src, "error", err.Line, err.Col)
	}
}

func FuzzJS(f *testing.F) {
	for _, s := range []string{
		`var a = require('./a'), b = require("./b", cb); require.async('./c'); import('./d')`,
		"import x from './x'\nexport * from './y'\nimport './z'",
		"requirePlugin('p'); requirePlugin.async('r'); require(dyn + 1); require(`./t/${x}`)",
		"App({}); getApp({allowDefault: true}); getApp()",
		`var re = /require('no')/; var x = a / b / require('./div') // require('c')`,
		"class A extends require('./b') { #x = 1n; static { require?.('./s') } }",
		"var = 1; require('./after')",
		"require('./a'\r\n/* unterminated",
		"\xef\xbb\xbfrequire('\xff')",
		// A built npm bundle's module (testdata/npmbundle has a whole one).
		// A browserify bundle's module.
		`({1:[function(require,module,exports){require("./own");require("out")},{"./own":2}]})`,
		"var __REQUIRE__ = function(m, s) { return require(s) };\n__DEFINE__(1, function(require, module, exports) { require('./a'); require('b') }, function(modId) { var map = {\"./a\":2}; return __REQUIRE__(map[modId], modId); })",
	} {
		f.Add([]byte(s))
	}
	f.Add(mustBundle())
	f.Fuzz(func(t *testing.T, src []byte) {
		orig := bytes.Clone(src)
		r := JS(src)
		if !bytes.Equal(src, orig) {
			t.Fatal("JS modified its input")
		}
		checkRefs(t, src, r.Refs)
		checkErr(t, src, r.Err)
		for _, c := range r.AppCall {
			if c != (Call{}) {
				checkPos(t, src, "App", c.Line, c.Col)
			}
		}
		for _, c := range r.GetApp {
			if c.Line != 0 || c.Col != 0 {
				checkPos(t, src, "getApp", c.Line, c.Col)
			}
		}
	})
}

func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"<import src=\"./a.wxml\"/>\n<include src='/b.wxml'/><wxs src=\"./c.wxs\" module=\"c\"></wxs>",
		"<wxs module=\"m\">var a = require('./a.wxs'); var b = 1<2</wxs><image src=\"{{x}}\"/>",
		"<textarea/><image src=./u.png poster='./p.jpg'/><!-- <import src='no'/> -->",
		"<import-sjs from=\"./m.sjs\" name=\"m\"/><sjs src=\"./s.sjs\"/><filter src=\"./f.filter.js\"/><qs src=\"./q.qs\"/>",
		"<svg><image src=\"x.png\"/></svg><view>{{ a<b ? '<image src=\"y\">' : '' }}</view>",
		"<wxs module=\"m\">var = ;</wxs",
		"<my-icon src=\"./i.png\" url=\"./u.png\"/><van-image src=\"a.png\"/><video src=\"v.mp4\" poster=\"p.jpg\"/><cover-image src=\"c.png\"/>",
	} {
		f.Add([]byte(s), uint8(0))
	}
	f.Add(pageTemplate(4<<10), uint8(1))
	f.Fuzz(func(t *testing.T, src []byte, pi uint8) {
		all := platform.All()
		p := all[int(pi)%len(all)]
		orig := bytes.Clone(src)
		r := Template(src, p)
		if !bytes.Equal(src, orig) {
			t.Fatal("Template modified its input")
		}
		checkRefs(t, src, r.Refs)
		checkErr(t, src, r.Err)
		if !sort.StringsAreSorted(r.Tags) {
			t.Fatalf("tags not sorted: %v", r.Tags)
		}
		// A resource comes only from a built-in media component.
		media := false
		for _, tag := range r.Tags {
			media = media || resourceAttrs[tag] != nil
		}
		for _, ref := range r.Refs {
			if ref.Kind == Resource && !media {
				t.Fatalf("resource %+v without a media component among %v", ref, r.Tags)
			}
		}
		for i, tag := range r.Tags {
			if tag == "" || i > 0 && r.Tags[i-1] == tag || bytes.ContainsFunc([]byte(tag), func(c rune) bool { return 'A' <= c && c <= 'Z' }) {
				t.Fatalf("bad tags %q", r.Tags)
			}
		}
	})
}

func FuzzStyle(f *testing.F) {
	for _, s := range []string{
		"@import \"a.wxss\";\n@import url(./b.wxss) screen;\n.a{background:url('./c.png')}",
		"/* url(no.png) */ .a{content:\"url(no)\"} .b{background:url(https://x/y.png)}",
		".a{background:url(./a\\2e png)} .b{content:\"oops\n}",
		".a{background:url(./a b.png)}",
		"@font-face{font-family:f;src:url('./f.eot?#iefix') format('embedded-opentype'),url(./f.svg#f)}",
	} {
		f.Add([]byte(s))
	}
	f.Add(stylesheet(4 << 10))
	f.Fuzz(func(t *testing.T, src []byte) {
		orig := bytes.Clone(src)
		r := Style(src)
		if !bytes.Equal(src, orig) {
			t.Fatal("Style modified its input")
		}
		checkRefs(t, src, r.Refs)
		checkErr(t, src, r.Err)
	})
}

func FuzzTS(f *testing.F) {
	for _, s := range []string{
		"import type { A } from './a'\nimport fs = require('./fs')\nApp<IAppOption>({ globalData: {} })",
		"@Component({ t: require('./t') }) class C { @Prop() p!: string; m<T>(x: T): T { return x } }",
		"const x = require<Mod>('./m'); if (App < n) {} const y = a!.b / 2",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		r := TS(src)
		checkRefs(t, src, r.Refs)
		checkErr(t, src, r.Err)
		for _, c := range r.AppCall {
			checkPos(t, src, "App", c.Line, c.Col)
		}
		for _, c := range r.GetApp {
			checkPos(t, src, "getApp", c.Line, c.Col)
		}
	})
}
