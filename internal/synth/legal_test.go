package synth

import (
	"context"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/analyze"
)

// TestGeneratedProjectIsLegal runs the engine on generated projects: the
// generator promises that no packaging rule fires and every code file is
// reachable, so any diagnostic is a bug here or in the engine.
func TestGeneratedProjectIsLegal(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
	}{
		{"small", Options{Seed: 7, Files: 300, Subpackages: 5}},
		{"two subpackages", Options{Seed: 2, Files: 200, Subpackages: 2}},
		{"no subpackages", Options{Seed: 5, Files: 120, Subpackages: -1}},
		{"medium", Options{Seed: 11, Files: 2000, Subpackages: 12}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, st := generate(t, tt.opt)
			r, err := analyze.Run(context.Background(), dir, analyze.Options{})
			if err != nil {
				t.Fatalf("analyze: %v", err)
			}
			for _, d := range r.Diagnostics {
				t.Errorf("%s %s:%d:%d %s", d.Rule, d.File, d.Line, d.Column, d.Message)
			}
			if r.Verdict != checks.VerdictPass {
				t.Errorf("verdict %q, want %q", r.Verdict, checks.VerdictPass)
			}
			if len(r.Packages) != st.Subpackages+1 {
				t.Errorf("%d packages in the report, generated %d", len(r.Packages), st.Subpackages+1)
			}
			for _, p := range r.Packages {
				if want := st.PackageBytes[p.Name]; p.Bytes != want {
					t.Errorf("package %s: report %d bytes, generated %d", p.Name, p.Bytes, want)
				}
			}
		})
	}
}
