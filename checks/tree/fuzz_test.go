package tree

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzOpen: whatever path is given, Open and ReadFile never panic and never
// read the file that lies outside the root (reachable by "..", an absolute
// path, or a symlink).
func FuzzOpen(f *testing.F) {
	base := f.TempDir()
	outside := filepath.Join(base, "outside")
	root := filepath.Join(base, "root")
	for _, d := range []string{outside, filepath.Join(root, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			f.Fatal(err)
		}
	}
	const secret = "SECRET-OUTSIDE"
	if err := os.WriteFile(filepath.Join(outside, "secret.js"), []byte(secret), 0o644); err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "sub", "in.js"), []byte("inside"), 0o644); err != nil {
		f.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "out")); err != nil {
		f.Skipf("symlinks not supported: %v", err)
	}
	if err := os.Symlink("../../outside/secret.js", filepath.Join(root, "sub", "s.js")); err != nil {
		f.Fatal(err)
	}
	tr, err := Walk(context.Background(), root)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"sub/in.js", "../outside/secret.js", "out/secret.js", "sub/s.js", "/" + outside + "/secret.js", "sub/../../outside/secret.js", "sub/./in.js", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if rc, err := tr.Open(p); err == nil {
			b, _ := io.ReadAll(rc)
			rc.Close()
			if strings.Contains(string(b), secret) {
				t.Fatalf("Open(%q) read the file outside the root", p)
			}
		}
		if b, err := tr.ReadFile(p, 1<<10); err == nil && strings.Contains(string(b), secret) {
			t.Fatalf("ReadFile(%q) read the file outside the root", p)
		}
		tr.Exists(p)
		tr.IsDir(p)
		tr.Lookup(p)
	})
}
