// Package build runs a project's build command (the `build` of a project in
// .mpgate.yml, e.g. "npm ci && npm run build") the way a CI gate must: in its
// own process group, with a scrubbed environment, a time limit that kills
// every process the build started, its output in a private log file and the
// last lines at hand for the report.
//
// Run keeps no global state: builds of the base and the head run
// concurrently without sharing anything.
package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Defaults for the zero values of Spec.
const (
	DefaultTimeout = 10 * time.Minute
	DefaultGrace   = 5 * time.Second
)

// Wrapper changes how the build command is started, e.g. inside a bubblewrap
// sandbox: it may rewrite cmd.Path and cmd.Args (to run the original command
// under a wrapper), cmd.Env, cmd.Dir and cmd.SysProcAttr. Run starts the
// result in its own process group whatever Wrap did.
type Wrapper interface {
	Wrap(cmd *exec.Cmd) error
}

// Spec is one build.
type Spec struct {
	Dir     string        // working directory (the checkout)
	Command string        // shell command, run with sh -c
	Timeout time.Duration // 0 means DefaultTimeout
	// Env adds to the allowed environment: "NAME=value" sets a variable,
	// "NAME" passes it from mpgate's environment. Secret-looking names are
	// never passed (see Environ and docs/builds.md).
	Env     []string
	LogPath string  // where all output goes (created 0600); "" keeps only the tail
	Sandbox Wrapper // nil runs the command directly
	// Grace is how long processes have between SIGTERM and SIGKILL on a
	// timeout or cancel; 0 means DefaultGrace.
	Grace time.Duration
}

// Result is what a build did. Run returns it whenever the command started,
// with an error when it did not succeed.
type Result struct {
	ExitCode int // -1 when killed by a signal
	Duration time.Duration
	LogPath  string
	Tail     string   // the last TailLines lines of output, cleaned for display
	Dropped  []string // names in Spec.Env not passed because they look secret
}

// Reasons a build did not succeed; test with errors.Is.
var (
	ErrFailed    = errors.New("build failed")
	ErrTimedOut  = errors.New("build timed out")
	ErrCancelled = errors.New("build cancelled")
)

// Error is a build that ran and did not succeed.
type Error struct {
	Reason   error // ErrFailed, ErrTimedOut or ErrCancelled
	Dir      string
	ExitCode int           // for ErrFailed; -1 when killed by a signal
	Signal   string        // for ErrFailed by a signal: "killed by signal terminated"
	Timeout  time.Duration // for ErrTimedOut
	Tail     string        // last lines of output
	Cause    error         // the context's error for ErrCancelled
}

func (e *Error) Error() string {
	var b strings.Builder
	switch e.Reason {
	case ErrTimedOut:
		fmt.Fprintf(&b, "build timed out after %s in %s", e.Timeout, e.Dir)
	case ErrCancelled:
		fmt.Fprintf(&b, "build cancelled in %s", e.Dir)
	default:
		if e.Signal != "" {
			fmt.Fprintf(&b, "build failed (%s) in %s", e.Signal, e.Dir)
		} else {
			fmt.Fprintf(&b, "build failed (exit %d) in %s", e.ExitCode, e.Dir)
		}
	}
	if e.Tail != "" {
		b.WriteString(": ")
		b.WriteString(lastLines(e.Tail, errorLines))
	}
	return b.String()
}

// Unwrap gives errors.Is both the reason and the cause (context.Canceled,
// context.DeadlineExceeded).
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Reason, e.Cause}
	}
	return []error{e.Reason}
}

// Run runs s.Command with sh -c in s.Dir and waits for it and every process
// it started in its process group. On timeout or when ctx is done the whole
// group gets SIGTERM, then SIGKILL after the grace period; when the command
// exits, whatever it left running in its group is killed. Output (stdout and
// stderr interleaved as written) goes to s.LogPath.
func Run(ctx context.Context, s Spec) (*Result, error) {
	if !supported {
		return nil, errors.New("build: running builds needs a Unix-like system (Linux, macOS)")
	}
	if strings.TrimSpace(s.Command) == "" {
		return nil, errors.New("build: empty command")
	}
	timeout, grace := s.Timeout, s.Grace
	if timeout < 0 || grace < 0 {
		return nil, fmt.Errorf("build: negative timeout %s or grace %s", timeout, grace)
	}
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if grace == 0 {
		grace = DefaultGrace
	}
	if st, err := os.Stat(s.Dir); err != nil {
		return nil, fmt.Errorf("build: directory: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("build: %s is not a directory", s.Dir)
	}
	env, dropped, err := Environ(os.Environ(), s.Env)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Reason: ErrCancelled, Dir: s.Dir, ExitCode: -1, Cause: err}
	}

	cmd := exec.Command("/bin/sh", "-c", s.Command)
	cmd.Dir = s.Dir
	cmd.Env = env
	if s.Sandbox != nil {
		if err := s.Sandbox.Wrap(cmd); err != nil {
			return nil, fmt.Errorf("build: sandbox: %w", err)
		}
	}
	ownGroup(cmd) // after Wrap, whatever it did

	res := &Result{ExitCode: -1, LogPath: s.LogPath, Dropped: dropped}
	log, err := openLog(s.LogPath)
	if err != nil {
		return nil, fmt.Errorf("build: log: %w", err)
	}
	if log != nil {
		defer log.f.Close()
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("build: output pipe: %w", err)
	}
	defer pr.Close()
	cmd.Stdout, cmd.Stderr = pw, pw // one pipe: interleaved as written

	tail := &tailBuffer{}
	var out io.Writer = tail
	if log != nil {
		out = io.MultiWriter(log, tail)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		pw.Close()
		return nil, fmt.Errorf("build: start %s: %w", cmd.Path, err)
	}
	pw.Close() // the children hold the write end now
	pgid := cmd.Process.Pid

	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(out, pr) // ends at EOF or when pr is closed
		close(copied)
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var reason, cause error
	var waitErr error
	select {
	case waitErr = <-exited:
	case <-timer.C:
		reason = ErrTimedOut
	case <-ctx.Done():
		reason, cause = ErrCancelled, ctx.Err()
	}
	if reason != nil {
		waitErr = stopGroup(pgid, grace, exited)
	}
	// The command is done; nothing it started may outlive it.
	killGroup(pgid)

	// A process that left the group (setsid) may still hold the pipe: give
	// it the grace period, then stop reading.
	drain := time.NewTimer(grace)
	select {
	case <-copied:
	case <-drain.C:
		pr.Close()
		<-copied
	}
	drain.Stop()

	res.Duration = time.Since(start)
	res.Tail = tail.lines(TailLines)
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	switch {
	case reason == ErrTimedOut:
		return res, &Error{Reason: ErrTimedOut, Dir: s.Dir, ExitCode: res.ExitCode, Timeout: timeout, Tail: res.Tail}
	case reason == ErrCancelled:
		return res, &Error{Reason: ErrCancelled, Dir: s.Dir, ExitCode: res.ExitCode, Tail: res.Tail, Cause: cause}
	case waitErr != nil:
		var ee *exec.ExitError
		if !errors.As(waitErr, &ee) {
			return res, fmt.Errorf("build: wait: %w", waitErr)
		}
		e := &Error{Reason: ErrFailed, Dir: s.Dir, ExitCode: ee.ExitCode(), Tail: res.Tail}
		if sig := exitSignal(ee); sig != "" {
			e.Signal = "killed by signal " + sig
		}
		return res, e
	}
	if log != nil && log.err != nil {
		return res, fmt.Errorf("build succeeded but its log %s is incomplete: %w", s.LogPath, log.err)
	}
	return res, nil
}

// stopGroup sends SIGTERM to the process group, waits up to grace for the
// leader to exit and the rest of the group to go, then sends SIGKILL. It
// returns the leader's wait error.
func stopGroup(pgid int, grace time.Duration, exited <-chan error) error {
	termGroup(pgid)
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	var waitErr error
	select {
	case waitErr = <-exited:
	case <-deadline.C:
		killGroup(pgid)
		return <-exited
	}
	// The leader is gone; the rest of the group may still be exiting.
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	for groupAlive(pgid) {
		select {
		case <-poll.C:
		case <-deadline.C:
			return waitErr // the caller kills the rest
		}
	}
	return waitErr
}

// parseStat reads the state and process group from /proc/PID/stat:
// "pid (comm) state ppid pgrp ...", where comm may contain spaces and ')'.
func parseStat(b []byte) (state byte, pgrp int, ok bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 3 || len(f[0]) != 1 {
		return 0, 0, false
	}
	g, err := strconv.Atoi(f[2])
	if err != nil {
		return 0, 0, false
	}
	return f[0][0], g, true
}

// logFile writes the build log; a write error is remembered, not returned,
// so that the build is never blocked on a full disk.
type logFile struct {
	f   *os.File
	err error
}

func (l *logFile) Write(p []byte) (int, error) {
	if l.err == nil {
		_, l.err = l.f.Write(p)
	}
	return len(p), nil
}

func openLog(path string) (*logFile, error) {
	if path == "" {
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil { // an existing file keeps its mode otherwise
		f.Close()
		return nil, err
	}
	return &logFile{f: f}, nil
}
