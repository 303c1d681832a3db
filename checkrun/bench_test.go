package checkrun

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/render"
	"github.com/mpgate/mpgate/internal/gittest"
	"github.com/mpgate/mpgate/internal/synth"
)

// benchRepo is MPGATE_BENCH_REPO (scripts/bench.sh's .bench/repo: the 34 MB
// synthetic program, its head commit changing one script) when set, else a
// 1,000-file synthetic program committed, then one script changed.
func benchRepo(b *testing.B) string {
	if d := os.Getenv("MPGATE_BENCH_REPO"); d != "" {
		return d
	}
	src := filepath.Join(b.TempDir(), "synth")
	if _, err := synth.Generate(src, synth.Options{Seed: 1, Files: 1000, Subpackages: 4}); err != nil {
		b.Fatal(err)
	}
	r := gittest.New(b)
	if err := os.CopyFS(r.Dir, os.DirFS(src)); err != nil {
		b.Fatal(err)
	}
	r.Commit("base", nil)
	page := filepath.Join(r.Dir, "miniprogram", "app.js")
	data, err := os.ReadFile(page)
	if err != nil {
		b.Fatal(err)
	}
	r.Commit("head", gittest.Files{"miniprogram/app.js": string(data) + "\n// changed by the head commit\n"})
	return r.Dir
}

// BenchmarkCompareWarm: `mpgate check --base HEAD~1 --format json` in
// process with a warm cache (the base report from it, the head's files
// from it but the changed one), the result written as JSON: issue 11's
// base + head run, to be set against checks/analyze's BenchmarkRunWarm.
func BenchmarkCompareWarm(b *testing.B) {
	dir := benchRepo(b)
	log := slog.New(slog.DiscardHandler)
	c := OpenCache(b.TempDir(), 0, log)
	if c == nil {
		b.Fatal("no cache")
	}
	spec := Spec{Dir: dir, Config: config.Default(), Compare: true, Top: dir, BaseRef: "HEAD~1",
		Analyze: Cached(c, nil, log), BaseCache: c, Logger: log}
	run := func() {
		res, err := Run(context.Background(), spec)
		if err != nil {
			b.Fatal(err)
		}
		if err := render.ResultJSON(io.Discard, res); err != nil {
			b.Fatal(err)
		}
	}
	run() // fills the cache
	for b.Loop() {
		run()
	}
}
