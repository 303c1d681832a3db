package coverage

import (
	"bytes"
	"errors"
	"io"
)

// isLcovLine reports whether a line looks like the start of an lcov file.
func isLcovLine(b []byte) bool {
	for _, k := range [][]byte{[]byte("TN:"), []byte("SF:"), []byte("VER:")} {
		if bytes.HasPrefix(b, k) {
			return true
		}
	}
	return false
}

// lcovRecord is the state of one SF ... end_of_record block.
type lcovRecord struct {
	path   string // normalised
	file   *File  // created on the first DA
	lf, lh int64
	hasLF  bool
	sawDA  bool
	open   bool
}

// parseLcov reads an lcov tracefile line by line: memory stays flat whatever
// the size of the input (only the per-file line maps grow).
//
// Keys read: SF, DA, LF, LH, end_of_record. TN, VER, FN*, BR* and other
// upper-case keys are skipped. Blank lines are allowed; any other line is an
// error naming its line number.
func (p *parser) parseLcov(r io.Reader) error {
	lr := newLineReader(r, p.opt.MaxLineBytes)
	var rec lcovRecord
	for {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return p.errorf(lr.n, 0, err, "cannot read the line")
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		switch {
		case bytes.HasPrefix(line, []byte("SF:")):
			if rec.open {
				// A new SF without end_of_record: close the previous
				// one, as lcov's own tools do.
				p.closeLcov(&rec)
			}
			raw := bytes.TrimSpace(line[3:])
			if len(raw) == 0 {
				return p.errorf(lr.n, 4, nil, "SF: without a path; each record must start with SF:<source file>")
			}
			rec = lcovRecord{path: p.paths.normalizeBytes(raw), open: true}
		case bytes.HasPrefix(line, []byte("DA:")):
			if !rec.open {
				return p.errorf(lr.n, 1, nil, "DA outside a record; a record starts with SF:<source file>")
			}
			if err := p.lcovDA(&rec, line[3:], lr.n); err != nil {
				return err
			}
		case bytes.HasPrefix(line, []byte("LF:")), bytes.HasPrefix(line, []byte("LH:")):
			if !rec.open {
				return p.errorf(lr.n, 1, nil, "%s outside a record; a record starts with SF:<source file>", line[:2])
			}
			v, ok := parseUint(bytes.TrimSpace(line[3:]))
			if !ok {
				return p.errorf(lr.n, 4, nil, "%s value %q is not a count; want %s:<number>", line[:2], truncate(line[3:], 40), line[:2])
			}
			if line[1] == 'F' {
				rec.lf, rec.hasLF = v, true
			} else {
				rec.lh = v
			}
		case bytes.Equal(bytes.TrimSpace(line), []byte("end_of_record")):
			if !rec.open {
				return p.errorf(lr.n, 1, nil, "end_of_record without a record; a record starts with SF:<source file>")
			}
			p.closeLcov(&rec)
			rec = lcovRecord{}
		case isLcovKey(line):
			// TN, VER, FN, FNDA, FNF, FNH, FNL, FNA, BRDA, BRF, BRH, ...
		default:
			return p.errorf(lr.n, 1, nil, "%q is not an lcov line (want KEY:value such as SF:, DA:, end_of_record); is this really an lcov file?", truncate(line, 40))
		}
	}
	if rec.open {
		p.closeLcov(&rec) // a missing final end_of_record is tolerated
	}
	return nil
}

// isLcovKey reports whether line is KEY:... with an upper-case key.
func isLcovKey(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return false
	}
	for _, c := range line[:i] {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// lcovDA reads "<line>,<hits>[,<checksum>]".
func (p *parser) lcovDA(rec *lcovRecord, v []byte, n int) error {
	i := bytes.IndexByte(v, ',')
	if i < 0 {
		return p.errorf(n, 4, nil, "DA:%s has no hit count; want DA:<line>,<hits>", truncate(v, 40))
	}
	num, rest := bytes.TrimSpace(v[:i]), v[i+1:]
	if j := bytes.IndexByte(rest, ','); j >= 0 {
		rest = rest[:j] // checksum
	}
	rest = bytes.TrimSpace(rest)
	var ln int
	if u, ok := parseUint(num); ok && u == 0 {
		// Line 0 is no line; some generators write it. Skip.
		rec.sawDA = true
		return nil
	} else if ln, ok = parseLineNo(num); !ok {
		return p.errorf(n, 4, nil, "DA line number %q is not a positive integer; want DA:<line>,<hits>", truncate(num, 40))
	}
	hits, ok := parseUint(rest)
	if !ok {
		return p.errorf(n, 4+i+1, nil, "DA hit count %q is not a non-negative integer; want DA:<line>,<hits>", truncate(rest, 40))
	}
	rec.sawDA = true
	if rec.file == nil {
		rec.file = p.file(rec.path)
	}
	if old, ok := rec.file.Lines[ln]; ok {
		hits = addSat(old, hits)
	}
	rec.file.Lines[ln] = hits
	return nil
}

// closeLcov ends a record: a record without DA lines still names a file
// (with no executable lines, or summary-only when it has LF/LH).
func (p *parser) closeLcov(rec *lcovRecord) {
	if rec.sawDA || rec.file != nil {
		if rec.file == nil {
			p.file(rec.path)
		}
		return
	}
	lf := min(rec.lf, 1<<31)
	lh := min(rec.lh, lf)
	if f, ok := p.rep.Files[rec.path]; ok {
		if f.Lines == nil && rec.hasLF {
			f.Covered = max(f.Covered, int(lh))
			f.Total = max(f.Total, int(lf))
		}
		return
	}
	if rec.hasLF && lf > 0 {
		p.rep.Files[rec.path] = &File{Path: rec.path, Covered: int(lh), Total: int(lf)}
		return
	}
	p.file(rec.path)
}
