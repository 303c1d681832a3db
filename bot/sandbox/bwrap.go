// Package sandbox confines the build of a request: the build runs the
// request's own code (package scripts), so on the server it must see its
// worktree and the toolchain and nothing else of the machine: not the App
// key file, the database, the other worktrees, mpgate's environment or the
// environment of any other process (/proc/PID/environ of a git fetch that
// holds a token).
//
// Bwrap does it with bubblewrap: its own mount, PID, network, IPC and UTS
// namespaces, a fresh /proc, a read-only toolchain and the worktree as the
// only writable place besides a private /tmp. Container does it with a
// container runtime (docker, podman). Detect finds and probes bubblewrap
// when the server starts; Unavailable is what the server keeps when no
// sandbox works, so that it can refuse the builds it does not trust.
//
// Every wrapper implements build.Wrapper; build.Run still owns the process
// group, the time limit and the log. See docs/sandbox.md.
package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mpgate/mpgate/bot/build"
)

// Paths inside the sandbox.
const (
	// SandboxTmp is a private tmpfs, empty at every build.
	SandboxTmp = "/tmp"
	// SandboxHome is the build's HOME when the HOME it was given is not a
	// writable place inside the sandbox (it normally is not: mpgate's own
	// home is never bound).
	SandboxHome = "/tmp/home"
	// Hostname is the sandbox's host name.
	Hostname = "mpgate-build"
)

// systemReadOnly are the system directories and files a build needs to run
// programs: binaries, libraries, the dynamic linker's cache, certificates,
// users and groups (node's os.userInfo, git) and the time zone. Only the
// public part of /etc/ssl: /etc/ssl/private holds keys.
var systemReadOnly = []string{
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	"/etc/alternatives", "/etc/ssl/certs", "/etc/ssl/openssl.cnf", "/etc/ca-certificates",
	"/etc/pki/tls/certs", "/etc/pki/ca-trust",
	"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
	"/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/localtime",
	"/etc/hosts", "/etc/host.conf", "/etc/gai.conf", // "localhost" resolves offline too
}

// networkReadOnly are bound only when the build has the network.
var networkReadOnly = []string{"/etc/resolv.conf"}

// Toolchains are the commands whose install directories DefaultReadOnly
// binds when they are found in PATH outside the system directories (nvm's
// node, a Go under /opt).
var Toolchains = []string{"node", "npm", "npx", "pnpm", "yarn", "corepack", "go", "git"}

// Bwrap runs builds under bubblewrap. The zero value (with Path found in
// PATH) is a working sandbox without network that sees DefaultReadOnly.
type Bwrap struct {
	// Path is the bwrap executable; "" looks "bwrap" up in PATH.
	Path string
	// Network lets the build reach the network (the host's network
	// namespace: the same interfaces, 127.0.0.1 included). Off by default:
	// the build then has only its own loopback.
	Network bool
	// ReadOnly are the directories and files bound read-only at the same
	// path: the toolchain. nil means DefaultReadOnly(). Each must be an
	// absolute path that exists and does not contain the worktree.
	ReadOnly []string
	// Writable are directories bound writable at the same path, caches the
	// operator allows (an npm cache). The same rules as ReadOnly; builds
	// running at the same time share them.
	Writable []string
	// NoGit hides the worktree's git metadata. By default, when the
	// worktree is a linked worktree (its .git is a file pointing into a
	// repository, as the bot's mirrors make them), that repository is bound
	// read-only so that build scripts can run git rev-parse, git describe
	// or git log: it holds the same repository's history and no
	// credentials.
	NoGit bool
	// InstallNetwork gives the install step the network (and not the
	// build, unless Network is set): the policy "install".
	InstallNetwork bool
	// CacheDir is where per-repository package caches are kept (under the
	// server's data directory). When set and the worktree is a linked
	// worktree of a repository (the bot's mirrors), both steps get
	// CacheDir/<repository> writable, and npm, Yarn, pnpm, Bun and corepack
	// are pointed at it. Other worktrees get no persistent cache.
	CacheDir string
	// Limits bound each build (build.Limits): build.Run enforces them; the
	// sandbox also caps its /tmp at the disk limit (and at the memory
	// limit: a tmpfs is held in memory).
	Limits build.Limits
}

var (
	_ build.Wrapper        = (*Bwrap)(nil)
	_ build.InstallWrapper = (*Bwrap)(nil)
	_ build.Limiter        = (*Bwrap)(nil)
)

// BuildLimits returns b.Limits: build.Run enforces them.
func (b *Bwrap) BuildLimits() build.Limits { return b.Limits }

// WrapInstall is Wrap for the install step: with the network when
// InstallNetwork or Network is set.
func (b *Bwrap) WrapInstall(cmd *exec.Cmd) error {
	c := *b
	c.Network = b.Network || b.InstallNetwork
	return c.Wrap(cmd)
}

// DefaultReadOnly returns the system directories that exist on this machine
// and the install directories of the Toolchains found in PATH.
func DefaultReadOnly() []string {
	var out []string
	for _, p := range systemReadOnly {
		if _, err := os.Lstat(p); err == nil {
			out = append(out, p)
		}
	}
	for _, d := range ToolchainDirs(Toolchains...) {
		if !covered(d, out) {
			out = append(out, d)
		}
	}
	return out
}

// ToolchainDirs returns the install directory of each named command found
// in PATH: the directory of the resolved executable, or its parent when
// that is a bin directory (~/.nvm/versions/node/v22.1.0/bin/node gives
// ~/.nvm/versions/node/v22.1.0). Directories that would expose too much
// (/, a home directory or a parent of one) are left out.
func ToolchainDirs(names ...string) []string {
	home, _ := os.UserHomeDir()
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			continue
		}
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		if !filepath.IsAbs(p) {
			continue
		}
		d := filepath.Dir(p)
		if filepath.Base(d) == "bin" {
			d = filepath.Dir(d)
		}
		if d == "/" || d == "/home" || d == "/root" || (home != "" && within(home, d)) || seen[d] {
			continue
		}
		seen[d] = true
		out = append(out, d)
	}
	return out
}

// Wrap rewrites cmd to run its command under bwrap in cmd.Dir (the
// worktree), with the environment cmd.Env (secret-looking names dropped,
// HOME and the temporary directories moved inside the sandbox when they
// point outside it). The bwrap process itself gets an empty environment.
func (b *Bwrap) Wrap(cmd *exec.Cmd) error {
	if cmd.Err != nil {
		return fmt.Errorf("bwrap: command: %w", cmd.Err)
	}
	path := b.Path
	if path == "" {
		p, err := exec.LookPath("bwrap")
		if err != nil {
			return fmt.Errorf("bwrap: %w (install bubblewrap)", err)
		}
		path = p
	}
	args, err := b.Args(cmd.Dir, innerArgv(cmd), cmd.Env)
	if err != nil {
		return err
	}
	cmd.Path = path
	cmd.Args = append([]string{path}, args...)
	cmd.Env = []string{} // bwrap needs none, and the sandbox's PID 1 shows bwrap's
	return nil
}

// Args returns bwrap's arguments (without the program name) to run argv in
// worktree with env inside the sandbox.
func (b *Bwrap) Args(worktree string, argv, env []string) ([]string, error) {
	wt, err := checkWorktree(worktree)
	if err != nil {
		return nil, fmt.Errorf("bwrap: %w", err)
	}
	if len(argv) == 0 {
		return nil, errors.New("bwrap: empty command")
	}
	readOnly := b.ReadOnly
	if readOnly == nil {
		readOnly = DefaultReadOnly()
	}
	if err := checkBinds("read-only", readOnly, wt); err != nil {
		return nil, fmt.Errorf("bwrap: %w", err)
	}
	if err := checkBinds("writable", b.Writable, wt); err != nil {
		return nil, fmt.Errorf("bwrap: %w", err)
	}
	extraWritable := cleanAll(b.Writable)
	var cacheEnv []string
	if b.CacheDir != "" {
		dir, err := repoCache(b.CacheDir, wt)
		if err != nil {
			return nil, fmt.Errorf("bwrap: package cache: %w", err)
		}
		if dir != "" {
			extraWritable = append(extraWritable, dir)
			cacheEnv = packageCacheEnv(dir)
		}
	}
	writable := append([]string{wt}, extraWritable...)
	senv := sandboxEnv(env, writable, SandboxHome)
	senv = withCaches(senv, cacheEnv, writable)
	if !b.Network {
		senv = withDefaults(senv, offlineEnv)
	}

	a := []string{
		// mpgate gone: the sandbox goes. (bwrap's parent death signal
		// follows the thread that started it; the Go runtime does not end
		// its threads unless a goroutine exits locked to one.)
		"--die-with-parent",
		"--unshare-all", // user (when possible), PID, network, IPC, UTS, cgroup
	}
	if b.Network {
		a = append(a, "--share-net")
	}
	a = append(a,
		"--new-session",     // no controlling terminal to push input into (TIOCSTI)
		"--cap-drop", "ALL", // bwrap run as root keeps every capability otherwise
		"--hostname", Hostname,
		"--proc", "/proc", // this PID namespace's processes only
		"--dev", "/dev",
	)
	if size := b.tmpSize(); size > 0 {
		a = append(a, "--size", strconv.FormatInt(size, 10))
	}
	a = append(a,
		"--tmpfs", SandboxTmp,
		"--dir", SandboxHome,
	)
	ro := cleanAll(readOnly)
	if b.Network {
		for _, p := range networkReadOnly {
			if _, err := os.Stat(p); err == nil && !covered(p, ro) {
				ro = append(ro, p)
			}
		}
	}
	for _, p := range ro {
		a = append(a, roMount(p, ro)...)
	}
	if !b.NoGit {
		for _, p := range GitDirs(wt) {
			if !covered(p, ro) {
				a = append(a, "--ro-bind", p, p)
			}
		}
	}
	for _, p := range extraWritable {
		a = append(a, "--bind", p, p)
	}
	a = append(a,
		"--bind", wt, wt,
		"--remount-ro", "/", // writes outside the binds and /tmp fail instead of vanishing
		"--chdir", wt,
		"--clearenv",
	)
	for _, kv := range senv {
		k, v, _ := strings.Cut(kv, "=")
		a = append(a, "--setenv", k, v)
	}
	a = append(a, "--")
	return append(a, argv...), nil
}

// roMount returns the arguments that make p visible read-only. A symbolic
// link whose target is bound anyway stays a link (/bin -> usr/bin on merged
// /usr systems); any other path is bound, following links.
func roMount(p string, all []string) []string {
	if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if target, err := os.Readlink(p); err == nil {
			abs := target
			if !filepath.IsAbs(abs) {
				abs = filepath.Join(filepath.Dir(p), target)
			}
			if covered(abs, without(all, p)) {
				return []string{"--symlink", target, p}
			}
		}
	}
	return []string{"--ro-bind", p, p}
}

// innerArgv is the command cmd would run: its resolved path and arguments.
func innerArgv(cmd *exec.Cmd) []string {
	if len(cmd.Args) == 0 {
		return []string{cmd.Path}
	}
	return append([]string{cmd.Path}, cmd.Args[1:]...)
}

// checkWorktree returns the worktree as a clean absolute path and checks
// that it is a directory. "/" is refused: it would expose everything.
func checkWorktree(dir string) (string, error) {
	if dir == "" {
		return "", errors.New("no worktree: the command has no directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("worktree %s: %w", dir, err)
	}
	if abs == "/" {
		return "", errors.New("the worktree cannot be /")
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("worktree: %w", err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("worktree %s is not a directory", abs)
	}
	return abs, nil
}

// checkBinds checks that each path is absolute, exists and neither is nor
// contains the worktree: binding a parent of the worktree would show the
// build the other worktrees and the database next to it.
func checkBinds(kind string, paths []string, wt string) error {
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			return fmt.Errorf("%s path %q is not absolute", kind, p)
		}
		c := filepath.Clean(p)
		if within(wt, c) {
			return fmt.Errorf("%s path %s contains the worktree %s: the build would see what lies next to it", kind, c, wt)
		}
		if _, err := os.Stat(c); err != nil {
			return fmt.Errorf("%s path: %w", kind, err)
		}
	}
	return nil
}

// sandboxEnv is env as the sandbox sees it: secret-looking names dropped,
// HOME, TMPDIR, TMP and TEMP moved inside when they point where the build
// cannot write (HOME becomes home), XDG base directories outside writable
// dropped (their defaults are under HOME). Sorted, one entry per name.
func sandboxEnv(env, writable []string, home string) []string {
	vars := map[string]string{}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || build.IsSecretName(k) {
			continue
		}
		vars[k] = v
	}
	canWrite := func(v string) bool {
		if !filepath.IsAbs(v) {
			return false
		}
		for _, w := range writable {
			if within(v, w) {
				return true
			}
		}
		return false
	}
	if v, ok := vars["HOME"]; !ok || !canWrite(v) {
		vars["HOME"] = home
	}
	for _, k := range []string{"TMPDIR", "TMP", "TEMP"} {
		if v, ok := vars[k]; ok && filepath.Clean(v) != SandboxTmp && !canWrite(v) {
			vars[k] = SandboxTmp
		}
	}
	for _, k := range []string{"XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"} {
		if v, ok := vars[k]; ok && !canWrite(v) {
			delete(vars, k)
		}
	}
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// offlineEnv turns off what package managers would look up on the network
// for nothing but a message (npm's update check retries for seconds without
// a network); a value the build was given wins.
var offlineEnv = []string{"npm_config_update_notifier=false", "npm_config_audit=false", "npm_config_fund=false"}

// withDefaults adds the entries of defs whose names env does not set, and
// keeps env sorted.
func withDefaults(env, defs []string) []string {
	have := map[string]bool{}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		have[k] = true
	}
	out := slices.Clone(env)
	for _, kv := range defs {
		if k, _, _ := strings.Cut(kv, "="); !have[k] {
			out = append(out, kv)
		}
	}
	sort.Strings(out)
	return out
}

// within reports whether path is dir or inside it (both clean and absolute).
func within(path, dir string) bool {
	path, dir = filepath.Clean(path), filepath.Clean(dir)
	if dir == "/" {
		return strings.HasPrefix(path, "/")
	}
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// covered reports whether p is inside one of dirs.
func covered(p string, dirs []string) bool {
	for _, d := range dirs {
		if within(p, d) {
			return true
		}
	}
	return false
}

func without(list []string, x string) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		if s != x {
			out = append(out, s)
		}
	}
	return out
}

func cleanAll(paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		out = append(out, filepath.Clean(p))
	}
	return out
}
