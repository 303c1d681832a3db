package tree

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSpecialFilesRefused: a FIFO reached through a link inside the root,
// a link to /dev/zero and a link out are never read, by the Tree or by
// OpenIn, and no error names the link's target.
func TestSpecialFilesRefused(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "key"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	for link, target := range map[string]string{"via": "fifo", "zero": "/dev/zero", "key": filepath.Join(outside, "key")} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "ok.js"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	for _, p := range tr.Problems {
		if strings.Contains(p.String(), outside) || strings.Contains(p.String(), "/dev/zero") {
			t.Errorf("problem names the target: %s", p)
		}
	}
	for _, name := range []string{"fifo", "via", "zero", "key"} {
		if _, err := tr.ReadFile(name, 1<<20); err == nil {
			t.Errorf("Tree.ReadFile(%s) read it", name)
		} else if strings.Contains(err.Error(), outside) || strings.Contains(err.Error(), "/dev/zero") {
			t.Errorf("Tree.ReadFile(%s): error names the target: %v", name, err)
		}
		if f, err := OpenIn(dir, name, -1); err == nil {
			f.Close()
			t.Errorf("OpenIn(%s) opened it", name)
		}
	}
	if _, err := tr.ReadFile("via", 1<<20); !errors.Is(err, ErrNotRegular) {
		t.Errorf("FIFO through a link: %v, want ErrNotRegular", err)
	}
	if f, err := OpenIn(dir, "ok.js", 0); !errors.Is(err, ErrTooLarge) {
		if err == nil {
			f.Close()
		}
		t.Errorf("OpenIn over the cap: %v, want ErrTooLarge", err)
	}
}

func TestWalkLimits(t *testing.T) {
	dir := t.TempDir()
	deep := filepath.Join(dir, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"1", "2", "3"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := WalkLimited(context.Background(), dir, Limits{MaxDepth: 2}); !errors.Is(err, ErrLimit) {
		t.Errorf("depth 3 with MaxDepth 2: %v, want ErrLimit", err)
	}
	if _, err := WalkLimited(context.Background(), dir, Limits{MaxFiles: 2}); !errors.Is(err, ErrLimit) {
		t.Errorf("3 files with MaxFiles 2: %v, want ErrLimit", err)
	}
	if _, err := WalkLimited(context.Background(), dir, Limits{MaxFiles: 3, MaxDepth: 3}); err != nil {
		t.Errorf("within the limits: %v", err)
	}
}
