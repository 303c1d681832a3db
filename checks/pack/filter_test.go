package pack

import (
	"errors"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/platform"
)

func wechat(t testing.TB) *platform.Platform {
	t.Helper()
	p, ok := platform.Get(platform.WeChat)
	if !ok {
		t.Fatal("no wechat platform")
	}
	return p
}

func rules(typ string, values ...string) []manifest.PackRule {
	var out []manifest.PackRule
	for i, v := range values {
		out = append(out, manifest.PackRule{Type: typ, Value: v, Pos: manifest.Pos{Line: 10 + i, Col: 7}})
	}
	return out
}

func TestFilterUploaded(t *testing.T) {
	alipay, _ := platform.Get(platform.Alipay)
	tests := []struct {
		name string
		p    *platform.Platform
		proj *manifest.Project
		in   []string
		out  []string
	}{
		{
			name: "upload extensions only, case-insensitive",
			in: []string{"app.js", "app.json", "pages/a/a.wxml", "pages/a/a.wxss", "u/m.wxs", "i/a.PNG", "i/b.jpeg",
				"m/a.mp3", "w/a.wasm", "x.br", "a.cert"},
			out: []string{"README.md", "src/a.ts", "a.less", "a.scss", "x.txt", "Makefile", "pages/a", "dir.js/file"},
		},
		{
			name: "always excluded segments; other dot-files count; miniprogram_npm counts",
			in:   []string{".eslintrc.js", "a/.prettierrc.json", "miniprogram_npm/vant/index.js", ".hidden/x.js"},
			out:  []string{"node_modules/x/index.js", "a/node_modules/b.js", ".git/x.js", ".svn/y.json", ".DS_Store", "img/.DS_Store"},
		},
		{
			name: "folder rule: prefix at a boundary, leading slash optional, case-insensitive",
			proj: &manifest.Project{PackIgnore: rules("folder", "mock", "/Docs/", "./dot")},
			in:   []string{"mockup/a.js", "a/mock/b.js", "dot/x.js"},
			out:  []string{"mock/a.js", "MOCK/b.js", "docs/a.json", "DOCS/sub/x.js"},
		},
		{
			name: "file rule: exact path",
			proj: &manifest.Project{PackIgnore: rules("file", "config.dev.js", "/pages/debug/debug.js")},
			in:   []string{"a/config.dev.js", "pages/debug/debug.wxml"},
			out:  []string{"config.dev.js", "Config.Dev.js", "pages/debug/debug.js"},
		},
		{
			name: "suffix and prefix rules on the base name",
			proj: &manifest.Project{PackIgnore: append(rules("suffix", ".map.js", "test.js"), rules("prefix", "draft-")...)},
			in:   []string{"draft/x.js", "a/mydraft-x.js", "a/tests.js"},
			out:  []string{"a.map.js", "u/unit.test.js", "draft-a.js", "x/DRAFT-b.wxml"},
		},
		{
			name: "glob rule: minimatch, with and without leading slash",
			proj: &manifest.Project{PackIgnore: rules("glob", "**/*.test.js", "/static/**", "docs/*.json", "{a,b}/x.js")},
			in:   []string{"docs/sub/c.json", "c/x.js", ".x/a.test.js"},
			out:  []string{"a.test.js", "u/v/w.test.js", "static/i/a.png", "docs/a.json", "a/x.js", "B/X.JS"},
		},
		{
			name: "regexp rule: JS flags igm",
			proj: &manifest.Project{PackIgnore: rules("regexp", `\.spec\.js$`, `^/?mocks/`)},
			in:   []string{"a.spec.jsx.js", "x/mocks/a.js"},
			out:  []string{"a.spec.js", "u/A.SPEC.JS", "mocks/a.json", "/mocks/b.js"},
		},
		{
			name: "include wins over ignore, for upload extensions only",
			proj: &manifest.Project{
				PackIgnore:  rules("folder", "static"),
				PackInclude: append(rules("file", "static/keep.png"), rules("suffix", ".md")...),
			},
			in:  []string{"static/keep.png"},
			out: []string{"static/other.png", "README.md", "node_modules/a/keep.png"},
		},
		{
			name: "Alipay uploadExclude and assetsInclude globs, case-sensitive",
			p:    alipay,
			proj: &manifest.Project{UploadExclude: []string{"dist/**/*", "**/*.mock.js"}, AssetsInclude: []string{"assets/**/*.txt"}},
			in:   []string{"Dist/a.js", "pages/a.axml", "assets/a/b.txt", "x.acss"},
			out:  []string{"dist/a.js", "dist/b/c.json", "p/q.mock.js", "other/a.txt", "a.wxml"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			if p == nil {
				p = wechat(t)
			}
			f, err := NewFilter(p, tt.proj)
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range tt.in {
				if !f.Uploaded(path) {
					t.Errorf("Uploaded(%q) = false, want true", path)
				}
			}
			for _, path := range tt.out {
				if f.Uploaded(path) {
					t.Errorf("Uploaded(%q) = true, want false", path)
				}
			}
		})
	}
}

func TestFilterBadRules(t *testing.T) {
	proj := &manifest.Project{
		File: "project.config.json",
		PackIgnore: []manifest.PackRule{
			{Type: "regexp", Value: `(?<=a)b`, Pos: manifest.Pos{Line: 4, Col: 9}},
			{Type: "glob", Value: "+(a|b).js", Pos: manifest.Pos{Line: 5, Col: 9}},
			{Type: "wildcard", Value: "x", Pos: manifest.Pos{Line: 6, Col: 9}},
			{Type: "folder", Value: "mock", Pos: manifest.Pos{Line: 7, Col: 9}},
		},
		UploadExclude: []string{"@(x).js"},
	}
	f, err := NewFilter(wechat(t), proj)
	if err == nil {
		t.Fatal("no error for bad rules")
	}
	if !errors.Is(err, ErrRule) {
		t.Errorf("error does not wrap ErrRule: %v", err)
	}
	for _, want := range []string{"project.config.json:4:9: packOptions.ignore regexp", "project.config.json:5:9", "project.config.json:6:9", "uploadExclude glob rule \"@(x).js\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if f == nil {
		t.Fatal("no filter returned with the error")
	}
	if f.Uploaded("mock/a.js") || !f.Uploaded("b.js") {
		t.Error("the good rules are not applied")
	}
	var re *RuleError
	if !errors.As(err, &re) || re.Rule.Pos.Line != 4 {
		t.Errorf("errors.As RuleError = %+v", re)
	}
}

func TestNewFilterNilPlatform(t *testing.T) {
	if _, err := NewFilter(nil, nil); err == nil {
		t.Error("no error for a nil platform")
	}
}
