package tree

import (
	"context"
	"path/filepath"
	"testing"
)

// TestStatSkipped: files inside a skipped directory (node_modules) are
// looked up on demand through the os.Root; paths outside skipped
// directories, invalid paths and symlinks leading out are not answered.
func TestStatSkipped(t *testing.T) {
	dir := build(t, map[string]string{
		"app.json":                       "{}",
		"node_modules/pkg/index.js":      "module.exports = 1\n",
		"sub/node_modules/near/index.js": "x",
	})
	outside := build(t, map[string]string{"secret.js": "s"})
	symlink(t, filepath.Join(outside, "secret.js"), filepath.Join(dir, "node_modules", "leak.js"))
	tr, err := Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	tests := []struct {
		path      string
		ok, isDir bool
		size      int64
	}{
		{path: "node_modules/pkg/index.js", ok: true, size: 19},
		{path: "node_modules/pkg", ok: true, isDir: true},
		{path: "node_modules", ok: true, isDir: true},
		{path: "sub/node_modules/near/index.js", ok: true, size: 1},
		{path: "node_modules/pkg/missing.js"},
		{path: "app.json"},                   // walked: the walk answers
		{path: "node_modules/../app.json"},   // invalid
		{path: "node_modules/leak.js"},       // symlink out of the root
		{path: "node_modulesX/pkg/index.js"}, // not a skipped directory
		{path: "/node_modules/pkg/index.js"}, // absolute
	}
	for _, tc := range tests {
		f, isDir, ok := tr.StatSkipped(tc.path)
		if ok != tc.ok || isDir != tc.isDir || f.Size != tc.size {
			t.Errorf("StatSkipped(%q) = %+v, %v, %v; want ok %v, dir %v, size %d", tc.path, f, isDir, ok, tc.ok, tc.isDir, tc.size)
		}
	}
}
