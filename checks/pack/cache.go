package pack

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/mpgate/mpgate/checks/filecache"
	"github.com/mpgate/mpgate/checks/manifest"
)

// Cache holds results derived from a file's bytes alone (a
// *filecache.Cache). Values read back are validated: one that does not
// decode is recomputed and put again.
type Cache interface {
	Get(key filecache.Key) ([]byte, bool)
	Put(key filecache.Key, val []byte)
}

// sizesSchema changes whenever the measurement or the estimate changes what
// it computes for the same bytes: old entries then simply stop matching.
const sizesSchema = "pack.sizes/3"

// settingsKey is the part of a file's cache key that the estimator's
// settings make (computed once per estimator).
func (e *Estimator) settingsKey() string {
	e.keyOnce.Do(func() {
		var b strings.Builder
		b.WriteString(sizesSchema)
		if e.p != nil {
			b.WriteString("|" + string(e.p.ID) + "|" + e.p.Style + "|" + e.p.Template + "|" + e.p.ScriptModule)
		}
		s, _ := json.Marshal(struct {
			S       manifest.Setting
			PostCSS bool
			Brotli  bool
		}{e.s, e.o.PostCSS, e.o.Brotli})
		b.WriteString("|")
		b.Write(s)
		e.key = b.String()
	})
	return e.key
}

// cacheKey is the key of a file's sizes: its bytes, the settings, and what
// of its path the estimate reads (the extension, whether it is compiled
// JSON or a compiler plugin's source, the project settings file).
func (e *Estimator) cacheKey(path string, transforms bool, sum [32]byte) filecache.Key {
	var b strings.Builder
	b.WriteString(e.settingsKey())
	b.WriteString("|ext=" + ext(path))
	b.WriteString("|tr=" + strconv.FormatBool(transforms))
	b.WriteString("|pc=" + strconv.FormatBool(precompressed(path)))
	if target, ok := e.Generated(path); ok {
		b.WriteString("|gen=" + ext(target))
		if e.o.ExpandedStyles {
			b.WriteString("|expanded")
		}
	}
	if path == manifest.ProjectConfig {
		b.WriteString("|projectconfig")
	}
	if path == "app.json" {
		b.WriteString("|app.json")
	}
	if ext(path) == "json" && e.o.CompiledJSON != nil {
		b.WriteString("|compiled=" + strconv.FormatBool(e.o.CompiledJSON(path)))
	}
	return filecache.NewKey(b.String(), sum)
}

// keyState is embedded in Estimator.
type keyState struct {
	keyOnce sync.Once
	key     string
}

var errBadEntry = errors.New("bad cache entry")

// encodeSizes: Bytes, Gzip, Brotli, Upload, worklets, then the helpers,
// each a uvarint (strings length-prefixed).
func encodeSizes(s Sizes, helpers []string, worklets int) []byte {
	b := make([]byte, 0, 32)
	for _, v := range []int64{s.Bytes, s.Gzip, s.Brotli, s.Upload, int64(worklets), int64(len(helpers))} {
		b = binary.AppendUvarint(b, uint64(v))
	}
	for _, h := range helpers {
		b = binary.AppendUvarint(b, uint64(len(h)))
		b = append(b, h...)
	}
	return b
}

func decodeSizes(b []byte) (Sizes, []string, int, error) {
	var v [6]int64
	for i := range v {
		x, n := binary.Uvarint(b)
		if n <= 0 || x > 1<<40 {
			return Sizes{}, nil, 0, errBadEntry
		}
		v[i], b = int64(x), b[n:]
	}
	if v[5] > int64(len(b)) {
		return Sizes{}, nil, 0, errBadEntry
	}
	var helpers []string
	for range v[5] {
		x, n := binary.Uvarint(b)
		if n <= 0 || x > uint64(len(b)-n) {
			return Sizes{}, nil, 0, errBadEntry
		}
		helpers = append(helpers, string(b[n:n+int(x)]))
		b = b[n+int(x):]
	}
	if len(b) != 0 {
		return Sizes{}, nil, 0, errBadEntry
	}
	return Sizes{Bytes: v[0], Gzip: v[1], Brotli: v[2], Upload: v[3]}, helpers, int(v[4]), nil
}
