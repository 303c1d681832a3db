package analyze

import (
	"bytes"
	"io"
	"sync"

	"github.com/mpgate/mpgate/checks/tree"
)

// sourceCache lets the dependency graph and the measurement share one read
// of each code file: the graph's reads are kept, and the measurement takes
// (and forgets) them. Only files the graph scans are kept (scripts,
// templates, styles, JSON, each at most 16 MiB), so memory is bounded by the
// program's code, not its media.
type sourceCache struct {
	*tree.Tree
	mu   sync.Mutex
	data map[string][]byte
}

func newSourceCache(t *tree.Tree) *sourceCache {
	return &sourceCache{Tree: t, data: map[string][]byte{}}
}

// recorder reads through the tree and keeps what it read.
type recorder struct{ *sourceCache }

func (r recorder) ReadFile(path string, max int64) ([]byte, error) {
	b, err := r.Tree.ReadFile(path, max)
	if err == nil {
		r.mu.Lock()
		r.data[path] = b
		r.mu.Unlock()
	}
	return b, err
}

// replayer serves kept reads once, then falls back to the tree.
type replayer struct{ *sourceCache }

func (r replayer) take(path string) ([]byte, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.data[path]
	if ok {
		delete(r.data, path)
	}
	return b, ok
}

func (r replayer) ReadFile(path string, max int64) ([]byte, error) {
	if b, ok := r.take(path); ok && int64(len(b)) <= max {
		return b, nil
	}
	return r.Tree.ReadFile(path, max)
}

func (r replayer) Open(path string) (io.ReadCloser, error) {
	if b, ok := r.take(path); ok {
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	return r.Tree.Open(path)
}
