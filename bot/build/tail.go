package build

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// TailLines is how many lines of output Result.Tail keeps; the error of a
// failed build quotes the last errorLines of them (the whole log is in
// Spec.LogPath).
const (
	TailLines  = 50
	errorLines = 50
	// tailBytes is how much raw output the tail is cut from.
	tailBytes = 64 << 10
	// maxTailLine cuts a single very long line (minified code, a JSON dump).
	maxTailLine = 500
)

// tailBuffer keeps the last tailBytes of everything written to it.
type tailBuffer struct {
	buf       []byte
	truncated bool // bytes were dropped from the front
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= tailBytes {
		t.buf = append(t.buf[:0], p[len(p)-tailBytes:]...)
		t.truncated = true
		return n, nil
	}
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*tailBytes {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailBytes:]...)
		t.truncated = true
	}
	return n, nil
}

// lines returns the last n lines as a terminal would have shown them.
func (t *tailBuffer) lines(n int) string {
	b := t.buf
	if len(b) > tailBytes {
		b = b[len(b)-tailBytes:]
		t.truncated = true
	}
	return tailText(b, t.truncated, n)
}

// tailText renders the last n lines of raw output: ANSI escape sequences
// removed, "\r\n" as a line end, a bare "\r" (progress bars) keeping only
// what was written after it, invalid UTF-8 replaced, very long lines cut.
// When cut is true the first line is partial and dropped.
func tailText(b []byte, cut bool, n int) string {
	if n <= 0 {
		return ""
	}
	raw := bytes.Split(b, []byte("\n"))
	if cut && len(raw) > 1 {
		raw = raw[1:]
	}
	if len(raw) > 0 && len(raw[len(raw)-1]) == 0 {
		raw = raw[:len(raw)-1] // output ended with "\n"
	}
	if len(raw) > n {
		raw = raw[len(raw)-n:]
	}
	out := make([]string, 0, len(raw))
	for _, l := range raw {
		out = append(out, cleanLine(l))
	}
	// Drop trailing blank lines; they say nothing.
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}

// cleanLine applies carriage returns and removes escape sequences.
func cleanLine(l []byte) string {
	l = bytes.TrimSuffix(l, []byte("\r"))
	if i := bytes.LastIndexByte(l, '\r'); i >= 0 {
		l = l[i+1:]
	}
	l = stripANSI(l)
	s := strings.ToValidUTF8(string(l), "\uFFFD")
	if len(s) > maxTailLine {
		cutAt := maxTailLine
		for cutAt > 0 && !utf8.RuneStart(s[cutAt]) {
			cutAt--
		}
		s = s[:cutAt] + "…"
	}
	return strings.TrimRight(s, " \t")
}

// stripANSI removes ECMA-48 escape sequences (CSI: ESC [ … final byte; OSC:
// ESC ] … BEL or ESC \; other two-byte escapes) and the control characters
// other than tab.
func stripANSI(b []byte) []byte {
	if bytes.IndexByte(b, 0x1b) < 0 && !hasControl(b) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != 0x1b {
			if c < 0x20 && c != '\t' || c == 0x7f {
				continue
			}
			out = append(out, c)
			continue
		}
		if i+1 >= len(b) {
			break
		}
		switch b[i+1] {
		case '[':
			j := i + 2
			for j < len(b) && !(b[j] >= 0x40 && b[j] <= 0x7e) {
				j++
			}
			i = j // the final byte (or the end)
		case ']':
			j := i + 2
			for j < len(b) {
				if b[j] == 0x07 {
					break
				}
				if b[j] == 0x1b && j+1 < len(b) && b[j+1] == '\\' {
					j++
					break
				}
				j++
			}
			i = j
		default:
			i++ // ESC and one byte
		}
	}
	return out
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return true
		}
	}
	return false
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
