package coverage

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	known := []string{
		"src/a.js", "src/util/b.js", "web/src/c.js", "pkg/f.go", "internal/log/log.go",
		"app/src/main/java/com/x/Foo.java", "lib/x/dup.js", "lib/y/dup.js",
	}
	tests := []struct {
		name string
		opt  Options
		in   string
		want string
	}{
		{"relative", Options{}, "src/a.js", "src/a.js"},
		{"dot slash", Options{}, "./src/a.js", "src/a.js"},
		{"dot dot inside", Options{}, "src/x/../a.js", "src/a.js"},
		{"backslashes", Options{}, `src\util\b.js`, "src/util/b.js"},
		{"repo root", Options{RepoRoot: "/work/repo"}, "/work/repo/src/a.js", "src/a.js"},
		{"repo root with trailing slash", Options{RepoRoot: "/work/repo/"}, "/work/repo/src/a.js", "src/a.js"},
		{"repo root is not a prefix of a sibling", Options{RepoRoot: "/work/repo"}, "/work/repo2/src/a.js", "/work/repo2/src/a.js"},
		{"windows repo root, any case", Options{RepoRoot: `C:\Users\me\repo`}, `c:\users\me\repo\src\a.js`, "src/a.js"},
		{"file URL", Options{RepoRoot: "/work/repo"}, "file:///work/repo/src/a.js", "src/a.js"},
		{"windows file URL", Options{RepoRoot: "C:/r"}, "file:///C:/r/src/a.js", "src/a.js"},
		{"github runner", Options{}, "/home/runner/work/shop/shop/src/a.js", "src/a.js"},
		{"github macOS runner", Options{}, "/Users/runner/work/shop/shop/src/a.js", "src/a.js"},
		{"github windows runner", Options{}, `D:\a\shop\shop\src\util\b.js`, "src/util/b.js"},
		{"github container action", Options{}, "/github/workspace/src/a.js", "src/a.js"},
		{"unknown absolute stays absolute", Options{}, "/opt/build/src/a.js", "/opt/build/src/a.js"},
		{"unknown absolute, known suffix", Options{KnownFiles: known}, "/opt/build/src/util/b.js", "src/util/b.js"},
		{"gitlab builds dir, known suffix", Options{KnownFiles: known}, "/builds/group/sub/proj/web/src/c.js", "web/src/c.js"},
		{"runner path into a sub-project", Options{KnownFiles: known}, "/home/runner/work/r/r/src/c.js", "web/src/c.js"},
		{"relative to a sub-project", Options{KnownFiles: known}, "src/c.js", "web/src/c.js"},
		{"known file stays", Options{KnownFiles: known}, "src/a.js", "src/a.js"},
		{"ambiguous suffix left alone", Options{KnownFiles: known}, "dup.js", "dup.js"},
		{"longest suffix wins over ambiguity", Options{KnownFiles: known}, "/x/lib/y/dup.js", "lib/y/dup.js"},
		{"unknown file left alone", Options{KnownFiles: known}, "other/z.js", "other/z.js"},
		{"go module path", Options{ModulePath: "github.com/org/repo"}, "github.com/org/repo/pkg/f.go", "pkg/f.go"},
		{"go module path, trailing slash", Options{ModulePath: "github.com/org/repo/"}, "github.com/org/repo/pkg/f.go", "pkg/f.go"},
		{"go other module", Options{ModulePath: "github.com/org/repo"}, "github.com/org/other/pkg/f.go", "github.com/org/other/pkg/f.go"},
		{"go import path by known suffix", Options{KnownFiles: known}, "github.com/evilmartians/lefthook/internal/log/log.go", "internal/log/log.go"},
		{"jacoco package path by known suffix", Options{KnownFiles: known}, "com/x/Foo.java", "app/src/main/java/com/x/Foo.java"},
		{"odd but valid name", Options{}, "dist/<define:DATA>", "dist/<define:DATA>"},
		{"base path", Options{BasePath: "./miniprogram/"}, "utils/a.js", "miniprogram/utils/a.js"},
		{"base path and dot dot", Options{BasePath: "miniprogram"}, "../shared/x.js", "shared/x.js"},
		{"base path not applied to absolute paths", Options{BasePath: "mp", RepoRoot: "/r"}, "/r/mp/a.js", "mp/a.js"},
		{"base path not applied to go import paths", Options{BasePath: "mp", ModulePath: "m"}, "m/pkg/f.go", "pkg/f.go"},
		{"base path then known suffix", Options{BasePath: "other", KnownFiles: known}, "src/util/b.js", "src/util/b.js"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newPathMapper(tt.opt)
			if got := m.normalize(tt.in); got != tt.want {
				t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// Cached answer is the same.
			if got := m.normalizeBytes([]byte(tt.in)); got != tt.want {
				t.Errorf("cached normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCoberturaSources(t *testing.T) {
	t.Parallel()
	doc := func(sources ...string) string {
		s := `<coverage line-rate="1"><sources>`
		for _, src := range sources {
			s += "<source>" + src + "</source>"
		}
		return s + `</sources><packages><package><classes><class filename="pkg/mod.py"><lines><line number="1" hits="1"/></lines></class></classes></package></packages></coverage>`
	}
	tests := []struct {
		name    string
		sources []string
		opt     Options
		want    string
	}{
		{"no sources", nil, Options{}, "pkg/mod.py"},
		{"dot", []string{"."}, Options{}, "pkg/mod.py"},
		{"source under repo root", []string{"/ci/repo/src"}, Options{RepoRoot: "/ci/repo"}, "src/pkg/mod.py"},
		{"source on a github runner", []string{"/home/runner/work/r/r/lib"}, Options{}, "lib/pkg/mod.py"},
		{"source elsewhere", []string{"/somewhere/else"}, Options{}, "pkg/mod.py"},
		{"junk sources skipped", []string{"--source", "$GOMODCACHE", "/ci/repo/src"}, Options{RepoRoot: "/ci/repo"}, "src/pkg/mod.py"},
		{"relative source", []string{"src"}, Options{}, "src/pkg/mod.py"},
		{"first source that is a known file", []string{"/ci/repo/a", "/ci/repo/b"}, Options{RepoRoot: "/ci/repo", KnownFiles: []string{"b/pkg/mod.py"}}, "b/pkg/mod.py"},
		{"no known join: filename by suffix", []string{"/elsewhere"}, Options{KnownFiles: []string{"app/pkg/mod.py"}}, "app/pkg/mod.py"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := parseString(doc(tt.sources...), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if r.Files[tt.want] == nil {
				t.Errorf("files %v, want %s", r.SortedPaths(), tt.want)
			}
		})
	}
}

// TestLefthookModules: a profile that names the same files under two module
// paths (lefthook and lefthook/v2) merges onto the repository's files when
// KnownFiles are given.
func TestLefthookModules(t *testing.T) {
	plain := parseFile(t, "go/coveralls-lefthook-coverage.out", Options{ModulePath: "github.com/evilmartians/lefthook/v2"})
	// The repository's files: the paths below either module path.
	var known []string
	for _, p := range plain.SortedPaths() {
		known = append(known, strings.TrimPrefix(p, "github.com/evilmartians/lefthook/"))
	}
	merged := parseFile(t, "go/coveralls-lefthook-coverage.out", Options{ModulePath: "github.com/evilmartians/lefthook/v2", KnownFiles: known})
	for p := range merged.Files {
		if p[0] == 'g' {
			t.Errorf("%s not mapped onto a known file", p)
		}
	}
	if len(merged.Files) >= len(plain.Files) {
		t.Errorf("merged %d files, plain %d: nothing merged", len(merged.Files), len(plain.Files))
	}
	f := merged.Files["internal/log/log.go"]
	if f == nil || f.Lines[47] != 1 || f.Lines[61] != 0 {
		t.Errorf("internal/log/log.go = %+v", f)
	}
}

// TestBasePathSample: coveralls' base-path fixtures. for-base-path.lcov names
// files relative to spec/fixtures/lcov; test.lcov names two of them from the
// repository root (its dist/<define:DATA> is not prefixed).
func TestBasePathSample(t *testing.T) {
	rel := parseFile(t, "lcov/coveralls-for-base-path.lcov", Options{BasePath: "spec/fixtures/lcov"})
	full := parseFile(t, "lcov/coveralls-test.lcov", Options{})
	for _, p := range []string{"spec/fixtures/lcov/index.js", "spec/fixtures/lcov/lib/run.js"} {
		a, b := rel.Files[p], full.Files[p]
		if a == nil || b == nil {
			t.Fatalf("%s: %v / %v", p, rel.SortedPaths(), full.SortedPaths())
		}
		if a.Covered != b.Covered || a.Total != b.Total {
			t.Errorf("%s: %d/%d vs %d/%d", p, a.Covered, a.Total, b.Covered, b.Total)
		}
	}
}
