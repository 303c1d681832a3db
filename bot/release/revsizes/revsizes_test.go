package revsizes

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/config"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestModuleSize: a repository holding the shop example grows by an image
// between two commits; the module is measured at both (the older one in a
// worktree that is gone afterwards), and a module never released has no
// size line.
func TestModuleSize(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "..", "examples", "shop"))); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "shop")
	first := git(t, dir, "rev-parse", "HEAD")
	if err := os.WriteFile(filepath.Join(dir, "miniprogram", "big.png"), []byte(strings.Repeat("x", 4096)), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "an image")

	cfg := config.Default()
	cfg.Modules = []config.Module{{Name: "shop", Paths: []string{"**"}}}
	s, err := New(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, _, ok, err := s.ModuleSize(ctx, "shop", "", "HEAD"); err != nil || ok {
		t.Fatalf("never released: ok %v, err %v", ok, err)
	}
	then, now, ok, err := s.ModuleSize(ctx, "shop", first, "HEAD")
	if err != nil || !ok {
		t.Fatalf("ok %v, err %v", ok, err)
	}
	if now-then < 4096 {
		t.Errorf("grew from %d to %d bytes, want at least the 4096-byte image", then, now)
	}
	held, err := s.Held(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 0 {
		t.Errorf("held %v: the example has no error finding", held)
	}
	if out := git(t, dir, "worktree", "list"); strings.Count(out, "\n") != 0 {
		t.Errorf("a measuring worktree is left:\n%s", out)
	}
}
