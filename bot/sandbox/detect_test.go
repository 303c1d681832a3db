//go:build linux

package sandbox

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeBwrap writes an executable named bwrap that prints msg on standard
// error and exits 1, as bwrap does when it cannot build the sandbox, and
// answers --version.
func fakeBwrap(t *testing.T, msg string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "bwrap")
	if err := os.WriteFile(filepath.Join(dir, "message"), []byte(msg+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'bubblewrap 0.0.1-fake'; exit 0; fi\n" +
		"cat '" + filepath.Join(dir, "message") + "' >&2\nexit 1\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestProbeErrors(t *testing.T) {
	tests := []struct {
		name string
		msg  string // bwrap's message
		want []string
	}{
		{
			name: "user namespaces off",
			msg:  "bwrap: setting up uid map: Permission denied",
			want: []string{"setting up uid map: Permission denied", "unprivileged user namespaces are off", "seccomp=unconfined", "container runtime sandbox"},
		},
		{
			name: "user namespaces not allowed by the kernel",
			msg:  "bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces.",
			want: []string{"unprivileged user namespaces are off", "kernel.unprivileged_userns_clone"},
		},
		{
			name: "Docker masks /proc",
			msg:  "bwrap: Can't mount proc on /newroot/proc: Operation not permitted",
			want: []string{"masks parts of /proc", "systempaths=unconfined", "unmask=ALL"},
		},
		{
			name: "no user namespaces left",
			msg:  "bwrap: Creating new namespace failed: No space left on device",
			want: []string{"max_user_namespaces"},
		},
		{
			name: "old bwrap",
			msg:  "bwrap: Unknown option --clearenv",
			want: []string{"too old", "0.5 or newer"},
		},
		{
			name: "mount refused by a policy",
			msg:  "bwrap: Failed to make / slave: Permission denied",
			want: []string{"apparmor=unconfined"},
		},
		{
			name: "unknown failure is quoted",
			msg:  "bwrap: something new",
			want: []string{"cannot create a sandbox: bwrap: something new"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := fakeBwrap(t, tt.msg)
			_, err := (&Bwrap{Path: path, ReadOnly: []string{}}).Probe(t.Context())
			if err == nil {
				t.Fatal("probe of a failing bwrap succeeded")
			}
			for _, w := range append(tt.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestDetectErrors: Detect through PATH, as the server calls it.
func TestDetectErrors(t *testing.T) {
	t.Run("failing bwrap", func(t *testing.T) {
		path := fakeBwrap(t, "bwrap: setting up uid map: Permission denied")
		t.Setenv("PATH", filepath.Dir(path)+":/usr/bin:/bin")
		w, desc, err := Detect(t.Context())
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "uid map") {
			t.Fatalf("err = %v", err)
		}
		u, ok := w.(Unavailable)
		if !ok || desc != "" {
			t.Fatalf("wrapper %T, description %q; want Unavailable and none", w, desc)
		}
		if !strings.Contains(u.Reason, "unprivileged user namespaces") {
			t.Errorf("reason %q", u.Reason)
		}
	})
	t.Run("no bwrap", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		w, _, err := Detect(t.Context())
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "apt-get install bubblewrap") {
			t.Fatalf("err = %v", err)
		}
		if _, ok := w.(Unavailable); !ok {
			t.Errorf("wrapper %T", w)
		}
	})
	t.Run("bwrap that does nothing", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "bwrap")
		if err := os.WriteFile(path, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := (&Bwrap{Path: path, ReadOnly: []string{}}).Probe(t.Context())
		if err == nil || !strings.Contains(err.Error(), "not writable") {
			t.Errorf("err = %v, want the probe to notice nothing ran", err)
		}
	})
	t.Run("path that does not exist", func(t *testing.T) {
		_, err := (&Bwrap{Path: "/nonexistent/bwrap", ReadOnly: []string{}}).Probe(t.Context())
		if err == nil || !strings.Contains(err.Error(), "/nonexistent/bwrap") {
			t.Errorf("err = %v", err)
		}
	})
}
