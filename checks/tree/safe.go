package tree

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ErrNotRegular: a path names a device, FIFO, socket or other special
// file. It is never read (a FIFO would block, /dev/zero never ends).
var ErrNotRegular = errors.New("not a regular file")

// openIn opens name under root for reading without following any link out
// of root (os.Root) and without blocking on a FIFO (O_NONBLOCK), and
// refuses anything but a regular file or, when dirOK, a directory. Errors
// name the path as given, never where a link leads.
func openIn(root *os.Root, name string, dirOK bool) (*os.File, os.FileInfo, error) {
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("opening %q: %w", name, pathless(err))
	}
	return checkOpened(f, name, dirOK)
}

// checkOpened accepts f, just opened as name, when it is a regular file (or
// with dirOK a directory), and closes it otherwise.
func checkOpened(f *os.File, name string, dirOK bool) (*os.File, os.FileInfo, error) {
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("stat %q: %w", name, pathless(err))
	}
	switch {
	case info.Mode().IsRegular():
	case info.IsDir():
		if !dirOK {
			f.Close()
			return nil, nil, fmt.Errorf("opening %q: %w", name, ErrIsDir)
		}
	default:
		f.Close()
		return nil, nil, fmt.Errorf("opening %q (%s): %w", name, kindOf(info.Mode()), ErrNotRegular)
	}
	return f, info, nil
}

// kindOf names a special file's type.
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// pathless drops the path from a *PathError (os.Root's errors hold the
// name given, but a wrapped error could hold a link's target): the caller
// names the path itself.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readAll reads f (whose size is info's) up to max bytes; a larger file
// wraps ErrTooLarge. max < 0 means no limit.
func readAll(f *os.File, info os.FileInfo, name string, max int64) ([]byte, error) {
	if max >= 0 && info.Size() > max {
		return nil, fmt.Errorf("reading %q (%d bytes, limit %d): %w", name, info.Size(), max, ErrTooLarge)
	}
	// The common case in one allocation of the stat'ed size, then a probe
	// for bytes the file gained since the stat.
	size := int(min(info.Size(), 1<<30))
	b := make([]byte, size)
	n, err := io.ReadFull(f, b)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return b[:n], nil // shrank since the stat
	case err != nil:
		return nil, fmt.Errorf("reading %q: %w", name, pathless(err))
	}
	var probe [1]byte
	if m, _ := f.Read(probe[:]); m == 0 {
		return b, nil
	}
	// Grew since the stat: read the rest, within the limit.
	var r io.Reader = f
	if max >= 0 {
		r = io.LimitReader(f, max+1-int64(n)-1)
	}
	buf := bytes.NewBuffer(append(b, probe[0]))
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, fmt.Errorf("reading %q: %w", name, pathless(err))
	}
	b = buf.Bytes()
	if max >= 0 && int64(len(b)) > max {
		return nil, fmt.Errorf("reading %q (grew past limit %d): %w", name, max, ErrTooLarge)
	}
	return b, nil
}

// ReadFileIn reads the regular file rel ("/"-separated, relative) under
// dir, at most max bytes (max < 0: no limit), the way every file of a
// checkout must be read: a symlink is followed only while it stays inside
// dir, a device, FIFO or socket is refused (ErrNotRegular) without
// blocking, a larger file is refused (ErrTooLarge). A missing file's error
// wraps fs.ErrNotExist. Errors name rel, never a link's target.
func ReadFileIn(dir, rel string, max int64) ([]byte, error) {
	c, err := clean(rel)
	if err != nil {
		return nil, err
	}
	if c == "" {
		return nil, fmt.Errorf("reading the root: %w", ErrIsDir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", rel, err)
	}
	defer root.Close()
	f, info, err := openIn(root, filepath.FromSlash(c), false)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, info, rel, max)
}

// SubdirIn reports whether the directory rel under dir is reached without
// leaving dir (every symlink on the way resolves inside it). The error
// names rel, never where a link leads.
func SubdirIn(dir, rel string) error {
	c, err := clean(rel)
	if err != nil {
		return err
	}
	if c == "" {
		return nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("%q: %w", rel, err)
	}
	defer root.Close()
	sub, err := root.OpenRoot(filepath.FromSlash(c))
	if err != nil {
		return fmt.Errorf("%q: %w", rel, pathless(err))
	}
	return sub.Close()
}

// RootFS is an fs.FS over root that opens nothing outside it and no
// special file (see ReadFileIn): for fs.WalkDir and friends.
type RootFS struct{ Root *os.Root }

// Open implements fs.FS.
func (r RootFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, _, err := openIn(r.Root, filepath.FromSlash(name), true)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.Unwrap(err)}
	}
	return f, nil
}

// OpenIn opens the regular file rel under dir for reading, with
// ReadFileIn's rules (no link out of dir, no special file) and a file
// larger than max bytes refused (max < 0: no limit). The caller closes it.
func OpenIn(dir, rel string, max int64) (*os.File, error) {
	c, err := clean(rel)
	if err != nil {
		return nil, err
	}
	if c == "" {
		return nil, fmt.Errorf("opening the root: %w", ErrIsDir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening %q: %w", rel, err)
	}
	defer root.Close()
	f, info, err := openIn(root, filepath.FromSlash(c), false)
	if err != nil {
		return nil, err
	}
	if max >= 0 && info.Size() > max {
		f.Close()
		return nil, fmt.Errorf("opening %q (%d bytes, limit %d): %w", rel, info.Size(), max, ErrTooLarge)
	}
	return f, nil
}

// DetectIn is platform detection's view of dir: a RootFS, closed by the
// returned function.
func DetectIn(dir string) (fs.FS, func(), error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, func() {}, err
	}
	return RootFS{Root: root}, func() { root.Close() }, nil
}
