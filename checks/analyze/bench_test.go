package analyze

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/mpgate/mpgate/checks/filecache"
)

// benchProject is MPGATE_BENCH_SYNTH (scripts/bench.sh's .bench/synth, 30
// MB) when set, else a 2,000-file synthetic program.
func benchProject(b *testing.B) string {
	if d := os.Getenv("MPGATE_BENCH_SYNTH"); d != "" {
		return d
	}
	return synthProject(b, 2000, 8)
}

func benchRun(b *testing.B, dir string, c Cache) {
	b.Helper()
	opt := Options{}
	if c != nil {
		opt.Cache = c
	}
	if _, err := Run(context.Background(), dir, opt); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRunNoCache: the whole analysis, every file parsed and measured.
func BenchmarkRunNoCache(b *testing.B) {
	dir := benchProject(b)
	for b.Loop() {
		benchRun(b, dir, nil)
	}
}

// BenchmarkRunWarm: every file's results in an in-memory cache (what is
// left is the walk, the reads, the digests, the graph and the rules).
func BenchmarkRunWarm(b *testing.B) {
	dir := benchProject(b)
	c := filecache.Memory()
	benchRun(b, dir, c)
	for b.Loop() {
		benchRun(b, dir, c)
	}
}

// BenchmarkRunWarmFromDisk: a warm run in a new process: the cache is
// opened from its directory first.
func BenchmarkRunWarmFromDisk(b *testing.B) {
	dir := benchProject(b)
	cdir := b.TempDir()
	c, err := filecache.Open(cdir, filecache.Options{Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, dir, c)
	if err := c.Flush(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c, err := filecache.Open(cdir, filecache.Options{Version: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		benchRun(b, dir, c)
	}
}

// BenchmarkRunBaseHeadWarm: base and head at once, sharing a warm cache.
func BenchmarkRunBaseHeadWarm(b *testing.B) {
	dir := benchProject(b)
	c := filecache.Memory()
	benchRun(b, dir, c)
	for b.Loop() {
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() { benchRun(b, dir, c) })
		}
		wg.Wait()
	}
}
