package scan

import (
	"reflect"
	"strings"
	"testing"
)

func TestStyleReferences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []Ref
	}{
		{"import string", `@import "common.wxss";`, []Ref{ref(StyleImport, "common.wxss", 1, 9)}},
		{"import single quotes", `@import '/styles/a.wxss';`, []Ref{ref(StyleImport, "/styles/a.wxss", 1, 9)}},
		{"import url", `@import url(./b.wxss);`, []Ref{ref(StyleImport, "./b.wxss", 1, 13)}},
		{"import quoted url with spaces and media", `@import url( "./c.wxss" ) screen;`, []Ref{ref(StyleImport, "./c.wxss", 1, 14)}},
		{"import upper case", `@IMPORT "d.wxss";`, []Ref{ref(StyleImport, "d.wxss", 1, 9)}},
		{"import without semicolon at the end", `@import "e.wxss"`, []Ref{ref(StyleImport, "e.wxss", 1, 9)}},
		{"url", `.a { background: url(/images/bg.png) no-repeat; }`, []Ref{ref(StyleURL, "/images/bg.png", 1, 22)}},
		{"url quoted", `.a{background-image:url('./x.png')}`, []Ref{ref(StyleURL, "./x.png", 1, 25)}},
		{"several urls", ".a{background:url(a.png),url(\"b.png\")}\n@font-face{src:url(./f.woff2) format('woff2')}",
			[]Ref{ref(StyleURL, "a.png", 1, 19), ref(StyleURL, "b.png", 1, 30), ref(StyleURL, "./f.woff2", 2, 20)}},
		{"escapes", `.a{background:url(./a\2e png)} @import "b\".wxss";`,
			[]Ref{ref(StyleURL, "./a.png", 1, 19), ref(StyleImport, `b".wxss`, 1, 40)}},
		{"crlf", ".a {\r\n  color: red;\r\n}\r\n.b { background: url(./b.png) }\r\n", []Ref{ref(StyleURL, "./b.png", 4, 22)}},
		{"bom", "\xEF\xBB\xBF@import \"a.wxss\";", []Ref{ref(StyleImport, "a.wxss", 1, 12)}},
		{"rpx and nested rules", "@media (min-width: 100rpx) { .a { background: url(./m.png) } }", []Ref{ref(StyleURL, "./m.png", 1, 51)}},
		{"non-utf-8", ".a{content:'\xff'}.b{background:url(./\xfe.png)}", []Ref{ref(StyleURL, "./\xfe.png", 1, 34)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Style([]byte(tt.src))
			if got.Err != nil {
				t.Fatalf("unexpected error %d:%d %s", got.Err.Line, got.Err.Col, got.Err.Msg)
			}
			if !reflect.DeepEqual(got.Refs, tt.want) {
				t.Errorf("refs\n got %v\nwant %v", got.Refs, tt.want)
			}
		})
	}
}

func TestStyleNotReferences(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, src string }{
		{"comment", `/* @import "a.wxss"; .a { background: url(b.png) } */`},
		{"string content", `.a::after { content: "url(a.png)"; } .b { content: '@import "c.wxss"' }`},
		{"remote", `.a{background:url(https://cdn.example.com/a.png)} .b{background:url("http://x/b.png")} @import "https://x/c.css";`},
		{"protocol-relative and data", `.a{background:url(//cdn/a.png)} .b{background:url(data:image/svg+xml;utf8,<svg></svg>)}`},
		{"fragment", `.a{filter:url(#blur)}`},
		{"empty", `.a{background:url()} .b{background:url("")} @import "";`},
		{"not an import", `@charset "utf-8"; @font-face { font-family: "x.wxss" }`},
		{"empty file", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Style([]byte(tt.src))
			if len(got.Refs) > 0 {
				t.Errorf("found %v; want none", got.Refs)
			}
		})
	}
}

func TestStyleMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		src     string
		errLine int
		want    []Ref
	}{
		{"unterminated string", ".a{background:url(./a.png)}\n.b{content:\"oops\n}\n.c{background:url(./c.png)}", 2,
			[]Ref{ref(StyleURL, "./a.png", 1, 19), ref(StyleURL, "./c.png", 4, 19)}},
		{"bad url", ".a{background:url(./a b.png)}\n.c{background:url(./c.png)}", 1, []Ref{ref(StyleURL, "./c.png", 2, 19)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Style([]byte(tt.src))
			if got.Err == nil || got.Err.Line != tt.errLine {
				t.Fatalf("err = %+v, want one on line %d", got.Err, tt.errLine)
			}
			if !reflect.DeepEqual(got.Refs, tt.want) {
				t.Errorf("refs %v, want %v", got.Refs, tt.want)
			}
		})
	}
}

func TestStyleLarge(t *testing.T) {
	src := stylesheet(1 << 20)
	got := Style(src)
	if got.Err != nil {
		t.Fatalf("unexpected error: %v", got.Err)
	}
	blocks := strings.Count(string(src), "/* block ")
	if len(got.Refs) != 2+blocks {
		t.Fatalf("%d refs, want %d", len(got.Refs), 2+blocks)
	}
}

func TestIsLocalURL(t *testing.T) {
	t.Parallel()
	tests := map[string]bool{
		"./a.png": true, "/a.png": true, "a.png": true, "../a/b:c.png": true, "a:b": true,
		"http://x": false, "HTTPS://x": false, "data:image/png;base64,AA": false, "wxfile://t": false,
		"cloud://e/x": false, "//cdn/x": false, "#frag": false, "blob:abc": false,
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			if got := isLocalURL(in); got != want {
				t.Errorf("isLocalURL(%q) = %v, want %v", in, got, want)
			}
		})
	}
}

// TestStyleDeepNesting: the CSS lexer is flat too.
func TestStyleDeepNesting(t *testing.T) {
	const depth = 100000
	src := strings.Repeat("@media screen{", depth) + ".a{background:url(./deep.png)}" + strings.Repeat("}", depth)
	got := Style([]byte(src))
	want := []Ref{ref(StyleURL, "./deep.png", 1, 14*depth+19)}
	if !reflect.DeepEqual(got.Refs, want) {
		t.Errorf("refs %v, want %v", got.Refs, want)
	}
}
