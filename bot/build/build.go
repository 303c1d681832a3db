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
	"cmp"
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
	Dir     string // working directory (the checkout)
	Command string // shell command, run with sh -c
	// Install is the install step run before Command: a shell command
	// ("npm ci"), InstallAuto to choose it from the lockfile in Dir (see
	// InstallCommand), or "" for none. A sandbox that is an
	// InstallWrapper runs it differently (with the network).
	Install string
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
	Reason   error  // ErrFailed, ErrTimedOut or ErrCancelled
	Step     string // StepInstall or StepBuild ("" is StepBuild)
	Dir      string
	ExitCode int           // for ErrFailed; -1 when killed by a signal
	Signal   string        // for ErrFailed by a signal: "killed by signal terminated"
	Timeout  time.Duration // for ErrTimedOut
	Tail     string        // last lines of output
	Cause    error         // the context's error for ErrCancelled
	// Limit says which of the build's limits it went over, when known
	// (see Limits).
	Limit string
}

func (e *Error) Error() string {
	var b strings.Builder
	step := cmp.Or(e.Step, StepBuild)
	switch e.Reason {
	case ErrTimedOut:
		fmt.Fprintf(&b, "%s timed out after %s in %s", step, e.Timeout, e.Dir)
	case ErrCancelled:
		fmt.Fprintf(&b, "%s cancelled in %s", step, e.Dir)
	default:
		if e.Signal != "" {
			fmt.Fprintf(&b, "%s failed (%s) in %s", step, e.Signal, e.Dir)
		} else {
			fmt.Fprintf(&b, "%s failed (exit %d) in %s", step, e.ExitCode, e.Dir)
		}
	}
	if e.Limit != "" {
		b.WriteString(": ")
		b.WriteString(e.Limit)
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

// Run runs s.Install (when set) and then s.Command with sh -c in s.Dir, and
// waits for each and every process it started in its process group. On
// timeout (one deadline for both steps) or when ctx is done the whole group
// gets SIGTERM, then SIGKILL after the grace period; when a command exits,
// whatever it left running in its group is killed. Output (stdout and
// stderr interleaved as written, both steps) goes to s.LogPath. When
// s.Sandbox is a Limiter its limits are enforced (see Limits).
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
	var install string
	if strings.TrimSpace(s.Install) != "" {
		if install, err = InstallCommand(s.Dir, s.Install); err != nil {
			return nil, fmt.Errorf("build: install: %w", err)
		}
	}
	var lim Limits
	if l, ok := s.Sandbox.(Limiter); ok {
		lim = l.BuildLimits()
	}
	var prlimit string
	if lim.prlimitArgs() != nil {
		if prlimit, err = exec.LookPath("prlimit"); err != nil {
			return nil, fmt.Errorf("build: the build's limits need prlimit (util-linux): %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Reason: ErrCancelled, Dir: s.Dir, ExitCode: -1, Cause: err}
	}

	res := &Result{ExitCode: -1, LogPath: s.LogPath, Dropped: dropped}
	log, err := openLog(s.LogPath)
	if err != nil {
		return nil, fmt.Errorf("build: log: %w", err)
	}
	if log != nil {
		defer log.f.Close()
		log.max = lim.Disk // the log is on the server's disk too
	}
	tail := &tailBuffer{}
	var out io.Writer = tail
	if log != nil {
		out = io.MultiWriter(log, tail)
	}
	var baseDisk int64
	if lim.Disk > 0 {
		baseDisk = diskUsage(s.Dir)
	}
	st := &step{s: s, env: env, prlimit: prlimit, lim: lim, out: out, tail: tail, res: res,
		deadline: time.Now().Add(timeout), timeout: timeout, grace: grace, baseDisk: baseDisk}
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	if install != "" {
		fmt.Fprintf(out, "$ %s\n", install)
		wrap := s.Sandbox
		if iw, ok := s.Sandbox.(InstallWrapper); ok {
			wrap = WrapperFunc(iw.WrapInstall)
		}
		if err := st.run(ctx, StepInstall, install, wrap); err != nil {
			return st.result(err)
		}
		fmt.Fprintf(out, "$ %s\n", s.Command)
	}
	if err := st.run(ctx, StepBuild, s.Command, s.Sandbox); err != nil {
		return st.result(err)
	}
	if log != nil && log.err != nil {
		return res, fmt.Errorf("build succeeded but its log %s is incomplete: %w", s.LogPath, log.err)
	}
	return res, nil
}

// Steps of a build.
const (
	StepInstall = "install"
	StepBuild   = "build"
)

// WrapperFunc is a function used as a Wrapper.
type WrapperFunc func(*exec.Cmd) error

// Wrap calls f.
func (f WrapperFunc) Wrap(cmd *exec.Cmd) error { return f(cmd) }

// step runs the commands of one build, sharing its deadline and output.
type step struct {
	s        Spec
	env      []string
	prlimit  string
	lim      Limits
	out      io.Writer
	tail     *tailBuffer
	res      *Result
	deadline time.Time
	timeout  time.Duration
	grace    time.Duration
	baseDisk int64
	started  bool // a command started
}

// result is what Run returns for err: the result when a command ran, nil
// when none started.
func (st *step) result(err error) (*Result, error) {
	if st.started {
		return st.res, err
	}
	return nil, err
}

// run runs command as the step name and fills st.res.
func (st *step) run(ctx context.Context, name, command string, wrap Wrapper) error {
	s := st.s
	argv := []string{"/bin/sh", "-c", command}
	if st.prlimit != "" {
		argv = append(append([]string{st.prlimit}, st.lim.prlimitArgs()...), argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = s.Dir
	cmd.Env = st.env
	if wrap != nil {
		if err := wrap.Wrap(cmd); err != nil {
			return fmt.Errorf("build: sandbox: %w", err)
		}
	}
	ownGroup(cmd) // after Wrap, whatever it did

	pr, pw, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("build: output pipe: %w", err)
	}
	defer pr.Close()
	cmd.Stdout, cmd.Stderr = pw, pw // one pipe: interleaved as written

	if err := cmd.Start(); err != nil {
		pw.Close()
		return fmt.Errorf("build: start %s: %w", cmd.Path, err)
	}
	pw.Close() // the children hold the write end now
	st.started = true
	pgid := cmd.Process.Pid
	var watch *watchdog
	if !st.lim.IsZero() {
		watch = startWatch(st.lim, pgid, pgid, s.Dir, st.baseDisk)
	}

	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(st.out, pr) // ends at EOF or when pr is closed
		close(copied)
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	timer := time.NewTimer(time.Until(st.deadline))
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
		waitErr = stopGroup(pgid, st.grace, exited)
	}
	// The command is done; nothing it started may outlive it.
	killGroup(pgid)
	var over string
	if watch != nil {
		over = watch.finish()
	}

	// A process that left the group (setsid) may still hold the pipe: give
	// it the grace period, then stop reading.
	drain := time.NewTimer(st.grace)
	select {
	case <-copied:
	case <-drain.C:
		pr.Close()
		<-copied
	}
	drain.Stop()

	res := st.res
	res.Tail = st.tail.lines(TailLines)
	res.ExitCode = -1
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	e := &Error{Step: name, Dir: s.Dir, ExitCode: res.ExitCode, Tail: res.Tail}
	switch {
	case reason == ErrTimedOut:
		e.Reason, e.Timeout = ErrTimedOut, st.timeout
		return e
	case reason == ErrCancelled:
		e.Reason, e.Cause = ErrCancelled, cause
		return e
	case waitErr != nil:
		var ee *exec.ExitError
		if !errors.As(waitErr, &ee) {
			return fmt.Errorf("build: wait: %w", waitErr)
		}
		e.Reason, e.ExitCode = ErrFailed, ee.ExitCode()
		sig := exitSignal(ee)
		if sig != "" {
			e.Signal = "killed by signal " + sig
		}
		e.Limit = st.lim.overLimit(over, sig, res.Tail)
		return e
	case over != "":
		e.Reason, e.Limit = ErrFailed, over
		return e
	}
	return nil
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
	f       *os.File
	err     error
	max     int64 // bytes kept; 0: all
	written int64
}

func (l *logFile) Write(p []byte) (int, error) {
	if l.err != nil {
		return len(p), nil
	}
	if l.max > 0 && l.written+int64(len(p)) > l.max {
		if l.written <= l.max {
			keep := p[:l.max-l.written]
			_, l.err = l.f.Write(keep)
			if l.err == nil {
				_, l.err = fmt.Fprintf(l.f, "\n[mpgate: log cut at %s, the build's disk limit; the rest of the output is not kept]\n", FormatBytes(l.max))
			}
			l.written = l.max + 1
		}
		return len(p), nil
	}
	_, l.err = l.f.Write(p)
	l.written += int64(len(p))
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
