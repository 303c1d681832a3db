package manifest

import (
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/platform"
)

// memFiles is a file set; directories are implied by the files.
type memFiles map[string]bool

func newMem(paths ...string) memFiles {
	m := memFiles{}
	for _, p := range paths {
		m[p] = true
	}
	return m
}

func (m memFiles) Exists(p string) bool { return m[p] }

func (m memFiles) IsDir(p string) bool {
	for f := range m {
		if strings.HasPrefix(f, p+"/") {
			return true
		}
	}
	return false
}

func TestValidate(t *testing.T) {
	t.Parallel()
	const app = `{"pages":["pages/index/index","/pages/a/a"],"subPackages":[{"root":"./sub/","pages":["p/p"]},{"root":"gone","pages":["x"]}]}`
	tests := []struct {
		name  string
		p     platform.ID
		src   string
		root  string
		files []string
		ts    bool
		want  []string
	}{
		{"all present", platform.WeChat, app, "", []string{"pages/index/index.js", "pages/index/index.wxml", "pages/a/a.js", "pages/a/a.wxml",
			"sub/p/p.js", "sub/p/p.wxml", "gone/x.js", "gone/x.wxml"}, false, nil},
		{"missing script, template and root", platform.WeChat, app, "", []string{"pages/index/index.js", "pages/a/a.wxml", "sub/p/p.js", "sub/p/p.wxml"},
			false, []string{"MP102 1:11", "MP102 1:31", "MP110 1:102"}},
		{"ts accepted with the plugin", platform.WeChat, `{"pages":["a"]}`, "", []string{"a.ts", "a.wxml"}, true, nil},
		{"ts not accepted without it", platform.WeChat, `{"pages":["a"]}`, "", []string{"a.ts", "a.wxml"}, false, []string{"MP102 1:11"}},
		{"platform template", platform.Alipay, `{"pages":["a"]}`, "", []string{"a.js", "a.wxml"}, false, []string{"MP102 1:11"}},
		{"alipay ok", platform.Alipay, `{"pages":["a"]}`, "", []string{"a.js", "a.axml"}, false, nil},
		{"root only names the directory", platform.Douyin, `{"pages":["a"],"subpackages":[{"root":"s","pages":["b"]}]}`, "dist/", []string{"a.js", "a.ttml", "s/b.js", "s/b.ttml"}, false, nil},
		{"page leaving the root", platform.WeChat, `{"pages":["../x"]}`, "", nil, false, []string{"MP102 1:11"}},
		{"root leaving the root", platform.WeChat, `{"pages":["a"],"subPackages":[{"root":"../s","pages":["p"]}]}`, "", []string{"a.js", "a.wxml"}, false, []string{"MP110 1:39"}},
		{"workers subpackage missing", platform.WeChat, `{"pages":["a"],"workers":{"path":"workers/","isSubpackage":true}}`, "", []string{"a.js", "a.wxml"}, false, []string{"MP110 1:34"}},
		{"workers subpackage present", platform.WeChat, `{"pages":["a"],"workers":{"path":"workers/","isSubpackage":true}}`, "", []string{"a.js", "a.wxml", "workers/w.js"}, false, nil},
		{"plain workers missing", platform.WeChat, `{"pages":["a"],"workers":"workers"}`, "", []string{"a.js", "a.wxml"}, false, []string{"MP210 1:26"}},
		{"plain workers present", platform.WeChat, `{"pages":["a"],"workers":"workers"}`, "", []string{"a.js", "a.wxml", "workers/x.js"}, false, nil},
		{"alipay worker files", platform.Alipay, `{"pages":["a"],"workers":["w/a.js","/w/b.js"]}`, "", []string{"a.js", "a.axml", "w/b.js"}, false, []string{"MP210 1:27"}},
		{"dot segments cleaned", platform.WeChat, `{"pages":["p/./a"]}`, "", []string{"p/a.js", "p/a.wxml"}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, ds := ParseApp([]byte(tt.src), "app.json", plat(t, tt.p))
			if a == nil || len(ds) > 0 {
				t.Fatalf("ParseApp: %v", rules(ds))
			}
			got := Validate(a, plat(t, tt.p), tt.root, newMem(tt.files...), tt.ts)
			if r := rules(got); !slices.Equal(r, tt.want) && len(r)+len(tt.want) > 0 {
				t.Errorf("rules %v, want %v", r, tt.want)
				for _, d := range got {
					t.Logf("  %s: %s", d.Rule, d.Message)
				}
			}
			for _, d := range got {
				if d.File != "app.json" || d.Hint == "" || d.Message == "" {
					t.Errorf("incomplete %+v", d)
				}
			}
		})
	}
	a, _ := ParseApp([]byte(`{"pages":["a"],"subPackages":[{"root":"s","pages":["p"]}]}`), "app.json", nil)
	if ds := Validate(a, nil, "./dist/", newMem("a.js", "a.wxml"), false); len(ds) != 1 || !strings.Contains(ds[0].Message, "in dist/") {
		t.Errorf("MP110 should name the root: %v", ds)
	}
	if ds := Validate(a, nil, "", newMem("s/p.js", "s/p.wxml", "a.js", "a.wxml"), false); len(ds) != 0 {
		t.Errorf("unexpected %v", rules(ds))
	}
	b, _ := ParseApp([]byte(`{"pages":["pages/a.js"]}`), "app.json", nil)
	if ds := Validate(b, nil, "", newMem("pages/a.js", "pages/a.wxml"), false); len(ds) != 1 || !strings.Contains(ds[0].Hint, `write "pages/a"`) {
		t.Errorf("extension hint missing: %v", ds)
	}
	if Validate(nil, nil, "", newMem(), false) != nil {
		t.Error("nil app must give nothing")
	}
}
