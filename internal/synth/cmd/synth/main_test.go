package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		args    func(dir string) []string
		wantErr string
		wantOut string
	}{
		{"no -out", func(string) []string { return nil }, "-out is required", ""},
		{"bad flag", func(string) []string { return []string{"-nope"} }, "not defined", ""},
		{"too few files", func(d string) []string { return []string{"-out", d, "-files", "10"} }, "too few", ""},
		{"small project", func(d string) []string {
			return []string{"-out", d, "-files", "300", "-subpackages", "4", "-seed", "9"}
		}, "", "wrote 300 files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(tt.args(filepath.Join(t.TempDir(), "p")), &out, &errOut)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if !strings.Contains(out.String(), tt.wantOut) || !strings.Contains(out.String(), "4 subpackages (1 independent)") {
				t.Errorf("output %q, want it to contain %q and the subpackage count", out.String(), tt.wantOut)
			}
		})
	}
}
