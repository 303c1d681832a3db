package analyze

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mpgate/mpgate/checks/filecache"
	"github.com/mpgate/mpgate/internal/synth"
)

// reportJSON is the report as mpgate.report/v1 JSON, files listed.
func reportJSON(t testing.TB, dir string, c Cache) []byte {
	t.Helper()
	opt := Options{IncludeFiles: true}
	if c != nil {
		opt.Cache = c
	}
	rep, err := Run(context.Background(), dir, opt)
	if err != nil {
		t.Fatalf("Run(%s): %v", dir, err)
	}
	b, err := json.MarshalIndent(rep, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func synthProject(t testing.TB, files, subs int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "synth")
	if _, err := synth.Generate(dir, synth.Options{Seed: 7, Files: files, Subpackages: subs}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCacheSameReport: the report is byte for byte the same without the
// cache, with a cold one, a warm one (another process: reopened from
// disk), and a warm one after a file changed.
func TestCacheSameReport(t *testing.T) {
	dirs := map[string]string{
		"shop":        filepath.Join("..", "..", "examples", "shop"),
		"shop-broken": filepath.Join("..", "..", "examples", "shop-broken"),
		"synth":       synthProject(t, 600, 4),
	}
	for name, dir := range dirs {
		t.Run(name, func(t *testing.T) {
			cdir := t.TempDir()
			want := reportJSON(t, dir, nil)
			open := func() *filecache.Cache {
				c, err := filecache.Open(cdir, filecache.Options{Version: "test"})
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			cold := open()
			if got := reportJSON(t, dir, cold); !bytes.Equal(got, want) {
				t.Fatalf("cold cache: report differs from the uncached one\n%s", diffHead(want, got))
			}
			if _, misses := cold.Stats(); misses == 0 {
				t.Fatal("cold run missed nothing: the cache was not consulted")
			}
			if err := cold.Flush(); err != nil {
				t.Fatal(err)
			}
			warm := open()
			if got := reportJSON(t, dir, warm); !bytes.Equal(got, want) {
				t.Fatalf("warm cache: report differs from the uncached one\n%s", diffHead(want, got))
			}
			hits, misses := warm.Stats()
			if hits == 0 || misses != 0 {
				t.Fatalf("warm run: %d hits, %d misses; want only hits", hits, misses)
			}
		})
	}
}

// TestCacheFileChanged: a changed file is analysed again (its new
// references and sizes are in the report), the others come from the cache.
func TestCacheFileChanged(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, filepath.Join("..", "..", "examples", "shop"), dir)
	c := filecache.Memory()
	reportJSON(t, dir, c)
	h0, m0 := c.Stats()
	// A new reference to a missing module: MP210 must appear.
	f := filepath.Join(dir, "miniprogram", "app.js")
	src, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, append(src, "\nrequire('./no-such-module')\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	want := reportJSON(t, dir, nil)
	got := reportJSON(t, dir, c)
	if !bytes.Equal(got, want) {
		t.Fatalf("after a change the cached report differs\n%s", diffHead(want, got))
	}
	if !bytes.Contains(got, []byte("no-such-module")) {
		t.Fatal("the changed file's new reference is not in the report")
	}
	h1, m1 := c.Stats()
	if m1-m0 == 0 || m1-m0 > 3 || h1-h0 < m0-3 {
		t.Fatalf("second run: %d misses, %d hits; want only the changed file's few misses", m1-m0, h1-h0)
	}
}

// TestCacheCorruptEntries: values that do not decode (garbage, truncated,
// another producer's) are recomputed, never trusted, and rewritten.
func TestCacheCorruptEntries(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "shop")
	want := reportJSON(t, dir, nil)
	c := filecache.Memory()
	reportJSON(t, dir, c)
	var keys []filecache.Key
	c.Range(func(k filecache.Key, v []byte) { keys = append(keys, k) })
	if len(keys) == 0 {
		t.Fatal("no entries")
	}
	bad := [][]byte{{}, {0xff, 0xff, 0xff}, bytes.Repeat([]byte{0x80}, 20), []byte("\x01\x05hello"), {1, 2, 3, 4, 5, 6, 7, 8, 9}}
	for i, k := range keys {
		c.Put(k, bad[i%len(bad)])
	}
	if got := reportJSON(t, dir, c); !bytes.Equal(got, want) {
		t.Fatalf("with corrupt entries the report differs\n%s", diffHead(want, got))
	}
	// Rewritten: a third run is served by the cache and still right.
	h0, m0 := c.Stats()
	if got := reportJSON(t, dir, c); !bytes.Equal(got, want) {
		t.Fatal("after rewriting, the report differs")
	}
	if h1, m1 := c.Stats(); m1 != m0 || h1 == h0 {
		t.Fatalf("the corrupt entries were not rewritten: %d new misses", m1-m0)
	}
}

// TestCacheBaseHeadShared: two analyses at once (base and head) sharing a
// cache compute each file once.
func TestCacheBaseHeadShared(t *testing.T) {
	dir := synthProject(t, 400, 2)
	want := reportJSON(t, dir, nil)
	c := filecache.Memory()
	var wg sync.WaitGroup
	got := make([][]byte, 2)
	for i := range got {
		wg.Go(func() { got[i] = reportJSON(t, dir, c) })
	}
	wg.Wait()
	for i := range got {
		if !bytes.Equal(got[i], want) {
			t.Fatalf("side %d: report differs\n%s", i, diffHead(want, got[i]))
		}
	}
	hits, misses := c.Stats()
	if hits < misses*9/10 {
		t.Fatalf("%d hits, %d misses: the two sides did not share their work", hits, misses)
	}
}

func diffHead(a, b []byte) string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	lo := max(0, n-200)
	return "want …" + string(a[lo:min(len(a), n+200)]) + "…\ngot  …" + string(b[lo:min(len(b), n+200)]) + "…"
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
