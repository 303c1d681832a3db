package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (go test -update creates it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestHelpGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"help.txt", []string{"help"}},
		{"check-help.txt", []string{"check", "-h"}},
		{"healthcheck-help.txt", []string{"healthcheck", "-h"}},
		{"help-healthcheck.txt", []string{"help", "healthcheck"}},
		{"report-health-help.txt", []string{"report", "health", "-h"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runArgs(t, nil, tt.args...)
			if got.code != 0 || got.stderr != "" {
				t.Fatalf("code %d, stderr %q", got.code, got.stderr)
			}
			golden(t, tt.name, []byte(got.stdout))
		})
	}
}

// TestReportGolden pins the text report of a failing check end to end
// through run, with the engine faked.
func TestReportGolden(t *testing.T) {
	fakeEngine(t, failing)
	dir := t.TempDir()
	for _, format := range []string{"text", "markdown", "json"} {
		t.Run(format, func(t *testing.T) {
			got := runArgs(t, nil, "check", "--format", format, dir)
			if got.code != 1 {
				t.Fatalf("code %d, stderr %q", got.code, got.stderr)
			}
			golden(t, "report."+format, []byte(got.stdout))
		})
	}
}
