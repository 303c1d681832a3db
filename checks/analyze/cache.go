package analyze

import (
	"bytes"
	"crypto/sha256"
	"io"
	"sync"

	"github.com/mpgate/mpgate/checks/pack"
	"github.com/mpgate/mpgate/checks/tree"
)

// sourceCache lets the dependency graph and the measurement share one read
// of each code file: the graph's reads are kept, and the measurement takes
// (and forgets) them. Only files the graph scans are kept (scripts,
// templates, styles, JSON, each at most 16 MiB), so memory is bounded by the
// program's code, not its media.
//
// It also keeps what the graph derived from those bytes that the
// measurement needs again: their SHA-256 (both key a cache by it) and the
// upload estimate's facts derived from the scan's syntax tree (the ES6
// step's count, the minified length: the estimate need not parse the
// script again). Each is kept with the identity of the bytes it
// was derived from, and served only for those very bytes (a later read of
// the path, which may differ, gets nothing), then forgotten.
type sourceCache struct {
	*tree.Tree
	mu    sync.Mutex
	data  map[string][]byte
	sums  map[string]derived[[32]byte]
	facts map[string]derived[pack.ScriptFacts]
}

// derived is a value computed from the bytes at p (len n).
type derived[T any] struct {
	p *byte
	n int
	v T
}

func (d derived[T]) of(b []byte) bool { return len(b) == d.n && len(b) > 0 && &b[0] == d.p }

func newSourceCache(t *tree.Tree) *sourceCache {
	return &sourceCache{Tree: t, data: map[string][]byte{}, sums: map[string]derived[[32]byte]{},
		facts: map[string]derived[pack.ScriptFacts]{}}
}

// digest returns the SHA-256 of b, read from path, and keeps it for
// takeDigest (the graph's cache key; graph.Options.Digest).
func (c *sourceCache) digest(path string, b []byte) [32]byte {
	c.mu.Lock()
	d, ok := c.sums[path]
	c.mu.Unlock()
	if ok && d.of(b) {
		return d.v
	}
	sum := sha256.Sum256(b)
	if len(b) > 0 {
		c.mu.Lock()
		c.sums[path] = derived[[32]byte]{&b[0], len(b), sum}
		c.mu.Unlock()
	}
	return sum
}

// takeDigest is digest for the last reader of b (the measurement;
// pack.Options.Digest): what was kept is forgotten.
func (c *sourceCache) takeDigest(path string, b []byte) [32]byte {
	c.mu.Lock()
	d, ok := c.sums[path]
	delete(c.sums, path)
	c.mu.Unlock()
	if ok && d.of(b) {
		return d.v
	}
	return sha256.Sum256(b)
}

// keepFacts keeps f, derived by the scan from b, the script at path
// (graph.Options.ParsedScript).
func (c *sourceCache) keepFacts(path string, b []byte, f pack.ScriptFacts) {
	if len(b) == 0 {
		return
	}
	c.mu.Lock()
	c.facts[path] = derived[pack.ScriptFacts]{&b[0], len(b), f}
	c.mu.Unlock()
}

// takeFacts serves them to the estimate once (pack.Options.Facts).
func (c *sourceCache) takeFacts(path string, b []byte) (pack.ScriptFacts, bool) {
	c.mu.Lock()
	d, ok := c.facts[path]
	delete(c.facts, path)
	c.mu.Unlock()
	if ok && d.of(b) {
		return d.v, true
	}
	return pack.ScriptFacts{}, false
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
