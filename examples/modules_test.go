package examples_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/analyze"
	"github.com/mpgate/mpgate/checks/config"
)

// runModules analyses a copy of examples/modules with its own .mpgate.yml,
// as `mpgate check` does.
func runModules(t *testing.T, dir string) []string {
	t.Helper()
	cfg, err := config.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := analyze.Run(context.Background(), dir, analyze.Options{Boundaries: analyze.BoundariesOf(cfg, ".")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range r.Diagnostics {
		got = append(got, line(d))
	}
	return got
}

// copyDir copies the example into a temporary directory to break it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// edit replaces old with new in a file of the copy (old must be there).
func edit(t *testing.T, dir, file, old, new string) {
	t.Helper()
	p := filepath.Join(dir, "miniprogram", filepath.FromSlash(file))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s lacks %q", file, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestModulesIsClean(t *testing.T) {
	t.Parallel()
	if got := runModules(t, "modules"); len(got) != 0 {
		t.Errorf("the modules example has findings: %v", got)
	}
}

// TestModulesBroken breaks each boundary of the example once, as a team
// would by mistake, and expects exactly the finding that says so.
func TestModulesBroken(t *testing.T) {
	t.Parallel()
	type change struct{ file, old, new string }
	tests := []struct {
		name    string
		changes []change
		want    []string
	}{
		{"a feature uses another feature", []change{{"packageOrder/pages/list/list.js",
			"const core = require('../../../core/index.js')",
			"const core = require('../../../core/index.js')\nrequire('../../../packageCart/pages/cart/cart.js', () => {})"}},
			[]string{"MP401 packageOrder/pages/list/list.js:2"}},
		{"a feature reaches into core's internals", []change{{"packageCart/pages/cart/cart.js",
			"const format", "const http = require('../../../core/internal/http.js')\nconst format"}},
			[]string{"MP403 packageCart/pages/cart/cart.js:2"}},
		{"core uses shared, a layer above", []change{{"core/index.js",
			"const http", "const format = require('../shared/format.js')\nconst http"}},
			[]string{"MP401 core/index.js:2"}},
		{"shared and core in a cycle", []change{
			{"core/index.js", "const http", "const format = require('../shared/format.js')\nconst http"},
			{"shared/format.js", "function price", "const core = require('../core/index.js')\nfunction price"},
		}, []string{"MP401 core/index.js:2", "MP402 core/index.js:2"}},
		{"a page calls wx directly", []change{{"pages/index/index.js",
			"core.log('open cart')", "core.log('open cart')\n    wx.navigateTo({ url: '/packageCart/pages/cart/cart' })\n    wx.vibrateShort()"}},
			[]string{"MP404 pages/index/index.js:6"}},
		{"a template of a feature used by another feature", []change{{"packageOrder/pages/list/list.wxml",
			"<view", "<import src=\"/packageCart/pages/cart/cart.wxml\" />\n<view"}},
			// The platform forbids it too (MP205); the boundary says why the team does.
			[]string{"MP205 packageOrder/pages/list/list.wxml:1", "MP401 packageOrder/pages/list/list.wxml:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := copyDir(t, "modules")
			for _, c := range tt.changes {
				edit(t, dir, c.file, c.old, c.new)
			}
			got := runModules(t, dir)
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("got %v\nwant %v", got, want)
			}
		})
	}
}
