//go:build unix

package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// waitGone waits until pid no longer exists (or is a zombie nobody reaped
// yet) and fails the test if it still runs after a generous bound. This
// bounds a wait; it asserts nothing about durations.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		if isZombie(pid) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	t.Errorf("process %d still running", pid)
}

func isZombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) state ...; comm may hold spaces, so look after the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'Z'
}

// readPid waits for a pid file the build writes and returns its pid.
func readPid(t *testing.T, path string) int {
	t.Helper()
	for i := 0; i < 1000; i++ {
		b, err := os.ReadFile(path)
		if err == nil && strings.HasSuffix(string(b), "\n") {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("pid file %s: %v", path, err)
			}
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("pid file %s never written", path)
	return 0
}

func TestRunSuccess(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(t.TempDir(), "logs", "head.log")
	res, err := Run(t.Context(), Spec{
		Dir:     dir,
		Command: "echo out; echo err >&2; mkdir -p dist && echo built > dist/app.js; pwd",
		LogPath: logPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 0 || res.LogPath != logPath {
		t.Errorf("result %+v", res)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "dist/app.js")); err != nil || string(b) != "built\n" {
		t.Errorf("build output %q, %v", b, err)
	}
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	wantLog := "out\nerr\n" + dir + "\n"
	if string(log) != wantLog {
		t.Errorf("log = %q, want %q", log, wantLog)
	}
	if res.Tail != strings.TrimSuffix(wantLog, "\n") {
		t.Errorf("tail = %q", res.Tail)
	}
	st, err := os.Stat(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o600 {
		t.Errorf("log mode %o, want 600", perm)
	}
}

func TestRunExistingLogBecomesPrivate(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "b.log")
	if err := os.WriteFile(logPath, []byte("old content that is longer"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(t.Context(), Spec{Dir: t.TempDir(), Command: "echo new", LogPath: logPath}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(logPath)
	st, _ := os.Stat(logPath)
	if string(b) != "new\n" || st.Mode().Perm() != 0o600 {
		t.Errorf("log %q mode %o; want truncated and 0600", b, st.Mode().Perm())
	}
}

func TestRunFailure(t *testing.T) {
	tests := []struct {
		name     string
		command  string
		exit     int
		contains []string
		absent   []string
		tailLen  int
	}{
		{
			name:    "exit code with tail",
			command: `i=1; while [ $i -le 100 ]; do echo "line $i"; i=$((i+1)); done; echo "ERROR in app.js" >&2; exit 2`,
			exit:    2,
			// The last 50 lines: "line 52" to "line 100" and the error.
			contains: []string{"build failed (exit 2) in ", "line 52\n", "line 100", "ERROR in app.js"},
			absent:   []string{"line 51\n"},
			tailLen:  TailLines,
		},
		{
			name:     "silent failure",
			command:  "false",
			exit:     1,
			contains: []string{"build failed (exit 1) in "},
		},
		{
			name:     "command not found",
			command:  "definitely-not-a-command-mpgate",
			exit:     127,
			contains: []string{"exit 127", "not found"},
			tailLen:  1,
		},
		{
			name:     "killed by a signal",
			command:  "echo dying; kill -SEGV $$",
			exit:     -1,
			contains: []string{"killed by signal", "dying"},
			tailLen:  1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			res, err := Run(t.Context(), Spec{Dir: dir, Command: tt.command})
			if !errors.Is(err, ErrFailed) {
				t.Fatalf("err = %v, want ErrFailed", err)
			}
			var be *Error
			if !errors.As(err, &be) || be.ExitCode != tt.exit || res.ExitCode != tt.exit {
				t.Fatalf("exit %d / %d, want %d (%v)", be.ExitCode, res.ExitCode, tt.exit, err)
			}
			msg := err.Error()
			for _, s := range tt.contains {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q lacks %q", msg, s)
				}
			}
			if !strings.Contains(msg, dir) {
				t.Errorf("error %q does not name the directory", msg)
			}
			for _, s := range tt.absent {
				if strings.Contains(msg, s) {
					t.Errorf("error %q quotes %q: too many lines", msg, s)
				}
			}
			if tt.tailLen > 0 {
				if n := len(strings.Split(res.Tail, "\n")); n != tt.tailLen {
					t.Errorf("tail has %d lines, want %d:\n%s", n, tt.tailLen, res.Tail)
				}
			}
		})
	}
}

// The timeouts below are long enough for sh to write its pid file first even
// on a loaded machine; the tests assert what was killed, never how fast.
func TestRunTimeoutKillsProcessGroup(t *testing.T) {
	tests := []struct {
		name    string
		command string
	}{
		{"grandchild", `sleep 100 & echo $! > "$PIDFILE"; sleep 100`},
		// Ignoring SIGTERM (inherited by the grandchild) needs the SIGKILL.
		{"ignores SIGTERM", `trap '' TERM; sleep 100 & echo $! > "$PIDFILE"; sleep 100`},
		{"subshell grandchild", `(sleep 100 & echo $! > "$PIDFILE"; wait) ; echo never`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "pid")
			res, err := Run(t.Context(), Spec{
				Dir:     t.TempDir(),
				Command: "echo started; " + tt.command,
				Timeout: time.Second,
				Grace:   300 * time.Millisecond,
				Env:     []string{"PIDFILE=" + pidFile},
			})
			if !errors.Is(err, ErrTimedOut) {
				t.Fatalf("err = %v, want ErrTimedOut", err)
			}
			if !strings.HasPrefix(err.Error(), "build timed out after 1s") {
				t.Errorf("error %q", err)
			}
			if res == nil || res.Tail != "started" {
				t.Errorf("result %+v, want the tail of what ran", res)
			}
			waitGone(t, readPid(t, pidFile))
		})
	}
}

func TestRunCancel(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	type out struct {
		res *Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := Run(ctx, Spec{
			Dir:     t.TempDir(),
			Command: `sleep 100 & echo $! > "$PIDFILE"; sleep 100`,
			Env:     []string{"PIDFILE=" + pidFile},
			Grace:   time.Second,
		})
		done <- out{res, err}
	}()
	pid := readPid(t, pidFile)
	cancel()
	o := <-done
	if !errors.Is(o.err, ErrCancelled) || !errors.Is(o.err, context.Canceled) {
		t.Fatalf("err = %v, want ErrCancelled and context.Canceled", o.err)
	}
	if !strings.HasPrefix(o.err.Error(), "build cancelled") {
		t.Errorf("error %q", o.err)
	}
	if o.res == nil {
		t.Fatal("no result for a started build")
	}
	waitGone(t, pid)
}

func TestRunAlreadyCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	marker := filepath.Join(t.TempDir(), "ran")
	res, err := Run(ctx, Spec{Dir: t.TempDir(), Command: "touch " + marker})
	if !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("Run = %+v, %v; want no result and ErrCancelled", res, err)
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the command ran although the context was done (%v)", err)
	}
}

func TestRunKillsLeftoversOnExit(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	res, err := Run(t.Context(), Spec{
		Dir:     t.TempDir(),
		Command: `sleep 100 & echo $! > "$PIDFILE"; echo done`,
		Env:     []string{"PIDFILE=" + pidFile},
	})
	if err != nil || res.ExitCode != 0 || res.Tail != "done" {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	waitGone(t, readPid(t, pidFile))
}

// A process that leaves the group (setsid) and keeps the output pipe open
// must not make Run wait for it.
func TestRunEscapedProcessDoesNotHang(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("setsid(1) not installed")
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	res, err := Run(t.Context(), Spec{
		Dir:     t.TempDir(),
		Command: `setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 100' & while [ ! -s "$PIDFILE" ]; do sleep 0.01; done; echo ok`,
		Env:     []string{"PIDFILE=" + pidFile},
		Grace:   200 * time.Millisecond,
	})
	pid := readPid(t, pidFile)
	defer func() { _ = syscall.Kill(pid, syscall.SIGKILL) }()
	if err != nil || res.Tail != "ok" {
		t.Fatalf("Run = %+v, %v", res, err)
	}
}

func TestRunEnvScrubbed(t *testing.T) {
	t.Setenv("GITHUB_TOKEN", "secret-gh")
	t.Setenv("MY_API_KEY", "secret-key")
	t.Setenv("MPGATE_WEBHOOK_SECRET", "secret-hook")
	t.Setenv("CI_JOB_TOKEN", "secret-job")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret-aws")
	t.Setenv("RANDOM_SETTING", "not-allowed")
	t.Setenv("PASS_ME", "asked-for")
	t.Setenv("LC_ALL", "C")
	t.Setenv("npm_config_cache", "/cache/npm")

	logPath := filepath.Join(t.TempDir(), "env.log")
	res, err := Run(t.Context(), Spec{
		Dir:     t.TempDir(),
		Command: "env",
		LogPath: logPath,
		Env:     []string{"FOO=bar", "PASS_ME", "NPM_TOKEN=secret-npm", "GITHUB_TOKEN", "HOME=/job/home", "UNSET_ONE"},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			seen[k] = v
		}
	}
	for _, tt := range []struct{ name, want string }{
		{"FOO", "bar"}, {"PASS_ME", "asked-for"}, {"HOME", "/job/home"}, {"LC_ALL", "C"},
		{"npm_config_cache", "/cache/npm"}, {"PATH", os.Getenv("PATH")},
	} {
		t.Run("has "+tt.name, func(t *testing.T) {
			if got, ok := seen[tt.name]; !ok || got != tt.want {
				t.Errorf("%s = %q (present %v), want %q", tt.name, got, ok, tt.want)
			}
		})
	}
	for _, name := range []string{"GITHUB_TOKEN", "MY_API_KEY", "MPGATE_WEBHOOK_SECRET", "CI_JOB_TOKEN", "AWS_SECRET_ACCESS_KEY", "RANDOM_SETTING", "NPM_TOKEN", "UNSET_ONE"} {
		t.Run("lacks "+name, func(t *testing.T) {
			if v, ok := seen[name]; ok {
				t.Errorf("build saw %s=%q", name, v)
			}
		})
	}
	if strings.Contains(string(b), "secret-") {
		t.Errorf("a secret value reached the build:\n%s", b)
	}
	if got := strings.Join(res.Dropped, ","); got != "NPM_TOKEN,GITHUB_TOKEN" {
		t.Errorf("Dropped = %q", got)
	}
}

func TestRunInvalidSpec(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"empty command", Spec{Dir: dir, Command: "  "}, "empty command"},
		{"missing dir", Spec{Dir: filepath.Join(dir, "nope"), Command: "true"}, "no such file"},
		{"file as dir", Spec{Dir: file, Command: "true"}, "not a directory"},
		{"negative timeout", Spec{Dir: dir, Command: "true", Timeout: -time.Second}, "negative"},
		{"bad env", Spec{Dir: dir, Command: "true", Env: []string{"=x"}}, "NAME=value"},
		{"log in a file", Spec{Dir: dir, Command: "true", LogPath: filepath.Join(file, "x.log")}, "log"},
		{"sandbox refuses", Spec{Dir: dir, Command: "true", Sandbox: WrapperFunc(func(*exec.Cmd) error { return errors.New("no bwrap") })}, "no bwrap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Run(t.Context(), tt.spec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if res != nil {
				t.Errorf("result %+v for a build that never started", res)
			}
			if errors.Is(err, ErrFailed) {
				t.Errorf("a setup error is not a failed build: %v", err)
			}
		})
	}
}

func TestRunSandboxWrapper(t *testing.T) {
	var called bool
	// A stand-in for bubblewrap: runs the original command under env(1)
	// with a marker variable, and drops the process group setting, which
	// Run must restore.
	wrap := WrapperFunc(func(c *exec.Cmd) error {
		called = true
		envPath, err := exec.LookPath("env")
		if err != nil {
			return err
		}
		c.Args = append([]string{envPath, "SANDBOXED=1"}, c.Args...)
		c.Path = envPath
		c.SysProcAttr = nil
		return nil
	})
	res, err := Run(t.Context(), Spec{Dir: t.TempDir(), Command: `echo "sandboxed=$SANDBOXED"`, Sandbox: wrap})
	if err != nil || !called || res.Tail != "sandboxed=1" {
		t.Fatalf("Run = %+v, %v (wrapper called %v)", res, err, called)
	}

	pidFile := filepath.Join(t.TempDir(), "pid")
	_, err = Run(t.Context(), Spec{
		Dir: t.TempDir(), Command: `sleep 100 & echo $! > "$PIDFILE"; sleep 100`, Sandbox: wrap,
		Env: []string{"PIDFILE=" + pidFile}, Timeout: time.Second, Grace: 300 * time.Millisecond,
	})
	if !errors.Is(err, ErrTimedOut) {
		t.Fatalf("err = %v, want ErrTimedOut", err)
	}
	waitGone(t, readPid(t, pidFile))
}

// Base and head build at once: nothing is shared between concurrent runs.
func TestRunConcurrent(t *testing.T) {
	const n = 4
	var wg sync.WaitGroup
	logs := make([]string, n)
	errs := make([]error, n)
	tails := make([]string, n)
	for i := range n {
		logs[i] = filepath.Join(t.TempDir(), "b.log")
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := Run(t.Context(), Spec{
				Dir:     t.TempDir(),
				Command: `i=0; while [ $i -lt 200 ]; do echo "$WHO $i"; i=$((i+1)); done`,
				Env:     []string{"WHO=build" + strconv.Itoa(i)},
				LogPath: logs[i],
			})
			errs[i] = err
			if res != nil {
				tails[i] = res.Tail
			}
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("build %d: %v", i, errs[i])
		}
		b, err := os.ReadFile(logs[i])
		if err != nil {
			t.Fatal(err)
		}
		who := "build" + strconv.Itoa(i) + " "
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if !strings.HasPrefix(line, who) {
				t.Fatalf("build %d log has %q", i, line)
			}
		}
		if !strings.HasSuffix(tails[i], who+"199") {
			t.Errorf("build %d tail ends %q", i, tails[i])
		}
	}
}

// BenchmarkRun measures Run's own overhead around a trivial command, two
// builds at a time as for base and head.
func BenchmarkRun(b *testing.B) {
	dir := b.TempDir()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := Run(context.Background(), Spec{Dir: dir, Command: "true"}); err != nil {
				b.Error(err)
			}
		}
	})
}
