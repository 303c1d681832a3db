package analyze

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/platform"
)

// alipayNpmApp is a tiny Alipay program whose page requires an installed
// npm package and uses a component of another (antd-mini's layout:
// "antd-mini/es/Button/index"). Written for this test.
func alipayNpmApp() map[string]string {
	return map[string]string{
		"app.json":               `{"pages": ["pages/index/index"], "subPackages": [{"root": "sub", "pages": ["p/p"]}]}`,
		"app.js":                 "App({})\n",
		"pages/index/index.js":   "import tiny from 'tinylib';\nimport util from 'tinylib/lib/util';\nPage({})\n",
		"pages/index/index.axml": "<ui-button>ok</ui-button>\n",
		"pages/index/index.json": `{"usingComponents": {"ui-button": "tinyui/es/Button/index"}}`,
		// "main" names the entry; index.js is there too but not it.
		"node_modules/tinylib/package.json":        `{"name": "tinylib", "main": "lib/main.js"}`,
		"node_modules/tinylib/lib/main.js":         "var u = require('./util');\nmodule.exports = u;\n",
		"node_modules/tinylib/lib/util.js":         "module.exports = 1;\n",
		"node_modules/tinylib/index.js":            "module.exports = 'not the main';\n",
		"node_modules/tinylib/README.md":           "# tinylib\n",
		"node_modules/tinyui/package.json":         `{"name": "tinyui"}`,
		"node_modules/tinyui/es/Button/index.js":   "Component({})\n",
		"node_modules/tinyui/es/Button/index.axml": "<view class=\"b\"><image src=\"./icon.png\"/><slot/></view>\n",
		"node_modules/tinyui/es/Button/index.acss": ".b { color: red; }\n",
		"node_modules/tinyui/es/Button/index.json": `{"component": true}`,
		"node_modules/tinyui/es/Button/icon.png":   "PNGDATA",
		"node_modules/tinyui/es/Other/index.js":    "Component({})\n",
		// A subpackage page resolves the subpackage's own node_modules
		// first, then the root's.
		"sub/p/p.js":                     "require('near');\nrequire('tinylib');\nPage({})\n",
		"sub/p/p.axml":                   "<view/>\n",
		"sub/node_modules/near/index.js": "module.exports = 2;\n",
	}
}

// npmReached are the files of alipayNpmApp's node_modules the program
// reaches, by package.
var npmReached = map[string][]string{
	checks.MainPackage: {
		"node_modules/tinylib/lib/main.js", "node_modules/tinylib/lib/util.js",
		"node_modules/tinyui/es/Button/icon.png", "node_modules/tinyui/es/Button/index.acss",
		"node_modules/tinyui/es/Button/index.axml", "node_modules/tinyui/es/Button/index.js",
		"node_modules/tinyui/es/Button/index.json",
	},
	"sub": {"sub/node_modules/near/index.js"},
}

// TestAlipayNpm: Alipay loads npm packages from node_modules (it has no
// "Build npm"). Installed packages resolve Node style (package.json
// "main", index.js, walking up from the requiring file), their reached
// files count in the package sizes and unreached ones do not; a package
// that is not installed gives one MP215 however many files ask for it.
// Before this, Alipay's bare requests were not looked up at all and the
// npm files' bytes were missing from the sizes.
func TestAlipayNpm(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(map[string]string)
		mp215  []string // file:line package
		counts bool     // check the npm bytes in the package sizes
	}{
		{name: "installed", counts: true},
		{
			name: "not installed",
			edit: func(fs map[string]string) {
				for f := range fs {
					if strings.HasPrefix(f, "node_modules/tinylib/") {
						delete(fs, f)
					}
				}
			},
			// Three requests in two files: one finding.
			mp215: []string{"pages/index/index.js:1 tinylib"},
		},
		{
			name: "installed without the path asked for",
			edit: func(fs map[string]string) {
				fs["pages/index/index.json"] = `{"usingComponents": {"ui-button": "tinyui/es/Missing/index"}}`
			},
			mp215: []string{"pages/index/index.json:1 tinyui"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := alipayNpmApp()
			if tc.edit != nil {
				tc.edit(fs)
			}
			dir := writeTree(t, fs)
			rep, err := Run(context.Background(), dir, Options{Platform: platform.Alipay, IncludeFiles: true})
			if err != nil {
				t.Fatal(err)
			}
			mp215 := alipayMP215(t, rep, tc.name == "not installed")
			if !slices.Equal(mp215, tc.mp215) {
				t.Errorf("MP215 = %q, want %q\n%s", mp215, tc.mp215, dump(rep.Diagnostics))
			}
			if tc.counts {
				checkAlipayNpmSizes(t, rep, fs)
			}
		})
	}
}

// alipayMP215 returns the MP215 findings as "file:line package", failing
// on MP210 and MP213 (and, when notInstalled, on an MP215 that does not
// say the package is not installed).
func alipayMP215(t *testing.T, rep *checks.Report, notInstalled bool) []string {
	t.Helper()
	var mp215 []string
	for _, d := range rep.Diagnostics {
		switch d.Rule {
		case checks.MP210, checks.MP213:
			t.Errorf("unexpected %s %s:%d %s", d.Rule, d.File, d.Line, d.Message)
		case checks.MP215:
			_, name, _ := strings.Cut(d.Message, "'")
			name, _, _ = strings.Cut(name, "'")
			mp215 = append(mp215, fmt.Sprintf("%s:%d %s", d.File, d.Line, name))
			if notInstalled && !strings.Contains(d.Message, "not installed in node_modules") {
				t.Errorf("MP215 message %q does not say the package is not installed", d.Message)
			}
		}
	}
	return mp215
}

// checkAlipayNpmSizes checks that the npm files reached (npmReached) count
// in their package's sizes, as they are, and that no other npm file does.
func checkAlipayNpmSizes(t *testing.T, rep *checks.Report, fs map[string]string) {
	t.Helper()
	inReport := map[string]checks.File{}
	for _, f := range rep.Files {
		inReport[f.Path] = f
	}
	for pkg, want := range npmReached {
		var bytes int64
		for _, f := range want {
			rf, ok := inReport[f]
			if !ok || rf.Package != pkg || rf.Bytes != int64(len(fs[f])) || rf.UploadBytes != rf.Bytes {
				t.Errorf("%s: in report %v %+v, want package %q, %d bytes uploaded as they are", f, ok, rf, pkg, len(fs[f]))
			}
			bytes += int64(len(fs[f]))
		}
		var own int64
		for f, c := range fs {
			if !strings.Contains(f, "node_modules/") && packageOf(f) == pkg {
				own += int64(len(c))
			}
		}
		for _, p := range rep.Packages {
			if p.Name == pkg && p.Bytes != own+bytes {
				t.Errorf("package %s: %d bytes, want %d (own files) + %d (npm files reached)", pkg, p.Bytes, own, bytes)
			}
		}
	}
	for _, f := range slices.Sorted(maps.Keys(inReport)) {
		if strings.Contains(f, "node_modules/") && !slices.Contains(npmReached[inReport[f].Package], f) {
			t.Errorf("%s is counted although nothing reaches it", f)
		}
	}
}

func packageOf(f string) string {
	if strings.HasPrefix(f, "sub/") {
		return "sub"
	}
	return checks.MainPackage
}
