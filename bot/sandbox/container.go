package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"

	"github.com/mpgate/mpgate/bot/build"
)

// Container runs builds in a container: `docker run --rm --network none -v
// worktree:worktree -w worktree image sh -c …`, for hosts where bubblewrap
// cannot work. The image brings the toolchain (node, npm); the worktree is
// the only host directory it sees. mpgate must be allowed to use the
// runtime (for Docker that is root-equivalent: prefer rootless Podman).
//
// A build killed on timeout must not leave its container behind: the
// runtime's client is started under a small sh supervisor that, on the
// SIGTERM build.Run sends first, kills and removes the container by name.
type Container struct {
	// Runtime is "docker", "podman" or a path to either; "" is "docker".
	Runtime string
	// Image is the image to run; required.
	Image string
	// Network gives the container the runtime's default network; off by
	// default (--network none).
	Network bool
	// InstallNetwork gives the install step the network (and not the
	// build), as Bwrap's does.
	InstallNetwork bool
	// Memory is --memory and --memory-swap (no swap past it) in bytes;
	// Processes is --pids-limit; TmpSize caps the /tmp tmpfs. Zero is no
	// limit. The runtime enforces them on the whole container; nothing
	// bounds what the build writes in the worktree (see docs/sandbox.md).
	Memory    int64
	Processes int
	TmpSize   int64
	// User is the --user value; "" is mpgate's own uid:gid, so that what
	// the build writes in the worktree belongs to mpgate.
	User string
	// NoGit hides the worktree's git metadata; by default the repository
	// a linked worktree points into is mounted read-only, as with Bwrap.
	NoGit bool
	// Name returns the container's name; nil makes a random
	// "mpgate-build-…" one. (Tests fix it.)
	Name func() string
}

var _ build.InstallWrapper = (*Container)(nil)

// WrapInstall wraps the install step: with the network when
// InstallNetwork or Network is set.
func (c *Container) WrapInstall(cmd *exec.Cmd) error {
	i := *c
	i.Network = c.Network || c.InstallNetwork
	return i.Wrap(cmd)
}

// supervisor runs "$@" (the runtime's client) and, when told to stop,
// kills container "$2" with runtime "$1" and removes it; it exits with the
// client's status. The removal does not rely on the client's --rm: Podman
// 4.3's client, sent SIGTERM with its container, can hang once the
// container has stopped and leave it behind (seen in the podman tests).
// Once the container is gone the client has nothing left to do and is
// killed. A stop that came before the container existed (while the client
// was still creating it) is made good by removing it again at the end.
const supervisor = `rt=$1; name=$2; shift 2
pid=; stopped=
stop() {
  stopped=1
  "$rt" kill "$name" >/dev/null 2>&1
  "$rt" rm -f "$name" >/dev/null 2>&1
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
}
trap stop TERM INT HUP
"$@" &
pid=$!
wait "$pid"; st=$?
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; st=$?; done
[ -n "$stopped" ] && "$rt" rm -f "$name" >/dev/null 2>&1
exit "$st"`

// Wrap rewrites cmd to run its command in a container.
func (c *Container) Wrap(cmd *exec.Cmd) error {
	if cmd.Err != nil {
		return fmt.Errorf("container: command: %w", cmd.Err)
	}
	rt := c.Runtime
	if rt == "" {
		rt = "docker"
	}
	rtPath, err := exec.LookPath(rt)
	if err != nil {
		return fmt.Errorf("container: runtime: %w", err)
	}
	name := c.name()
	run, err := c.Args(name, cmd.Dir, innerArgv(cmd), cmd.Env)
	if err != nil {
		return err
	}
	argv := append([]string{"/bin/sh", "-c", supervisor, "mpgate-container", rtPath, name, rtPath}, run...)
	cmd.Path = "/bin/sh"
	cmd.Args = argv
	// The client needs to find its configuration and socket; the build's
	// variables go to the container with -e, not to the client.
	cmd.Env = clientEnv(os.Environ())
	return nil
}

func (c *Container) name() string {
	if c.Name != nil {
		return c.Name()
	}
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	return "mpgate-build-" + hex.EncodeToString(b[:])
}

// Args returns the runtime's arguments (from "run" on) to run argv in
// worktree with env in a container named name.
func (c *Container) Args(name, worktree string, argv, env []string) ([]string, error) {
	if strings.TrimSpace(c.Image) == "" {
		return nil, errors.New("container: no image")
	}
	if strings.HasPrefix(c.Image, "-") {
		return nil, fmt.Errorf("container: image %q looks like an option", c.Image)
	}
	if name == "" {
		return nil, errors.New("container: no name")
	}
	wt, err := checkWorktree(worktree)
	if err != nil {
		return nil, fmt.Errorf("container: %w", err)
	}
	if strings.ContainsAny(wt, ":,") {
		return nil, fmt.Errorf("container: worktree %s: a path with ':' or ',' cannot be mounted with -v", wt)
	}
	if len(argv) == 0 {
		return nil, errors.New("container: empty command")
	}
	user := c.User
	if user == "" {
		user = strconv.Itoa(os.Getuid()) + ":" + strconv.Itoa(os.Getgid())
	}
	a := []string{"run", "--rm", "--init", "--name", name}
	if !c.Network {
		a = append(a, "--network", "none")
	}
	if c.Memory > 0 {
		m := strconv.FormatInt(c.Memory, 10)
		a = append(a, "--memory", m, "--memory-swap", m)
	}
	if c.Processes > 0 {
		a = append(a, "--pids-limit", strconv.Itoa(c.Processes))
	}
	tmp := SandboxTmp
	if c.TmpSize > 0 {
		tmp += ":size=" + strconv.FormatInt(c.TmpSize, 10)
	}
	a = append(a,
		"--cap-drop", "ALL",
		"--security-opt", "no-new-privileges",
		"--read-only", "--tmpfs", tmp,
		"--user", user,
		"--hostname", Hostname,
		"-v", wt+":"+wt,
	)
	if !c.NoGit {
		for _, d := range GitDirs(wt) {
			if !strings.ContainsAny(d, ":,") {
				a = append(a, "-v", d+":"+d+":ro")
			}
		}
	}
	a = append(a, "-w", wt)
	for _, kv := range sandboxEnv(env, []string{wt}, SandboxTmp) {
		a = append(a, "-e", kv)
	}
	a = append(a, c.Image)
	if c.Memory > 0 || c.Processes > 0 || c.TmpSize > 0 {
		a = append(a, "/bin/sh", "-c", limitNotes, "mpgate-build",
			sizeNote(c.Memory), strconv.Itoa(c.Processes), sizeNote(c.TmpSize))
	}
	return append(a, argv...), nil
}

// limitNotes runs "$@" (the build) after three arguments, the memory limit,
// the process limit and the size of /tmp ("" or "0" for none), and when the
// build fails says which of the container's limits it ran into, from the
// kernel's own counts: the cgroup's OOM kills (memory.events, or
// memory.oom_control on cgroup v1) and refused forks (pids.events), and
// whether /tmp is full. It uses only the shell's builtins, so that it still
// works when no process can be started any more, and it exits with the
// build's status. The note goes to stderr, into the build's log and the
// error the user sees.
const limitNotes = `mem=$1; procs=$2; tmp=$3; shift 3
"$@"; st=$?
[ "$st" = 0 ] && exit 0
count() { n=0; while read -r k v; do [ "$k" = "$2" ] && n=$v; done < "$1"; }
note() { echo "mpgate: $*" >&2; }
if [ -n "$mem" ]; then
  for f in /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do
    [ -r "$f" ] || continue
    count "$f" oom_kill
    [ "$n" != 0 ] && note "the build went over its memory limit of $mem (--build-memory): the kernel killed a process of it for lack of memory"
    break
  done
fi
if [ "$procs" != 0 ]; then
  for f in /sys/fs/cgroup/pids.events /sys/fs/cgroup/pids/pids.events; do
    [ -r "$f" ] || continue
    count "$f" max
    [ "$n" != 0 ] && note "the build reached its limit of $procs processes and threads (--build-processes): forks refused: $n"
    break
  done
fi
if [ -n "$tmp" ] && ! { echo x > /tmp/.mpgate-space; } 2>/dev/null; then
  note "/tmp is full: it holds at most $tmp (the smaller of --build-disk and --build-memory)"
fi
exit "$st"`

// sizeNote is n for limitNotes: "" for no limit.
func sizeNote(n int64) string {
	if n <= 0 {
		return ""
	}
	return build.FormatBytes(n)
}

// clientEnv keeps what a container runtime's client needs from mpgate's
// environment: where it finds itself, its configuration and its daemon.
func clientEnv(environ []string) []string {
	keep := map[string]bool{
		"PATH": true, "HOME": true, "USER": true, "XDG_RUNTIME_DIR": true, "XDG_CONFIG_HOME": true,
		"DOCKER_HOST": true, "DOCKER_CONFIG": true, "DOCKER_CONTEXT": true, "DOCKER_TLS_VERIFY": true, "DOCKER_CERT_PATH": true,
		"CONTAINER_HOST": true, "CONTAINERS_CONF": true, "CONTAINERS_STORAGE_CONF": true, "CONTAINERS_REGISTRIES_CONF": true,
	}
	var out []string
	for _, kv := range environ {
		k, _, ok := strings.Cut(kv, "=")
		if ok && keep[k] {
			out = append(out, kv)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		out = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	}
	return out
}
