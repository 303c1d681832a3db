//go:build linux

package sandbox

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot/build"
)

// TestBwrapLimits runs builds that go over each limit in the real sandbox:
// each fails, and its error says which limit.
func TestBwrapLimits(t *testing.T) {
	b := requireBwrap(t)
	if _, err := os.Stat("/usr/bin/prlimit"); err != nil {
		t.Skip("prlimit (util-linux) not installed")
	}
	lim := build.Limits{Memory: 128 << 20, Processes: 64, Disk: 4 << 20}
	w, err := Configure(b, Options{Network: NetworkNone, Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	bomb := marker(t, "fork-bomb")
	tests := []struct {
		name    string
		command string
		want    string
	}{
		{"memory", `awk 'BEGIN{s="x"; while(1) s=s s}'`, "memory limit of 128 MiB per process"},
		{"memory of all processes", `for i in 1 2 3; do awk 'BEGIN{s=sprintf("%60000000s",""); system("sleep 30")}' & done; wait`,
			"went over its memory limit of 128 MiB"},
		{"disk: one big file", `head -c 6000000 /dev/zero > big`, "a file went over the build's disk limit of 4 MiB"},
		{"disk: many files", `for i in 1 2 3 4 5 6; do head -c 1000000 /dev/urandom > f$i; done; sleep 30`, "went over its disk limit of 4 MiB"},
		{"disk: /tmp", `set -e; for i in 1 2 3 4 5 6; do head -c 1000000 /dev/zero > /tmp/f$i; done`, "the sandbox's /tmp holds at most 4 MiB"},
		// Processes past the limit, 400 at most: as root RLIMIT_NPROC does
		// not hold and the watchdog kills the sandbox; as any other user
		// forks fail at the limit and the watchdog kills it there. Not an
		// unbounded fork bomb: as root one reached 31,220 tasks (the host's
		// pid_max is 32,768) before the watchdog's next look, and the tests
		// running beside it, PostgreSQL's new connections too, found no
		// fork left (docs/sandbox.md).
		{"fork bomb", `: ` + bomb + `
i=0; while [ $i -lt 400 ]; do (sleep 30; :) & i=$((i+1)); done; wait`, "reached its limit of 64 processes and threads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			res, err := build.Run(t.Context(), build.Spec{Dir: dir, Command: tt.command, Sandbox: w, Timeout: 25 * time.Second, Grace: time.Second})
			var e *build.Error
			if !errors.As(err, &e) || !errors.Is(err, build.ErrFailed) {
				t.Fatalf("Run = %+v, %v; want a failed build", res, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
			t.Logf("%s after %s", err, res.Duration.Round(time.Millisecond))
		})
	}
	// Nothing of the fork bomb is left on the host.
	for i := 0; ; i++ {
		n := countMarked(bomb)
		if n == 0 {
			break
		}
		if i == 400 {
			t.Fatalf("%d fork bomb processes left after 20 s", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// countMarked counts the host's processes whose command line holds mark.
func countMarked(mark string) int {
	n := 0
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), mark) {
			n++
		}
	}
	return n
}
