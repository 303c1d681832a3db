// Package filecache is a content-addressed cache of what mpgate derives from
// a file's bytes alone (the references a scan finds, the sizes a
// measurement computes), shared by every run on the machine and by
// concurrent processes.
//
// Keys are SHA-256 digests of the content and of everything else that
// changes the result (what is computed, the platform, the project's
// settings, the analysis schema): a Key never names a stale result, so the
// cache is never invalidated, only evicted. Values are opaque bytes that
// their producer encodes and validates: a value that does not decode is a
// miss, is recomputed and rewritten.
//
// On disk the cache is a directory of segment files, each written whole to a
// temporary name and renamed into place (atomic on POSIX file systems), each
// carrying its format version and a CRC-32C of its content. A segment that
// is truncated, corrupt or of another version is never trusted: a corrupt
// one is deleted, a foreign one left for its own version until it ages out.
// Open loads every segment; Flush writes the entries of the run as one new
// segment, merges the segments when there are many, and evicts the oldest
// when the directory is over its byte budget or older than its age limit.
// Two processes sharing a directory never see a half-written segment, and
// at worst both write an entry the other wrote too.
package filecache

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Key addresses one entry.
type Key = [32]byte

// NewKey derives the key of the result called what (its producer's name and
// the settings it depends on) for content whose SHA-256 is sum.
func NewKey(what string, sum [32]byte) Key {
	h := sha256.New()
	h.Write(sum[:])
	h.Write([]byte(what))
	var k Key
	h.Sum(k[:0])
	return k
}

// Defaults of Options.
const (
	DefaultMaxBytes = 64 << 20
	DefaultMaxAge   = 30 * 24 * time.Hour
	// maxSegments: Flush merges the segments when there are more.
	maxSegments = 8
	// maxEntry bounds one value (a scan of a 16 MiB file lists far less).
	maxEntry = 4 << 20
)

// Options of Open.
type Options struct {
	// Version names the format of the values (the analysis schema and
	// mpgate's version): segments written under another version are
	// ignored.
	Version string
	// MaxBytes bounds the directory (0: DefaultMaxBytes); the oldest
	// segments are evicted first. It also bounds what Open loads.
	MaxBytes int64
	// MaxAge evicts segments not rewritten for that long (0: DefaultMaxAge).
	MaxAge time.Duration
	Logger *slog.Logger
}

type entry struct {
	val []byte
	// old: loaded from a segment past half its age; a hit rewrites it so
	// that entries in use do not age out.
	old bool
}

// Cache is safe for concurrent use. The zero value is not usable; see Open
// and Memory.
type Cache struct {
	dir string
	opt Options
	log *slog.Logger

	mu      sync.Mutex
	entries map[Key]entry
	size    int64 // bytes of the values in entries
	fresh   map[Key]bool
	loaded  []string // segment files loaded (merged away when compacting)
	hits    int
	misses  int
	// inflight: keys a caller missed and is computing; another caller
	// missing the same key waits for its Put (base and head analysed at
	// once compute each shared file once).
	inflight map[Key]chan struct{}
}

// InflightWait bounds how long Get waits for another caller computing the
// same key before computing it itself (a caller that never puts).
var InflightWait = 30 * time.Second

// Memory returns a cache that lives in the process only (Flush is a no-op):
// base and head analysed in one process share it.
func Memory() *Cache {
	return &Cache{entries: map[Key]entry{}, fresh: map[Key]bool{}, inflight: map[Key]chan struct{}{},
		opt: Options{MaxBytes: DefaultMaxBytes, MaxAge: DefaultMaxAge}, log: slog.New(slog.DiscardHandler)}
}

// segment file names.
const (
	segPrefix = "seg-"
	segSuffix = ".mpc"
	tmpPrefix = ".tmp-"
	magic     = "MPGATE-FILECACHE1\n"
)

// Open creates dir if needed and loads the segments of opt.Version in it.
// Unreadable, corrupt and foreign segments are skipped (a corrupt one is
// removed); only a directory that cannot be created is an error.
func Open(dir string, opt Options) (*Cache, error) {
	opt.MaxBytes = cmp.Or(opt.MaxBytes, DefaultMaxBytes)
	opt.MaxAge = cmp.Or(opt.MaxAge, DefaultMaxAge)
	c := Memory()
	c.dir, c.opt = dir, opt
	if opt.Logger != nil {
		c.log = opt.Logger
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cache directory: %w", err)
	}
	c.reload()
	return c, nil
}

// reload loads the segments of the directory, newest first, up to the byte
// budget.
func (c *Cache) reload() {
	opt := c.opt
	segs := c.segments()
	// Newest first, so that the byte budget keeps the recent entries.
	slices.SortFunc(segs, func(a, b segFile) int { return b.mod.Compare(a.mod) })
	var total int64
	now := time.Now()
	for _, s := range segs {
		if now.Sub(s.mod) > opt.MaxAge || total+s.size > opt.MaxBytes {
			continue // evicted by Flush
		}
		data, err := os.ReadFile(s.path)
		if err != nil {
			continue // removed by a concurrent Flush: fine
		}
		err = c.load(data, now.Sub(s.mod) > opt.MaxAge/2)
		switch {
		case errors.Is(err, errForeign):
			continue
		case err != nil:
			c.log.Warn("cache segment is corrupt; removed, its entries are recomputed", "file", s.path, "err", err)
			os.Remove(s.path)
			continue
		}
		total += s.size
		c.loaded = append(c.loaded, s.path)
	}
}

var (
	errForeign = errors.New("segment of another version")
	errCorrupt = errors.New("corrupt segment")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func crcOf(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// load parses one segment into c.entries (the caller holds c.mu or owns c);
// nothing is added unless the whole segment is valid.
func (c *Cache) load(data []byte, old bool) error {
	if len(data) < len(magic)+4 || !bytes.HasPrefix(data, []byte(magic)) {
		return fmt.Errorf("%w: no header", errCorrupt)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	b := body[len(magic):]
	ver, b, ok := uvarintBytes(b)
	if !ok {
		return fmt.Errorf("%w: version", errCorrupt)
	}
	if string(ver) != c.opt.Version {
		return errForeign
	}
	count, n := binary.Uvarint(b)
	if n <= 0 || count > uint64(len(b)) {
		return fmt.Errorf("%w: entry count", errCorrupt)
	}
	b = b[n:]
	type kv struct {
		k Key
		v []byte
	}
	kvs := make([]kv, 0, count)
	for range count {
		if len(b) < len(Key{}) {
			return fmt.Errorf("%w: truncated key", errCorrupt)
		}
		var k Key
		copy(k[:], b)
		var v []byte
		v, b, ok = uvarintBytes(b[len(k):])
		if !ok || len(v) > maxEntry {
			return fmt.Errorf("%w: truncated value", errCorrupt)
		}
		kvs = append(kvs, kv{k, v[:len(v):len(v)]})
	}
	if len(b) != 0 {
		return fmt.Errorf("%w: trailing bytes", errCorrupt)
	}
	for _, e := range kvs {
		if _, ok := c.entries[e.k]; !ok {
			c.entries[e.k] = entry{val: e.v, old: old}
			c.size += int64(len(e.v))
		}
	}
	return nil
}

func uvarintBytes(b []byte) (val, rest []byte, ok bool) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return nil, nil, false
	}
	return b[w : w+int(n)], b[w+int(n):], true
}

// Get returns the value stored under k. The caller must not modify it, and
// must validate it: a value that does not decode is replaced with Put.
func (c *Cache) Get(k Key) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	e, ok := c.entries[k]
	if !ok {
		ch, busy := c.inflight[k]
		if !busy {
			c.inflight[k] = make(chan struct{})
			c.misses++
			c.mu.Unlock()
			return nil, false
		}
		c.mu.Unlock()
		t := time.NewTimer(InflightWait)
		select {
		case <-ch:
		case <-t.C:
		}
		t.Stop()
		c.mu.Lock()
		if e, ok = c.entries[k]; !ok {
			c.misses++
			c.mu.Unlock()
			return nil, false
		}
	}
	defer c.mu.Unlock()
	c.hits++
	if e.old {
		c.fresh[k] = true
	}
	return e.val, true
}

// Put stores val under k (replacing what was there); Flush writes it.
func (c *Cache) Put(k Key, val []byte) {
	if c == nil {
		return
	}
	if len(val) > maxEntry {
		val = nil // an empty value never decodes: a miss next time
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.inflight[k]; ok {
		close(ch)
		delete(c.inflight, k)
	}
	c.size += int64(len(val)) - int64(len(c.entries[k].val))
	c.entries[k] = entry{val: slices.Clip(val)}
	c.fresh[k] = true
}

// Stats returns the hits and misses of Get so far.
func (c *Cache) Stats() (hits, misses int) {
	if c == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses
}

// Flush writes the entries put (and the old entries used) since Open as one
// segment, merges the segments when there are more than a few, and evicts
// segments past the age limit or the byte budget. A cache from Memory has
// nothing to flush.
func (c *Cache) Flush() error {
	if c == nil || c.dir == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	segs := c.segments()
	merge := len(segs)+1 > maxSegments
	var keys []Key
	if merge {
		// Everything loaded (the fresh entries first, so that the budget
		// keeps them), replacing the segments it came from.
		keys = make([]Key, 0, len(c.entries))
		for k := range c.fresh {
			keys = append(keys, k)
		}
		for k := range c.entries {
			if !c.fresh[k] {
				keys = append(keys, k)
			}
		}
	} else {
		for k := range c.fresh {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		merged := c.loaded
		if merge {
			c.loaded = nil
		}
		if err := c.write(keys); err != nil {
			c.loaded = merged
			return err
		}
		if merge {
			for _, p := range merged {
				os.Remove(p) // a concurrent Flush may have removed it first
			}
		}
		clear(c.fresh)
	}
	c.evict()
	if c.size > c.opt.MaxBytes {
		// A long-lived process (the server) keeps in memory what the
		// directory keeps, not everything it ever computed.
		clear(c.entries)
		c.size, c.loaded = 0, nil
		c.reload()
	}
	return nil
}

// write writes the entries of keys as one segment (up to the byte budget).
func (c *Cache) write(keys []Key) error {
	buf := make([]byte, 0, 1<<20)
	buf = append(buf, magic...)
	buf = binary.AppendUvarint(buf, uint64(len(c.opt.Version)))
	buf = append(buf, c.opt.Version...)
	var body []byte
	var n int
	for _, k := range keys {
		v := c.entries[k].val
		if int64(len(body)+len(v)+48) > c.opt.MaxBytes/2 {
			break
		}
		body = append(body, k[:]...)
		body = binary.AppendUvarint(body, uint64(len(v)))
		body = append(body, v...)
		n++
	}
	buf = binary.AppendUvarint(buf, uint64(n))
	buf = append(buf, body...)
	buf = binary.LittleEndian.AppendUint32(buf, crc32.Checksum(buf, castagnoli))

	f, err := os.CreateTemp(c.dir, tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	_, err = f.Write(buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		var rnd [8]byte
		rand.Read(rnd[:])
		name := fmt.Sprintf("%s%016x-%s%s", segPrefix, time.Now().UnixNano(), hex.EncodeToString(rnd[:]), segSuffix)
		err = os.Rename(f.Name(), filepath.Join(c.dir, name))
		if err == nil {
			c.loaded = append(c.loaded, filepath.Join(c.dir, name))
		}
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("cache: writing a segment: %w", err)
	}
	return nil
}

type segFile struct {
	path string
	size int64
	mod  time.Time
}

// segments lists the segment files of the directory.
func (c *Cache) segments() []segFile {
	des, err := os.ReadDir(c.dir)
	if err != nil {
		return nil
	}
	var out []segFile
	for _, de := range des {
		name := de.Name()
		if !de.Type().IsRegular() || !strings.HasPrefix(name, segPrefix) || !strings.HasSuffix(name, segSuffix) {
			continue
		}
		info, err := de.Info()
		if err != nil {
			continue
		}
		out = append(out, segFile{path: filepath.Join(c.dir, name), size: info.Size(), mod: info.ModTime()})
	}
	return out
}

// evict removes segments past the age limit, then the oldest until the
// directory is within its byte budget, and temporary files a crashed
// writer left (an hour old).
func (c *Cache) evict() {
	now := time.Now()
	segs := c.segments()
	slices.SortFunc(segs, func(a, b segFile) int { return b.mod.Compare(a.mod) })
	var total int64
	for _, s := range segs {
		total += s.size
		if now.Sub(s.mod) > c.opt.MaxAge || total > c.opt.MaxBytes {
			os.Remove(s.path)
		}
	}
	des, _ := os.ReadDir(c.dir)
	for _, de := range des {
		if strings.HasPrefix(de.Name(), tmpPrefix) {
			if info, err := de.Info(); err == nil && now.Sub(info.ModTime()) > time.Hour {
				os.Remove(filepath.Join(c.dir, de.Name()))
			}
		}
	}
}

// Dir is the default cache directory of the user: os.UserCacheDir()/mpgate.
func Dir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory: %w", err)
	}
	return filepath.Join(d, "mpgate"), nil
}

// Range calls fn for every entry in memory (tests, tools).
func (c *Cache) Range(fn func(k Key, v []byte)) {
	c.mu.Lock()
	kvs := make(map[Key][]byte, len(c.entries))
	for k, e := range c.entries {
		kvs[k] = e.val
	}
	c.mu.Unlock()
	for k, v := range kvs {
		fn(k, v)
	}
}
