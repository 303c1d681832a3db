package filecache

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestGoBuildID: the test binary (an ELF executable linked by the go
// command on Linux) is named by its build ID; a file that is not an ELF
// executable is not (BuildVersion then hashes it whole).
func TestGoBuildID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	notELF := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	id := goBuildID(exe)
	if runtime.GOOS == "linux" && !strings.HasPrefix(id, "buildid-") {
		t.Errorf("goBuildID(test binary) = %q, want a build ID", id)
	}
	if again := goBuildID(exe); again != id {
		t.Errorf("goBuildID not stable: %q then %q", id, again)
	}
	if got := goBuildID(notELF); got != "" {
		t.Errorf("goBuildID(shell script) = %q, want empty", got)
	}
	if got := goBuildID(filepath.Join(t.TempDir(), "missing")); got != "" {
		t.Errorf("goBuildID(missing) = %q, want empty", got)
	}
}
