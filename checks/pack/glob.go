package pack

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrGlob: a glob pattern that cannot be used.
var ErrGlob = errors.New("invalid glob")

// Glob is a compiled minimatch-style glob (the dialect of minimatch 3, which
// WeChat's packOptions "glob" rules and Alipay's uploadExclude/assetsInclude
// use), with minimatch's default options: "*" and "?" never match "/", a
// wildcard never matches a leading "." of a path segment unless the pattern
// segment starts with "." itself, "**" as a whole segment matches zero or
// more segments (none of them dot-segments), "{a,b}" and "{1..3}" expand,
// "[a-z]", "[!a]" and "[^a]" are classes, "\" escapes, a leading "!" negates
// and a leading "#" makes a comment that matches nothing. Extended globs
// ("+(a|b)", "@(…)", "!(…)", "*(…)", "?(…)") are refused with an error.
type Glob struct {
	pattern string
	negate  bool
	comment bool
	alts    [][]segment // one per brace expansion, split at "/"
}

// segment is one "/"-separated part of a pattern.
type segment struct {
	globstar bool
	literal  bool   // no magic: compare text
	text     string // literal text (escapes removed) when literal
	toks     []tok
	dotStart bool // the pattern segment starts with a literal "."
}

type tokKind uint8

const (
	tokChar  tokKind = iota
	tokAny           // ?
	tokStar          // *
	tokClass         // [...]
)

type tok struct {
	kind   tokKind
	r      rune
	negate bool
	ranges []runeRange
}

type runeRange struct{ lo, hi rune }

// maxExpansions bounds brace expansion ({a,b}{c,d}… grows exponentially).
const maxExpansions = 1024

// CompileGlob compiles a minimatch pattern.
func CompileGlob(pattern string) (*Glob, error) {
	g := &Glob{pattern: pattern}
	if strings.HasPrefix(pattern, "#") {
		g.comment = true
		return g, nil
	}
	p := pattern
	for strings.HasPrefix(p, "!") {
		g.negate = !g.negate
		p = p[1:]
	}
	expanded, err := expandBraces(p, maxExpansions)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrGlob, pattern, err)
	}
	for _, e := range expanded {
		var segs []segment
		for s := range strings.SplitSeq(e, "/") {
			seg, err := parseSegment(s)
			if err != nil {
				return nil, fmt.Errorf("%w %q: %w", ErrGlob, pattern, err)
			}
			segs = append(segs, seg)
		}
		g.alts = append(g.alts, segs)
	}
	return g, nil
}

// String returns the pattern as given.
func (g *Glob) String() string { return g.pattern }

// Match reports whether the "/"-separated path matches.
func (g *Glob) Match(path string) bool {
	if g.comment {
		return false
	}
	if g.pattern == "" {
		return path == ""
	}
	file := strings.Split(path, "/")
	for _, segs := range g.alts {
		if matchSegments(file, segs) {
			return !g.negate
		}
	}
	return g.negate
}

func isDotSegment(s string) bool { return s == "." || s == ".." }

func matchSegments(file []string, pat []segment) bool {
	for len(pat) > 0 {
		p := pat[0]
		if p.globstar {
			rest := pat[1:]
			if len(rest) == 0 {
				// A trailing ** swallows the rest, unless a dot-segment.
				if len(file) == 0 {
					return false
				}
				for _, f := range file {
					if isDotSegment(f) || strings.HasPrefix(f, ".") {
						return false
					}
				}
				return true
			}
			for i := 0; i <= len(file); i++ {
				if matchSegments(file[i:], rest) {
					return true
				}
				if i < len(file) && (isDotSegment(file[i]) || strings.HasPrefix(file[i], ".")) {
					return false
				}
			}
			return false
		}
		if len(file) == 0 || !p.match(file[0]) {
			return false
		}
		file, pat = file[1:], pat[1:]
	}
	return len(file) == 0
}

func (s segment) match(name string) bool {
	if s.literal {
		return name == s.text
	}
	if !s.dotStart && strings.HasPrefix(name, ".") {
		return false
	}
	return matchToks(s.toks, name)
}

// matchToks matches a segment with at most one backtracking point per star
// (the classic linear-time wildcard algorithm).
func matchToks(toks []tok, name string) bool {
	ti, ni := 0, 0
	starT, starN := -1, 0
	for ni < len(name) || ti < len(toks) {
		if ti < len(toks) {
			t := toks[ti]
			switch t.kind {
			case tokStar:
				starT, starN = ti, ni
				ti++
				continue
			default:
				if ni < len(name) {
					r, size := utf8.DecodeRuneInString(name[ni:])
					if t.matchRune(r) {
						ti++
						ni += size
						continue
					}
				}
			}
		}
		if starT >= 0 && starN < len(name) {
			_, size := utf8.DecodeRuneInString(name[starN:])
			starN += size
			ti, ni = starT+1, starN
			continue
		}
		return false
	}
	return true
}

func (t tok) matchRune(r rune) bool {
	switch t.kind {
	case tokChar:
		return r == t.r
	case tokAny:
		return true
	case tokClass:
		in := false
		for _, rr := range t.ranges {
			if rr.lo <= r && r <= rr.hi {
				in = true
				break
			}
		}
		return in != t.negate
	}
	return false
}

func parseSegment(s string) (segment, error) {
	if s == "**" {
		return segment{globstar: true}, nil
	}
	seg := segment{dotStart: strings.HasPrefix(s, ".")}
	magic := false
	var lit strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if i+1 < len(s) && s[i+1] == '(' && strings.IndexByte("+@!*?", c) >= 0 {
			return segment{}, fmt.Errorf("extended glob %q at offset %d is not supported", s[i:i+2], i)
		}
		switch c {
		case '\\':
			if i+1 < len(s) {
				r, size := utf8.DecodeRuneInString(s[i+1:])
				seg.toks = append(seg.toks, tok{kind: tokChar, r: r})
				lit.WriteString(s[i+1 : i+1+size])
				i += 1 + size
				continue
			}
			seg.toks = append(seg.toks, tok{kind: tokChar, r: '\\'})
			lit.WriteByte('\\')
			i++
		case '*':
			magic = true
			if len(seg.toks) == 0 || seg.toks[len(seg.toks)-1].kind != tokStar {
				seg.toks = append(seg.toks, tok{kind: tokStar})
			}
			i++
		case '?':
			magic = true
			seg.toks = append(seg.toks, tok{kind: tokAny})
			i++
		case '[':
			t, n, ok := parseClass(s[i:])
			if !ok {
				// An unclosed "[" is a literal, as in minimatch.
				seg.toks = append(seg.toks, tok{kind: tokChar, r: '['})
				lit.WriteByte('[')
				i++
				continue
			}
			magic = true
			seg.toks = append(seg.toks, t)
			i += n
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			seg.toks = append(seg.toks, tok{kind: tokChar, r: r})
			lit.WriteString(s[i : i+size])
			i += size
		}
	}
	if !magic {
		seg.literal = true
		seg.text = lit.String()
		seg.toks = nil
	}
	return seg, nil
}

// parseClass parses a bracket expression at the start of s; it returns the
// token, its length in bytes, and false when the bracket is not closed.
func parseClass(s string) (tok, int, bool) {
	t := tok{kind: tokClass}
	i := 1
	if i < len(s) && (s[i] == '!' || s[i] == '^') {
		t.negate = true
		i++
	}
	first := true
	for i < len(s) {
		if s[i] == ']' && !first {
			return t, i + 1, true
		}
		first = false
		if s[i] == '[' && i+1 < len(s) && s[i+1] == ':' {
			if end := strings.Index(s[i+2:], ":]"); end >= 0 {
				name := s[i+2 : i+2+end]
				if rs, ok := posixClasses[name]; ok {
					t.ranges = append(t.ranges, rs...)
					i += 2 + end + 2
					continue
				}
			}
		}
		lo, size := utf8.DecodeRuneInString(s[i:])
		if lo == '\\' && i+size < len(s) {
			i += size
			lo, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		hi := lo
		if i+1 < len(s) && s[i] == '-' && s[i+1] != ']' {
			i++
			h, hs := utf8.DecodeRuneInString(s[i:])
			if h == '\\' && i+hs < len(s) {
				i += hs
				h, hs = utf8.DecodeRuneInString(s[i:])
			}
			i += hs
			hi = h
		}
		if lo <= hi {
			t.ranges = append(t.ranges, runeRange{lo, hi})
		}
	}
	return tok{}, 0, false
}

var posixClasses = map[string][]runeRange{
	"alpha":  {{'a', 'z'}, {'A', 'Z'}},
	"digit":  {{'0', '9'}},
	"alnum":  {{'a', 'z'}, {'A', 'Z'}, {'0', '9'}},
	"upper":  {{'A', 'Z'}},
	"lower":  {{'a', 'z'}},
	"space":  {{' ', ' '}, {'\t', '\r'}},
	"xdigit": {{'0', '9'}, {'a', 'f'}, {'A', 'F'}},
	"punct":  {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}},
	"word":   {{'a', 'z'}, {'A', 'Z'}, {'0', '9'}, {'_', '_'}},
}

// expandBraces expands "{a,b}" alternatives and "{1..3}"/"{a..c}" ranges the
// way the brace-expansion package does for minimatch: a brace pair without a
// top-level comma or a valid range stays literal.
func expandBraces(p string, limit int) ([]string, error) {
	open, close, parts, ok := findBrace(p)
	if !ok {
		return []string{p}, nil
	}
	pre, post := p[:open], p[close+1:]
	var out []string
	tails, err := expandBraces(post, limit)
	if err != nil {
		return nil, err
	}
	for _, part := range parts {
		heads, err := expandBraces(part, limit)
		if err != nil {
			return nil, err
		}
		for _, h := range heads {
			for _, t := range tails {
				out = append(out, pre+h+t)
				if len(out) > limit {
					return nil, fmt.Errorf("brace expansion yields more than %d patterns", limit)
				}
			}
		}
	}
	return out, nil
}

// findBrace finds the first brace pair that expands, and its alternatives.
func findBrace(p string) (open, close int, parts []string, ok bool) {
outer:
	for start := 0; start < len(p); start++ {
		switch p[start] {
		case '\\':
			start++
			continue
		case '{':
		default:
			continue
		}
		depth := 0
		last := start + 1
		var alts []string
		for i := start; i < len(p); i++ {
			switch p[i] {
			case '\\':
				i++
			case '{':
				depth++
			case '}':
				depth--
				if depth == 0 {
					if alts != nil {
						return start, i, append(alts, p[last:i]), true
					}
					if seq, ok := sequence(p[start+1 : i]); ok {
						return start, i, seq, true
					}
					continue outer
				}
			case ',':
				if depth == 1 {
					alts = append(alts, p[last:i])
					last = i + 1
				}
			}
		}
		return 0, 0, nil, false
	}
	return 0, 0, nil, false
}

// sequence expands "1..3", "a..e" and "1..10..2".
func sequence(s string) ([]string, bool) {
	parts := strings.Split(s, "..")
	if len(parts) != 2 && len(parts) != 3 {
		return nil, false
	}
	step := 1
	if len(parts) == 3 {
		n, err := strconv.Atoi(parts[2])
		if err != nil || n == 0 {
			return nil, false
		}
		step = max(n, -n)
	}
	a, errA := strconv.Atoi(parts[0])
	b, errB := strconv.Atoi(parts[1])
	if errA == nil && errB == nil {
		if (b-a)/step > maxExpansions || (a-b)/step > maxExpansions {
			return nil, false
		}
		var out []string
		if a <= b {
			for i := a; i <= b; i += step {
				out = append(out, strconv.Itoa(i))
			}
		} else {
			for i := a; i >= b; i -= step {
				out = append(out, strconv.Itoa(i))
			}
		}
		return out, true
	}
	if len(parts[0]) == 1 && len(parts[1]) == 1 {
		a, b := int(parts[0][0]), int(parts[1][0])
		var out []string
		if a <= b {
			for i := a; i <= b; i += step {
				out = append(out, string(rune(i)))
			}
		} else {
			for i := a; i >= b; i -= step {
				out = append(out, string(rune(i)))
			}
		}
		return out, true
	}
	return nil, false
}
