package main

import (
	"os"
	"path/filepath"
	"testing"
)

// copyExamples copies the bundled example mini-programs into a directory of
// the test's own, outside any git repository, so no report names a commit.
func copyExamples(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"shop", "shop-broken"} {
		if err := os.CopyFS(filepath.Join(dir, name), os.DirFS(filepath.Join("..", "..", "examples", name))); err != nil {
			t.Fatal(err)
		}
	}
	cfg := "projects:\n  - name: shop\n    root: shop\n  - name: broken\n    root: shop-broken\n"
	if err := os.WriteFile(filepath.Join(dir, ".mpgate.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCheckExamplesGolden locks what `mpgate check` prints for the bundled
// examples, in the report family (no base) and the result family
// (--base-report, the shop as base and shop-broken as head), with the real
// engine: changes to the check pipeline or its renderers show here first.
// go test -run TestCheckExamplesGolden -update rewrites testdata/check/.
func TestCheckExamplesGolden(t *testing.T) {
	dir := copyExamples(t)
	base := filepath.Join(t.TempDir(), "shop.json")
	if got := runArgs(t, nil, "check", "--no-cache", "--include-files", "--format", "json", "--output", base, filepath.Join(dir, "shop")); got.code != 0 {
		t.Fatalf("writing the base report: code %d, stderr %q", got.code, got.stderr)
	}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"shop", []string{filepath.Join(dir, "shop")}, exitPass},
		{"shop-broken", []string{filepath.Join(dir, "shop-broken")}, exitFail},
		{"compare", []string{"--base-report", base, filepath.Join(dir, "shop-broken")}, exitFail},
		// Two projects from a config, the second in a subdirectory: the
		// overall verdict, the separators and the locations' prefixes.
		{"multi", []string{dir}, exitFail},
		{"multi-project", []string{"--project", "broken", dir}, exitFail},
	}
	formats := map[string]string{"text": "txt", "markdown": "md", "json": "json", "sarif": "sarif", "codequality": "cq.json"}
	for _, tt := range tests {
		for format, ext := range formats {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				args := append([]string{"check", "--no-cache", "--format", format}, tt.args...)
				got := runArgs(t, nil, args...)
				if got.code != tt.code {
					t.Fatalf("code %d, want %d; stderr %q", got.code, tt.code, got.stderr)
				}
				golden(t, filepath.Join("check", tt.name+"."+ext), []byte(got.stdout))
			})
		}
	}
}
