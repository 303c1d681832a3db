package tree

import (
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// beneathDir is the root directory's descriptor for openat2.
type beneathDir struct {
	f  *os.File
	fd int
}

// openat2Works turns off after the kernel says ENOSYS (before Linux 5.6)
// or a sandbox refuses the call.
var openat2Works atomic.Bool

func init() { openat2Works.Store(true) }

func openBeneathDir(root *os.Root) *beneathDir {
	if !openat2Works.Load() {
		return nil
	}
	f, err := root.Open(".")
	if err != nil {
		return nil
	}
	return &beneathDir{f: f, fd: int(f.Fd())}
}

func (d *beneathDir) close() { d.f.Close() }

// open opens name (clean, "/"-separated, relative) for reading in one
// system call; the kernel refuses any path that would leave the directory
// (through "..", an absolute or escaping symlink, a magic link). ok is
// false on any failure: the caller then opens through os.Root, whose
// errors it reports.
func (d *beneathDir) open(name string) (*os.File, bool) {
	if d == nil || !openat2Works.Load() {
		return nil, false
	}
	fd, err := unix.Openat2(d.fd, name, &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_NONBLOCK | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		if err == unix.ENOSYS || err == unix.EPERM {
			openat2Works.Store(false)
		}
		return nil, false
	}
	return os.NewFile(uintptr(fd), name), true
}
