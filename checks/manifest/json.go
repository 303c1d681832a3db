package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/json"
)

// MaxDepth is the deepest nesting of arrays and objects ParseJSON accepts.
// Real manifests nest four or five levels; the cap keeps hostile input from
// exhausting the stack of the tree builder.
const MaxDepth = 256

// Kind is the type of a JSON value.
type Kind uint8

// Kinds of JSON values.
const (
	Null Kind = iota
	Bool
	Number
	String
	Object
	Array
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Object:
		return "object"
	case Array:
		return "array"
	}
	return "unknown"
}

// Node is one JSON value with its position. Objects keep their keys in the
// order of the file.
type Node struct {
	Kind   Kind
	Pos    Pos
	Offset int // byte offset of the value's first byte
	// Str is the decoded string of a String, the literal text of a Number,
	// "true"/"false" of a Bool and "null" of a Null.
	Str     string
	Bool    bool
	Members []Member // Object: one per distinct key, last value wins
	Items   []*Node  // Array
	// Dups are the earlier occurrences of keys declared more than once in
	// this object (JSON.parse keeps the last one; WeChat's DevTools warns).
	Dups []Member
}

// Member is one key of an object with its value.
type Member struct {
	Key   Str
	Value *Node
}

// Get returns the value of key in an object, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Object {
		return nil
	}
	for _, m := range n.Members {
		if m.Key.Value == key {
			return m.Value
		}
	}
	return nil
}

// Member returns the member with this key in an object.
func (n *Node) Member(key string) (Member, bool) {
	if n == nil || n.Kind != Object {
		return Member{}, false
	}
	for _, m := range n.Members {
		if m.Key.Value == key {
			return m, true
		}
	}
	return Member{}, false
}

// SyntaxError is a JSON syntax error at a place in the input.
type SyntaxError struct {
	Offset int
	Pos    Pos
	// Msg says what is wrong, Hint how to fix it.
	Msg  string
	Hint string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%d:%d: invalid JSON: %s, %s", e.Pos.Line, e.Pos.Col, e.Msg, e.Hint)
}

// ErrTooDeep is wrapped by the SyntaxError for input nested deeper than MaxDepth.
var ErrTooDeep = errors.New("nested too deeply")

// lines maps byte offsets to 1-based line and column (in bytes).
type lines []int // offsets of line starts

func newLines(src []byte) lines {
	ls := lines{0}
	for i, c := range src {
		if c == '\n' {
			ls = append(ls, i+1)
		}
	}
	return ls
}

func (ls lines) pos(off int) Pos {
	lo, hi := 0, len(ls)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if ls[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return Pos{Line: lo + 1, Col: off - ls[lo] + 1}
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// ParseJSON parses one JSON document into a tree, as strictly as WeChat's
// compiler does (miniprogram-ci checks that the bytes are UTF-8, then calls
// JSON.parse): comments, trailing commas, single quotes, a byte order mark and
// bytes that are not UTF-8 are errors. The error, when not nil, is a
// *SyntaxError.
func ParseJSON(src []byte) (*Node, error) {
	p := &jsonParser{src: src, lines: newLines(src)}
	if bytes.HasPrefix(src, bom) {
		return nil, p.errAt(0, "the file starts with a UTF-8 byte order mark",
			"save it as UTF-8 without BOM (the platforms' compilers hand the text to JSON.parse, which rejects it)")
	}
	if !utf8.Valid(src) {
		off := 0
		for off < len(src) {
			r, size := utf8.DecodeRune(src[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return nil, p.errAt(off, fmt.Sprintf("byte %#02x is not UTF-8", src[off]), "save the file as UTF-8")
	}
	// The lexer writes a NUL past the end of its buffer: give it its own copy
	// so callers' slices are never touched.
	buf := make([]byte, len(src), len(src)+1)
	copy(buf, src)
	p.in = parse.NewInputBytes(buf)
	p.lex = json.NewParser(p.in)
	p.buf = buf

	gt, tok, off := p.next()
	if gt == json.ErrorGrammar {
		return nil, p.lexError(off, "the file is empty", "write a JSON object such as {}")
	}
	n, err := p.value(gt, tok, off, 1)
	if err != nil {
		return nil, err
	}
	gt, _, off = p.next()
	if gt != json.ErrorGrammar || !errors.Is(p.lex.Err(), io.EOF) {
		return nil, p.errAt(off, "unexpected content after the top-level value", "remove it or wrap the values in one array or object")
	}
	return n, nil
}

type jsonParser struct {
	src   []byte
	buf   []byte
	lines lines
	in    *parse.Input
	lex   *json.Parser
	comma int
}

// next returns the next grammar token and the offset (in src) where it
// starts. The lexer skips white space and one comma before a token; next finds
// the token's start the same way and remembers the comma's offset in p.comma
// (-1 when there was none), because the lexer accepts a comma before the
// first element and before a closing bracket, which JSON does not.
func (p *jsonParser) next() (json.GrammarType, []byte, int) {
	i := p.in.Offset()
	i = skipWS(p.buf, i)
	p.comma = -1
	if i < len(p.buf) && p.buf[i] == ',' {
		p.comma = i
		i = skipWS(p.buf, i+1)
	}
	gt, tok := p.lex.Next()
	return gt, tok, i
}

// checkComma rejects a comma before the first element or a closing bracket.
func (p *jsonParser) checkComma(gt json.GrammarType, first bool) error {
	if p.comma < 0 || gt == json.ErrorGrammar {
		return nil
	}
	if gt == json.EndArrayGrammar || gt == json.EndObjectGrammar {
		return p.errAt(p.comma, "trailing comma", "remove the comma before the closing bracket")
	}
	if first {
		return p.errAt(p.comma, "unexpected comma", "remove the comma before the first element")
	}
	return nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func (p *jsonParser) errAt(off int, msg, hint string) *SyntaxError {
	if off > len(p.src) {
		off = len(p.src)
	}
	if off < 0 {
		off = 0
	}
	return &SyntaxError{Offset: off, Pos: p.lines.pos(off), Msg: msg, Hint: hint}
}

// lexError turns the lexer's error into a SyntaxError at the lexer's offset.
func (p *jsonParser) lexError(tokOff int, eofMsg, eofHint string) *SyntaxError {
	err := p.lex.Err()
	off := p.in.Offset()
	if err == nil || errors.Is(err, io.EOF) {
		if tokOff < len(p.buf) && p.buf[tokOff] == '"' {
			return p.errAt(tokOff, "unterminated string", "close the string with a double quote")
		}
		return p.errAt(len(p.src), eofMsg, eofHint)
	}
	var pe *parse.Error
	msg := err.Error()
	if errors.As(err, &pe) {
		msg = pe.Message
	}
	if off < tokOff {
		off = tokOff
	}
	hint := "check the punctuation just before this point"
	c := byte(0)
	if off >= 0 && off < len(p.buf) {
		c = p.buf[off]
	}
	switch {
	case c == '/':
		hint = "JSON has no comments: remove the comment"
	case c == '\'':
		hint = "JSON strings use double quotes"
	case c == '}' || c == ']':
		hint = "remove the trailing comma before the closing bracket"
	case msg == "expected object key to be a quoted string":
		hint = "put the key in double quotes"
	case msg == "expected comma character or an array or object ending":
		hint = "add a comma between the values, or close the bracket"
	case msg == "expected colon character after object key":
		hint = "add a colon after the key"
	case c == 0:
		msg = "unexpected NUL byte"
		hint = "remove the control character or save the file as UTF-8 text"
	}
	return p.errAt(off, msg, hint)
}

func (p *jsonParser) value(gt json.GrammarType, tok []byte, off, depth int) (*Node, error) {
	n := &Node{Offset: off, Pos: p.lines.pos(off)}
	switch gt {
	case json.StringGrammar:
		s, err := p.decodeString(tok, off)
		if err != nil {
			return nil, err
		}
		n.Kind, n.Str = String, s
	case json.NumberGrammar:
		n.Kind, n.Str = Number, string(tok)
	case json.LiteralGrammar:
		n.Str = string(tok)
		switch n.Str {
		case "true":
			n.Kind, n.Bool = Bool, true
		case "false":
			n.Kind = Bool
		default:
			n.Kind = Null
		}
	case json.StartObjectGrammar, json.StartArrayGrammar:
		if depth > MaxDepth {
			e := p.errAt(off, fmt.Sprintf("%s: more than %d levels", ErrTooDeep, MaxDepth), "flatten the structure")
			return nil, e
		}
		if gt == json.StartObjectGrammar {
			return p.object(n, depth)
		}
		return p.array(n, depth)
	case json.ErrorGrammar:
		return nil, p.lexError(off, "unexpected end of file", "close every open bracket and string")
	default:
		return nil, p.errAt(off, "unexpected closing bracket", "remove it or the comma before it")
	}
	return n, nil
}

func (p *jsonParser) object(n *Node, depth int) (*Node, error) {
	n.Kind = Object
	index := map[string]int{}
	for first := true; ; first = false {
		gt, tok, off := p.next()
		if err := p.checkComma(gt, first); err != nil {
			return nil, err
		}
		switch gt {
		case json.EndObjectGrammar:
			return n, nil
		case json.StringGrammar:
		case json.ErrorGrammar:
			return nil, p.lexError(off, "unexpected end of file inside an object", "close the object with }")
		default:
			return nil, p.errAt(off, "expected a quoted key", "put the key in double quotes")
		}
		key, err := p.decodeString(tok, off)
		if err != nil {
			return nil, err
		}
		k := Str{Value: key, Pos: p.lines.pos(off)}
		vgt, vtok, voff := p.next()
		if vgt == json.EndObjectGrammar || vgt == json.EndArrayGrammar {
			return nil, p.errAt(voff, fmt.Sprintf("key %q has no value", key), "add a value after the colon")
		}
		v, err := p.value(vgt, vtok, voff, depth+1)
		if err != nil {
			return nil, err
		}
		m := Member{Key: k, Value: v}
		if i, ok := index[key]; ok {
			n.Dups = append(n.Dups, n.Members[i])
			n.Members[i] = m
			continue
		}
		index[key] = len(n.Members)
		n.Members = append(n.Members, m)
	}
}

func (p *jsonParser) array(n *Node, depth int) (*Node, error) {
	n.Kind = Array
	for first := true; ; first = false {
		gt, tok, off := p.next()
		if err := p.checkComma(gt, first); err != nil {
			return nil, err
		}
		switch gt {
		case json.EndArrayGrammar:
			return n, nil
		case json.ErrorGrammar:
			return nil, p.lexError(off, "unexpected end of file inside an array", "close the array with ]")
		}
		v, err := p.value(gt, tok, off, depth+1)
		if err != nil {
			return nil, err
		}
		n.Items = append(n.Items, v)
	}
}

// decodeString decodes a quoted JSON string token strictly: escapes must be
// valid and raw control characters are errors.
func (p *jsonParser) decodeString(tok []byte, off int) (string, error) {
	if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' {
		return "", p.errAt(off, "malformed string", "close the string with a double quote")
	}
	s := tok[1 : len(tok)-1]
	var b []byte
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c < 0x20:
			return "", p.errAt(off+1+i, fmt.Sprintf("control character %#02x in a string", c), `write it escaped (\n, \t, \u00XX)`)
		case c == '\\':
			if i+1 >= len(s) {
				return "", p.errAt(off+1+i, "unfinished escape", `write \\ for a backslash`)
			}
			e := s[i+1]
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := hex4(s[i+2:])
				if !ok {
					return "", p.errAt(off+1+i, `invalid \u escape`, `write \u followed by four hex digits`)
				}
				i += 6
				if utf16.IsSurrogate(r) {
					if r2, ok := hex4(s[min(i+2, len(s)):]); ok && i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							b = utf8.AppendRune(b, d)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				b = utf8.AppendRune(b, r)
				continue
			default:
				return "", p.errAt(off+1+i, fmt.Sprintf(`invalid escape \%c`, e), `write \\ for a backslash`)
			}
			i += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			_, size := utf8.DecodeRune(s[i:]) // the input is valid UTF-8
			b = append(b, s[i:i+size]...)
			i += size
		}
	}
	return string(b), nil
}

func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(s[:4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}
