//go:build linux

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/bot/build"
	"github.com/mpgate/mpgate/internal/podmantest"
)

// TestServePodmanSandbox: the server's own wiring of --build-sandbox container --build-runtime podman
// (flags to sandbox.Select and sandbox.Configure) gives the bot a sandbox that runs real builds in real
// containers (internal/podmantest), with the server's limits: a build succeeds, and one that goes over
// --build-memory fails with a message naming it.
func TestServePodmanSandbox(t *testing.T) {
	p := podmantest.New(t)
	args := []string{"--data-dir", filepath.Join(t.TempDir(), "data"),
		"--build-sandbox", "container", "--build-runtime", "podman", "--build-image", podmantest.Image,
		"--build-network", "none", "--build-memory", "64MiB", "--build-processes", "64", "--build-disk", "8MiB"}
	wrapper := serverContainerSandbox(t, args)

	wt := t.TempDir()
	res, err := build.Run(t.Context(), build.Spec{Dir: wt, Sandbox: wrapper,
		Install: "echo installed > installed", Command: "cat installed; echo built > dist.txt; ls /sys/class/net; df -k /tmp | tail -n 1"})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	t.Logf("%s: %q", p.Version, res.Tail)
	if b, err := os.ReadFile(filepath.Join(wt, "dist.txt")); err != nil || string(b) != "built\n" {
		t.Errorf("the build's output file: %q, %v", b, err)
	}
	if !strings.Contains(res.Tail, "installed\nlo\n") || !strings.Contains(res.Tail, " 8192 ") {
		t.Errorf("output %q: want the install's file, only lo, and an 8 MiB /tmp", res.Tail)
	}

	_, err = build.Run(t.Context(), build.Spec{Dir: wt, Sandbox: wrapper,
		Command: `x=$(head -c 134217728 /dev/zero | tr '\0' a); echo survived`})
	if !errors.Is(err, build.ErrFailed) || !strings.Contains(err.Error(), "memory limit of 64 MiB (--build-memory)") {
		t.Errorf("err = %v, want a failure naming the memory limit", err)
	}
	if left := p.Containers(t); len(left) > 0 {
		t.Errorf("containers left: %q", left)
	}
}
