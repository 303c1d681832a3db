package pack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/sourcegraph/conc/pool"

	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/pack/internal/flate"
	"github.com/mpgate/mpgate/checks/tree"
)

// Compression settings of the reported compressed sizes: gzip at level 6
// (gzip's and zlib's default), brotli at quality 6 with a 4 MB window.
// Every file of both builds is compressed on every run, so brotli's
// quality 11 is too slow here; measured on wechat-app-mall's 2.5 MB of
// code, quality 6 output is 9.5% larger than quality 11 (quality 9: 7.8%,
// quality 4: 22%), and quality 11 took most of the time of a run at all
// four (docs/sizes.md).
const (
	GzipLevel      = 6
	BrotliQuality  = 6
	brotliLGWin    = 22
	streamBufBytes = 64 << 10
)

// Sizes of one file.
type Sizes struct {
	// Bytes is the source size.
	Bytes int64
	// Gzip and Brotli are the compressed sizes of the source, each file
	// compressed alone; Brotli only with Options.Brotli (else 0). Already
	// compressed formats (images, media) count at their own size.
	Gzip, Brotli int64
	// Upload is the estimated uploaded size after the platform's
	// processing (Estimator); equal to Bytes when nothing transforms it.
	Upload int64
	// Hash is the hex SHA-256 of the source bytes (identical files have
	// the same Hash); empty for the runtime helpers Measure adds.
	Hash string
}

// gzipFraming is what gzip adds around a file's deflate stream: the
// 10-byte header compress/gzip writes (no name, comment, extra field or
// time) and the 8-byte trailer (CRC-32 and length). The gzip size is
// computed as the deflate stream's plus these, which is what
// compress/gzip writes (TestGzipSizeIsCompressGzip).
const gzipFraming = 18

var (
	// gzipPool holds deflate writers at GzipLevel: Go's compress/flate
	// with a reset that does not clear 640 KB of hash tables per file
	// (checks/pack/internal/flate, FORK.md), a quarter of the deflate
	// time of a program of small files; same output.
	gzipPool = sync.Pool{New: func() any {
		w, _ := flate.NewWriter(io.Discard, GzipLevel)
		return w
	}}
	brotliPool = sync.Pool{New: func() any {
		return brotli.NewWriterOptions(io.Discard, brotli.WriterOptions{Quality: BrotliQuality, LGWin: brotliLGWin})
	}}
	bufPool = sync.Pool{New: func() any { b := make([]byte, streamBufBytes); return &b }}
)

// Source is what Measure reads: a *tree.Tree, or a wrapper that serves files
// already read (the analysis reads each code file once for scanning and
// measuring).
type Source interface {
	Lookup(path string) (tree.File, bool)
	ReadFile(path string, max int64) ([]byte, error)
	Open(path string) (io.ReadCloser, error)
}

var _ Source = (*tree.Tree)(nil)

// counter counts the bytes written to it.
type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// Measure reads every path (relative to the tree's root) once and returns
// its sizes. Files are read in parallel, at most one per core; a file is
// held in memory only when the estimator transforms it and it is at most
// MaxTransformBytes, otherwise it is streamed, so memory stays flat
// whatever the file sizes. A file that cannot be read is left out of the
// map and its error joined into the returned error (wrapped with its path);
// the other files are measured all the same. Cancelling ctx stops the work
// and returns ctx's error.
//
// When the estimator models WeChat's ES6 step, the map also holds the
// runtime helper files that step adds (paths under HelperDir, or under an
// independent subpackage's root with Options.HelperRoot; not in paths):
// Bytes, Gzip and Brotli 0, Hash empty, Upload the helper's size. Sum Upload over the map, not over paths, to get
// the uploaded total.
func Measure(ctx context.Context, t Source, paths []string, e *Estimator) (map[string]Sizes, error) {
	if e == nil {
		e = NewEstimator(nil, manifest.Setting{})
	}
	out := make(map[string]Sizes, len(paths))
	var mu sync.Mutex
	var errs []error
	p := pool.New().WithContext(ctx).WithMaxGoroutines(runtime.GOMAXPROCS(0))
	for _, path := range paths {
		if ctx.Err() != nil {
			break
		}
		p.Go(func(ctx context.Context) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			s, helpers, err := measureFile(t, path, e)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return nil
			}
			out[path] = s
			root := ""
			if e.o.HelperRoot != nil {
				root = e.o.HelperRoot(path)
			}
			for _, h := range helpers {
				if root != "" {
					h = root + "/" + h
				}
				if _, ok := out[h]; !ok {
					out[h] = Sizes{Upload: HelperSize(h)}
				}
			}
			return nil
		})
	}
	if err := p.Wait(); err != nil {
		return nil, fmt.Errorf("measuring files: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("measuring files: %w", err)
	}
	return out, errors.Join(errs...)
}

func measureFile(t Source, path string, e *Estimator) (Sizes, []string, error) {
	f, ok := t.Lookup(path)
	tr := e.transforms(path)
	// Files whose result the cache may hold are read whole: the key is a
	// digest of the bytes. Images and media (nothing to compute but their
	// digest) and big files are streamed.
	whole := ok && f.Size <= MaxTransformBytes && (tr || (e.o.Cache != nil && !precompressed(path)))
	if whole {
		src, err := t.ReadFile(path, MaxTransformBytes)
		if err == nil {
			return e.measureBytes(path, src, tr)
		}
		if !errors.Is(err, tree.ErrTooLarge) {
			return Sizes{}, nil, fmt.Errorf("measuring %q: %w", path, err)
		}
		// Grew past the cap since the walk: stream it.
	}
	rc, err := t.Open(path)
	if err != nil {
		return Sizes{}, nil, fmt.Errorf("measuring %q: %w", path, err)
	}
	defer rc.Close()
	s, err := stream(rc, !precompressed(path), e.o.Brotli)
	if err != nil {
		return Sizes{}, nil, fmt.Errorf("measuring %q: %w", path, err)
	}
	s.Upload = s.Bytes
	return s, nil, nil
}

// measureBytes measures a file read whole: from the cache when it holds
// the result for these bytes under these settings, else computed (and
// put there).
func (e *Estimator) measureBytes(path string, src []byte, transforms bool) (Sizes, []string, error) {
	var sum [32]byte
	if e.o.Digest != nil {
		sum = e.o.Digest(path, src)
	} else {
		sum = sha256.Sum256(src)
	}
	var key [32]byte
	if e.o.Cache != nil {
		key = e.cacheKey(path, transforms, sum)
		if v, ok := e.o.Cache.Get(key); ok {
			if s, helpers, worklets, err := decodeSizes(v); err == nil && s.Bytes == int64(len(src)) {
				s.Hash = hex.EncodeToString(sum[:])
				e.worklets.Add(int64(worklets))
				return s, helpers, nil
			}
			// Corrupt or foreign: recomputed and rewritten below.
		}
	}
	s := compressedSum(path, src, e.o.Brotli, sum)
	var helpers []string
	worklets := 0
	s.Upload = s.Bytes
	if transforms {
		s.Upload, helpers, worklets = e.estimate(path, src)
	}
	e.worklets.Add(int64(worklets))
	if e.o.Cache != nil {
		e.o.Cache.Put(key, encodeSizes(s, helpers, worklets))
	}
	return s, helpers, nil
}

// compressedSum measures an in-memory file whose SHA-256 is sum.
func compressedSum(path string, src []byte, withBrotli bool, sum [32]byte) Sizes {
	n := int64(len(src))
	s := Sizes{Bytes: n, Gzip: n, Hash: hex.EncodeToString(sum[:])}
	if withBrotli {
		s.Brotli = n
	}
	if precompressed(path) {
		return s
	}
	var gz counter
	gw := gzipPool.Get().(*flate.Writer)
	defer gzipPool.Put(gw)
	gw.Reset(&gz)
	gw.Write(src) // counters never fail
	gw.Close()
	s.Gzip = gz.n + gzipFraming
	if withBrotli {
		var br counter
		bw := brotliPool.Get().(*brotli.Writer)
		defer brotliPool.Put(bw)
		bw.Reset(&br)
		bw.Write(src)
		bw.Close()
		s.Brotli = br.n
	}
	return s
}

// precompressedExts are formats whose content is already compressed:
// deflate or brotli win nothing on them (a few bytes of framing, which we
// leave out), so they are counted at their own size instead of being
// compressed on every run — they are often a third of a program's bytes.
var precompressedExts = map[string]bool{"png": true, "jpg": true, "jpeg": true, "gif": true, "webp": true,
	"mp3": true, "mp4": true, "m4a": true, "aac": true, "ogg": true, "silk": true, "br": true}

func precompressed(path string) bool {
	i := strings.LastIndexByte(path, '.')
	return i >= 0 && precompressedExts[strings.ToLower(path[i+1:])]
}

// stream reads r once, counting its bytes and its SHA-256, and with compress
// its gzip size (and with withBrotli its brotli size; else Brotli is 0).
// Without compress both compressed sizes are its size.
func stream(r io.Reader, compress, withBrotli bool) (Sizes, error) {
	var n counter
	h := sha256.New()
	buf := bufPool.Get().(*[]byte)
	defer bufPool.Put(buf)
	if !compress {
		if _, err := io.CopyBuffer(io.MultiWriter(&n, h), r, *buf); err != nil {
			return Sizes{}, err
		}
		s := Sizes{Bytes: n.n, Gzip: n.n, Hash: hex.EncodeToString(h.Sum(nil))}
		if withBrotli {
			s.Brotli = n.n
		}
		return s, nil
	}
	var gz, br counter
	gw := gzipPool.Get().(*flate.Writer)
	defer gzipPool.Put(gw)
	gw.Reset(&gz)
	writers := []io.Writer{&n, h, gw}
	var bw *brotli.Writer
	if withBrotli {
		bw = brotliPool.Get().(*brotli.Writer)
		defer brotliPool.Put(bw)
		bw.Reset(&br)
		writers = append(writers, bw)
	}
	if _, err := io.CopyBuffer(io.MultiWriter(writers...), r, *buf); err != nil {
		return Sizes{}, err
	}
	if err := gw.Close(); err != nil {
		return Sizes{}, err
	}
	if bw != nil {
		if err := bw.Close(); err != nil {
			return Sizes{}, err
		}
	}
	return Sizes{Bytes: n.n, Gzip: gz.n + gzipFraming, Brotli: br.n, Hash: hex.EncodeToString(h.Sum(nil))}, nil
}
