package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadAll(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"a.js": "abc", "sub/b.wxml": "<view/>", "sub/deeper/c.png": "\x89PNG", "empty.json": ""}
	var want int64
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		want += int64(len(body))
	}
	tests := []struct {
		name       string
		root       string
		wantFiles  int64
		wantBytes  int64
		wantErrSub string
	}{
		{"tree", dir, int64(len(files)), want, ""},
		{"missing root", filepath.Join(dir, "nope"), 0, 0, "walk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, b, err := readAll(tt.root)
			if tt.wantErrSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrSub) {
					t.Fatalf("err = %v, want %q", err, tt.wantErrSub)
				}
				return
			}
			if err != nil || n != tt.wantFiles || b != tt.wantBytes {
				t.Errorf("readAll = %d files, %d bytes, %v; want %d, %d", n, b, err, tt.wantFiles, tt.wantBytes)
			}
		})
	}
}
