package build

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// Limits bound what a build may use; a zero field is no limit. Run enforces
// them when the build's Wrapper is a Limiter (the server's sandbox): each
// step runs under prlimit(1) with per-process resource limits, and a
// watchdog polls the whole build and kills it when it goes over. See
// docs/sandbox.md for what is enforced how.
type Limits struct {
	// Memory bounds each process's data (RLIMIT_DATA: heap and private
	// mappings, so an allocation past it fails) and the resident memory of
	// all the build's processes together (the watchdog).
	Memory int64
	// Processes bounds the build's tasks (processes and threads): by
	// RLIMIT_NPROC where the kernel applies it (not to root) and by the
	// watchdog everywhere.
	Processes int
	// Disk bounds the growth of the build's directory (the watchdog) and
	// the size of any one file it writes (RLIMIT_FSIZE: the write fails and
	// the writer gets SIGXFSZ). A sandbox also caps its /tmp with it.
	Disk int64
}

// IsZero reports whether l limits nothing.
func (l Limits) IsZero() bool { return l == Limits{} }

// Limiter is a Wrapper whose builds have limits.
type Limiter interface {
	BuildLimits() Limits
}

// InstallWrapper is a Wrapper that runs the install step differently from
// the build (the sandbox gives it the network); Run uses WrapInstall for the
// install step and Wrap for the build.
type InstallWrapper interface {
	Wrapper
	WrapInstall(cmd *exec.Cmd) error
}

// prlimitArgs returns the prlimit(1) arguments (without the program) that
// apply l to a command; nil when l sets no per-process limit.
func (l Limits) prlimitArgs() []string {
	var a []string
	if l.Memory > 0 {
		a = append(a, "--data="+strconv.FormatInt(l.Memory, 10))
	}
	if l.Processes > 0 {
		a = append(a, "--nproc="+strconv.Itoa(l.Processes))
	}
	if l.Disk > 0 {
		a = append(a, "--fsize="+strconv.FormatInt(l.Disk, 10))
	}
	if a == nil {
		return nil
	}
	return append(a, "--")
}

// FormatBytes writes n in binary units: "512 MiB", "4 GiB", "1.5 GiB".
func FormatBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	s := strconv.FormatFloat(f, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return s + " " + units[i]
}

// ParseBytes reads a size: a number of bytes with an optional unit, KiB,
// MiB, GiB or TiB (powers of 1024; K, M, G, T, KB, MB, GB, TB mean the same
// here), e.g. "4GiB", "512 MiB", "1048576". "0" is no limit.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToUpper(strings.TrimSpace(t[i:]))
	if num == "" {
		return 0, fmt.Errorf("size %q: want a number with an optional unit (512MiB, 4GiB)", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	mult := map[string]float64{"": 1, "B": 1,
		"K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10,
		"M": 1 << 20, "MB": 1 << 20, "MIB": 1 << 20,
		"G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30,
		"T": 1 << 40, "TB": 1 << 40, "TIB": 1 << 40}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("size %q: unknown unit %q; use KiB, MiB, GiB or TiB", s, unit)
	}
	b := v * mult
	if b >= 1<<62 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return int64(b), nil
}

// overLimit says which limit a failed build most likely went over, from
// what the watchdog saw (certain) or, failing that, from the signal and the
// output: a note for the error, "" when nothing points at a limit.
func (l Limits) overLimit(watchdog, signal, tail string) string {
	if watchdog != "" {
		return watchdog
	}
	if l.Disk > 0 && signal == "file size limit exceeded" {
		return fmt.Sprintf("a file went over the build's disk limit of %s", FormatBytes(l.Disk))
	}
	low := strings.ToLower(tail)
	if l.Memory > 0 && containsAny(low, "out of memory", "memory exhausted", "cannot allocate memory", "allocation failed", "enomem", "bad_alloc") {
		return fmt.Sprintf("the build most likely went over its memory limit of %s per process", FormatBytes(l.Memory))
	}
	if l.Processes > 0 && containsAny(low, "cannot fork", "fork: resource temporarily unavailable", "fork: retry", "spawn eagain", "resource temporarily unavailable") {
		return fmt.Sprintf("the build most likely reached its limit of %d processes and threads", l.Processes)
	}
	if l.Disk > 0 && containsAny(low, "file too large", "efbig", "file size limit exceeded") {
		return fmt.Sprintf("a file went over the build's disk limit of %s", FormatBytes(l.Disk))
	}
	if l.Disk > 0 && containsAny(low, "no space left on device", "enospc") {
		return fmt.Sprintf("out of space: the sandbox's /tmp holds at most %s (the disk limit), or the server's disk is full", FormatBytes(l.Disk))
	}
	return ""
}

func containsAny(s string, parts ...string) bool {
	for _, p := range parts {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
