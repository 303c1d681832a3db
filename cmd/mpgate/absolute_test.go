package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlainCheckAppliesAbsoluteGates: without a base (a local run, a push)
// the coverage minimum and lint gates still judge; the patch gate is skipped.
func TestPlainCheckAppliesAbsoluteGates(t *testing.T) {
	for _, tc := range []struct {
		name, cfg string
		code      int
		has       []string
	}{
		{"coverage below the minimum fails", "gates:\n  coverage: {report: lcov.info, min: 80%}\n", exitFail,
			[]string{"coverage", "50.00% (minimum 80%)", "skipped: no base"}},
		{"informational coverage passes", "gates:\n  coverage: {report: lcov.info, min: 80%, informational: true}\n", 0,
			[]string{"(informational: does not fail", "Verdict: PASS"}},
		{"lint errors fail", "gates:\n  lint: {report: eslint.json, changed_lines_only: true}\n", exitFail,
			[]string{"1 errors, 0 warnings in the report"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, ".mpgate.yml"), tc.cfg)
			writeFile(t, filepath.Join(dir, "lcov.info"), "SF:app.js\nDA:1,1\nDA:2,0\nend_of_record\n")
			writeFile(t, filepath.Join(dir, "eslint.json"), `[{"filePath":"`+filepath.Join(dir, "app.js")+`","messages":[{"ruleId":"no-undef","severity":2,"message":"x is not defined","line":1,"column":1}]}]`)
			if err := os.WriteFile(filepath.Join(dir, "app.js"), []byte("App({})\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			fakeEngine(t, passing)
			got := runArgs(t, nil, "check", dir)
			if got.code != tc.code {
				t.Errorf("exit code %d, want %d\n%s\n%s", got.code, tc.code, got.stdout, got.stderr)
			}
			for _, s := range tc.has {
				if !strings.Contains(got.stdout, s) {
					t.Errorf("output lacks %q:\n%s", s, got.stdout)
				}
			}
		})
	}
}
