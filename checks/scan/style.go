package scan

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
)

// Style finds the references in a stylesheet (wxss, acss, ttss, css, qss)
// with the tdewolff CSS lexer: `@import "x";` and `@import url(x);`
// (StyleImport) and url(x) anywhere else with a local path (StyleURL).
// Remote and inline URLs (http:, https:, any other scheme such as data: or
// wxfile:, protocol-relative //host, and #fragment-only) are skipped, as are
// empty ones. Comments hide references.
//
// Positions: the first byte of the path: the opening quote of a quoted path,
// else the path's first character inside url(…).
//
// CSS has no fatal syntax errors; Err reports the first malformed token (an
// unterminated string or a bad url(…)) and scanning goes on after it.
func Style(src []byte) StyleResult {
	li := newLineIndex(src)
	// Copy with cap == len: the lexer's NUL terminator must not land in the
	// caller's spare capacity.
	in := parse.NewInputBytes(src[:len(src):len(src)])
	buf := in.Bytes()
	l := css.NewLexer(in)
	var (
		res        StyleResult
		refs       []posRef
		importSeen bool // the last significant token was @import
	)
	fail := func(off int, msg string) {
		if res.Err == nil {
			line, col := li.pos(off)
			res.Err = &ParseError{Line: line, Col: col, Msg: msg}
		}
	}
	for {
		tt, data := l.Next()
		off := offsetIn(buf, data)
		switch tt {
		case css.ErrorToken:
			if err := l.Err(); err != nil && !errors.Is(err, io.EOF) {
				fail(len(src), lexMsg(err))
			}
			res.Refs = place(refs, li)
			return res
		case css.WhitespaceToken, css.CommentToken:
			continue
		case css.AtKeywordToken:
			importSeen = bytes.EqualFold(data, []byte("@import"))
			continue
		case css.StringToken:
			if importSeen {
				if p, ok := unquoteCSS(data); ok && p != "" && isLocalURL(p) {
					refs = append(refs, posRef{off: off, ref: Ref{Kind: StyleImport, Path: p}})
				}
			}
		case css.URLToken:
			if p, at, ok := urlValue(data); ok && p != "" && isLocalURL(p) {
				kind := StyleURL
				if importSeen {
					kind = StyleImport
				}
				refs = append(refs, posRef{off: off + at, ref: Ref{Kind: kind, Path: p}})
			}
		case css.BadStringToken:
			fail(off, "unterminated string")
		case css.BadURLToken:
			fail(off, "malformed url()")
		}
		importSeen = false
	}
}

// urlValue returns the path inside a url(…) token and its offset in the
// token (at the opening quote when quoted).
func urlValue(tok []byte) (path string, at int, ok bool) {
	open := bytes.IndexByte(tok, '(')
	if open < 0 || len(tok) == 0 {
		return "", 0, false
	}
	end := len(tok)
	if tok[end-1] == ')' {
		end--
	}
	i := open + 1
	for i < end && isCSSSpace(tok[i]) {
		i++
	}
	j := end
	for j > i && isCSSSpace(tok[j-1]) {
		j--
	}
	if i >= j {
		return "", 0, false
	}
	v := tok[i:j]
	if v[0] == '"' || v[0] == '\'' {
		s, ok := unquoteCSS(v)
		return s, i, ok
	}
	return unescapeCSS(v), i, true
}

func isCSSSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// unquoteCSS returns the value of a CSS string token, quotes included in raw.
func unquoteCSS(raw []byte) (string, bool) {
	if len(raw) < 2 || (raw[0] != '"' && raw[0] != '\'') || raw[len(raw)-1] != raw[0] {
		return "", false
	}
	return unescapeCSS(raw[1 : len(raw)-1]), true
}

// unescapeCSS decodes CSS escapes: a backslash and up to six hex digits
// (plus one optional white space), an escaped newline (removed), or any
// other escaped character (kept).
func unescapeCSS(b []byte) string {
	if bytes.IndexByte(b, '\\') < 0 {
		return string(b)
	}
	var s strings.Builder
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			s.WriteByte(b[i])
			continue
		}
		i++
		n := 0
		for n < 6 && i+n < len(b) && isHex(b[i+n]) {
			n++
		}
		switch {
		case n > 0:
			v, _ := strconv.ParseUint(string(b[i:i+n]), 16, 32)
			r := rune(v)
			if r == 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF) {
				r = '\uFFFD'
			}
			s.WriteRune(r)
			i += n - 1
			if i+1 < len(b) && isCSSSpace(b[i+1]) {
				i++
			}
		case b[i] == '\n' || b[i] == '\f':
		case b[i] == '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		default:
			s.WriteByte(b[i])
		}
	}
	return s.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isLocalURL reports whether a reference names a file of the mini-program:
// not protocol-relative (//host), not a fragment (#id), and without a URL
// scheme (http:, https:, data:, wxfile:, cloud:, ttfile:, …). A scheme is
// two or more letters, digits, '+', '-' or '.' before ':', starting with a
// letter, so "C:" style drive letters are not schemes but nothing in a
// mini-program uses them.
func isLocalURL(p string) bool {
	if strings.HasPrefix(p, "//") || strings.HasPrefix(p, "#") {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == ':':
			return i < 2
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return true
		}
	}
	return true
}
