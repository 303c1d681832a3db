package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, format)
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.errors = append(r.errors, format)
	r.fatal = true
}
func (r *recorder) Fatal(args ...any) { r.fatal = true }

func TestCheck(t *testing.T) {
	if Updating() {
		t.Skip("the test of -update itself runs without it")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "a.golden")
	if err := os.WriteFile(path, []byte("same\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		got     string
		wantErr string // a word of the failure; "" for none
	}{
		{"equal", path, "same\n", ""},
		{"differs", path, "other\n", "differs"},
		{"missing", filepath.Join(dir, "none.golden"), "x", "-update"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			Check(r, tt.path, []byte(tt.got))
			failed := strings.Join(r.errors, "\n")
			if tt.wantErr == "" && failed != "" {
				t.Errorf("Check failed: %s", failed)
			}
			if tt.wantErr != "" && !strings.Contains(failed, tt.wantErr) {
				t.Errorf("Check failures %q, want one saying %q", failed, tt.wantErr)
			}
		})
	}
}

func TestCheckUpdate(t *testing.T) {
	old := *update
	*update = true
	t.Cleanup(func() { *update = old })
	path := filepath.Join(t.TempDir(), "sub", "new.golden")
	r := &recorder{TB: t}
	Check(r, path, []byte("written\n"))
	if len(r.errors) > 0 || r.fatal {
		t.Fatalf("Check under -update failed: %v", r.errors)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "written\n" {
		t.Errorf("golden file after -update: %q, %v; want %q", b, err, "written\n")
	}
}
