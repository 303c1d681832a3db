package scan

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/platform"
)

func mustPlatform(t testing.TB, id platform.ID) *platform.Platform {
	t.Helper()
	p, ok := platform.Get(id)
	if !ok {
		t.Fatalf("no platform %s", id)
	}
	return p
}

func TestTemplateReferences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		plat platform.ID
		src  string
		want []Ref
	}{
		{"import and include", platform.WeChat, "<import src=\"./a.wxml\"/>\n<include src='/common/b.wxml' />",
			[]Ref{ref(TemplateImport, "./a.wxml", 1, 13), ref(TemplateInclude, "/common/b.wxml", 2, 14)}},
		{"upper-case tag and attribute", platform.WeChat, `<IMPORT SRC="a.wxml"></IMPORT>`, []Ref{ref(TemplateImport, "a.wxml", 1, 13)}},
		{"wxs src", platform.WeChat, `<wxs src="../fmt.wxs" module="fmt"></wxs>`, []Ref{ref(ScriptModuleSrc, "../fmt.wxs", 1, 10)}},
		{"wxs self-closed", platform.WeChat, `<wxs module="fmt" src="./f.wxs"/><view/>`, []Ref{ref(ScriptModuleSrc, "./f.wxs", 1, 23)}},
		{"inline wxs", platform.WeChat, "<view/>\n<wxs module=\"m\">\nvar a = require('./a.wxs');\n// require('./no.wxs')\nvar b = 1<2 ? require(\"./b.wxs\") : 0;\n</wxs>\n<image src=\"/i.png\"/>",
			[]Ref{ref(Require, "./a.wxs", 3, 17), ref(Require, "./b.wxs", 5, 23), ref(Resource, "/i.png", 7, 12)}},
		{"inline wxs on the tag's line", platform.WeChat, `<wxs module="m">var a = require('./a.wxs')</wxs>`,
			[]Ref{ref(Require, "./a.wxs", 1, 33)}},
		{"alipay import-sjs from", platform.Alipay, `<import-sjs name="m" from="./m.sjs"/><import src="./t.axml"/>`,
			[]Ref{ref(ScriptModuleSrc, "./m.sjs", 1, 27), ref(TemplateImport, "./t.axml", 1, 50)}},
		{"alipay inline module code is ES", platform.Alipay, "<import-sjs name=\"m\">import x from './x.sjs'; export default x</import-sjs>",
			[]Ref{ref(Import, "./x.sjs", 1, 36)}},
		{"douyin sjs", platform.Douyin, `<sjs module="u" src="../u.sjs" />`, []Ref{ref(ScriptModuleSrc, "../u.sjs", 1, 21)}},
		{"baidu import-sjs and filter", platform.Baidu, "<import-sjs src=\"../u.sjs\" module=\"u\"/>\n<filter src=\"./f.filter.js\" module=\"f\"></filter>",
			[]Ref{ref(ScriptModuleSrc, "../u.sjs", 1, 17), ref(ScriptModuleSrc, "./f.filter.js", 2, 13)}},
		{"qq qs", platform.QQ, `<qs src="./q.qs" module="q"></qs>`, []Ref{ref(ScriptModuleSrc, "./q.qs", 1, 9)}},
		{"another platform's tag is an element", platform.WeChat, `<sjs src="./x.sjs"/><image src="./y.png"/>`, []Ref{ref(Resource, "./y.png", 1, 32)}},
		{"resources", platform.WeChat, "<image src=\"/images/a.png\" mode=\"aspectFit\"/>\n<cover-image src=\"./b.png\"></cover-image>\n" +
			"<video src=\"./v.mp4\" poster=\"./p.jpg\"></video><audio src=\"a.mp3\"/><live-player src=\"x.flv\"/>",
			[]Ref{ref(Resource, "/images/a.png", 1, 12), ref(Resource, "./b.png", 2, 18), ref(Resource, "./v.mp4", 3, 12),
				ref(Resource, "./p.jpg", 3, 29), ref(Resource, "a.mp3", 3, 58)}},
		{"unquoted value", platform.WeChat, `<image src=./u.png mode=widthFix/>`, []Ref{ref(Resource, "./u.png", 1, 12)}},
		{"value with spaces around", platform.WeChat, `<image src=" ./s.png "/>`, []Ref{ref(Resource, "./s.png", 1, 12)}},
		{"bindings are dynamic", platform.WeChat, "<image src=\"{{item.url}}\"/><image src=\"/img/{{name}}.png\"/><import src=\"{{t}}\"/>",
			[]Ref{dyn(Resource, "{{item.url}}", 1, 12), dyn(Resource, "/img/{{name}}.png", 1, 39), dyn(TemplateImport, "{{t}}", 1, 72)}},
		{"binding without quotes", platform.WeChat, `<image src={{url}} />`, []Ref{dyn(Resource, "{{url}}", 1, 12)}},
		{"textarea self-closed does not swallow the rest", platform.WeChat,
			"<textarea value=\"{{v}}\" />\n<import src=\"./after.wxml\"/>", []Ref{ref(TemplateImport, "./after.wxml", 2, 13)}},
		{"textarea with content", platform.WeChat, "<textarea><image src=\"./in.png\"/></textarea><image src=\"./out.png\"/>",
			[]Ref{ref(Resource, "./in.png", 1, 22), ref(Resource, "./out.png", 1, 56)}},
		{"crlf", platform.WeChat, "<view>\r\n</view>\r\n<image\r\n  src=\"./c.png\"/>", []Ref{ref(Resource, "./c.png", 4, 7)}},
		{"bom", platform.WeChat, "\xEF\xBB\xBF<import src=\"a.wxml\"/>", []Ref{ref(TemplateImport, "a.wxml", 1, 16)}},
		{"non-utf-8", platform.WeChat, "<text>\xff\xfe</text><image src=\"./\xff.png\"/>", []Ref{ref(Resource, "./\xff.png", 1, 27)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Template([]byte(tt.src), mustPlatform(t, tt.plat))
			if got.Err != nil {
				t.Fatalf("unexpected error %d:%d %s", got.Err.Line, got.Err.Col, got.Err.Msg)
			}
			if !reflect.DeepEqual(got.Refs, tt.want) {
				t.Errorf("refs\n got %v\nwant %v", got.Refs, tt.want)
			}
		})
	}
}

func TestTemplateNotReferences(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, src string }{
		{"comment", `<!-- <import src="a.wxml"/> <image src="b.png"/> -->`},
		{"unclosed comment", `<view/><!-- <image src="b.png"/>`},
		{"remote urls", `<image src="https://cdn.example.com/a.png"/><image src="http://x/b.png"/><video src="//cdn/v.mp4"/>`},
		{"other schemes", `<image src="data:image/png;base64,AAAA"/><image src="wxfile://tmp_1.png"/><image src="cloud://env-1/a.png"/><image src="ttfile://x"/>`},
		{"empty src", `<image src=""/><image src/><import src=" "/>`},
		{"other attributes", `<view class="./a.png" data-src="./b.png" style="background: url(./c.png)"/>`},
		{"markup inside a binding", `<view>{{ a<b ? "<image src='x.png'/>" : '' }}</view>`},
		{"custom component properties", `<my-icon src="./icon.png"/><van-image src="/a.png" icon="./i.png" url="./u.png"/><x-video poster="./p.jpg"/>`},
		{"generic tag and unknown elements", `<selectable src="./s.png"/><img src="./i.png"/><view src="./v.png"/>`},
		{"stream and page urls", `<live-player src="x.flv"/><web-view src="./page.html"/><navigator url="/pages/a/a"/>`},
		{"template element", `<template name="t"><view/></template><template is="t" data="{{...o}}"/>`},
		{"empty", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Template([]byte(tt.src), mustPlatform(t, platform.WeChat))
			if len(got.Refs) > 0 {
				t.Errorf("found %v; want none", got.Refs)
			}
		})
	}
}

func TestTemplateTags(t *testing.T) {
	src := "<view><Image src=\"a.png\"/><my-comp/><view>{{x}}</view><van-button>ok</van-button><!-- <ghost/> --></view>"
	got := Template([]byte(src), mustPlatform(t, platform.WeChat))
	want := []string{"image", "my-comp", "van-button", "view"}
	if !reflect.DeepEqual(got.Tags, want) {
		t.Errorf("tags %v, want %v", got.Tags, want)
	}
}

func TestTemplateInlineError(t *testing.T) {
	src := "<view/>\n<wxs module=\"m\">\nvar a = require('./a.wxs');\nvar = ;\n</wxs>\n<image src=\"./i.png\"/>"
	got := Template([]byte(src), mustPlatform(t, platform.WeChat))
	if got.Err == nil || got.Err.Line != 4 || !strings.Contains(got.Err.Msg, "inline script module") {
		t.Fatalf("err = %+v, want an inline script error on line 4", got.Err)
	}
	want := []Ref{ref(Require, "./a.wxs", 3, 17), ref(Resource, "./i.png", 6, 12)}
	if !reflect.DeepEqual(got.Refs, want) {
		t.Errorf("refs %v, want %v", got.Refs, want)
	}
}

func TestTemplateNilPlatform(t *testing.T) {
	got := Template([]byte(`<import src="a.wxml"/><wxs src="b.wxs"/><image src="c.png"/>`), nil)
	want := []Ref{ref(TemplateImport, "a.wxml", 1, 13), ref(Resource, "c.png", 1, 52)}
	if !reflect.DeepEqual(got.Refs, want) {
		t.Errorf("refs %v, want %v", got.Refs, want)
	}
}

func TestTemplateLarge(t *testing.T) {
	src := pageTemplate(1 << 20)
	got := Template(src, mustPlatform(t, platform.WeChat))
	if got.Err != nil {
		t.Fatalf("unexpected error: %v", got.Err)
	}
	cards := strings.Count(string(src), "<view class=\"card card-")
	// import + wxs, then per card a thumb and a dynamic cover.
	if len(got.Refs) != 2+2*cards {
		t.Fatalf("%d refs, want %d", len(got.Refs), 2+2*cards)
	}
	lines := strings.Split(string(src), "\n")
	for _, r := range got.Refs {
		if !r.Dynamic && !strings.HasPrefix(lines[r.Line-1][r.Col-1:], `"`+r.Path+`"`) {
			t.Fatalf("%+v does not point at its value", r)
		}
	}
}

// TestTemplateDeepNesting: the HTML lexer is flat, so nesting depth costs
// nothing and hides nothing.
func TestTemplateDeepNesting(t *testing.T) {
	const depth = 100000
	src := strings.Repeat("<view>", depth) + `<image src="./deep.png"/>` + strings.Repeat("</view>", depth) + "\n<import src=\"./after.wxml\"/>"
	got := Template([]byte(src), mustPlatform(t, platform.WeChat))
	want := []Ref{ref(Resource, "./deep.png", 1, 6*depth+12), ref(TemplateImport, "./after.wxml", 2, 13)}
	if !reflect.DeepEqual(got.Refs, want) {
		t.Errorf("refs %v, want %v", got.Refs, want)
	}
}
