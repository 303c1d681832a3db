package coverage

import (
	"bytes"
	"errors"
	"io"
)

// goBlock is one block of a Go coverprofile.
type goBlock struct {
	sl, sc, el, ec int32
}

// maxGoBlockLines caps the lines one block may span; a larger span is a
// malformed profile, not a function. maxGoLines caps the executable lines of a
// whole profile (memory).
const (
	maxGoBlockLines = 1 << 16
	maxGoLines      = 1 << 26
)

// parseGo reads a Go coverprofile ("mode: set|count|atomic", then
// "file.go:sl.sc,el.ec numStmt count" per block), as go test -coverprofile
// and go tool covdata textfmt write it. Several profiles concatenated (each
// with its mode line) are accepted. See the package comment for the line
// semantics.
func (p *parser) parseGo(r io.Reader) error {
	lr := newLineReader(r, p.opt.MaxLineBytes)
	prof := &goProfile{files: map[string]map[goBlock]int64{}}
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
		if m, ok := bytes.CutPrefix(line, []byte("mode:")); ok {
			if !prof.setMode(bytes.TrimSpace(m)) {
				return p.errorf(lr.n, 7, nil, "mode %q is none of set, count, atomic", truncate(bytes.TrimSpace(m), 20))
			}
			continue
		}
		if prof.mode == "" {
			return p.errorf(lr.n, 1, nil, "a Go coverprofile starts with a mode line (mode: set|count|atomic); regenerate it with go test -coverprofile")
		}
		name, b, count, col, msg := parseGoBlock(line)
		if msg != "" {
			return p.errorf(lr.n, col, nil, "%s; want file.go:line.col,line.col statements count", msg)
		}
		prof.add(p.paths.normalizeBytes(name), b, count)
	}
	return p.goLines(prof)
}

// goProfile is a Go coverprofile's blocks per file, files in the order
// first seen.
type goProfile struct {
	files map[string]map[goBlock]int64
	order []string
	mode  string
}

// setMode reads a mode line's mode; false for an unknown one. Of
// concatenated profiles, a count or atomic mode wins over set.
func (g *goProfile) setMode(m []byte) bool {
	switch string(m) {
	case "set", "count", "atomic":
	default:
		return false
	}
	if g.mode == "" || g.mode == "set" {
		g.mode = string(m)
	}
	return true
}

// add records a block's count; a block seen before gets the counts merged.
func (g *goProfile) add(key string, b goBlock, count int64) {
	blocks := g.files[key]
	if blocks == nil {
		blocks = map[goBlock]int64{}
		g.files[key] = blocks
		g.order = append(g.order, key)
	}
	if old, ok := blocks[b]; ok {
		count = g.merge(old, count)
	}
	blocks[b] = count
}

// merge is two counts of one block or line: the larger in set mode, else
// their sum (saturating).
func (g *goProfile) merge(old, count int64) int64 {
	if g.mode == "set" {
		return max(old, count)
	}
	return addSat(old, count)
}

// goLines spreads each block's count on its lines, merging the counts of
// blocks that share a line; at most maxGoLines lines in all.
func (p *parser) goLines(prof *goProfile) error {
	budget := maxGoLines
	for _, key := range prof.order {
		f := p.file(key)
		for b, count := range prof.files[key] {
			budget -= int(b.el-b.sl) + 1
			if budget < 0 {
				return p.errorf(0, 0, nil, "the profile spans more than %d lines", maxGoLines)
			}
			for l := int(b.sl); l <= int(b.el); l++ {
				if old, ok := f.Lines[l]; ok {
					f.Lines[l] = prof.merge(old, count)
					continue
				}
				f.Lines[l] = count
			}
		}
	}
	return nil
}

// parseGoBlock splits "file:sl.sc,el.ec n count". On failure msg says what
// is wrong and col where.
func parseGoBlock(line []byte) (name []byte, b goBlock, count int64, col int, msg string) {
	i := bytes.LastIndexByte(line, ':')
	if i <= 0 {
		return nil, b, 0, 1, "no file name before the block position"
	}
	name = line[:i]
	fields := bytes.Fields(line[i+1:])
	if len(fields) != 3 {
		return nil, b, 0, i + 2, "want a position and two numbers after the file name"
	}
	pos := fields[0]
	comma := bytes.IndexByte(pos, ',')
	if comma < 0 {
		return nil, b, 0, i + 2, "position has no comma"
	}
	sl, sc, ok1 := parseGoPos(pos[:comma])
	el, ec, ok2 := parseGoPos(pos[comma+1:])
	if !ok1 || !ok2 {
		return nil, b, 0, i + 2, "position is not line.col,line.col"
	}
	if el < sl || el-sl > maxGoBlockLines {
		return nil, b, 0, i + 2, "block ends before it starts or spans too many lines"
	}
	if _, ok := parseUint(fields[1]); !ok {
		return nil, b, 0, i + 2 + len(pos) + 1, "statement count is not a number"
	}
	count, ok := parseUint(fields[2])
	if !ok {
		return nil, b, 0, len(line) - len(fields[2]) + 1, "hit count is not a non-negative number"
	}
	return name, goBlock{sl: sl, sc: sc, el: el, ec: ec}, count, 0, ""
}

func parseGoPos(b []byte) (line, col int32, ok bool) {
	dot := bytes.IndexByte(b, '.')
	if dot < 0 {
		return 0, 0, false
	}
	l, ok1 := parseLineNo(b[:dot])
	c, ok2 := parseUint(b[dot+1:])
	if !ok1 || !ok2 || c > 1<<30 {
		return 0, 0, false
	}
	return int32(l), int32(c), true
}
