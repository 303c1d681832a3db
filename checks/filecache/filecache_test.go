package filecache

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

func key(i int) Key { return NewKey("test", sha256.Sum256([]byte(strconv.Itoa(i)))) }

func val(i int) []byte { return []byte(fmt.Sprintf("value %d", i)) }

func open(t *testing.T, dir, version string) *Cache {
	t.Helper()
	c, err := Open(dir, Options{Version: version})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func segments(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, segPrefix+"*"+segSuffix))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	c := open(t, dir, "v1")
	for i := range 100 {
		if _, ok := c.Get(key(i)); ok {
			t.Fatal("hit in an empty cache")
		}
		c.Put(key(i), val(i))
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	c2 := open(t, dir, "v1")
	for i := range 100 {
		v, ok := c2.Get(key(i))
		if !ok || !bytes.Equal(v, val(i)) {
			t.Fatalf("entry %d: %q, %v", i, v, ok)
		}
	}
	if _, ok := c2.Get(key(100)); ok {
		t.Fatal("hit for a key never put")
	}
	if h, m := c2.Stats(); h != 100 || m != 1 {
		t.Fatalf("stats %d/%d", h, m)
	}
}

// TestKeyDependsOnBoth: the same content under other settings, or other
// content, is another key.
func TestKeyDependsOnBoth(t *testing.T) {
	a := sha256.Sum256([]byte("a"))
	b := sha256.Sum256([]byte("b"))
	if again := NewKey("x", a); NewKey("x", a) == NewKey("y", a) || NewKey("x", a) == NewKey("x", b) || NewKey("x", a) != again {
		t.Fatal("keys do not separate settings and content")
	}
}

func TestForeignVersionIgnored(t *testing.T) {
	dir := t.TempDir()
	c := open(t, dir, "v1")
	c.Put(key(1), val(1))
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	c2 := open(t, dir, "v2")
	if _, ok := c2.Get(key(1)); ok {
		t.Fatal("an entry of another version was trusted")
	}
	if len(segments(t, dir)) != 1 {
		t.Fatal("the other version's segment was removed; it is left to age out")
	}
}

// TestCorruptSegments: every way a segment can be damaged makes it ignored
// (and removed), its entries missed and rewritten by the next Flush.
func TestCorruptSegments(t *testing.T) {
	damage := map[string]func([]byte) []byte{
		"truncated":      func(b []byte) []byte { return b[:len(b)/2] },
		"empty":          func([]byte) []byte { return nil },
		"flipped byte":   func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b },
		"flipped crc":    func(b []byte) []byte { b[len(b)-1] ^= 1; return b },
		"no magic":       func(b []byte) []byte { return append([]byte("garbage!"), b...) },
		"trailing bytes": func(b []byte) []byte { return append(b, 0) },
		"bad count": func(b []byte) []byte {
			// A valid checksum over a lying entry count.
			body := append([]byte(magic), 2, 'v', '1', 0xff, 0xff, 0xff, 0x0f)
			return appendCRC(body)
		},
		"value past end": func(b []byte) []byte {
			body := append([]byte(magic), 2, 'v', '1', 1)
			body = append(body, make([]byte, 32)...)
			body = append(body, 0x7f, 'x')
			return appendCRC(body)
		},
	}
	for name, f := range damage {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			c := open(t, dir, "v1")
			for i := range 20 {
				c.Put(key(i), val(i))
			}
			if err := c.Flush(); err != nil {
				t.Fatal(err)
			}
			seg := segments(t, dir)[0]
			b, err := os.ReadFile(seg)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(seg, f(b), 0o600); err != nil {
				t.Fatal(err)
			}
			c2 := open(t, dir, "v1")
			for i := range 20 {
				if _, ok := c2.Get(key(i)); ok {
					t.Fatalf("entry %d of a corrupt segment was trusted", i)
				}
			}
			if _, err := os.Stat(seg); !os.IsNotExist(err) {
				t.Fatal("the corrupt segment was not removed")
			}
			// Recomputed and rewritten.
			for i := range 20 {
				c2.Put(key(i), val(i))
			}
			if err := c2.Flush(); err != nil {
				t.Fatal(err)
			}
			c3 := open(t, dir, "v1")
			for i := range 20 {
				if v, ok := c3.Get(key(i)); !ok || !bytes.Equal(v, val(i)) {
					t.Fatalf("entry %d not rewritten", i)
				}
			}
		})
	}
}

func appendCRC(b []byte) []byte {
	c := crcOf(b)
	return append(b, byte(c), byte(c>>8), byte(c>>16), byte(c>>24))
}

// TestConcurrentProcesses: processes sharing the directory, each writing
// and merging segments at once, never read a half-written segment and
// lose nothing they flushed (but what a merge of another evicts by budget,
// which this budget does not reach).
func TestConcurrentProcesses(t *testing.T) {
	if os.Getenv("FILECACHE_CHILD") != "" {
		child(t)
		return
	}
	dir := t.TempDir()
	const procs, rounds, per = 4, 12, 50
	var wg sync.WaitGroup
	errs := make([]error, procs)
	for p := range procs {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestConcurrentProcesses$", "-test.count=1")
			cmd.Env = append(os.Environ(), "FILECACHE_CHILD="+strconv.Itoa(p), "FILECACHE_DIR="+dir,
				"FILECACHE_ROUNDS="+strconv.Itoa(rounds), "FILECACHE_PER="+strconv.Itoa(per))
			out, err := cmd.CombinedOutput()
			if err != nil {
				errs[p] = fmt.Errorf("child %d: %v\n%s", p, err, out)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	c := open(t, dir, "v1")
	for p := range procs {
		for i := range rounds * per {
			k := p*100000 + i
			if v, ok := c.Get(key(k)); !ok || !bytes.Equal(v, val(k)) {
				t.Fatalf("entry %d of process %d lost (%v)", i, p, ok)
			}
		}
	}
	if n := len(segments(t, dir)); n > maxSegments+procs {
		t.Fatalf("%d segments: merging does not keep up", n)
	}
	tmp, _ := filepath.Glob(filepath.Join(dir, tmpPrefix+"*"))
	if len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
}

// child is one process of TestConcurrentProcesses: each round it reopens
// the cache, checks every entry it wrote before, adds more and flushes.
func child(t *testing.T) {
	dir := os.Getenv("FILECACHE_DIR")
	p, _ := strconv.Atoi(os.Getenv("FILECACHE_CHILD"))
	rounds, _ := strconv.Atoi(os.Getenv("FILECACHE_ROUNDS"))
	per, _ := strconv.Atoi(os.Getenv("FILECACHE_PER"))
	for r := range rounds {
		c := open(t, dir, "v1")
		for i := range r * per {
			k := p*100000 + i
			if v, ok := c.Get(key(k)); ok && !bytes.Equal(v, val(k)) {
				t.Fatalf("round %d: entry %d has another value: %q", r, k, v)
			}
		}
		for i := r * per; i < (r+1)*per; i++ {
			k := p*100000 + i
			c.Put(key(k), val(k))
		}
		if err := c.Flush(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConcurrentGoroutines: one cache shared by goroutines (go test
// -race); a key missed by many at once is computed by one, the others wait
// for its Put.
func TestConcurrentGoroutines(t *testing.T) {
	c := open(t, t.TempDir(), "v1")
	var computed [50]int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range 50 {
				v, ok := c.Get(key(i))
				if !ok {
					mu.Lock()
					computed[i]++
					mu.Unlock()
					c.Put(key(i), val(i))
					continue
				}
				if !bytes.Equal(v, val(i)) {
					t.Errorf("entry %d: %q", i, v)
				}
			}
			if err := c.Flush(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i, n := range computed {
		if n != 1 {
			t.Fatalf("key %d computed %d times", i, n)
		}
	}
}

// TestEviction: segments past the age limit go; over the byte budget the
// oldest go first.
func TestEviction(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir, Options{Version: "v1", MaxBytes: 4000, MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), 900)
	for i := range 6 {
		c.Put(key(i), big)
		if err := c.Flush(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // distinct modification times
	}
	c2, err := Open(dir, Options{Version: "v1", MaxBytes: 4000, MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c2.Get(key(0)); ok {
		t.Fatal("the oldest entry survived the byte budget")
	}
	if _, ok := c2.Get(key(5)); !ok {
		t.Fatal("the newest entry was evicted")
	}
	var total int64
	for _, s := range segments(t, dir) {
		st, _ := os.Stat(s)
		total += st.Size()
	}
	if total > 4000 {
		t.Fatalf("directory holds %d bytes, over the 4000 budget", total)
	}
	// Age: make every segment two hours old.
	old := time.Now().Add(-2 * time.Hour)
	for _, s := range segments(t, dir) {
		os.Chtimes(s, old, old)
	}
	c3, err := Open(dir, Options{Version: "v1", MaxBytes: 4000, MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c3.Get(key(5)); ok {
		t.Fatal("an entry past the age limit was used")
	}
	if err := c3.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := len(segments(t, dir)); n != 0 {
		t.Fatalf("%d aged segments left", n)
	}
}

// TestNilCache: a nil *Cache (--no-cache) misses and ignores puts.
func TestNilCache(t *testing.T) {
	var c *Cache
	c.Put(key(1), val(1))
	if _, ok := c.Get(key(1)); ok {
		t.Fatal("nil cache hit")
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
}
