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
// A build killed on timeout must not leave its container running: the
// runtime's client is started under a small sh supervisor that, on the
// SIGTERM build.Run sends first, kills the container by name.
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

// supervisor runs "$@" (the runtime's client) and kills container "$2"
// with runtime "$1" when told to stop; it exits with the client's status.
const supervisor = `rt=$1; name=$2; shift 2
trap '"$rt" kill "$name" >/dev/null 2>&1' TERM INT HUP
"$@" &
pid=$!
wait "$pid"; st=$?
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; st=$?; done
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
	return append(a, argv...), nil
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
