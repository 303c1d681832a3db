// Package workspace is mpgate's git plumbing: resolving revisions, the merge
// base of a request, detached worktrees to build each side in, the lines a
// request changed, and bare mirrors the server keeps per repository.
//
// Everything goes through the git binary (exec, no go-git). Every invocation
// runs with a controlled environment: no terminal prompts, no system or global
// config (so nothing in a user's ~/.gitconfig changes the output we parse),
// English messages, and stderr captured into the returned error with any
// credential removed.
package workspace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Errors callers can test with errors.Is.
var (
	// ErrUnknownRevision: a revision does not name a commit in the repository.
	ErrUnknownRevision = errors.New("unknown revision")
	// ErrNoMergeBase: the two commits share no history (or the clone is too
	// shallow to see it).
	ErrNoMergeBase = errors.New("no merge base")
	// ErrNotRepository: the directory is not inside a git repository.
	ErrNotRepository = errors.New("not a git repository")
)

// GitError is a git command that failed. Its text names the command (never a
// credential), the exit code and what git said on stderr.
type GitError struct {
	Args     []string // git arguments, credentials removed
	Dir      string
	ExitCode int    // -1 when git did not run or was killed
	Stderr   string // trimmed, credentials removed
	Err      error  // the exec error
}

func (e *GitError) Error() string {
	var b strings.Builder
	b.WriteString("git ")
	b.WriteString(subcommand(e.Args))
	if e.ExitCode >= 0 {
		fmt.Fprintf(&b, " (exit %d)", e.ExitCode)
	}
	if e.Stderr != "" {
		b.WriteString(": ")
		b.WriteString(e.Stderr)
	} else if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// subcommand returns git's command word in args, skipping global options
// ("-c k=v", "-C dir"); the callers' wrapping says what it was about.
func subcommand(args []string) string {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-c" || a == "-C":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			return a
		}
	}
	return strings.Join(args, " ")
}

func (e *GitError) Unwrap() error { return e.Err }

// passEnv are the variables of the parent environment git may see. Anything
// else (GIT_DIR, GIT_INDEX_FILE from a hook, credentials, user config paths)
// stays out.
var passEnv = []string{
	"PATH", "HOME", "TMPDIR", "USER", "LOGNAME",
	"SSH_AUTH_SOCK",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
	"http_proxy", "https_proxy", "no_proxy", "all_proxy",
	"SSL_CERT_FILE", "SSL_CERT_DIR", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH",
	"GIT_EXEC_PATH",
}

// baseEnv is the environment of every git invocation, followed by extra.
func baseEnv(extra []string) []string {
	env := make([]string, 0, len(passEnv)+12+len(extra))
	for _, k := range passEnv {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	env = append(env,
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ALLOW_PROTOCOL=file:git:http:https:ssh",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_ASKPASS=",
		"SSH_ASKPASS=",
		"GCM_INTERACTIVE=never",
		"GIT_SSH_COMMAND=ssh -o BatchMode=yes",
		"GIT_PAGER=cat",
		"GIT_OPTIONAL_LOCKS=0",
		"LC_ALL=C",
		"LANGUAGE=C",
	)
	return append(env, extra...)
}

// safeArgs are -c options on every invocation: no hooks (a worktree checkout
// must not run a repository's post-checkout hook), no fsmonitor daemon.
var safeArgs = []string{
	"-c", "core.hooksPath=" + os.DevNull,
	"-c", "core.fsmonitor=false",
	"-c", "core.quotePath=true",
}

// waitDelay bounds the wait for output pipes after a git process ended.
const waitDelay = 10 * time.Second

// invocation is one git command.
type invocation struct {
	dir    string
	args   []string
	env    []string // added to baseEnv
	redact []string // secrets to remove from errors
	// safeDirs are safe.directory values passed with -c (from the user's own
	// config, see runGit).
	safeDirs []string
}

// cmd builds the exec.Cmd.
func (in *invocation) cmd(ctx context.Context) *exec.Cmd {
	args := make([]string, 0, len(safeArgs)+2*len(in.safeDirs)+len(in.args))
	args = append(args, safeArgs...)
	for _, d := range in.safeDirs {
		args = append(args, "-c", "safe.directory="+d)
	}
	args = append(args, in.args...)
	c := exec.CommandContext(ctx, "git", args...)
	c.Dir = in.dir
	c.Env = baseEnv(in.env)
	// A helper git started (git-remote-https) may hold stderr after git was
	// killed on cancel; stop waiting for it after a while.
	c.WaitDelay = waitDelay
	return c
}

// fail turns an exec error into a *GitError.
func (in *invocation) fail(err error, stderr []byte) error {
	code := -1
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	return &GitError{
		Args:     redactAll(in.args, in.redact),
		Dir:      in.dir,
		ExitCode: code,
		Stderr:   redact(strings.TrimSpace(string(stderr)), in.redact),
		Err:      redactErr(err, in.redact),
	}
}

// run runs git and returns its stdout.
func (in *invocation) run(ctx context.Context) ([]byte, error) {
	out, stderr, err := in.try(ctx)
	if err != nil && isDubiousOwnership(stderr) && in.safeDirs == nil {
		// We ignore the user's global config, but safe.directory is how
		// container CI jobs (runner-owned checkout, root user) make git work
		// at all. Honour exactly the entries the user's own git honours.
		if dirs := userSafeDirectories(ctx); len(dirs) > 0 {
			in.safeDirs = dirs
			out, stderr, err = in.try(ctx)
		}
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("git %s: %w", subcommand(in.args), ctxErr)
		}
		return nil, in.fail(err, stderr)
	}
	return out, nil
}

func (in *invocation) try(ctx context.Context) (stdout, stderr []byte, err error) {
	c := in.cmd(ctx)
	var o, e bytes.Buffer
	c.Stdout = &o
	c.Stderr = &e
	err = c.Run()
	return o.Bytes(), e.Bytes(), err
}

// git runs git in dir with args and returns stdout with the trailing newline
// removed.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	in := &invocation{dir: dir, args: args}
	out, err := in.run(ctx)
	return strings.TrimRight(string(out), "\n"), err
}

func isDubiousOwnership(stderr []byte) bool {
	return bytes.Contains(stderr, []byte("dubious ownership"))
}

// userSafeDirectories reads safe.directory from the user's system and global
// config with the user's own environment.
func userSafeDirectories(ctx context.Context) []string {
	var dirs []string
	for _, scope := range []string{"--system", "--global"} {
		c := exec.CommandContext(ctx, "git", "config", scope, "--get-all", "safe.directory")
		c.Dir = os.TempDir()
		out, err := c.Output()
		if err != nil {
			continue // unset (exit 1) or unreadable: nothing to add
		}
		for _, line := range strings.Split(string(out), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				dirs = append(dirs, line)
			}
		}
	}
	return dirs
}

func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

func redactAll(args, secrets []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = redact(a, secrets)
	}
	return out
}

// redactErr keeps err for errors.Is/As unless its text holds a secret.
func redactErr(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); redact(msg, secrets) != msg {
		return errors.New(redact(msg, secrets))
	}
	return err
}

// checkRev rejects revisions git would read as options.
func checkRev(rev string) error {
	switch {
	case rev == "":
		return fmt.Errorf("empty revision: %w", ErrUnknownRevision)
	case strings.HasPrefix(rev, "-"):
		return fmt.Errorf("revision %q starts with '-': %w", rev, ErrUnknownRevision)
	case strings.ContainsAny(rev, "\x00\n"):
		return fmt.Errorf("revision %q contains a control character: %w", rev, ErrUnknownRevision)
	}
	return nil
}
