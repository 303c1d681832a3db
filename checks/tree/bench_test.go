package tree

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkWalk walks 50,000 files in 500 directories (plus a node_modules
// that must be skipped).
func BenchmarkWalk(b *testing.B) {
	dir := b.TempDir()
	for d := range 500 {
		sub := filepath.Join(dir, fmt.Sprintf("pkg%d/pages/p%d", d%20, d))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range 100 {
			if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%d.js", f)), []byte("x"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	nm := filepath.Join(dir, "node_modules", "big")
	if err := os.MkdirAll(nm, 0o755); err != nil {
		b.Fatal(err)
	}
	for f := range 1000 {
		if err := os.WriteFile(filepath.Join(nm, fmt.Sprintf("f%d.js", f)), nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		t, err := Walk(context.Background(), dir)
		if err != nil {
			b.Fatal(err)
		}
		if len(t.Files) != 50000 {
			b.Fatalf("%d files", len(t.Files))
		}
	}
}
