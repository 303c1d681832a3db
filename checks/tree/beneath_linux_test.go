package tree

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFileFastPathSameAsFile: Tree.ReadFile's bare-system-call path
// gives the bytes of the *os.File path, and leaves every other case (too
// large, not regular, a link out of the tree) to it, whose errors say so.
func TestReadFileFastPathSameAsFile(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("SECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"empty.js":   nil,
		"a/b/c.js":   []byte("require('./d')\n"),
		"big.js":     bytes.Repeat([]byte("x = 1;\n"), 100_000),
		"页面/首页.wxml": []byte("<view/>"),
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{"inside.js": "a/b/c.js", "out": filepath.Join(outside, "secret"), "a/up.js": "../big.js"} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skip(err)
		}
	}
	tr, err := Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.openRoot(); err != nil || tr.beneath == nil {
		t.Skip("no openat2 here")
	}
	for _, tt := range []struct {
		path string
		max  int64
		fast bool  // taken by the fast path
		want error // of ReadFile
	}{
		{"empty.js", -1, true, nil},
		{"a/b/c.js", 100, true, nil},
		{"big.js", -1, true, nil},
		{"页面/首页.wxml", 7, true, nil},
		{"inside.js", -1, true, nil},
		{"a/up.js", -1, true, nil},
		{"big.js", 1000, false, ErrTooLarge},
		{"a", -1, false, ErrIsDir},
		{"out", -1, false, nil}, // os.Root's error: escapes the root
		{"missing.js", -1, false, os.ErrNotExist},
	} {
		b, ok := tr.beneath.readFile(tt.path, tt.max)
		if ok != tt.fast {
			t.Errorf("%s: fast path %v, want %v", tt.path, ok, tt.fast)
		}
		got, err := tr.ReadFile(tt.path, tt.max)
		if !tt.fast {
			if err == nil {
				t.Errorf("%s: read %q", tt.path, got)
			} else if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("%s: %v, want %v", tt.path, err, tt.want)
			}
			continue
		}
		want, werr := os.ReadFile(filepath.Join(dir, filepath.FromSlash(tt.path)))
		if err != nil || werr != nil || !bytes.Equal(got, want) || !bytes.Equal(b, want) {
			t.Errorf("%s: %d bytes (%v), fast %d, want %d (%v)", tt.path, len(got), err, len(b), len(want), werr)
		}
	}
}

// BenchmarkReadFile: reading the files of a tree whole (the warm run's
// hot path).
func BenchmarkReadFile(b *testing.B) {
	dir := b.TempDir()
	for i := range 200 {
		name := filepath.Join("p", string(rune('a'+i%20)), strings.Repeat("f", 1+i%7)+".js")
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, bytes.Repeat([]byte("var x = 1;\n"), 200), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	tr, err := Walk(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range tr.Files {
			if _, err := tr.ReadFile(n.Path, -1); err != nil {
				b.Fatal(err)
			}
		}
	}
}
