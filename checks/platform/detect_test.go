package platform

import (
	"errors"
	"testing"
	"testing/fstest"
)

type fakeFS map[string]string

func (f fakeFS) Exists(p string) bool { _, ok := f[p]; return ok }

func (f fakeFS) ReadFile(p string) ([]byte, error) {
	s, ok := f[p]
	if !ok {
		return nil, errors.New("not found")
	}
	return []byte(s), nil
}

// existsOnly hides ReadFile.
type existsOnly struct{ m fakeFS }

func (e existsOnly) Exists(p string) bool { return e.m.Exists(p) }

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files FileSet
		names []string
		want  ID
	}{
		{"alipay project file", fakeFS{"mini.project.json": "{}", "project.config.json": "{}"}, nil, Alipay},
		{"baidu project file", fakeFS{"project.swan.json": "{}"}, []string{"a.wxml"}, Baidu},
		{"wechat appid", fakeFS{"project.config.json": `{"appid":"wx123"}`}, []string{"a.ttml"}, WeChat},
		{"douyin appid", fakeFS{"project.config.json": `{"appid":"tt0123abcd"}`}, nil, Douyin},
		{"qq key", fakeFS{"project.config.json": `{"qqappid":"1109","appid":"wx1"}`}, nil, QQ},
		{"qq numeric appid", fakeFS{"project.config.json": `{"appid":"1110797565"}`}, nil, QQ},
		{"tourist appid falls back to templates", fakeFS{"project.config.json": `{"appid":"touristappid"}`}, []string{"p/a.qml", "p/b.qml", "c.wxml"}, QQ},
		{"invalid config falls back to templates", fakeFS{"project.config.json": `{`}, []string{"a.ttml"}, Douyin},
		{"no reader uses templates", existsOnly{fakeFS{"project.config.json": `{"appid":"tt1"}`}}, []string{"a.swan"}, Baidu},
		{"templates only", nil, []string{"x/y.axml", "node_modules/z/a.wxml", "node_modules/z/b.wxml"}, Alipay},
		{"config without markers", fakeFS{"project.config.json": `{}`}, []string{"README.md"}, WeChat},
		{"nothing", fakeFS{}, nil, WeChat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, why := Detect(tt.files, tt.names)
			if got != tt.want {
				t.Errorf("Detect = %s (%s), want %s", got, why, tt.want)
			}
			if why == "" {
				t.Error("Detect gave no reason")
			}
		})
	}
}

func TestPlatformFacts(t *testing.T) {
	t.Parallel()
	for _, p := range All() {
		t.Run(string(p.ID), func(t *testing.T) {
			t.Parallel()
			if len(p.ScriptModuleTags) == 0 || len(p.ScriptModuleExts) == 0 || p.ScriptModuleExts[0] != p.ScriptModule {
				t.Errorf("script modules: tags %v exts %v module %q", p.ScriptModuleTags, p.ScriptModuleExts, p.ScriptModule)
			}
			for _, tag := range p.ScriptModuleTags {
				if p.ScriptModuleSrcAttr[tag] == "" {
					t.Errorf("tag %q has no source attribute", tag)
				}
			}
			for _, e := range []string{p.Template, p.Style} {
				if !p.Uploads("a/b" + e) {
					t.Errorf("%s files are not uploaded", e)
				}
			}
			if p.Uploads("a/b.md") || p.Uploads("a.b/c") || !p.Uploads("x.JS") {
				t.Error("Uploads is wrong on md / dir dots / case")
			}
			if len(p.SubpackagesKeys) == 0 || p.Limits.Package == 0 {
				t.Error("missing subpackage keys or limits")
			}
		})
	}
	if a, _ := Get(Alipay); a.ScriptModuleSrcAttr["import-sjs"] != "from" {
		t.Error(`Alipay's import-sjs takes its path from "from"`)
	}
}

func TestDetectFS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fsys fstest.MapFS
		want ID
	}{
		{"douyin appid", fstest.MapFS{"project.config.json": {Data: []byte(`{"appid":"tt12ab"}`)}}, Douyin},
		{"alipay file", fstest.MapFS{"mini.project.json": {Data: []byte(`{}`)}}, Alipay},
		{"templates, node_modules and dot dirs skipped", fstest.MapFS{
			"src/pages/a.qml":               {Data: nil},
			"node_modules/x/a.wxml":         {Data: nil},
			"node_modules/x/b.wxml":         {Data: nil},
			".cache/c.wxml":                 {Data: nil},
			".cache/d.wxml":                 {Data: nil},
			"project.config.json/README.md": {Data: nil}, // a directory of that name is no config
		}, QQ},
		{"empty", fstest.MapFS{}, WeChat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got, why := DetectFS(tt.fsys); got != tt.want || why == "" {
				t.Errorf("DetectFS = %s (%s), want %s", got, why, tt.want)
			}
		})
	}
}

func TestIDName(t *testing.T) {
	for id, want := range map[ID]string{WeChat: "WeChat", Alipay: "Alipay", Douyin: "Douyin", Baidu: "Baidu", QQ: "QQ", "x": "x"} {
		if id.Name() != want {
			t.Errorf("%s.Name() = %q", id, id.Name())
		}
	}
}
