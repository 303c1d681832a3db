//go:build unix

package sandbox

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot/build"
)

// fakeRuntime writes a stand-in for docker: "run" records its arguments
// and then behaves as body says; "kill NAME" and "rm -f NAME" record the
// name. No Docker
// engine is available to the tests; this checks mpgate's side: the
// arguments, the exit status passed through, and that a timed-out build's
// container is killed by name.
func fakeRuntime(t *testing.T, body string) (path, dir string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "docker")
	script := "#!/bin/sh\nd='" + dir + "'\n" +
		"case \"$1\" in\n" +
		"run) printf '%s\\n' \"$@\" > \"$d/run-args\"; " + body + " ;;\n" +
		"kill) echo \"$2\" >> \"$d/killed\" ;;\n" +
		"rm) echo \"$3\" >> \"$d/removed\" ;;\n" +
		"*) echo \"unexpected $1\" >&2; exit 2 ;;\n" +
		"esac\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestContainerRun(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr error
		exit    int
		output  string
	}{
		{"success", "echo built in container", nil, 0, "built in container"},
		{"failure status passes through", "echo broken; exit 3", build.ErrFailed, 3, "broken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, dir := fakeRuntime(t, tt.body)
			wt := t.TempDir()
			c := &Container{Runtime: rt, Image: "node:22", Name: func() string { return "mpgate-build-test" }}
			res, err := build.Run(t.Context(), build.Spec{Dir: wt, Command: "npm run build", Sandbox: c, Env: []string{"NODE_ENV=production"}})
			if !errors.Is(err, tt.wantErr) && !(tt.wantErr == nil && err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if res.ExitCode != tt.exit || res.Tail != tt.output {
				t.Errorf("exit %d output %q, want %d %q", res.ExitCode, res.Tail, tt.exit, tt.output)
			}
			args := readLines(t, filepath.Join(dir, "run-args"))
			want := []string{"node:22", "/bin/sh", "-c", "npm run build"}
			if len(args) < len(want) || !slices.Equal(args[len(args)-len(want):], want) {
				t.Errorf("run args %q end, want %q", args, want)
			}
			for _, w := range []string{"--network", "--rm", "-v", "NODE_ENV=production", wt + ":" + wt} {
				if !slices.Contains(args, w) {
					t.Errorf("run args %q lack %q", args, w)
				}
			}
			if k := readLines(t, filepath.Join(dir, "killed")); k != nil {
				t.Errorf("container killed after a normal exit: %q", k)
			}
			if r := readLines(t, filepath.Join(dir, "removed")); r != nil {
				t.Errorf("container removed by mpgate after a normal exit (--rm does it): %q", r)
			}
		})
	}
}

// TestContainerTimeoutKillsContainer: killing the client does not stop a
// container, so the supervisor kills it by name on the SIGTERM of a timeout.
func TestContainerTimeoutKillsContainer(t *testing.T) {
	rt, dir := fakeRuntime(t, "echo > \"$d/started\"; sleep 100")
	c := &Container{Runtime: rt, Image: "node:22", Name: func() string { return "mpgate-build-slow" }}
	for _, timeout := range []time.Duration{300 * time.Millisecond, 2 * time.Second, 10 * time.Second} {
		_ = os.Remove(filepath.Join(dir, "killed"))
		_ = os.Remove(filepath.Join(dir, "removed"))
		_, err := build.Run(t.Context(), build.Spec{Dir: t.TempDir(), Command: "sleep 100", Sandbox: c, Timeout: timeout, Grace: 10 * time.Second})
		if !errors.Is(err, build.ErrTimedOut) {
			t.Fatalf("err = %v, want a timeout", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "started")); err != nil {
			continue // too slow to start before the timeout: nothing tested yet
		}
		if k := readLines(t, filepath.Join(dir, "killed")); !slices.Equal(k, []string{"mpgate-build-slow"}) {
			t.Errorf("killed %q, want the container by name", k)
		}
		if r := readLines(t, filepath.Join(dir, "removed")); len(r) == 0 || r[0] != "mpgate-build-slow" {
			t.Errorf("removed %q, want the container by name", r)
		}
		return
	}
	t.Fatal("the fake runtime never started before the timeout")
}

func TestContainerMissingRuntime(t *testing.T) {
	c := &Container{Runtime: "/nonexistent/podman", Image: "node"}
	_, err := build.Run(t.Context(), build.Spec{Dir: t.TempDir(), Command: "true", Sandbox: c})
	if err == nil || !strings.Contains(err.Error(), "runtime") {
		t.Errorf("err = %v", err)
	}
}
