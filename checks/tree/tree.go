// Package tree walks a mini-program root once and answers questions about its
// files without touching the disk again: which files exist, how big they are,
// which directories exist. Reading goes through an os.Root, so nothing opened
// through a Tree can escape the root, whatever symlinks or ".." a path holds.
//
// Directories the platforms never upload and that can hold a great many files
// (node_modules, .git, .svn) are not descended into. Symlinks that resolve
// inside the root are followed (a file is listed at the link's own path, a
// directory is walked, with cycle detection); symlinks that lead outside the
// root, dangle or loop are not followed and become Problems, as do files and
// directories that cannot be read. Walk fails only when the root itself is
// unusable.
package tree

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/sourcegraph/conc"
)

// Sentinel errors.
var (
	// ErrRoot: the root directory cannot be used (missing, not a directory,
	// unreadable).
	ErrRoot = errors.New("mini-program root unusable")
	// ErrTooLarge: ReadFile found a file larger than the allowed maximum.
	ErrTooLarge = errors.New("file too large")
	// ErrInvalidPath: a path given to the tree is not a clean, relative,
	// "/"-separated path inside the root (empty, absolute, or with "..").
	ErrInvalidPath = errors.New("invalid path")
	// ErrIsDir: Open or ReadFile was given a directory.
	ErrIsDir = errors.New("is a directory")
	// ErrLimit: the tree has more files or deeper directories than a walk
	// accepts (Limits). The walk stops: analysing it would cost the
	// server more than any mini-program needs.
	ErrLimit = errors.New("tree too large")
)

// Limits bound a walk. The platforms upload at most 30 MB: no mini-program
// comes near these.
type Limits struct {
	// MaxFiles is the most regular files a tree may hold.
	MaxFiles int
	// MaxDepth is the most directories a path may go down.
	MaxDepth int
}

// DefaultLimits are Walk's.
var DefaultLimits = Limits{MaxFiles: 100_000, MaxDepth: 64}

// SkippedDirs are the directory names never descended into: the platforms
// never upload them and they can hold a hundred thousand files.
var SkippedDirs = []string{"node_modules", ".git", ".svn"}

// File is one regular file of the tree.
type File struct {
	// Path is relative to the root, "/"-separated. For a file reached
	// through a symlink it is the link's path, not the target's.
	Path string
	Size int64
}

// ProblemKind says what went wrong with a path.
type ProblemKind int

// Problem kinds.
const (
	// SymlinkOutside: a symlink resolves to a place outside the root. It is
	// not followed.
	SymlinkOutside ProblemKind = iota + 1
	// SymlinkLoop: a symlink to a directory that contains it (or a chain of
	// links that never ends). It is not followed.
	SymlinkLoop
	// SymlinkDangling: a symlink whose target does not exist.
	SymlinkDangling
	// Unreadable: a file or directory that cannot be read or stat'ed.
	Unreadable
)

var kindNames = map[ProblemKind]string{
	SymlinkOutside:  "symlink leads outside the root",
	SymlinkLoop:     "symlink loop",
	SymlinkDangling: "dangling symlink",
	Unreadable:      "unreadable",
}

func (k ProblemKind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "unknown problem"
}

// Problem is a path the walk could not use.
type Problem struct {
	Path   string
	Kind   ProblemKind
	Detail string
}

func (p Problem) String() string {
	if p.Detail == "" {
		return p.Path + ": " + p.Kind.String()
	}
	return p.Path + ": " + p.Kind.String() + ": " + p.Detail
}

// Tree is the result of a walk. It is read-only after Walk and safe for
// concurrent use.
type Tree struct {
	// Dir is the root directory as given to Walk.
	Dir string
	// Files are the regular files, sorted by Path.
	Files []File
	// Problems are sorted by Path.
	Problems []Problem
	// Skipped lists the directories not descended into (node_modules, .git,
	// .svn), sorted.
	Skipped []string

	files map[string]int      // path → index in Files
	dirs  map[string]struct{} // every walked directory; "" is the root

	// root is opened once, on the first read, and shared by every reader
	// (os.Root is safe for concurrent use): opening it per file cost a
	// third of the reads' system calls.
	rootOnce sync.Once
	root     *os.Root
	rootErr  error
	// beneath opens files in one system call (Linux openat2 with
	// RESOLVE_BENEATH) where os.Root walks the path a component at a
	// time; nil where unavailable.
	beneath *beneathDir
}

// Close releases the directory handle reads go through. A Tree may be read
// again after Close (the handle is not reopened: reads then fail).
func (t *Tree) Close() error {
	t.rootOnce.Do(func() { t.rootErr = errors.New("tree closed") })
	if t.beneath != nil {
		t.beneath.close()
	}
	if t.root != nil {
		return t.root.Close()
	}
	return nil
}

func (t *Tree) openRoot() (*os.Root, error) {
	t.rootOnce.Do(func() {
		t.root, t.rootErr = os.OpenRoot(t.Dir)
		if t.rootErr == nil {
			t.beneath = openBeneathDir(t.root)
		}
	})
	return t.root, t.rootErr
}

// Walk reads the tree under dir. It returns an error wrapping ErrRoot only
// when dir itself cannot be used, or ctx's error when cancelled; every other
// failure is a Problem.
func Walk(ctx context.Context, dir string) (*Tree, error) {
	return WalkLimited(ctx, dir, DefaultLimits)
}

// WalkLimited is Walk with other limits; it fails with an error wrapping
// ErrLimit when the tree exceeds them.
func WalkLimited(ctx context.Context, dir string, lim Limits) (*Tree, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: opening %q: %w", ErrRoot, dir, err)
	}
	defer root.Close()
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: resolving %q: %w", ErrRoot, dir, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("%w: resolving %q: %w", ErrRoot, dir, err)
	}
	rootInfo, err := root.Stat(".")
	if err != nil {
		return nil, fmt.Errorf("%w: stat %q: %w", ErrRoot, dir, err)
	}
	rootDir, err := root.Open(".")
	if err != nil {
		return nil, fmt.Errorf("%w: opening %q: %w", ErrRoot, dir, err)
	}
	rootEntries, err := rootDir.ReadDir(-1)
	rootDir.Close()
	if err != nil {
		return nil, fmt.Errorf("%w: reading %q: %w", ErrRoot, dir, err)
	}

	beneath := openBeneathDir(root)
	defer beneath.close()
	w := &walker{
		ctx:     ctx,
		lim:     lim,
		root:    root,
		beneath: beneath,
		abs:     abs,
		real:    real,
		tokens:  make(chan struct{}, max(runtime.GOMAXPROCS(0)-1, 0)),
		t: &Tree{
			Dir:   dir,
			files: make(map[string]int),
			dirs:  map[string]struct{}{"": {}},
		},
	}
	r := &result{}
	sub := w.entries(r, "", rootEntries, []os.FileInfo{rootInfo})
	w.merge(r, nil)
	for _, d := range sub {
		w.spawn(d, []os.FileInfo{rootInfo})
	}
	w.wg.Wait()
	if w.err != nil {
		return nil, w.err
	}
	t := w.t
	slices.SortFunc(t.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	for i, f := range t.Files {
		t.files[f.Path] = i
	}
	slices.SortFunc(t.Problems, func(a, b Problem) int { return strings.Compare(a.Path, b.Path) })
	slices.Sort(t.Skipped)
	return t, nil
}

// walker walks directories in parallel: a directory is handed to a new
// goroutine when one of the tokens (one per core) is free, and walked in the
// current goroutine otherwise, so at most GOMAXPROCS goroutines run at once
// whatever the shape of the tree.
type walker struct {
	ctx  context.Context
	lim  Limits
	root *os.Root
	// beneath opens the directories in one system call each (nil: not
	// on this system).
	beneath *beneathDir
	abs     string // absolute root path
	real    string // root path with symlinks resolved
	tokens  chan struct{}
	wg      conc.WaitGroup

	mu  sync.Mutex
	t   *Tree
	err error
}

// result is what one directory contributes; merged under the lock once.
type result struct {
	dir      string
	files    []File
	problems []Problem
	skipped  []string
}

func (r *result) problem(p string, k ProblemKind, err error) {
	d := ""
	if err != nil {
		d = pathless(err).Error() // Path is already the problem's
	}
	r.problems = append(r.problems, Problem{Path: p, Kind: k, Detail: d})
}

func (w *walker) merge(r *result, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if r.dir != "" {
		w.t.dirs[r.dir] = struct{}{}
	}
	w.t.Files = append(w.t.Files, r.files...)
	w.t.Problems = append(w.t.Problems, r.problems...)
	w.t.Skipped = append(w.t.Skipped, r.skipped...)
	if err == nil && w.lim.MaxFiles > 0 && len(w.t.Files) > w.lim.MaxFiles {
		err = fmt.Errorf("%w: more than %d files (the limit)", ErrLimit, w.lim.MaxFiles)
	}
	if err != nil && w.err == nil {
		w.err = err
	}
}

// spawn walks the directory rel, in a new goroutine when a token is free.
func (w *walker) spawn(rel string, ancestors []os.FileInfo) {
	select {
	case w.tokens <- struct{}{}:
		w.wg.Go(func() {
			defer func() { <-w.tokens }()
			w.dir(rel, ancestors)
		})
	default:
		w.dir(rel, ancestors)
	}
}

// dir walks the directory rel (already known to be a directory inside the
// root); ancestors are the directories from the root down to rel's parent,
// used to detect symlink cycles.
func (w *walker) dir(rel string, ancestors []os.FileInfo) {
	r := &result{}
	if err := w.ctx.Err(); err != nil {
		w.merge(r, fmt.Errorf("walking %q: %w", w.t.Dir, err))
		return
	}
	w.mu.Lock()
	stop := w.err != nil
	w.mu.Unlock()
	if stop {
		return
	}
	if depth := strings.Count(rel, "/") + 1; w.lim.MaxDepth > 0 && depth > w.lim.MaxDepth {
		w.merge(r, fmt.Errorf("%w: %s is more than %d directories deep (the limit)", ErrLimit, rel, w.lim.MaxDepth))
		return
	}
	f, ok := w.beneath.openDir(rel)
	var err error
	if !ok {
		f, err = w.root.Open(rel)
	}
	if err != nil {
		r.problem(rel, Unreadable, err)
		w.merge(r, nil)
		return
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		r.problem(rel, Unreadable, err)
		w.merge(r, nil)
		return
	}
	for _, a := range ancestors {
		if os.SameFile(a, info) {
			f.Close()
			r.problem(rel, SymlinkLoop, errors.New("directory contains itself"))
			w.merge(r, nil)
			return
		}
	}
	entries, err := f.ReadDir(-1)
	if ok {
		entries = statEntries(f, entries)
	}
	f.Close()
	if err != nil {
		// ReadDir returns what it read before the error; keep it.
		r.problem(rel, Unreadable, err)
	}
	r.dir = rel
	sub := w.entries(r, rel, entries, append(ancestors[:len(ancestors):len(ancestors)], info))
	w.merge(r, nil)
	for _, d := range sub {
		w.spawn(d, append(ancestors[:len(ancestors):len(ancestors)], info))
	}
}

// entries sorts the entries of directory rel into r and returns the
// subdirectories to walk.
func (w *walker) entries(r *result, rel string, entries []os.DirEntry, ancestors []os.FileInfo) []string {
	var sub []string
	for _, e := range entries {
		name := e.Name()
		p := name
		if rel != "" {
			p = rel + "/" + name
		}
		typ := e.Type()
		switch {
		case typ.IsDir():
			if slices.Contains(SkippedDirs, name) {
				r.skipped = append(r.skipped, p)
				continue
			}
			sub = append(sub, p)
		case typ.IsRegular():
			info, err := e.Info()
			if err != nil {
				r.problem(p, Unreadable, err)
				continue
			}
			r.files = append(r.files, File{Path: p, Size: info.Size()})
		case typ&fs.ModeSymlink != 0:
			if w.symlink(r, p, name) {
				sub = append(sub, p)
			}
		default:
			// Devices, pipes, sockets: never uploaded, nothing to report.
		}
	}
	return sub
}

// symlink resolves the link p into r; it reports whether p is a directory
// inside the root to walk.
func (w *walker) symlink(r *result, p, name string) bool {
	target, err := filepath.EvalSymlinks(filepath.Join(w.abs, filepath.FromSlash(p)))
	if err != nil {
		// EvalSymlinks' errors name host paths: keep only their cause.
		switch {
		case errors.Is(err, syscall.ELOOP), strings.Contains(err.Error(), "too many links"):
			r.problem(p, SymlinkLoop, nil)
		case errors.Is(err, fs.ErrNotExist):
			r.problem(p, SymlinkDangling, nil)
		default:
			r.problem(p, Unreadable, pathless(err))
		}
		return false
	}
	if !within(w.real, target) {
		// The target is a path on the host: it is never shown (reports
		// are public).
		r.problem(p, SymlinkOutside, nil)
		return false
	}
	// Stat through the root: it follows the link and refuses an escape, so
	// a link swapped since EvalSymlinks cannot lead out.
	info, err := w.root.Stat(p)
	if err != nil {
		r.problem(p, Unreadable, err)
		return false
	}
	switch {
	case info.IsDir():
		if slices.Contains(SkippedDirs, name) {
			r.skipped = append(r.skipped, p)
			return false
		}
		return true
	case info.Mode().IsRegular():
		r.files = append(r.files, File{Path: p, Size: info.Size()})
	}
	return false
}

// within reports whether target is root or below it (both cleaned, absolute).
func within(root, target string) bool {
	if target == root {
		return true
	}
	if root == string(filepath.Separator) {
		return strings.HasPrefix(target, root)
	}
	return strings.HasPrefix(target, root+string(filepath.Separator))
}

// clean validates a path given to the tree and returns its canonical form
// ("" for the root).
func clean(p string) (string, error) {
	if p == "" || p == "." {
		return "", nil
	}
	// Like fs.ValidPath, but names need not be UTF-8: file systems allow
	// any bytes but "/" and NUL.
	if strings.IndexByte(p, 0) >= 0 {
		return "", fmt.Errorf("%w: %q", ErrInvalidPath, p)
	}
	for elem := range strings.SplitSeq(p, "/") {
		if elem == "" || elem == "." || elem == ".." {
			return "", fmt.Errorf("%w: %q", ErrInvalidPath, p)
		}
	}
	return p, nil
}

// Lookup returns the file at path, if the walk listed it.
func (t *Tree) Lookup(p string) (File, bool) {
	i, ok := t.files[p]
	if !ok {
		return File{}, false
	}
	return t.Files[i], true
}

// Exists reports whether path is a file or a directory of the tree.
func (t *Tree) Exists(p string) bool {
	if _, ok := t.files[p]; ok {
		return true
	}
	return t.IsDir(p)
}

// IsDir reports whether path is a walked directory ("" and "." are the root).
func (t *Tree) IsDir(p string) bool {
	if p == "." {
		p = ""
	}
	p = strings.TrimSuffix(p, "/")
	_, ok := t.dirs[p]
	return ok
}

// Open opens the file at path for reading, through an os.Root: a path with
// "..", an absolute path, or a symlink leading out of the root is refused.
func (t *Tree) Open(p string) (io.ReadCloser, error) {
	f, _, err := t.open(p)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (t *Tree) open(p string) (*os.File, os.FileInfo, error) {
	c, err := clean(p)
	if err != nil {
		return nil, nil, fmt.Errorf("opening %q: %w", p, err)
	}
	if c == "" {
		return nil, nil, fmt.Errorf("opening the root: %w", ErrIsDir)
	}
	root, err := t.openRoot()
	if err != nil {
		return nil, nil, fmt.Errorf("opening %q: %w", p, err)
	}
	if f, ok := t.beneath.open(c); ok {
		if f, info, err := checkOpened(f, c, false); err == nil {
			return f, info, nil
		}
		// Not a regular file: os.Root below says so in its own words.
	}
	f, info, err := openIn(root, filepath.FromSlash(c), false)
	if err != nil {
		return nil, nil, err
	}
	return f, info, nil
}

// ReadFile reads the whole file at path. A file larger than max bytes is not
// read: the error wraps ErrTooLarge. max < 0 means no limit.
func (t *Tree) ReadFile(p string, max int64) ([]byte, error) {
	if c, err := clean(p); err == nil && c != "" {
		if _, err := t.openRoot(); err == nil {
			if b, ok := t.beneath.readFile(c, max); ok {
				return b, nil
			}
		}
	}
	f, info, err := t.open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, info, p, max)
}

// StatSkipped stats p, a path inside one of the directories the walk did
// not descend into (Skipped: node_modules, …), through the os.Root like
// every read of the tree, so that a platform that loads files from there
// (Alipay resolves npm packages in node_modules) can look up the few files
// it needs without the walk listing all of them. ok is false when p is not
// inside a skipped directory, is not a valid path, or cannot be stat'ed.
func (t *Tree) StatSkipped(p string) (f File, isDir, ok bool) {
	c, err := clean(p)
	if err != nil || c == "" || !t.inSkipped(c) {
		return File{}, false, false
	}
	root, err := t.openRoot()
	if err != nil {
		return File{}, false, false
	}
	info, err := root.Stat(c)
	if err != nil {
		return File{}, false, false
	}
	switch {
	case info.IsDir():
		return File{Path: c}, true, true
	case info.Mode().IsRegular():
		return File{Path: c, Size: info.Size()}, false, true
	}
	return File{}, false, false
}

// inSkipped reports whether p is a skipped directory or lies below one.
func (t *Tree) inSkipped(p string) bool {
	for i := 0; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		if _, found := slices.BinarySearch(t.Skipped, p[:i]); found {
			return true
		}
	}
	return false
}
