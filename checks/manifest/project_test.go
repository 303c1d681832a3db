package manifest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/mpgate/mpgate/checks/platform"
)

func TestParseProject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		file  string
		p     platform.ID
		src   string
		want  string // fmt of the interesting fields
		rules []string
	}{
		{"absent settings are false, unused files kept too", "project.config.json", platform.WeChat, `{"appid":"wx1"}`,
			"root= ign=[] inc=[] set={false false false false false []} appid=wx1", nil},
		{"explicit false keeps unused files", "project.config.json", platform.WeChat, `{"setting":{"ignoreUploadUnusedFiles":false}}`,
			"root= ign=[] inc=[] set={false false false false false []} appid=", nil},
		{"wechat full", "project.config.json", platform.WeChat, `{"miniprogramRoot":"./miniprogram/","compileType":"miniprogram",
			"packOptions":{"ignore":[{"type":"folder","value":"docs"},{"type":"suffix","value":".md"},{"type":"glob","value":"**/*.psd"},{"type":"regexp","value":"\\.bak$"}],
			"include":[{"type":"file","value":"a.txt"}]},
			"setting":{"minified":true,"minifyWXML":true,"minifyWXSS":true,"ignoreUploadUnusedFiles":true,"es6":true,"useCompilerPlugins":["typescript","less"]}}`,
			"root=miniprogram ign=[folder:docs suffix:.md glob:**/*.psd regexp:\\.bak$] inc=[file:a.txt] set={true true true true true [typescript less]} appid=", nil},
		{"root with dot dot like miniprogram-ci", "project.config.json", platform.WeChat, `{"miniprogramRoot":"../dist/"}`,
			"root=dist ign=[] inc=[] set={false false false false false []} appid=", nil},
		{"useCompilerPlugins false", "project.config.json", platform.WeChat, `{"setting":{"useCompilerPlugins":false}}`,
			"root= ign=[] inc=[] set={false false false false false []} appid=", nil},
		{"unknown pack rule type", "project.config.json", platform.WeChat, `{"packOptions":{"ignore":[{"type":"dir","value":"x"},{"type":"file"}]}}`,
			"root= ign=[] inc=[] set={false false false false false []} appid=", []string{"MP101 1:54", "MP111 1:35"}},
		{"setting wrong type", "project.config.json", platform.WeChat, `{"setting":{"minified":"yes"}}`,
			"root= ign=[] inc=[] set={false false false false false []} appid=", []string{"MP101 1:24"}},
		{"qq appid", "project.config.json", platform.QQ, `{"qqappid":"1109"}`,
			"root= ign=[] inc=[] set={false false false false false []} appid=1109", nil},
		{"alipay", "mini.project.json", platform.Alipay, `{"format":2,"miniprogramRoot":"compiled/alipay/demo","uploadExclude":["dist/**/*"],"assetsInclude":["**/*.txt"],
			"compileOptions":{"typescript":true,"resolveAlias":{"@/*":"src/*"}},"packOptions":{"ignore":[{"type":"folder","value":"x"}]}}`,
			"root=compiled/alipay/demo ign=[] inc=[] set={false false false false false [typescript]} appid= excl=[dist/**/*] assets=[**/*.txt] alias=[@/*->src/*]", nil},
		{"baidu", "project.swan.json", platform.Baidu, `{"appid":"123","smartProgramRoot":"src/"}`,
			"root=src ign=[] inc=[] set={false false false false false []} appid=123", nil},
		{"format from platform", "custom.json", platform.Alipay, `{"uploadExclude":["a"]}`,
			"root= ign=[] inc=[] set={false false false false false []} appid= excl=[a]", nil},
		{"invalid", "project.config.json", platform.WeChat, `{"setting":}`, "", []string{"MP101 1:12"}},
		{"not an object", "project.config.json", platform.WeChat, `1`, "", []string{"MP101 1:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			proj, ds := ParseProject([]byte(tt.src), tt.file, plat(t, tt.p))
			if got := rules(ds); !slices.Equal(got, tt.rules) && len(got)+len(tt.rules) > 0 {
				t.Errorf("rules %v, want %v", got, tt.rules)
			}
			if tt.want == "" {
				if proj != nil {
					t.Error("want nil project")
				}
				return
			}
			if proj == nil {
				t.Fatal("nil project")
			}
			if got := describe(proj); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func describe(p *Project) string {
	rules := func(rs []PackRule) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.Type+":"+r.Value)
		}
		return out
	}
	s := p.Setting
	out := fmt.Sprintf("root=%s ign=%v inc=%v set={%v %v %v %v %v %v} appid=%s", p.MiniprogramRoot, rules(p.PackIgnore), rules(p.PackInclude),
		s.Minified, s.MinifyWXML, s.MinifyWXSS, s.IgnoreUploadUnusedFiles, s.ES6, s.UseCompilerPlugins, p.AppID)
	if len(p.UploadExclude) > 0 {
		out += fmt.Sprintf(" excl=%v", p.UploadExclude)
	}
	if len(p.AssetsInclude) > 0 {
		out += fmt.Sprintf(" assets=%v", p.AssetsInclude)
	}
	if len(p.ResolveAlias) > 0 {
		out += " alias=["
		for _, a := range p.ResolveAlias {
			out += a.From.Value + "->" + a.To
		}
		out += "]"
	}
	return out
}

func TestMergePrivate(t *testing.T) {
	t.Parallel()
	base, ds := ParseProject([]byte(`{"setting":{"minified":true,"minifyWXML":true,"ignoreUploadUnusedFiles":false},"packOptions":{"ignore":[{"type":"folder","value":"a"}]}}`),
		"project.config.json", plat(t, platform.WeChat))
	if len(ds) != 0 {
		t.Fatal(rules(ds))
	}
	tests := []struct {
		name    string
		private string
		want    string
		rules   []string
	}{
		{"build switches are not taken from the private file", `{"setting":{"minified":false,"ignoreUploadUnusedFiles":true,"urlCheck":false}}`,
			"root= ign=[folder:a] inc=[] set={true true false false false []} appid=", []string{"MP111 1:13", "MP111 1:30"}},
		{"packOptions replaced", `{"packOptions":{"ignore":[{"type":"file","value":"b.js"}]}}`,
			"root= ign=[file:b.js] inc=[] set={true true false false false []} appid=", nil},
		{"empty", `{}`, "root= ign=[folder:a] inc=[] set={true true false false false []} appid=", nil},
		{"invalid leaves base alone", `{"setting":{"minified":false}`, "root= ign=[folder:a] inc=[] set={true true false false false []} appid=", []string{"MP101 1:30"}},
		{"not an object", `[]`, "root= ign=[folder:a] inc=[] set={true true false false false []} appid=", []string{"MP101 1:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := *base
			ds := MergePrivate(&p, []byte(tt.private), "project.private.config.json")
			if got := rules(ds); !slices.Equal(got, tt.rules) && len(got)+len(tt.rules) > 0 {
				t.Errorf("rules %v, want %v", got, tt.rules)
			}
			if got := describe(&p); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	if ds := MergePrivate(nil, []byte(`{}`), "x"); len(ds) != 0 {
		t.Error("nil base must be a no-op")
	}
}

func TestUsesTypeScript(t *testing.T) {
	if UsesTypeScript(nil) || UsesTypeScript(&Project{Setting: Setting{UseCompilerPlugins: []string{"less"}}}) {
		t.Error("no TypeScript expected")
	}
	if !UsesTypeScript(&Project{Setting: Setting{UseCompilerPlugins: []string{"less", "typescript"}}}) {
		t.Error("typescript plugin not seen")
	}
}

func TestParseProjectPostCSS(t *testing.T) {
	for src, want := range map[string]bool{`{"setting":{"postcss":true}}`: true, `{"setting":{"postcss":false}}`: false, `{}`: false} {
		proj, ds := ParseProject([]byte(src), "project.config.json", plat(t, platform.WeChat))
		if len(ds) != 0 || proj == nil || proj.Setting.PostCSS != want {
			t.Errorf("%s: PostCSS %v (diags %v), want %v", src, proj != nil && proj.Setting.PostCSS, ds, want)
		}
	}
}

// SWC mode follows miniprogram-ci 2.1.42's couldUseSWCMode.
func TestParseProjectSWC(t *testing.T) {
	for src, want := range map[string]bool{
		`{"setting":{"swc":true}}`:                       true,
		`{"setting":{"swc":true,"compileWorklet":true}}`: false,
		`{"setting":{"swc":true,"disableSWC":true}}`:     false,
		`{"setting":{"disableSWC":false}}`:               true,
		`{"setting":{"disableSWC":null,"es6":true}}`:     true,
		`{"setting":{"disableSWC":null}}`:                false,
		`{"setting":{"es6":true,"enhance":true}}`:        false,
		`{"setting":{"swc":false}}`:                      false,
		`{}`:                                             false,
	} {
		proj, ds := ParseProject([]byte(src), "project.config.json", plat(t, platform.WeChat))
		if len(ds) != 0 || proj == nil || proj.Setting.SWC != want {
			t.Errorf("%s: SWC %v (diags %v), want %v", src, proj != nil && proj.Setting.SWC, ds, want)
		}
	}
}
