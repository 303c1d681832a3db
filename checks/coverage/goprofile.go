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
	files := map[string]map[goBlock]int64{}
	var order []string
	mode := ""
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
			m = bytes.TrimSpace(m)
			switch string(m) {
			case "set", "count", "atomic":
			default:
				return p.errorf(lr.n, 7, nil, "mode %q is none of set, count, atomic", truncate(m, 20))
			}
			if mode == "" || mode == "set" {
				mode = string(m)
			}
			continue
		}
		if mode == "" {
			return p.errorf(lr.n, 1, nil, "a Go coverprofile starts with a mode line (mode: set|count|atomic); regenerate it with go test -coverprofile")
		}
		name, b, count, col, msg := parseGoBlock(line)
		if msg != "" {
			return p.errorf(lr.n, col, nil, "%s; want file.go:line.col,line.col statements count", msg)
		}
		key := p.paths.normalizeBytes(name)
		blocks := files[key]
		if blocks == nil {
			blocks = map[goBlock]int64{}
			files[key] = blocks
			order = append(order, key)
		}
		if old, ok := blocks[b]; ok {
			if mode == "set" {
				count = max(old, count)
			} else {
				count = addSat(old, count)
			}
		}
		blocks[b] = count
	}
	budget := maxGoLines
	for _, key := range order {
		f := p.file(key)
		for b, count := range files[key] {
			budget -= int(b.el-b.sl) + 1
			if budget < 0 {
				return p.errorf(0, 0, nil, "the profile spans more than %d lines", maxGoLines)
			}
			for l := int(b.sl); l <= int(b.el); l++ {
				if old, ok := f.Lines[l]; ok {
					if mode == "set" {
						f.Lines[l] = max(old, count)
					} else {
						f.Lines[l] = addSat(old, count)
					}
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
