package sandbox

import (
	"fmt"
	"os/exec"
	"path/filepath"

	"github.com/mpgate/mpgate/bot/build"
)

// NetworkPolicy says which steps of a build reach the network.
type NetworkPolicy string

// Network policies.
const (
	// NetworkNone: no step has the network (dependencies come from the
	// cache, or a build that needs none).
	NetworkNone NetworkPolicy = "none"
	// NetworkInstall: the install step has the network, the build does
	// not. The default.
	NetworkInstall NetworkPolicy = "install"
	// NetworkAll: both steps have the network.
	NetworkAll NetworkPolicy = "all"
)

// String makes NetworkPolicy a flag.Value.
func (p *NetworkPolicy) String() string { return string(*p) }

// Set parses a policy.
func (p *NetworkPolicy) Set(s string) error {
	switch v := NetworkPolicy(s); v {
	case NetworkNone, NetworkInstall, NetworkAll:
		*p = v
		return nil
	}
	return fmt.Errorf("network policy %q: want none, install or all", s)
}

// Size is a byte count as a flag.Value ("4GiB"; "0" is no limit).
type Size int64

// String writes the size in binary units.
func (s *Size) String() string {
	if *s == 0 {
		return "0"
	}
	return build.FormatBytes(int64(*s))
}

// Set parses a size (build.ParseBytes).
func (s *Size) Set(v string) error {
	n, err := build.ParseBytes(v)
	if err != nil {
		return err
	}
	*s = Size(n)
	return nil
}

// Defaults of Options.
const (
	DefaultMemory    = 4 << 30
	DefaultProcesses = 1024
	DefaultDisk      = 10 << 30
)

// Options are the server's settings for its sandbox (flags --build-network,
// --build-memory, --build-processes, --build-disk; see docs/sandbox.md).
type Options struct {
	Network NetworkPolicy // "" is NetworkInstall
	// CacheDir holds the per-repository package caches ("" for none).
	CacheDir string
	Limits   build.Limits
}

// DefaultOptions are the server's defaults: the install step online, the
// build offline, DefaultMemory, DefaultProcesses, DefaultDisk.
func DefaultOptions() Options {
	return Options{Network: NetworkInstall,
		Limits: build.Limits{Memory: DefaultMemory, Processes: DefaultProcesses, Disk: DefaultDisk}}
}

// Configure applies o to w when w is a *Bwrap or a *Container (a copy; w
// is not changed) and returns w as it is otherwise (Unavailable, nil,
// another wrapper).
func Configure(w build.Wrapper, o Options) (build.Wrapper, error) {
	if c, ok := w.(*Container); ok && c != nil {
		return configureContainer(c, o)
	}
	b, ok := w.(*Bwrap)
	if !ok || b == nil {
		return w, nil
	}
	c := *b
	var err error
	if c.Network, c.InstallNetwork, err = o.Network.steps(); err != nil {
		return nil, err
	}
	if o.CacheDir != "" {
		abs, err := filepath.Abs(o.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("package cache directory: %w", err)
		}
		c.CacheDir = abs
	}
	if o.Limits.Memory < 0 || o.Limits.Processes < 0 || o.Limits.Disk < 0 {
		return nil, fmt.Errorf("negative build limit %+v", o.Limits)
	}
	if !o.Limits.IsZero() {
		if _, err := exec.LookPath("prlimit"); err != nil {
			return nil, fmt.Errorf("%w: build limits need prlimit from util-linux (Debian: apt-get install util-linux), or no limits (--build-memory 0 --build-processes 0 --build-disk 0): %v", ErrUnavailable, err)
		}
	}
	c.Limits = o.Limits
	return &c, nil
}

// tmpSize is the size of the sandbox's /tmp: the disk limit, and no more
// than the memory limit (a tmpfs lives in memory); 0 is the kernel's
// default (half the memory).
func (b *Bwrap) tmpSize() int64 {
	size := b.Limits.Disk
	if m := b.Limits.Memory; m > 0 && (size == 0 || m < size) {
		size = m
	}
	return size
}

// configureContainer applies o to a container: the network policy, the
// memory and process limits as the runtime's --memory and --pids-limit,
// and the disk limit as the size of /tmp only. The package cache is not
// used: the container sees no host directory but the worktree.
func configureContainer(ct *Container, o Options) (build.Wrapper, error) {
	c := *ct
	var err error
	if c.Network, c.InstallNetwork, err = o.Network.steps(); err != nil {
		return nil, err
	}
	if o.Limits.Memory < 0 || o.Limits.Processes < 0 || o.Limits.Disk < 0 {
		return nil, fmt.Errorf("negative build limit %+v", o.Limits)
	}
	c.Memory, c.Processes = o.Limits.Memory, o.Limits.Processes
	c.TmpSize = o.Limits.Disk
	if m := o.Limits.Memory; m > 0 && (c.TmpSize == 0 || m < c.TmpSize) {
		c.TmpSize = m // a tmpfs lives in memory
	}
	return &c, nil
}

// steps says which build steps a policy lets reach the network: all of
// them, and the install step ("" is install, the default).
func (p NetworkPolicy) steps() (all, install bool, err error) {
	switch p {
	case NetworkNone:
		return false, false, nil
	case NetworkInstall, "":
		return false, true, nil
	case NetworkAll:
		return true, true, nil
	}
	return false, false, fmt.Errorf("network policy %q: want none, install or all", p)
}
