package js

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestForkIsUpstream: the copied files are those of the
// github.com/tdewolff/minify/v2 the module builds with, byte for byte
// (FORK.md says how to copy them again after a version bump).
func TestForkIsUpstream(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/tdewolff/minify/v2").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/tdewolff/minify/v2: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		t.Fatal("go list -m gave no directory for github.com/tdewolff/minify/v2 (run go mod download)")
	}
	for _, f := range []string{"js/js.go", "js/stmtlist.go", "js/util.go", "js/vars.go", "LICENSE"} {
		want, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from upstream's %s: copy it again (FORK.md)", filepath.Base(f), filepath.Join(dir, f))
		}
	}
}
