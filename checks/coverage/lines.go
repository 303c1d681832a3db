package coverage

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// lineReader hands out the lines of a text report one at a time without
// keeping more than one line in memory. Lines lose their "\n" and "\r"; a
// UTF-8 BOM at the start is dropped.
type lineReader struct {
	r    *bufio.Reader
	n    int // number of the line last returned, 1-based
	max  int
	long []byte // assembles lines longer than the bufio buffer
}

func newLineReader(r io.Reader, maxLine int) *lineReader {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &lineReader{r: br, max: maxLine}
}

var errLineTooLong = errors.New("line too long")

// next returns the next line; the slice is valid until the next call. At the
// end it returns io.EOF.
func (lr *lineReader) next() ([]byte, error) {
	line, err := lr.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		lr.long = append(lr.long[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(lr.long) > lr.max {
				lr.n++
				return nil, fmt.Errorf("%w (over %d bytes)", errLineTooLong, lr.max)
			}
			line, err = lr.r.ReadSlice('\n')
			lr.long = append(lr.long, line...)
		}
		line = lr.long
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(line) == 0 && errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	if len(line) > lr.max {
		lr.n++
		return nil, fmt.Errorf("%w (over %d bytes)", errLineTooLong, lr.max)
	}
	lr.n++
	if lr.n == 1 {
		line = bytes.TrimPrefix(line, utf8BOM)
	}
	line = bytes.TrimSuffix(line, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	return line, nil
}

// parseUint reads a non-negative decimal without allocating. Values that do
// not fit int64 (tools write uint64 wrap-arounds such as 18446744073709551615
// for a counter that went negative) saturate at math.MaxInt64, which counts as
// covered.
func parseUint(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var v uint64
	sat := false
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-9)/10 {
			sat = true
			continue
		}
		v = v*10 + uint64(c-'0')
	}
	if sat || v > math.MaxInt64 {
		return math.MaxInt64, true
	}
	return int64(v), true
}

// parseLineNo reads a 1-based line number (at most MaxInt32).
func parseLineNo(b []byte) (int, bool) {
	v, ok := parseUint(b)
	if !ok || v < 1 || v > math.MaxInt32 {
		return 0, false
	}
	return int(v), true
}

// parseHits reads a hit count from text such as an XML attribute: a
// non-negative integer, or a float some tools write ("1.0"); negative counts
// are an error.
func parseHits(s string) (int64, bool) {
	if v, ok := parseUint([]byte(s)); ok {
		return v, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsNaN(f) {
		return 0, false
	}
	if f >= math.MaxInt64 {
		return math.MaxInt64, true
	}
	return int64(math.Ceil(f)), true
}
