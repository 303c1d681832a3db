//go:build linux

package build

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// limited is a wrapper that runs the command as it is, with limits.
type limited struct{ Limits }

func (l limited) Wrap(*exec.Cmd) error { return nil }
func (l limited) BuildLimits() Limits  { return l.Limits }

func needPrlimit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("prlimit"); err != nil {
		t.Skip("prlimit (util-linux) not installed")
	}
}

// Each case must fail and say which limit it went over. These run without a
// sandbox: the watchdog and prlimit are the build package's; bot/sandbox
// runs the same under bubblewrap.
func TestRunLimits(t *testing.T) {
	needPrlimit(t)
	tests := []struct {
		name    string
		lim     Limits
		command string
		want    string
	}{
		{"memory of one process", Limits{Memory: 64 << 20},
			`awk 'BEGIN{s="x"; while(1) s=s s}'`, "memory limit of 64 MiB per process"},
		{"memory of all processes", Limits{Memory: 100 << 20},
			`for i in 1 2 3; do awk 'BEGIN{s=sprintf("%50000000s",""); system("sleep 30")}' & done; wait`, "went over its memory limit of 100 MiB"},
		{"processes", Limits{Processes: 40},
			`for i in $(seq 100); do sleep 30 & done; wait`, "reached its limit of 40 processes and threads"},
		{"one big file", Limits{Disk: 4 << 20},
			`head -c 6000000 /dev/zero > big`, "a file went over the build's disk limit of 4 MiB"},
		{"many files", Limits{Disk: 4 << 20},
			`for i in 1 2 3 4 5 6; do head -c 1000000 /dev/urandom > f$i; done; sleep 30`, "went over its disk limit of 4 MiB"},
		{"many files, then exit", Limits{Disk: 4 << 20},
			`for i in 1 2 3 4 5 6; do head -c 1000000 /dev/urandom > f$i; done`, "went over its disk limit of 4 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := Run(t.Context(), Spec{Dir: t.TempDir(), Command: tt.command, Sandbox: limited{tt.lim},
				Timeout: 20 * time.Second, Grace: time.Second})
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrFailed) {
				t.Fatalf("Run = %+v, %v; want a failed build", res, err)
			}
			if !strings.Contains(e.Limit, tt.want) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q (limit %q) does not say %q", err, e.Limit, tt.want)
			}
		})
	}
}

// Within its limits a build runs as it would without them.
func TestRunWithinLimits(t *testing.T) {
	needPrlimit(t)
	dir := t.TempDir()
	res, err := Run(t.Context(), Spec{Dir: dir, Sandbox: limited{Limits{Memory: 256 << 20, Processes: 200, Disk: 16 << 20}},
		Command: `for i in 1 2 3; do sleep 0.2 & done; head -c 1000000 /dev/zero > out; wait; ulimit -d; echo done`})
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	// ulimit -d is in KiB: the per-process data limit reached the build.
	if want := "262144\ndone"; res.Tail != want {
		t.Fatalf("tail %q, want %q", res.Tail, want)
	}
	if fi, err := os.Stat(filepath.Join(dir, "out")); err != nil || fi.Size() != 1000000 {
		t.Fatalf("output: %v %v", fi, err)
	}
}

func TestRunInstallStep(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(t.TempDir(), "build.log")
	res, err := Run(t.Context(), Spec{Dir: dir, Install: "echo deps > installed", Command: "cat installed", LogPath: logPath})
	if err != nil || res.Tail != "$ echo deps > installed\n$ cat installed\ndeps" {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	log, err := os.ReadFile(logPath)
	if err != nil || string(log) != res.Tail+"\n" {
		t.Fatalf("log %q (%v), want both steps", log, err)
	}

	// A failed install stops the build, and says it was the install.
	res, err = Run(t.Context(), Spec{Dir: t.TempDir(), Install: "echo no registry; exit 7", Command: "touch built"})
	var e *Error
	if !errors.As(err, &e) || e.Step != StepInstall || e.ExitCode != 7 || !strings.HasPrefix(err.Error(), "install failed (exit 7)") {
		t.Fatalf("Run = %+v, %v; want the install failed", res, err)
	}
	if _, err := os.Stat(filepath.Join(e.Dir, "built")); !os.IsNotExist(err) {
		t.Fatalf("the build ran after a failed install: %v", err)
	}

	// auto without a lockfile is a setup error, before anything runs.
	res, err = Run(t.Context(), Spec{Dir: t.TempDir(), Install: InstallAuto, Command: "true"})
	if res != nil || !errors.Is(err, ErrNoLockfile) {
		t.Fatalf("Run = %+v, %v; want ErrNoLockfile", res, err)
	}
}

// twoStep gives the install step and the build different environments, as
// the sandbox gives them different networks.
type twoStep struct{}

func (twoStep) Wrap(c *exec.Cmd) error {
	c.Env = append(c.Env, "STEP_SEEN=build")
	return nil
}

func (twoStep) WrapInstall(c *exec.Cmd) error {
	c.Env = append(c.Env, "STEP_SEEN=install")
	return nil
}

func TestRunInstallWrapper(t *testing.T) {
	res, err := Run(t.Context(), Spec{Dir: t.TempDir(), Install: `echo "i=$STEP_SEEN"`, Command: `echo "b=$STEP_SEEN"`, Sandbox: twoStep{}})
	if err != nil || !strings.Contains(res.Tail, "i=install") || !strings.Contains(res.Tail, "b=build") {
		t.Fatalf("Run = %+v, %v", res, err)
	}
}

// The log is written by mpgate on the server's disk: a build that prints
// without end gets its log cut at the disk limit, and still succeeds.
func TestRunLogCutAtDiskLimit(t *testing.T) {
	needPrlimit(t)
	logPath := filepath.Join(t.TempDir(), "build.log")
	res, err := Run(t.Context(), Spec{Dir: t.TempDir(), LogPath: logPath, Sandbox: limited{Limits{Disk: 1 << 20}},
		Command: `head -c 3000000 /dev/zero | tr '\0' 'x' | fold -w 100; echo end`})
	if err != nil || !strings.HasSuffix(res.Tail, "end") {
		t.Fatalf("Run = %v, tail %q", err, res.Tail)
	}
	fi, err := os.Stat(logPath)
	if err != nil || fi.Size() > 1<<20+200 || fi.Size() < 1<<20 {
		t.Fatalf("log %v, %v; want it cut at 1 MiB", fi, err)
	}
}
