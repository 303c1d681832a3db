package tree

import (
	"io/fs"
	"os"
	"sync/atomic"
	"time"

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

func (d *beneathDir) close() {
	if d != nil {
		d.f.Close()
	}
}

// open opens name (clean, "/"-separated, relative) for reading in one
// system call; the kernel refuses any path that would leave the directory
// (through "..", an absolute or escaping symlink, a magic link). ok is
// false on any failure: the caller then opens through os.Root, whose
// errors it reports.
func (d *beneathDir) open(name string) (*os.File, bool) {
	return d.openat2(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC)
}

// readFile reads name whole through openat2 and bare system calls, with no
// *os.File: making one costs a fcntl, a registration with the runtime's
// poller and a finalizer, and closing it one more system call, per file —
// a tenth of a warm run on 20,000 files. Only the common case is taken
// here: a regular file of at most max bytes (max < 0: any) that does not
// grow while it is read. Anything else returns ok false and is read again
// through an *os.File (Tree.open), which says what went wrong in its own
// words; so errors and the bytes returned are the same either way.
func (d *beneathDir) readFile(name string, max int64) ([]byte, bool) {
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
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, false
	}
	if st.Size < 0 || st.Size >= 1<<30 || (max >= 0 && st.Size > max) {
		return nil, false
	}
	// One byte more than the size: a read that fills it means the file
	// grew since the stat, left to the slower path.
	b := make([]byte, st.Size+1)
	n := 0
	for n < len(b) {
		m, err := unix.Read(fd, b[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, false
		}
		if m == 0 {
			return b[:n:n], true
		}
		n += m
	}
	return nil, false
}

// fstat is unix.Fstat, retried on EINTR.
func fstat(fd int, st *unix.Stat_t) error {
	for {
		if err := unix.Fstat(fd, st); err != unix.EINTR {
			return err
		}
	}
}

// openDir opens the directory name for reading its entries in one openat2
// (os.Root.Open opens it one path element at a time), without O_NONBLOCK:
// the *os.File is then not registered with the runtime's poller. ok false:
// use os.Root, which says what went wrong in its own words.
func (d *beneathDir) openDir(name string) (*os.File, bool) {
	return d.openat2(name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
}

// openat2 opens name beneath d with flags; a kernel without openat2 (or a
// seccomp filter refusing it) turns the fast path off for the process.
func (d *beneathDir) openat2(name string, flags int) (*os.File, bool) {
	if d == nil || !openat2Works.Load() {
		return nil, false
	}
	fd, err := unix.Openat2(d.fd, name, &unix.OpenHow{
		Flags:   uint64(flags),
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

// statEntries gives the regular files among entries, read from dir (opened
// by openDir), their lstat information relative to dir's descriptor, as
// os.Root's ReadDir does (the os package's own DirEntry of a file opened
// outside a root would lstat by path name later, through whatever the path
// leads to by then). A file gone since the listing is left out, as os.Root
// leaves it out.
func statEntries(dir *os.File, entries []os.DirEntry) []os.DirEntry {
	rc, err := dir.SyscallConn()
	if err != nil {
		return entries
	}
	out := entries[:0]
	for _, e := range entries {
		if !e.Type().IsRegular() {
			out = append(out, e)
			continue
		}
		var st unix.Stat_t
		var serr error
		if err := rc.Control(func(fd uintptr) {
			for {
				if serr = unix.Fstatat(int(fd), e.Name(), &st, unix.AT_SYMLINK_NOFOLLOW); serr != unix.EINTR {
					return
				}
			}
		}); err != nil {
			serr = err
		}
		switch {
		case serr == unix.ENOENT:
			continue
		case serr != nil:
			out = append(out, statEntry{DirEntry: e, err: &fs.PathError{Op: "fstatat", Path: e.Name(), Err: serr}})
		default:
			out = append(out, statEntry{DirEntry: e, info: statInfo{name: e.Name(), st: st}})
		}
	}
	return out
}

// statEntry is a DirEntry whose Info was read when it was listed.
type statEntry struct {
	fs.DirEntry
	info fs.FileInfo
	err  error
}

func (e statEntry) Info() (fs.FileInfo, error) { return e.info, e.err }

// statInfo is the fs.FileInfo of a regular file's unix.Stat_t.
type statInfo struct {
	name string
	st   unix.Stat_t
}

func (i statInfo) Name() string       { return i.name }
func (i statInfo) Size() int64        { return i.st.Size }
func (i statInfo) Mode() fs.FileMode  { return fs.FileMode(i.st.Mode & 0o777) }
func (i statInfo) ModTime() time.Time { return time.Unix(i.st.Mtim.Unix()) }
func (i statInfo) IsDir() bool        { return false }
func (i statInfo) Sys() any           { return &i.st }
