package pack

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/manifest"
)

// packageOfByPrefix is the definition PackageOf implements: the package
// whose root is the longest prefix of path at a "/" boundary, found by
// testing every root (as PackageOf did before it looked roots up).
func packageOfByPrefix(l *Layout, path string) string {
	pkgs := slices.Clone(l.pkgs[1:])
	sort.SliceStable(pkgs, func(i, j int) bool { return len(pkgs[i].Root) > len(pkgs[j].Root) })
	for _, p := range pkgs {
		if path == p.Root || (strings.HasPrefix(path, p.Root) && path[len(p.Root)] == '/') {
			return p.Name
		}
	}
	return MainPackage
}

// TestPackageOfByPrefix checks PackageOf against its definition on nested,
// prefix-sharing and odd roots and paths.
func TestPackageOfByPrefix(t *testing.T) {
	t.Parallel()
	app := &manifest.App{Subpackages: []manifest.Subpackage{
		sub("a", "", false), sub("a/b", "", false), sub("a/b/c", "", false), sub("ab", "", false),
		sub("x//y", "", false), sub("pkg.v2", "", false), sub("deep/er/root", "", false),
	}}
	l := NewLayout(app)
	paths := []string{"", "/", "a", "a/", "a/x.js", "a/b", "a/b/", "a/b/x.js", "a/bc/x.js", "a/b/c/d/e.js",
		"ab", "ab/x", "abc/x", "/a/x.js", "x//y/z.js", "x/y/z.js", "x//y", "pkg.v2/p.js", "pkg/v2/p.js",
		"deep/er/root/x", "deep/er/rootx/y", "deep/er/x", "b/a/x.js", "app.js", "./a/x.js"}
	for _, p := range paths {
		if got, want := l.PackageOf(p), packageOfByPrefix(l, p); got != want {
			t.Errorf("PackageOf(%q) = %q, want %q", p, got, want)
		}
	}
}

// benchLayout is a layout of 40 subpackages whose roots share a prefix
// (like scripts/bench.sh's synthetic program) and files in and out of them.
func benchLayout() (*Layout, []string) {
	app := &manifest.App{}
	var paths []string
	for i := range 40 {
		root := fmt.Sprintf("packageGoods%02d", i)
		app.Subpackages = append(app.Subpackages, sub(root, "", false))
		paths = append(paths, root+"/pages/list/index.js", fmt.Sprintf("pages/p%02d/index.wxml", i),
			fmt.Sprintf("components/c%02d/card/index.json", i), "utils/util.js")
	}
	return NewLayout(app), paths
}

func BenchmarkPackageOf(b *testing.B) {
	l, paths := benchLayout()
	for b.Loop() {
		for _, p := range paths {
			l.PackageOf(p)
		}
	}
}
