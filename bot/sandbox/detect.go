package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot/build"
)

// ErrUnavailable is the error of every build Unavailable refuses and of a
// failed Detect; test with errors.Is.
var ErrUnavailable = errors.New("no build sandbox")

// Unavailable is the wrapper a server keeps when no sandbox works: it
// refuses every build with Reason. The server says why at start, runs the
// builds it trusts without a wrapper and gives the others this one.
type Unavailable struct{ Reason string }

var _ build.Wrapper = Unavailable{}

// Wrap refuses the build.
func (u Unavailable) Wrap(*exec.Cmd) error {
	return fmt.Errorf("%w (%s): refusing to run an untrusted build unsandboxed", ErrUnavailable, u.Reason)
}

// probeTimeout bounds a probe; a working bwrap takes milliseconds.
const probeTimeout = 20 * time.Second

// Detect finds bwrap in PATH and probes it with a real sandbox like a
// build's. It returns the wrapper and a description for the start-up log
// ("bubblewrap 0.8.0 (/usr/bin/bwrap)"), or Unavailable and an error
// (matching ErrUnavailable) that says why and what to change.
func Detect(ctx context.Context) (build.Wrapper, string, error) {
	if runtime.GOOS != "linux" {
		return unavailable("bubblewrap needs Linux (this is " + runtime.GOOS + ")")
	}
	path, err := exec.LookPath("bwrap")
	if err != nil {
		return unavailable("bwrap not found in PATH: install bubblewrap (Debian, Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)")
	}
	b := &Bwrap{Path: path}
	desc, err := b.Probe(ctx)
	if err != nil {
		return unavailable(err.Error())
	}
	return b, desc, nil
}

func unavailable(reason string) (build.Wrapper, string, error) {
	return Unavailable{Reason: reason}, "", fmt.Errorf("%w: %s", ErrUnavailable, reason)
}

// Probe runs a command in a sandbox made exactly as for a build (in a
// temporary worktree, which the command must be able to write) and returns
// a description of the bwrap found. Its error quotes bwrap and says what
// to change when the cause is known (user namespaces off, a container
// masking /proc, an old bwrap).
func (b *Bwrap) Probe(ctx context.Context) (string, error) {
	path := b.Path
	if path == "" {
		p, err := exec.LookPath("bwrap")
		if err != nil {
			return "", fmt.Errorf("bwrap not found in PATH: %w", err)
		}
		path = p
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()

	dir, err := os.MkdirTemp("", "mpgate-sandbox-probe-")
	if err != nil {
		return "", fmt.Errorf("bwrap probe: %w", err)
	}
	defer os.RemoveAll(dir)

	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", "echo ok > probe")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	probe := *b
	probe.Path = path
	if err := probe.Wrap(cmd); err != nil {
		return "", err
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.WaitDelay = time.Second // a leftover holding the output pipe must not hang the start
	runErr := cmd.Run()
	if runErr != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("bwrap at %s: probe did not finish: %w", path, ctx.Err())
		}
		return "", probeError(path, stderr.String(), runErr)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "probe")); err != nil || string(got) != "ok\n" {
		return "", fmt.Errorf("bwrap at %s ran, but the worktree was not writable inside the sandbox (read back %q, %v)", path, got, err)
	}
	return describe(ctx, path), nil
}

// describe is "bubblewrap 0.8.0 (/usr/bin/bwrap)", or the path alone when
// the version cannot be read.
func describe(ctx context.Context, path string) string {
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	v := strings.TrimSpace(string(out))
	if err != nil || v == "" || strings.ContainsAny(v, "\n\r") {
		return "bwrap (" + path + ")"
	}
	return v + " (" + path + ")"
}

// probeError explains a failed probe: bwrap's own message, then what to do.
func probeError(path, output string, runErr error) error {
	msg := strings.TrimSpace(output)
	if len(msg) > 500 {
		msg = msg[:500] + "…"
	}
	if msg == "" {
		msg = runErr.Error()
	}
	if h := hint(msg); h != "" {
		return fmt.Errorf("bwrap at %s cannot create a sandbox: %s — %s", path, msg, h)
	}
	return fmt.Errorf("bwrap at %s cannot create a sandbox: %s", path, msg)
}

// Hints for known bwrap failures, matched on bwrap's message in lower case.
var hints = []struct {
	parts []string // any of
	hint  string
}{
	{
		[]string{"unknown option", "unrecognized option"},
		"this bwrap is too old for the options mpgate uses (--clearenv, --die-with-parent, --cap-drop); install bubblewrap 0.5 or newer",
	},
	{
		[]string{"mount proc", "too revealing"},
		"the container masks parts of /proc, so the sandbox cannot mount a fresh one: run it with --security-opt systempaths=unconfined (Docker) or --security-opt unmask=ALL (Podman), or use the container runtime sandbox (--build-sandbox container)",
	},
	{
		[]string{"no space left on device"},
		"no user namespaces left: user.max_user_namespaces is 0 or exhausted; raise it (sysctl user.max_user_namespaces=10000)",
	},
	{
		[]string{"uid map", "user namespace", "new namespace", "creating new namespace", "unshare", "clone"},
		"unprivileged user namespaces are off; enable them on the host (Debian: sysctl kernel.unprivileged_userns_clone=1; Ubuntu 23.10 and later: kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile for bwrap), run the container with --security-opt seccomp=unconfined --security-opt apparmor=unconfined or give it CAP_SYS_ADMIN, or use the container runtime sandbox (--build-sandbox container)",
	},
	{
		[]string{"mount", "pivot_root", "make / slave"},
		"the sandbox may not mount: a container's AppArmor or SELinux policy forbids it; run the container with --security-opt apparmor=unconfined (and --security-opt label=disable under SELinux), or use the container runtime sandbox (--build-sandbox container)",
	},
}

func hint(msg string) string {
	low := strings.ToLower(msg)
	for _, h := range hints {
		for _, p := range h.parts {
			if strings.Contains(low, p) {
				return h.hint
			}
		}
	}
	return ""
}
