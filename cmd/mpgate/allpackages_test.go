package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckAllPackages compares the bundled shop with its own report: every
// package keeps its size, so the text table folds them into one counted
// line naming --all-packages, and --all-packages lists them.
func TestCheckAllPackages(t *testing.T) {
	dir := copyExamples(t)
	shop := filepath.Join(dir, "shop")
	base := filepath.Join(t.TempDir(), "shop.json")
	if got := runArgs(t, nil, "check", "--no-cache", "--include-files", "--format", "json", "--output", base, shop); got.code != 0 {
		t.Fatalf("writing the base report: code %d, stderr %q", got.code, got.stderr)
	}
	tests := []struct {
		name      string
		args      []string
		want, not []string
	}{
		{"folded", nil, []string{"4 unchanged packages not shown (--all-packages shows them).", "TOTAL"}, []string{"packageGoods", "__APP__"}},
		{"all", []string{"--all-packages"}, []string{"__APP__", "packageGoods", "packageOrder", "packageActivity", "TOTAL"}, []string{"not shown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"check", "--no-cache", "--no-color", "--base-report", base}, tt.args...), shop)
			got := runArgs(t, nil, args...)
			if got.code != exitPass {
				t.Fatalf("code %d, want %d; stderr %q", got.code, exitPass, got.stderr)
			}
			table, _, _ := strings.Cut(got.stdout, "Sizes:")
			for _, w := range tt.want {
				if !strings.Contains(table, w) {
					t.Errorf("the table has no %q:\n%s", w, table)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(table, n) {
					t.Errorf("the table has %q:\n%s", n, table)
				}
			}
		})
	}
}
