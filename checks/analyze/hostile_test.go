package analyze

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/tree"
)

// hostSecret stands for a file of the server (an App key) that a checkout
// links to: no byte of it and no host path may reach a report.
const hostSecret = "-----BEGIN RSA PRIVATE KEY-----\nMIIEsecret\n"

// hostileDir is a mini-program beside a "host" directory outside it that
// holds a secret and a few files.
func hostileDir(t *testing.T) (dir, host string) {
	t.Helper()
	base := t.TempDir()
	host = filepath.Join(base, "host")
	for _, f := range []string{"app.pem", "etc/passwd", "etc/shadow", "app.json"} {
		p := filepath.Join(host, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		content := hostSecret
		if f == "app.json" {
			content = `{"pages":["hostpage"]}`
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dir = filepath.Join(base, "repo")
	for name, content := range program() {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, host
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// runBounded runs the analysis and fails the test if it blocks (a FIFO).
func runBounded(t *testing.T, dir string, opt Options) (*checks.Report, error) {
	t.Helper()
	type out struct {
		rep *checks.Report
		err error
	}
	done := make(chan out, 1)
	go func() {
		rep, err := Run(context.Background(), dir, opt)
		done <- out{rep, err}
	}()
	select {
	case o := <-done:
		return o.rep, o.err
	case <-time.After(time.Minute):
		t.Fatal("the analysis blocked")
		return nil, nil
	}
}

// leaks reports what of the host shows in the report or the error.
func leaks(t *testing.T, rep *checks.Report, err error, host string) string {
	t.Helper()
	var text string
	if rep != nil {
		b, jerr := json.Marshal(rep)
		if jerr != nil {
			t.Fatal(jerr)
		}
		text = string(b)
	}
	if err != nil {
		text += "\n" + err.Error()
	}
	for _, bad := range []string{host, "BEGIN", "MIIE", "passwd", "shadow", "hostpage", "'-'"} {
		if strings.Contains(text, bad) {
			return bad
		}
	}
	return ""
}

func TestHostileContent(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir, host string)
		// wantErr: the run fails (with this text); else wantDiag is
		// among the diagnostics.
		wantErr  string
		wantDiag at
	}{
		{"settings linked to /dev/zero", func(t *testing.T, dir, host string) {
			symlink(t, "/dev/zero", filepath.Join(dir, "project.config.json"))
		}, "", at{rule: checks.MP113, file: "project.config.json"}},
		{"settings linked to a host key", func(t *testing.T, dir, host string) {
			symlink(t, filepath.Join(host, "app.pem"), filepath.Join(dir, "project.config.json"))
		}, "", at{rule: checks.MP113, file: "project.config.json"}},
		{"settings linked through ..", func(t *testing.T, dir, host string) {
			symlink(t, "../host/app.pem", filepath.Join(dir, "project.config.json"))
		}, "", at{rule: checks.MP113, file: "project.config.json"}},
		{"private settings linked to /dev/zero", func(t *testing.T, dir, host string) {
			os.WriteFile(filepath.Join(dir, "project.config.json"), []byte(`{"appid":"wx0123456789abcdef"}`), 0o644)
			symlink(t, "/dev/zero", filepath.Join(dir, "project.private.config.json"))
		}, "", at{}},
		{"settings are a FIFO", func(t *testing.T, dir, host string) {
			if err := syscall.Mkfifo(filepath.Join(dir, "project.config.json"), 0o644); err != nil {
				t.Skip("no FIFOs here:", err)
			}
		}, "", at{rule: checks.MP113, file: "project.config.json"}},
		{"app.json is a FIFO reached through a link", func(t *testing.T, dir, host string) {
			os.Remove(filepath.Join(dir, "app.json"))
			if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
				t.Skip("no FIFOs here:", err)
			}
			symlink(t, "fifo", filepath.Join(dir, "app.json"))
		}, "", at{rule: checks.MP101, file: "app.json"}},
		{"app.json linked to /dev/zero", func(t *testing.T, dir, host string) {
			os.Remove(filepath.Join(dir, "app.json"))
			symlink(t, "/dev/zero", filepath.Join(dir, "app.json"))
		}, "", at{rule: checks.MP101, file: "app.json"}},
		{"app.json linked out", func(t *testing.T, dir, host string) {
			os.Remove(filepath.Join(dir, "app.json"))
			symlink(t, filepath.Join(host, "app.json"), filepath.Join(dir, "app.json"))
		}, "", at{rule: checks.MP112, file: "app.json"}},
		{"a folder linked to the host", func(t *testing.T, dir, host string) {
			symlink(t, filepath.Join(host, "etc"), filepath.Join(dir, "etc"))
		}, "", at{rule: checks.MP112, file: "etc"}},
		{"miniprogramRoot through a linked folder", func(t *testing.T, dir, host string) {
			symlink(t, host, filepath.Join(dir, "src"))
			os.WriteFile(filepath.Join(dir, "project.config.json"), []byte(`{"miniprogramRoot":"src/"}`), 0o644)
		}, `mini-program root "src"`, at{}},
		{"a huge sparse app.json", func(t *testing.T, dir, host string) {
			f, err := os.OpenFile(filepath.Join(dir, "app.json"), os.O_RDWR|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(64 << 30); err != nil {
				t.Skip("no sparse files here:", err)
			}
		}, "more than the 536870912 bytes one analysis reads", at{}},
		{"an app.json above the manifest cap", func(t *testing.T, dir, host string) {
			if err := os.Truncate(filepath.Join(dir, "app.json"), 20<<20); err != nil {
				t.Fatal(err)
			}
		}, "", at{rule: checks.MP101, file: "app.json"}},
		{"a huge sparse script", func(t *testing.T, dir, host string) {
			f, err := os.Create(filepath.Join(dir, "big.js"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(64 << 30); err != nil {
				t.Skip("no sparse files here:", err)
			}
		}, "more than the 536870912 bytes one analysis reads", at{}},
		{"a deep tree", func(t *testing.T, dir, host string) {
			p := dir
			for range tree.DefaultLimits.MaxDepth + 1 {
				p = filepath.Join(p, "d")
			}
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "directories deep (the limit)", at{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, host := hostileDir(t)
			tt.setup(t, dir, host)
			rep, err := runBounded(t, dir, Options{Platform: "wechat"})
			if bad := leaks(t, rep, err, host); bad != "" {
				t.Errorf("the report or error shows %q of the host", bad)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Run = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantDiag.rule != "" && !found(rep.Diagnostics, tt.wantDiag) {
				t.Errorf("no %v:\n%s", tt.wantDiag, dump(rep.Diagnostics))
			}
		})
	}
}

func TestReadFileIn(t *testing.T) {
	dir, host := hostileDir(t)
	symlink(t, "/dev/zero", filepath.Join(dir, "zero"))
	symlink(t, filepath.Join(host, "app.pem"), filepath.Join(dir, "key"))
	symlink(t, "app.json", filepath.Join(dir, "inside"))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Skip(err)
	}
	for _, tc := range []struct {
		name string
		want error // nil: readable
	}{
		{"app.json", nil},
		{"inside", nil},
		{"fifo", tree.ErrNotRegular},
		{"zero", nil}, // refused: escapes the root (os.Root's own error)
		{"key", nil},
		{"missing", nil},
	} {
		b, err := tree.ReadFileIn(dir, tc.name, 1<<20)
		switch tc.name {
		case "app.json", "inside":
			if err != nil || len(b) == 0 {
				t.Errorf("%s: %v", tc.name, err)
			}
		case "missing":
			if !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: %v, want not exist", tc.name, err)
			}
		default:
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("%s: read %d bytes, %v; want refused", tc.name, len(b), err)
			}
			if err != nil && (strings.Contains(err.Error(), host) || strings.Contains(err.Error(), "/dev/zero")) {
				t.Errorf("%s: the error names the target: %v", tc.name, err)
			}
		}
	}
}
