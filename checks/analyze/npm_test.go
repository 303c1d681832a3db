package analyze

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/platform"
)

// TestNpmProbe runs the probe project that WeChat's own analyser
// (miniprogram-ci analyseCode) was run on (testdata/ORIGINS.md,
// docs/platforms.md) and checks that mpgate reports what WeChat does: an
// unresolved request where WeChat's analyser has an error, none elsewhere,
// and one MP214 per npm package that is not built.
func TestNpmProbe(t *testing.T) {
	tests := []struct {
		platform string
		mp210    []string // file:line
		mp214    []string // file:line package
	}{
		{
			platform: "wechat",
			// "/utils/root.js" from pages/a/a.js: WeChat reads it as
			// pages/a/utils/root.js, which does not exist.
			mp210: []string{"pages/a/a.js:1"},
			mp214: []string{
				"miniprogram_npm/bundle/index.js:6 notbuilt",
				"miniprogram_npm/wxbundle/index.js:8 outside-dep",
				"pages/a/a.js:5 missingpkg",
				"pages/b/b.js:3 @scope/missing",
				"pages/b/b.json:1 nopkg",
			},
		},
		{
			// Alipay: "/" is root-absolute; npm packages come from
			// node_modules, which mpgate does not read: not checked.
			// "/utils/rel.js" exists only next to the page: missing there.
			platform: "alipay",
			mp210:    []string{"pages/a/a.js:3"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.platform, func(t *testing.T) {
			rep, err := Run(context.Background(), "testdata/npmprobe", Options{Platform: platform.ID(tc.platform)})
			if err != nil {
				t.Fatal(err)
			}
			var mp210, mp214 []string
			for _, d := range rep.Diagnostics {
				switch d.Rule {
				case checks.MP210:
					mp210 = append(mp210, fmt.Sprintf("%s:%d", d.File, d.Line))
				case checks.MP214:
					_, name, _ := strings.Cut(d.Message, "'")
					name, _, _ = strings.Cut(name, "'")
					mp214 = append(mp214, fmt.Sprintf("%s:%d %s", d.File, d.Line, name))
					if d.Severity != checks.SeverityError {
						t.Errorf("MP214 severity %s", d.Severity)
					}
				}
			}
			slices.Sort(mp210)
			slices.Sort(mp214)
			if !slices.Equal(mp210, tc.mp210) {
				t.Errorf("MP210 = %q, want %q\n%s", mp210, tc.mp210, dump(rep.Diagnostics))
			}
			if !slices.Equal(mp214, tc.mp214) {
				t.Errorf("MP214 = %q, want %q\n%s", mp214, tc.mp214, dump(rep.Diagnostics))
			}
		})
	}
}
