package coverage

import (
	"fmt"
	"io"
	"runtime"
	"testing"
)

// lcovGenerator streams an lcov file of at least size bytes without holding
// it: the same files records (lines 1..lines, line n hit n%3 times) repeat
// until the size is reached. It allocates nothing after construction.
type lcovGenerator struct {
	cycle []byte // one record per file
	size  int64
	off   int64
}

func newLcovGenerator(files, lines int, size int64) *lcovGenerator {
	var cycle []byte
	for f := 0; f < files; f++ {
		cycle = fmt.Appendf(cycle, "TN:\nSF:/home/runner/work/shop/shop/src/pages/p%04d/index.js\nFN:1,(anonymous_0)\nFNDA:1,(anonymous_0)\n", f)
		for n := 1; n <= lines; n++ {
			cycle = fmt.Appendf(cycle, "DA:%d,%d\n", n, n%3)
		}
		cycle = fmt.Appendf(cycle, "LF:%d\nLH:%d\nBRF:0\nBRH:0\nend_of_record\n", lines, lines-lines/3)
	}
	return &lcovGenerator{cycle: cycle, size: size}
}

// repeats is how many times the cycle is emitted.
func (g *lcovGenerator) repeats() int64 {
	return (g.size + int64(len(g.cycle)) - 1) / int64(len(g.cycle))
}

func (g *lcovGenerator) Read(p []byte) (int, error) {
	total := g.repeats() * int64(len(g.cycle))
	if g.off >= total {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && g.off < total {
		c := copy(p[n:], g.cycle[g.off%int64(len(g.cycle)):])
		if rest := total - g.off; int64(c) > rest {
			c = int(rest)
		}
		n += c
		g.off += int64(c)
	}
	return n, nil
}

// TestLargeLcovFlatMemory parses a 100 MB lcov stream and checks that what
// the parser allocated in all is a small fraction of the input: it never holds
// the file, only the per-file line maps. No timing is measured.
func TestLargeLcovFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB stream; skipped with -short")
	}
	const size = 100 << 20
	const files, lines = 500, 100
	g := newLcovGenerator(files, lines, size)
	reps := g.repeats()

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err := Parse("big.lcov", g, Options{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if g.off < size {
		t.Fatalf("generator produced %d bytes, want %d", g.off, size)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("input %d MB, allocated %.1f MB in %d objects", g.off>>20, float64(allocated)/(1<<20), after.Mallocs-before.Mallocs)
	if allocated > 16<<20 {
		t.Errorf("allocated %d bytes for a %d byte input; the parser must stream", allocated, g.off)
	}
	if len(r.Files) != files {
		t.Fatalf("%d files, want %d", len(r.Files), files)
	}
	f := r.Files["src/pages/p0042/index.js"]
	if f == nil {
		t.Fatalf("runner path not made relative: %v", r.SortedPaths()[:3])
	}
	if f.Total != lines || f.Covered != lines-lines/3 {
		t.Errorf("p0042: %d/%d", f.Covered, f.Total)
	}
	if f.Lines[7] != reps*(7%3) || f.Lines[3] != 0 {
		t.Errorf("hits of line 7 = %d, want %d (records add up)", f.Lines[7], reps*(7%3))
	}
}

func BenchmarkParseLcov(b *testing.B) {
	const size = 8 << 20
	b.ReportAllocs()
	b.SetBytes(size)
	for b.Loop() {
		if _, err := Parse("bench.lcov", newLcovGenerator(200, 100, size), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseGo(b *testing.B) {
	data, err := readTestdata("go/coveralls-lefthook-coverage.out")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parseString(data, Options{ModulePath: "github.com/evilmartians/lefthook/v2"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCobertura(b *testing.B) {
	data, err := readTestdata("cobertura/gocover-cobertura-gorilla-mux-v1.8.1.golden.xml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parseString(data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
