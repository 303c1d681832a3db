//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/bot/build"
	"github.com/mpgate/mpgate/bot/sandbox"
	"github.com/mpgate/mpgate/bot/worker"
)

// fakeContainerRuntime writes a stand-in for docker (as bot/sandbox's
// tests do): "--version" answers, each "run" appends its arguments, one a
// line, to runs/<n> and then runs the build's own command on the host.
// No container engine is available to the tests.
func fakeContainerRuntime(t *testing.T) (path, dir string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "docker")
	script := "#!/bin/sh\nd='" + dir + "'\n" +
		"case \"$1\" in\n" +
		"--version) echo 'Docker version 0.0.0-fake' ;;\n" +
		"run) n=$(ls \"$d/runs\" 2>/dev/null | wc -l); mkdir -p \"$d/runs\"; printf '%s\\n' \"$@\" > \"$d/runs/$n\"\n" +
		"  while [ \"$1\" != node:22-bookworm ]; do shift; done; shift; exec \"$@\" ;;\n" +
		"kill) echo \"$2\" >> \"$d/killed\" ;;\n" +
		"*) echo \"unexpected $1\" >&2; exit 2 ;;\n" +
		"esac\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

// TestServeContainerSandbox: --build-sandbox container (from flags or the
// server config) gives the bot a container sandbox that honours the
// network policy and the limits, and a build really runs through the
// runtime.
func TestServeContainerSandbox(t *testing.T) {
	rt, rtDir := fakeContainerRuntime(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "server.yml")
	writeFile(t, cfg, "builds:\n  sandbox: container\n  image: node:22-bookworm\n  runtime: "+rt+"\n  memory: 1GiB\n  processes: 100\n  disk: 2GiB\n")
	tests := []struct {
		name string
		args []string
	}{
		{"flags", []string{"--build-sandbox", "container", "--build-image", "node:22-bookworm", "--build-runtime", rt,
			"--build-memory", "1GiB", "--build-processes", "100", "--build-disk", "2GiB"}},
		{"config", []string{"--config", cfg}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.RemoveAll(filepath.Join(rtDir, "runs")); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"--data-dir", filepath.Join(t.TempDir(), "data")}, tt.args...)
			wrapper := serverContainerSandbox(t, args)

			wt := t.TempDir()
			res, err := build.Run(t.Context(), build.Spec{Dir: wt, Install: "echo installed > installed", Command: "cat installed; echo built",
				Sandbox: wrapper, Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin"}})
			if err != nil {
				t.Fatalf("build: %v (%s)", err, res.Tail)
			}
			if !strings.Contains(res.Tail, "installed\nbuilt") {
				t.Errorf("build output %q, want the install's file and the build's echo", res.Tail)
			}
			install, buildArgs := readArgs(t, filepath.Join(rtDir, "runs", "0")), readArgs(t, filepath.Join(rtDir, "runs", "1"))
			if slices.Contains(install, "none") {
				t.Errorf("the install step ran without the network (--build-network install): %q", install)
			}
			if !hasPair(buildArgs, "--network", "none") {
				t.Errorf("the build step has the network: %q", buildArgs)
			}
			for _, a := range [][]string{install, buildArgs} {
				for _, p := range [][2]string{{"--memory", "1073741824"}, {"--memory-swap", "1073741824"}, {"--pids-limit", "100"},
					{"--tmpfs", "/tmp:size=1073741824"}, {"-w", wt}} {
					if !hasPair(a, p[0], p[1]) {
						t.Errorf("run args %q lack %s %s", a, p[0], p[1])
					}
				}
			}
		})
	}
}

func readArgs(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the runtime did not run: %v", err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func hasPair(args []string, k, v string) bool {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == k && args[i+1] == v {
			return true
		}
	}
	return false
}

// TestServeSandboxStartErrors: a chosen sandbox that cannot work stops the
// start with a message that says what to set; auto keeps today's
// behaviour (start, and refuse untrusted builds).
func TestServeSandboxStartErrors(t *testing.T) {
	rt, _ := fakeContainerRuntime(t)
	noBwrap := func(context.Context) (build.Wrapper, string, error) {
		return sandbox.Unavailable{Reason: "test"}, "", fmt.Errorf("%w: test: bwrap not found", sandbox.ErrUnavailable)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr string // "" starts
	}{
		{"auto without bubblewrap starts", nil, ""},
		{"bwrap without bubblewrap", []string{"--build-sandbox", "bwrap"}, "--build-sandbox bwrap: no build sandbox: test: bwrap not found"},
		{"container without image", []string{"--build-sandbox", "container", "--build-runtime", rt}, "--build-sandbox container: no image: set --build-image"},
		{"runtime not found", []string{"--build-sandbox", "container", "--build-image", "node:22-bookworm", "--build-runtime", filepath.Join(t.TempDir(), "podman")},
			"--build-sandbox container: runtime " + "%DIR%"},
		{"image without container", []string{"--build-image", "node:22-bookworm"}, "--build-image and --build-runtime need --build-sandbox container"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--data-dir", filepath.Join(t.TempDir(), "data")}, tt.args...)
			f, err := parseServeFlags(args, func(string) string { return "" }, os.Stderr)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := newServer(t.Context(), f, slog.New(slog.DiscardHandler), serverDeps{detectSandbox: noBwrap})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				srv.close()
				return
			}
			if err == nil {
				srv.close()
				t.Fatalf("started; want %q", tt.wantErr)
			}
			want, _, _ := strings.Cut(tt.wantErr, "%DIR%")
			if !strings.Contains(err.Error(), want) || !errors.Is(err, sandbox.ErrChosen) {
				t.Errorf("error %q, want it to contain %q and match ErrChosen", err, want)
			}
			if exitCode(err) != exitUsage {
				t.Errorf("exit code %d, want %d", exitCode(err), exitUsage)
			}
		})
	}
}

// serverContainerSandbox starts the server's wiring with args (a
// --build-sandbox container configuration), closed when t ends, and returns
// the sandbox it gives the bot, which must be a *sandbox.Container and must
// not come from bubblewrap's detection.
func serverContainerSandbox(t *testing.T, args []string) build.Wrapper {
	t.Helper()
	f, err := parseServeFlags(args, func(string) string { return "" }, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	var wrapper build.Wrapper
	srv, err := newServer(t.Context(), f, slog.New(slog.DiscardHandler), serverDeps{
		detectSandbox: func(context.Context) (build.Wrapper, string, error) {
			t.Error("bubblewrap detected with --build-sandbox container")
			return nil, "", sandbox.ErrUnavailable
		},
		botConfig: func(c *worker.Config) {
			if c.SandboxErr != nil {
				t.Errorf("sandbox error %v", c.SandboxErr)
			}
			wrapper = c.Sandbox
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.close() })
	if _, ok := wrapper.(*sandbox.Container); !ok {
		t.Fatalf("the bot's sandbox is %T, want *sandbox.Container", wrapper)
	}
	return wrapper
}
