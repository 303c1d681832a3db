package archtest

import (
	"cmp"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uudashr/gocognit"
)

// maxComplexity is the most cognitive complexity (gocognit's measure) a
// function of the module may have; above it, split it into stages.
const maxComplexity = 40

// complexityExceptions are the functions allowed above maxComplexity, keyed
// "dir.Func" as gocognit names them ("checks/pack.(*styleExpander).block"),
// each with its reason. Add one rarely: a function stays whole only when
// splitting it would hide what it is. An exception whose function is now
// within the limit, or gone, fails the test until it is removed.
var complexityExceptions = map[string]string{
	"checks/scan.scanTokens": "the lexer: one switch over the input, splitting it hides the state machine",
}

// TestCognitiveComplexity scores every function of the module's non-test Go
// files with gocognit and fails on one above maxComplexity that is not in
// complexityExceptions, and on an exception that no longer applies.
// //gocognit:ignore directives are not read (comments are not parsed): the
// table is the only way out.
func TestCognitiveComplexity(t *testing.T) {
	dir := root(t)
	stats := complexityStats(t, dir)
	if len(stats) < 500 {
		t.Fatalf("scored only %d functions under %s", len(stats), dir)
	}
	seen := map[string]int{}
	for _, s := range stats {
		rel, err := filepath.Rel(dir, s.Pos.Filename)
		if err != nil {
			t.Fatal(err)
		}
		key := filepath.ToSlash(filepath.Dir(rel)) + "." + s.FuncName
		seen[key] = max(seen[key], s.Complexity)
		if s.Complexity <= maxComplexity {
			continue
		}
		if _, ok := complexityExceptions[key]; ok {
			continue
		}
		t.Errorf("%s:%d: %s has cognitive complexity %d, over %d: split it into stages (docs/architecture.md, Conventions)",
			filepath.ToSlash(rel), s.Pos.Line, s.FuncName, s.Complexity, maxComplexity)
	}
	for _, key := range slices.Sorted(maps.Keys(complexityExceptions)) {
		score, ok := seen[key]
		switch {
		case strings.TrimSpace(complexityExceptions[key]) == "":
			t.Errorf("complexity exception %s has no reason", key)
		case !ok:
			t.Errorf("complexity exception %s names a function that no longer exists: remove it", key)
		case score <= maxComplexity:
			t.Errorf("complexity exception %s is stale: its cognitive complexity is %d, within %d: remove it", key, score, maxComplexity)
		}
	}
}

// complexityStats parses the non-test .go files under dir (skipping
// testdata, vendor, hidden directories, nested modules and forks) and scores them
// a package at a time, so that recursion across files counts as gocognit's
// command counts it for a directory.
func complexityStats(t *testing.T, dir string) []gocognit.Stat {
	t.Helper()
	type pkgKey struct{ dir, name string }
	fset := token.NewFileSet()
	pkgs := map[pkgKey][]*ast.File{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return skipDir(dir, path, d.Name())
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0) // objects resolved: gocognit reads them for recursion
		if err != nil {
			return err
		}
		k := pkgKey{filepath.Dir(path), f.Name.Name}
		pkgs[k] = append(pkgs[k], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	keys := slices.SortedFunc(maps.Keys(pkgs), func(a, b pkgKey) int {
		return cmp.Or(cmp.Compare(a.dir, b.dir), cmp.Compare(a.name, b.name))
	})
	var stats []gocognit.Stat
	for _, k := range keys {
		stats = gocognit.ComplexityStatsForFiles(pkgs[k], fset, nil, stats)
	}
	return stats
}

// skipDir is the WalkDir answer for directory path named name under the
// module root: skip what is not the module's own Go source.
func skipDir(root, path, name string) error {
	if path == root {
		return nil
	}
	if name == "testdata" || name == "vendor" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
		return filepath.SkipDir
	}
	if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
		return filepath.SkipDir // another module
	}
	if _, err := os.Stat(filepath.Join(path, "FORK.md")); err == nil {
		// Third-party code copied in, with the reason and the edits in FORK.md
		// (checks/pack/internal/minifyjs): upstream's functions, not ours.
		return filepath.SkipDir
	}
	return nil
}
