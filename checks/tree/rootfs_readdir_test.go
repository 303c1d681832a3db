package tree

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestRootFSReadDirSameAsOpen: the fast listing (fs.ReadDirFS) gives the
// entries, types and Info that fs.ReadDir through os.Root's Open gives, for
// files, directories and links inside, out of and nowhere, and fs.WalkDir
// visits the same paths with both.
func TestRootFSReadDirSameAsOpen(t *testing.T) {
	outside := t.TempDir()
	dir := t.TempDir()
	for _, d := range []string{"pages/index", "node_modules/x", ".git", "empty"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for f, body := range map[string]string{"app.json": "{}", "pages/index/index.wxml": "<view/>",
		"pages/index/index.js": "Page({})", "node_modules/x/a.js": "1", ".git/HEAD": "ref"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{"in": "pages", "out": outside, "dangling": "nowhere",
		"pages/index/up": "../../app.json"} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	fast, slow := RootFS{Root: root}, rootOpenOnly{RootFS{Root: root}}
	for _, name := range []string{".", "pages", "pages/index", "node_modules", "empty"} {
		got, err := fast.ReadDir(name)
		if err != nil {
			t.Fatalf("ReadDir(%q): %v", name, err)
		}
		want, err := fs.ReadDir(slow, name)
		if err != nil {
			t.Fatalf("fs.ReadDir(%q): %v", name, err)
		}
		if len(got) != len(want) {
			t.Fatalf("ReadDir(%q): %d entries, want %d", name, len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if g.Name() != w.Name() || g.Type() != w.Type() || g.IsDir() != w.IsDir() {
				t.Errorf("ReadDir(%q)[%d] = %s %v, want %s %v", name, i, g.Name(), g.Type(), w.Name(), w.Type())
			}
			gi, gerr := g.Info()
			wi, werr := w.Info()
			if (gerr == nil) != (werr == nil) {
				t.Fatalf("%s/%s Info error %v, want %v", name, g.Name(), gerr, werr)
			}
			if gerr == nil && (gi.Name() != wi.Name() || gi.Mode() != wi.Mode() || gi.Size() != wi.Size()) {
				t.Errorf("%s/%s Info = %s %v %d, want %s %v %d", name, g.Name(), gi.Name(), gi.Mode(), gi.Size(), wi.Name(), wi.Mode(), wi.Size())
			}
		}
	}
	walk := func(fsys fs.FS) []string {
		var out []string
		if err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			out = append(out, p)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got, want := walk(fast), walk(slow); !slices.Equal(got, want) {
		t.Errorf("WalkDir visits %v, want %v", got, want)
	}
	if _, err := fast.ReadDir("missing"); err == nil {
		t.Error("ReadDir of a missing directory: no error")
	}
	if _, err := fast.ReadDir("out"); err == nil {
		t.Error("ReadDir through a link out of the root: no error")
	}
}

// BenchmarkRootFSWalkDir: fs.WalkDir of 2,000 files in 100 directories
// (platform detection's listing) through os.Root's Open and ReadDir, and
// through RootFS.ReadDir.
func BenchmarkRootFSWalkDir(b *testing.B) {
	dir := b.TempDir()
	for d := range 100 {
		sub := filepath.Join(dir, "pages", "p"+string(rune('a'+d%26))+string(rune('a'+d/26)))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range 20 {
			if err := os.WriteFile(filepath.Join(sub, "f"+string(rune('a'+f))+".wxml"), []byte("<view/>"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer root.Close()
	for _, bc := range []struct {
		name string
		fsys fs.FS
	}{{"os.Root", rootOpenOnly{RootFS{Root: root}}}, {"ReadDir", RootFS{Root: root}}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				n := 0
				_ = fs.WalkDir(bc.fsys, ".", func(string, fs.DirEntry, error) error { n++; return nil })
				if n != 2102 {
					b.Fatalf("visited %d", n)
				}
			}
		})
	}
}
