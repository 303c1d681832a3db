package pack

import (
	"strings"
	"testing"
)

// expandStyleFiles is the library the sources of TestExpandStyle and
// BenchmarkExpandStyle import from, a fresh copy each call.
func expandStyleFiles() map[string]string {
	return map[string]string{
		"styles/_vars.scss": "$c: #fff;\n$m: ('a': 1, 'b': 2, 'c': 3);\n$m: map-merge($m, ('d': 4));\n@mixin pad { padding: 4px; }\n",
		"styles/lib.scss":   "@import 'vars';\n.lib { color: $c; }\n",
		"styles/base.less":  "@w: 10px;\n.m() { margin: 0; }\n.base { width: @w; .m(); }\n",
		"fonts/glyphs.wxss": ".g{}",
	}
}

func TestExpandStyle(t *testing.T) {
	files := expandStyleFiles()
	read := func(p string) ([]byte, bool) {
		s, ok := files[p]
		return []byte(s), ok
	}
	for _, tc := range []struct {
		name, file, src string
		minified        bool
		want            string
		imports         []string
	}{
		{name: "nesting and &", file: "a.scss", src: ".a { color: red; .b { x: 1; } &--c { y: 2; } &:hover { z: 3; } }",
			want: ".a{color: red;}\n.a .b{x: 1;}\n.a--c{y: 2;}\n.a:hover{z: 3;}\n"},
		{name: "comments and variables emit nothing", file: "a.scss", src: "// line\n/* block */\n$x: 1px;\n.a { w: $x; }",
			want: ".a{w: $x;}\n"},
		{name: "import expanded each time, plain css kept", file: "p/a.scss",
			src:  "@import '/fonts/glyphs.wxss';\n@import 'styles/lib';\n.p { @import 'styles/lib'; }",
			want: "@import '/fonts/glyphs.wxss';\n.lib{color: $c;}\n.p .lib{color: $c;}\n", imports: []string{"fonts/glyphs.wxss"}},
		{name: "minified: a file imported again at the same nesting once", file: "a.scss",
			src: "@import 'styles/lib';\n@import 'styles/lib';\n", minified: true, want: ".lib{color: $c;}\n"},
		{name: "each over a merged map, for, include", file: "a.scss",
			src:  "@import 'styles/vars';\n@each $k, $v in $m { .x-#{$k} { v: $v; } }\n@for $i from 1 through 2 { .c-#{$i} { w: $i; } }\n.p { @include pad; }",
			want: strings.Repeat(".x-xxxx{v: $v;}\n", 4) + strings.Repeat(".c-xxxx{w: $i;}\n", 2) + ".p{padding: 4px;}\n"},
		{name: "less url import and mixin call", file: "app.less", src: "@import url(./styles/base.less);\n.z { a: b; }",
			want: ".base{width: @w;}\n.base{margin: 0;}\n.z{a: b;}\n"},
		{name: "import cycle stops", file: "styles/lib.scss", src: "@import 'lib';\n.q { a: b; }", want: ".q{a: b;}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.file == "styles/lib.scss" {
				files["styles/lib.scss"] = tc.src
				defer func() { files["styles/lib.scss"] = "@import 'vars';\n.lib { color: $c; }\n" }()
			}
			got, imports := ExpandStyle(tc.file, []byte(tc.src), read, tc.minified)
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			if strings.Join(imports, ",") != strings.Join(tc.imports, ",") {
				t.Errorf("imports %q, want %q", imports, tc.imports)
			}
		})
	}
}

// BenchmarkExpandStyle expands about 40 KB of sass and less made of
// TestExpandStyle's sources, one after another: nesting and &, comments and
// variables, imports at the top and nested, @each over a merged map, @for,
// @include, a less url import and mixin call.
func BenchmarkExpandStyle(b *testing.B) {
	files := expandStyleFiles()
	read := func(p string) ([]byte, bool) {
		s, ok := files[p]
		return []byte(s), ok
	}
	unit := ".a { color: red; .b { x: 1; } &--c { y: 2; } &:hover { z: 3; } }\n" +
		"// line\n/* block */\n$x: 1px;\n.a { w: $x; }\n" +
		"@import '/fonts/glyphs.wxss';\n@import 'styles/lib';\n.p { @import 'styles/lib'; }\n" +
		"@import 'styles/vars';\n@each $k, $v in $m { .x-#{$k} { v: $v; } }\n@for $i from 1 through 2 { .c-#{$i} { w: $i; } }\n.p { @include pad; }\n" +
		"@import url(./styles/base.less);\n.z { a: b; .m(); }\n"
	src := []byte(strings.Repeat(unit, 40<<10/len(unit)))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		ExpandStyle("a.scss", src, read, false)
	}
}

// FuzzExpandStyle: ExpandStyle reads untrusted less and sass (a fork's pull
// request): it must end, not panic, and keep its output bounded whatever the
// source — unbalanced braces, loops over huge ranges, mixins that include
// themselves, files that import themselves or each other.
func FuzzExpandStyle(f *testing.F) {
	for _, s := range []string{
		".a { color: red; .b { x: 1; } &--c { y: 2; } }",
		"@import 'a';\n.x { @import 'b'; }",
		"@for $i from 1 through 100000 { .c-#{$i} { w: $i; } }",
		"@mixin m { .x { @include m; } }\n.y { @include m; }",
		".m() { .m(); }\n.z { .m(); }",
		"$l: (a, b, c);\n@each $k in $l { @each $j in $l { .e-#{$k}-#{$j} { v: 1; } } }",
		"{{{{ }}} } {",
		"/* unterminated",
		"@media (x) { @supports (y) { .a { @at-root .b { c: d; } } } }",
	} {
		f.Add(s, s, true)
		f.Add(s, "@import 'main';", false)
	}
	f.Fuzz(func(t *testing.T, src, other string, minified bool) {
		files := map[string]string{"a.scss": other, "b.scss": src, "main.scss": src, "_a.scss": other}
		read := func(p string) ([]byte, bool) {
			s, ok := files[p]
			return []byte(s), ok
		}
		css, _ := ExpandStyle("main.scss", []byte(src), read, minified)
		// The cap is checked between statements, so the output may pass it
		// by one statement's expansion; far beyond it means it is not kept.
		if len(css) > 2*maxExpandedStyle+4*(len(src)+len(other)) {
			t.Fatalf("output of %d bytes for %d bytes of source", len(css), len(src)+len(other))
		}
	})
}
