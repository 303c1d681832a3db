package pack

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/tree"
)

func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func gzipLen(t *testing.T, b []byte) int64 {
	t.Helper()
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, GzipLevel)
	w.Write(b)
	w.Close()
	return int64(buf.Len())
}

func TestMeasure(t *testing.T) {
	js := strings.Repeat("function  add ( a , b ) {\n  return a + b\n}\n", 50)
	files := map[string]string{
		"app.js":         js,
		"pages/a/a.wxml": "<view>\n  <text> {{ a }} </text>\n</view>\n",
		"img/a.png":      "\x89PNG fake image bytes",
		"empty.json":     "",
	}
	dir := writeFiles(t, files)
	tr, err := tree.Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		setting     manifest.Setting
		upload      map[string]int64 // expected Upload; -1: smaller than Bytes
		wantErrPath string
	}{
		{"no settings: upload = bytes", manifest.Setting{}, map[string]int64{
			"app.js": int64(len(js)), "pages/a/a.wxml": int64(len(files["pages/a/a.wxml"])), "img/a.png": int64(len(files["img/a.png"]))}, ""},
		{"minified", manifest.Setting{Minified: true, MinifyWXML: true, ES6: true}, map[string]int64{
			"app.js": -1, "pages/a/a.wxml": int64(len("<view><text>{{a}}</text></view>")), "img/a.png": int64(len(files["img/a.png"]))}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			paths := []string{"app.js", "pages/a/a.wxml", "img/a.png", "empty.json"}
			got, err := Measure(context.Background(), tr, paths, NewEstimatorOptions(wechat(t), tt.setting, Options{Brotli: true}))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(paths) && !tt.setting.ES6 {
				t.Fatalf("%d results, want %d", len(got), len(paths))
			}
			for _, p := range paths {
				s := got[p]
				if s.Bytes != int64(len(files[p])) {
					t.Errorf("%s: Bytes = %d, want %d", p, s.Bytes, len(files[p]))
				}
				want := gzipLen(t, []byte(files[p]))
				if precompressed(p) {
					// Images are counted at their own size, not compressed.
					want = int64(len(files[p]))
					if s.Brotli != want {
						t.Errorf("%s: Brotli = %d, want %d", p, s.Brotli, want)
					}
				}
				if s.Gzip != want {
					t.Errorf("%s: Gzip = %d, want %d", p, s.Gzip, want)
				}
				if s.Brotli <= 0 && s.Bytes > 0 {
					t.Errorf("%s: Brotli = %d", p, s.Brotli)
				}
				if want := fmt.Sprintf("%x", sha256.Sum256([]byte(files[p]))); s.Hash != want {
					t.Errorf("%s: Hash = %s, want %s", p, s.Hash, want)
				}
				if want, ok := tt.upload[p]; ok {
					if want == -1 && s.Upload >= s.Bytes || want >= 0 && s.Upload != want {
						t.Errorf("%s: Upload = %d, want %d (Bytes %d)", p, s.Upload, want, s.Bytes)
					}
				}
			}
			if tt.setting.Minified {
				// app.js uses const: no helper; nothing else added.
				for p := range got {
					if strings.HasPrefix(p, HelperDir) {
						t.Errorf("unexpected helper %s", p)
					}
				}
			}
			if got["app.js"].Brotli >= got["app.js"].Bytes/4 {
				t.Errorf("repetitive JS compresses badly: %+v", got["app.js"])
			}
		})
	}
}

func TestMeasureErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.js": "x", "b.js": "y"})
	tr, err := tree.Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "b.js")); err != nil {
		t.Fatal(err)
	}
	got, err := Measure(context.Background(), tr, []string{"a.js", "b.js", "../escape.js"}, nil)
	if err == nil || !strings.Contains(err.Error(), `"b.js"`) || !strings.Contains(err.Error(), "escape.js") {
		t.Errorf("err = %v, want errors naming b.js and ../escape.js", err)
	}
	if got["a.js"].Bytes != 1 || len(got) != 1 {
		t.Errorf("results = %v, want a.js only", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Measure(ctx, tr, []string{"a.js"}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

// TestMeasureLargeFileFlatMemory measures a sparse 200 MB file and checks
// that the bytes allocated stay far below its size (it is streamed, not
// read whole, and not minified even though its type would be).
func TestMeasureLargeFileFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("compresses 200 MB")
	}
	dir := t.TempDir()
	const size = 200 << 20
	big := filepath.Join(dir, "big.js")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tr, err := tree.Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	e := NewEstimatorOptions(wechat(t), manifest.Setting{Minified: true}, Options{Brotli: true})
	// Warm the writer pools so the measurement sees steady state.
	if _, err := Measure(context.Background(), tr, nil, e); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := Measure(context.Background(), tr, []string{"big.js"}, e)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	s := got["big.js"]
	if s.Bytes != size || s.Upload != size {
		t.Errorf("sizes = %+v, want Bytes = Upload = %d", s, size)
	}
	if s.Gzip <= 0 || s.Gzip > size/100 || s.Brotli <= 0 || s.Brotli > size/100 {
		t.Errorf("compressed sizes of zeros = %+v", s)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 40<<20 {
		t.Errorf("allocated %d bytes to measure a %d-byte file", alloc, size)
	}
}

func BenchmarkMeasure(b *testing.B) {
	files := map[string]string{}
	var paths []string
	js := strings.Repeat("const a = require('./x'); function f(a, b) { return a + b }\n", 300)
	wxml := strings.Repeat("<view class=\"a {{ b }}\">\n  <text>{{ c }}</text>\n</view>\n", 100)
	for i := range 200 {
		p := fmt.Sprintf("pages/p%d/index", i)
		files[p+".js"] = js
		files[p+".wxml"] = wxml
		paths = append(paths, p+".js", p+".wxml")
	}
	dir := writeFiles(b, files)
	tr, err := tree.Walk(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	p := wechat(b)
	for _, s := range []struct {
		name string
		set  manifest.Setting
	}{{"plain", manifest.Setting{}}, {"minified", allOn}} {
		b.Run(s.name, func(b *testing.B) {
			e := NewEstimator(p, s.set)
			b.ReportAllocs()
			b.SetBytes(int64(len(paths) / 2 * (len(js) + len(wxml))))
			for b.Loop() {
				if _, err := Measure(context.Background(), tr, paths, e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestMeasureHelpers(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.js": "async function f() { await g() }", "sub/b.js": "async function h() {}", "c.js": "var x = 1",
	})
	tr, err := tree.Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Measure(context.Background(), tr, []string{"a.js", "sub/b.js", "c.js"}, NewEstimator(wechat(t), allOn))
	if err != nil {
		t.Fatal(err)
	}
	rt := HelperDir + "/regeneratorRuntime.js"
	if s, ok := got[rt]; !ok || s.Upload != HelperSize(rt) || s.Bytes != 0 {
		t.Errorf("%s = %+v, %v", rt, s, ok)
	}
	if len(got) != 5 {
		t.Errorf("%d entries, want 3 files + 2 helpers: %v", len(got), got)
	}
}

func TestMeasureBrotliOnlyWhenAsked(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.js": strings.Repeat("var a = 1;\n", 100)})
	tr, err := tree.Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []bool{false, true} {
		got, err := Measure(context.Background(), tr, []string{"a.js"}, NewEstimatorOptions(wechat(t), manifest.Setting{}, Options{Brotli: want}))
		if err != nil {
			t.Fatal(err)
		}
		if s := got["a.js"]; (s.Brotli > 0) != want || s.Gzip <= 0 {
			t.Errorf("Brotli option %v: sizes %+v", want, s)
		}
	}
}

// TestGzipSizeIsCompressGzip: the gzip size Measure reports (the forked
// deflate's stream plus gzipFraming) is the length of what compress/gzip
// writes at GzipLevel, for a file read whole and for one streamed, one
// file after another through the pooled writers.
func TestGzipSizeIsCompressGzip(t *testing.T) {
	inputs := [][]byte{nil, []byte("a"), []byte(strings.Repeat("Page({});\n", 5000))}
	page, err := os.ReadFile(filepath.Join("testdata", "estimate", "page.js"))
	if err != nil {
		t.Fatal(err)
	}
	inputs = append(inputs, page, passesSource())
	for round := range 3 {
		for i, in := range inputs {
			var b bytes.Buffer
			gw, err := gzip.NewWriterLevel(&b, GzipLevel)
			if err != nil {
				t.Fatal(err)
			}
			gw.Write(in)
			if err := gw.Close(); err != nil {
				t.Fatal(err)
			}
			want := int64(b.Len())
			if got := compressedSum("a.js", in, false, [32]byte{}).Gzip; got != want {
				t.Errorf("round %d, input %d: whole %d, compress/gzip %d", round, i, got, want)
			}
			s, err := stream(bytes.NewReader(in), true, false)
			if err != nil {
				t.Fatal(err)
			}
			if s.Gzip != want {
				t.Errorf("round %d, input %d: streamed %d, compress/gzip %d", round, i, s.Gzip, want)
			}
		}
	}
}
