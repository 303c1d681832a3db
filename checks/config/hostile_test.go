package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadDirHostile: a .mpgate.yml that links out of the checkout, to a
// device or is a FIFO is refused at once, and the error names the file,
// never where the link leads.
func TestLoadDirHostile(t *testing.T) {
	t.Parallel()
	outside := filepath.Join(t.TempDir(), "secret.yml")
	if err := os.WriteFile(outside, []byte("version: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{"link to /dev/zero", func(t *testing.T, p string) { must(t, os.Symlink("/dev/zero", p)) }},
		{"link out of the checkout", func(t *testing.T, p string) { must(t, os.Symlink(outside, p)) }},
		{"FIFO", func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Skip("no FIFOs here:", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			tt.setup(t, filepath.Join(dir, DefaultFile))
			done := make(chan error, 1)
			go func() {
				_, err := LoadDir(dir)
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("LoadDir read it")
				}
				if msg := err.Error(); strings.Contains(msg, outside) || strings.Contains(msg, "/dev/zero") || !strings.Contains(msg, DefaultFile) {
					t.Errorf("error %q: want it to name %s and not the link's target", msg, DefaultFile)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("LoadDir blocked")
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
