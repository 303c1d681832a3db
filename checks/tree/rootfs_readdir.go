package tree

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// ReadDir implements fs.ReadDirFS, so that fs.WalkDir lists a directory
// without the cost of os.Root's: a directory read through os.Root lstats
// every entry as it lists it (and is opened one path element at a time),
// which made platform detection's listing of a project cost twice the
// analysis's own walk. Here the directory is opened in one openat2 beneath
// the root and its entries typed from the listing itself; Info lstats
// through the root when asked. Where openat2 is not available it is
// fs.ReadDir through Open, as before.
func (r RootFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	if entries, ok := r.readDirBeneath(name); ok {
		return entries, nil
	}
	return fs.ReadDir(rootOpenOnly{r}, name)
}

func (r RootFS) readDirBeneath(name string) ([]fs.DirEntry, bool) {
	bd := openBeneathDir(r.Root)
	if bd == nil {
		return nil, false
	}
	defer bd.close()
	f, ok := bd.openDir(filepath.FromSlash(name))
	if !ok {
		return nil, false
	}
	defer f.Close()
	list, err := f.ReadDir(-1)
	if err != nil {
		return nil, false
	}
	out := make([]fs.DirEntry, 0, len(list))
	for _, e := range list {
		out = append(out, rootEntry{DirEntry: e, root: r.Root, path: path.Join(name, e.Name())})
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, true
}

// rootEntry is a listed entry whose Info lstats through the root (the os
// package's own would lstat the file's name relative to the process's
// working directory: the directory was opened by descriptor).
type rootEntry struct {
	fs.DirEntry
	root *os.Root
	path string
}

func (e rootEntry) Info() (fs.FileInfo, error) {
	info, err := e.root.Lstat(filepath.FromSlash(e.path))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, &fs.PathError{Op: "lstat", Path: e.path, Err: pe.Err}
		}
		return nil, err
	}
	return info, nil
}

// rootOpenOnly hides RootFS's ReadDir from fs.ReadDir (which would call it
// back).
type rootOpenOnly struct{ r RootFS }

func (o rootOpenOnly) Open(name string) (fs.File, error) { return o.r.Open(name) }
