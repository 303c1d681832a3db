package workspace

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
)

// Sweep removes the matching worktrees only, and a full sweep removes
// them all; a data directory never used is no error.
func TestLayoutSweep(t *testing.T) {
	for _, tt := range []struct {
		name  string
		match func(string) bool
		left  []string
	}{
		{"every worktree", nil, nil},
		{"one head's", func(n string) bool { return strings.HasPrefix(n, "aaaaaaaaaaaa-") }, []string{"bbbbbbbbbbbb-2"}},
		{"none matches", func(string) bool { return false }, []string{"aaaaaaaaaaaa-1", "aaaaaaaaaaaa-push", "bbbbbbbbbbbb-2"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := Layout{Root: t.TempDir()}
			if n, err := l.Sweep(context.Background(), tt.match); err != nil || n != 0 {
				t.Fatalf("sweep of an empty data directory = %d, %v", n, err)
			}
			for _, d := range []string{"aaaaaaaaaaaa-1", "aaaaaaaaaaaa-push", "bbbbbbbbbbbb-2"} {
				if err := os.MkdirAll(l.Worktree(d)+"/dist", 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := l.Sweep(context.Background(), tt.match); err != nil {
				t.Fatal(err)
			}
			ents, _ := os.ReadDir(l.Worktrees())
			var left []string
			for _, e := range ents {
				left = append(left, e.Name())
			}
			if !slices.Equal(left, tt.left) {
				t.Errorf("left %v, want %v", left, tt.left)
			}
		})
	}
}
