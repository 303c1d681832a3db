package scan

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// unquoteJS returns the value of a JS string literal or a template literal
// without substitutions, quotes included in raw ('x', "x" or `x`). Escapes
// are decoded as JS does; an invalid escape keeps its character, so the
// function never fails. ok is false when raw is not a quoted literal.
func unquoteJS(raw []byte) (s string, ok bool) {
	if len(raw) < 2 {
		return "", false
	}
	q := raw[0]
	if (q != '\'' && q != '"' && q != '`') || raw[len(raw)-1] != q {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 && bytes.IndexByte(body, '\r') < 0 {
		return string(body), true
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '\r' && q == '`' {
			// Template literals normalise CRLF and CR to LF.
			b.WriteByte('\n')
			if i+1 < len(body) && body[i+1] == '\n' {
				i++
			}
			continue
		}
		if c != '\\' || i+1 >= len(body) {
			b.WriteByte(c)
			continue
		}
		i++
		i += writeEscape(&b, body, i)
	}
	return b.String(), true
}

// writeEscape writes the value of the escape whose character (after the
// backslash) is body[i]; it returns how many more bytes of body the escape
// takes. An invalid escape keeps its character.
func writeEscape(b *strings.Builder, body []byte, i int) int {
	switch e := body[i]; e {
	case 'n':
		b.WriteByte('\n')
	case 't':
		b.WriteByte('\t')
	case 'r':
		b.WriteByte('\r')
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'v':
		b.WriteByte('\v')
	case '0':
		b.WriteByte(0)
	case '\r': // line continuation
		if i+1 < len(body) && body[i+1] == '\n' {
			return 1
		}
	case '\n':
	case 'x':
		if r, n := hexRune(body[i+1:], 2); n > 0 {
			b.WriteRune(r)
			return n
		}
		b.WriteByte(e)
	case 'u':
		return writeUnicodeEscape(b, body[i+1:])
	default:
		// \' \" \\ \` \/ and any other character stand for themselves.
		b.WriteByte(e)
	}
	return 0
}

// writeUnicodeEscape writes the value of \uXXXX or \u{X…} whose digits
// start rest; it returns how many bytes of rest it takes. An invalid one
// keeps its "u".
func writeUnicodeEscape(b *strings.Builder, rest []byte) int {
	if len(rest) > 0 && rest[0] == '{' {
		end := bytes.IndexByte(rest, '}')
		if end > 1 && end <= 7 {
			if r, n := hexRune(rest[1:end], end-1); n == end-1 && utf8.ValidRune(r) {
				b.WriteRune(r)
				return end + 1
			}
		}
		b.WriteByte('u')
		return 0
	}
	if r, n := hexRune(rest, 4); n > 0 {
		b.WriteRune(r)
		return n
	}
	b.WriteByte('u')
	return 0
}

// hexRune decodes exactly n hex digits at the start of b; n is 0 when they
// are not there.
func hexRune(b []byte, n int) (rune, int) {
	if len(b) < n {
		return 0, 0
	}
	v, err := strconv.ParseUint(string(b[:n]), 16, 32)
	if err != nil {
		return 0, 0
	}
	return rune(v), n
}
