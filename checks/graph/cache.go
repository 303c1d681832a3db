package graph

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"

	"github.com/mpgate/mpgate/checks/filecache"
	"github.com/mpgate/mpgate/checks/scan"
)

// Cache holds what a scan finds in a file's bytes (a *filecache.Cache).
// Values read back are validated: one that does not decode is scanned
// again and put again.
type Cache interface {
	Get(key filecache.Key) ([]byte, bool)
	Put(key filecache.Key, val []byte)
}

// scanSchema changes whenever a scanner finds something else in the same
// bytes: old entries then stop matching.
const scanSchema = "graph.scan/1"

// scanOut is what scanFile keeps of any scanner's result.
type scanOut struct {
	Refs    []scan.Ref
	AppCall []scan.Call
	GetApp  []scan.GetAppCall
	Err     *scan.ParseError
}

// cachedScan returns run(src), from c when it holds the result of the
// scanner named kind (with the platform when the scanner reads it) for
// these bytes.
func cachedScan(env scanEnv, path, kind string, src []byte, run func([]byte) scanOut) scanOut {
	c := env.cache
	if c == nil {
		return run(src)
	}
	var sum [32]byte
	if env.digest != nil {
		sum = env.digest(path, src)
	} else {
		sum = sha256.Sum256(src)
	}
	key := filecache.NewKey(scanSchema+"|"+kind, sum)
	if v, ok := c.Get(key); ok {
		if out, err := decodeScan(v); err == nil {
			return out
		}
	}
	out := run(src)
	c.Put(key, encodeScan(out))
	return out
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func encodeScan(o scanOut) []byte {
	b := make([]byte, 0, 16+24*len(o.Refs))
	u := func(v int) { b = binary.AppendUvarint(b, uint64(v)) }
	u(len(o.Refs))
	for _, r := range o.Refs {
		u(int(r.Kind))
		b = appendString(b, r.Path)
		u(boolInt(r.Dynamic))
		u(r.Line)
		u(r.Col)
	}
	u(len(o.AppCall))
	for _, c := range o.AppCall {
		u(c.Line)
		u(c.Col)
	}
	u(len(o.GetApp))
	for _, c := range o.GetApp {
		u(c.Line)
		u(c.Col)
		u(boolInt(c.AllowDefault))
	}
	if o.Err == nil {
		u(0)
	} else {
		u(1)
		u(o.Err.Line)
		u(o.Err.Col)
		b = appendString(b, o.Err.Msg)
	}
	return b
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}

var errBadEntry = errors.New("bad cache entry")

// decoder reads what encodeScan wrote; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uint(max uint64) int {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > max {
		d.err = errBadEntry
		return 0
	}
	d.b = d.b[n:]
	return int(v)
}

// count reads a length that the remaining bytes can hold.
func (d *decoder) count() int { return d.uint(uint64(len(d.b))) }

func (d *decoder) string() string {
	n := d.count()
	if d.err != nil || n > len(d.b) {
		d.err = errBadEntry
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) bool() bool { return d.uint(1) == 1 }

const maxPos = 1 << 31

func decodeScan(v []byte) (scanOut, error) {
	d := &decoder{b: v}
	var o scanOut
	if n := d.count(); n > 0 {
		o.Refs = make([]scan.Ref, 0, n)
		for range n {
			r := scan.Ref{Kind: scan.Kind(d.uint(uint64(scan.Resource)))}
			r.Path = d.string()
			r.Dynamic = d.bool()
			r.Line, r.Col = d.uint(maxPos), d.uint(maxPos)
			if r.Kind == 0 {
				d.err = errBadEntry
			}
			o.Refs = append(o.Refs, r)
		}
	}
	if n := d.count(); n > 0 {
		o.AppCall = make([]scan.Call, 0, n)
		for range n {
			o.AppCall = append(o.AppCall, scan.Call{Line: d.uint(maxPos), Col: d.uint(maxPos)})
		}
	}
	if n := d.count(); n > 0 {
		o.GetApp = make([]scan.GetAppCall, 0, n)
		for range n {
			o.GetApp = append(o.GetApp, scan.GetAppCall{Line: d.uint(maxPos), Col: d.uint(maxPos), AllowDefault: d.bool()})
		}
	}
	if d.bool() {
		o.Err = &scan.ParseError{Line: d.uint(maxPos), Col: d.uint(maxPos)}
		o.Err.Msg = d.string()
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errBadEntry
	}
	if d.err != nil {
		return scanOut{}, d.err
	}
	return o, nil
}
