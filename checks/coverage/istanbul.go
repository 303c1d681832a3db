package coverage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// istanbulFileKeys are keys of an Istanbul FileCoverage object
// (coverage-final.json); istanbulSummaryKeys of a json-summary entry.
var (
	istanbulFileKeys = map[string]bool{
		"path": true, "statementMap": true, "fnMap": true, "branchMap": true,
		"s": true, "f": true, "b": true, "bT": true, "all": true, "hash": true,
		"inputSourceMap": true, "_coverageSchema": true, "data": true,
	}
	istanbulSummaryKeys = map[string]bool{
		"lines": true, "statements": true, "functions": true, "branches": true,
		"branchesTrue": true,
	}
)

// detectJSON tells coverage-final from coverage-summary by the first keys.
// head may be cut anywhere.
func detectJSON(head []byte) (Format, error) {
	dec := json.NewDecoder(bytes.NewReader(head))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return "", fmt.Errorf("%w: JSON that is not an object; want Istanbul coverage-final.json or coverage-summary.json", ErrUnknownFormat)
	}
	tok, err = dec.Token()
	if err != nil {
		return "", fmt.Errorf("%w: JSON object without keys", ErrUnknownFormat)
	}
	if tok == json.Delim('}') {
		return FormatIstanbul, nil // an empty coverage map; Parse says ErrEmpty
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("%w: JSON object without keys", ErrUnknownFormat)
	}
	if key == "total" {
		return FormatIstanbulSummary, nil
	}
	if istanbulFileKeys[key] {
		return FormatIstanbul, nil // a single FileCoverage
	}
	// A map from path to an object: look at the object's first key.
	tok, err = dec.Token()
	if err != nil || tok != json.Delim('{') {
		return "", fmt.Errorf("%w: JSON whose first value is not an object; want Istanbul coverage-final.json or coverage-summary.json", ErrUnknownFormat)
	}
	tok, err = dec.Token()
	if err != nil {
		return "", fmt.Errorf("%w: cannot tell the kind of Istanbul JSON from its start", ErrUnknownFormat)
	}
	if k, ok := tok.(string); ok {
		switch {
		case istanbulFileKeys[k]:
			return FormatIstanbul, nil
		case istanbulSummaryKeys[k]:
			return FormatIstanbulSummary, nil
		}
	}
	return "", fmt.Errorf("%w: JSON that is neither Istanbul coverage-final.json nor coverage-summary.json", ErrUnknownFormat)
}

type istanbulPos struct {
	Line json.Number `json:"line"`
}

type istanbulRange struct {
	Start istanbulPos `json:"start"`
}

type istanbulFile struct {
	Path         string                   `json:"path"`
	StatementMap map[string]istanbulRange `json:"statementMap"`
	S            map[string]json.Number   `json:"s"`
	Data         *istanbulFile            `json:"data"` // old nyc wrapping
	// json-summary
	Lines *istanbulCounts `json:"lines"`
}

type istanbulCounts struct {
	Total   json.Number `json:"total"`
	Covered json.Number `json:"covered"`
}

// parseIstanbul reads coverage-final.json (a map of FileCoverage, or one
// FileCoverage) or coverage-summary.json. The whole document is read (JSON
// needs it; the cap is Options.MaxJSONBytes); entries are decoded one at a
// time.
func (p *parser) parseIstanbul(r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, p.opt.MaxJSONBytes+1))
	if err != nil {
		return fmt.Errorf("read coverage report %s: %w", p.name, err)
	}
	if int64(len(data)) > p.opt.MaxJSONBytes {
		return p.errorf(0, 0, nil, "over %d bytes; raise the limit or split the report", p.opt.MaxJSONBytes)
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return p.jsonError(data, dec.InputOffset(), err, "want a JSON object (Istanbul coverage-final.json or coverage-summary.json)")
	}
	var single istanbulFile
	singleSeen := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return p.jsonError(data, dec.InputOffset(), err, "cannot read a key")
		}
		key, _ := tok.(string)
		start := valueStart(data, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return p.jsonError(data, start, err, "cannot read the value of %q", key)
		}
		if istanbulFileKeys[key] {
			// The document is one FileCoverage, not a map.
			singleSeen = true
			if err := decodeIstanbulField(&single, key, raw); err != nil {
				return p.jsonError(data, start, err, "bad %q", key)
			}
			continue
		}
		if key == "total" {
			p.rep.Format = FormatIstanbulSummary
			continue
		}
		var fc istanbulFile
		if err := json.Unmarshal(raw, &fc); err != nil {
			return p.jsonError(data, start, err, "entry %q is not Istanbul file coverage", key)
		}
		if fc.Data != nil {
			fc = *fc.Data
		}
		if err := p.addIstanbul(key, &fc); err != nil {
			return p.jsonError(data, start, err, "entry %q", key)
		}
	}
	if _, err := dec.Token(); err != nil {
		return p.jsonError(data, dec.InputOffset(), err, "unterminated object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return p.jsonError(data, dec.InputOffset(), err, "data after the end of the JSON object")
	}
	if singleSeen {
		if single.Path == "" {
			return p.errorf(0, 0, nil, "a single Istanbul FileCoverage without a \"path\"")
		}
		if err := p.addIstanbul(single.Path, &single); err != nil {
			return p.errorf(0, 0, err, "file coverage %q", single.Path)
		}
	}
	return nil
}

func decodeIstanbulField(fc *istanbulFile, key string, raw json.RawMessage) error {
	switch key {
	case "path":
		return json.Unmarshal(raw, &fc.Path)
	case "statementMap":
		return json.Unmarshal(raw, &fc.StatementMap)
	case "s":
		return json.Unmarshal(raw, &fc.S)
	}
	return nil
}

// addIstanbul adds one file: line data from statements, or the lines
// summary of a json-summary entry.
func (p *parser) addIstanbul(key string, fc *istanbulFile) error {
	name := fc.Path
	if name == "" {
		name = key
	}
	norm := p.paths.normalize(name)
	if fc.Lines != nil && fc.StatementMap == nil && fc.S == nil {
		if p.sawFinal {
			return errors.New("a coverage-summary entry in a coverage-final file")
		}
		p.sawSummary = true
		p.rep.Format = FormatIstanbulSummary
		total, ok1 := numberToCount(fc.Lines.Total)
		covered, ok2 := numberToCount(fc.Lines.Covered)
		if !ok1 || !ok2 {
			return fmt.Errorf("lines.total %q / lines.covered %q are not counts", fc.Lines.Total, fc.Lines.Covered)
		}
		if covered > total {
			return fmt.Errorf("lines.covered %d exceeds lines.total %d", covered, total)
		}
		if old := p.rep.Files[norm]; old != nil && old.Lines == nil {
			old.Covered, old.Total = max(old.Covered, covered), max(old.Total, total)
			return nil
		}
		p.rep.Files[norm] = &File{Path: norm, Covered: covered, Total: total}
		return nil
	}
	if p.sawSummary || p.rep.Format == FormatIstanbulSummary {
		return errors.New("a coverage-final entry in a coverage-summary file")
	}
	p.sawFinal = true
	f := p.file(norm)
	for id, cnt := range fc.S {
		loc, ok := fc.StatementMap[id]
		if !ok {
			continue // as istanbul-lib-coverage does
		}
		line, ok := numberToCount(loc.Start.Line)
		if !ok || line < 1 {
			continue
		}
		hits, ok := parseHits(cnt.String())
		if !ok {
			return fmt.Errorf("statement %q count %q is not a non-negative number", id, cnt)
		}
		if old, ok := f.Lines[line]; !ok || old < hits {
			f.Lines[line] = hits
		}
	}
	return nil
}

// numberToCount reads a JSON number that must be a non-negative integer
// (floats with no fraction are fine).
func numberToCount(n json.Number) (int, bool) {
	if n == "" {
		return 0, true
	}
	if v, ok := parseUint([]byte(n.String())); ok {
		if v > 1<<31 {
			return 0, false
		}
		return int(v), true
	}
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || f < 0 || f > 1<<31 || f != math.Trunc(f) {
		return 0, false
	}
	return int(f), true
}

// valueStart skips the ':' and blanks after a key.
func valueStart(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ':':
			off++
		default:
			return off
		}
	}
	return off
}

// jsonError turns a JSON error into a ParseError with a line and column,
// using the offsets encoding/json reports.
func (p *parser) jsonError(data []byte, base int64, err error, format string, args ...any) error {
	off := base
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
		if off < base {
			off += base
		}
	case errors.As(err, &te):
		off = base + te.Offset
	}
	line, col := lineCol(data, off)
	if err == nil {
		err = errors.New("unexpected content")
	}
	return p.errorf(line, col, err, format, args...)
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (int, int) {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}
