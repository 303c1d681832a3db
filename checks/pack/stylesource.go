package pack

import (
	"bytes"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A less or sass source compiles to what its imports, loops and mixins
// expand to, which mpgate cannot compile exactly (no maintained Go compiler
// of either). ExpandStyle approximates that CSS so that the estimate follows
// the causes WeChat's output grows by (measured on miniprogram-ci 2.1.42,
// docs/sizes.md "less and sass output"):
//
//   - @import of a less/sass file is replaced by that file's expansion, each
//     time it is imported (iamxjb/winxin-app-watch-life.net: a 595-byte
//     custom-tab-bar/index.scss imports a UI library and compiles to 169,788
//     bytes); an import of a .wxss or .css stays an @import line;
//   - variables, @mixin/@function definitions, placeholders and less mixin
//     definitions emit nothing; @include (and a less mixin call) emits the
//     mixin's body;
//   - @each repeats its body once per item of its list or map (a map
//     variable counts its entries, map-merge adds them up), @for once per
//     step, @if emits its first branch;
//   - a nested rule is flattened with its parent selector in front (with &
//     replaced by it).
//
// The result is CSS-like text (values keep their variables unevaluated), a
// rule or at-rule block per line, that the estimator then minifies and
// prefixes like a .wxss. With minified set (minifyWXSS or postcss), a file
// imported again at the same nesting is expanded once: the minifier WeChat
// runs drops a rule identical to an earlier one (Mr-k-bear/mini-dlpu-v3: a
// page style importing four files that each import app.scss compiles to one
// copy of app.scss's rules).
func ExpandStyle(file string, src []byte, read func(path string) ([]byte, bool), minified bool) (css []byte, cssImports []string) {
	x := &styleExpander{read: read, vars: map[string]int{}, mixins: map[string]styleMixin{}, stack: []string{file}}
	if minified {
		x.done = map[string]bool{}
	}
	x.block(file, stripStyleComments(src), nil)
	// An interpolation prints its value, mostly a short name or number
	// (`.ui-col-#{$i}`, `.bg-#{$color}`): four bytes.
	return styleInterpolation.ReplaceAll(x.out.Bytes(), []byte("xxxx")), x.imports
}

// maxExpandedStyle caps the text ExpandStyle writes for one source: loops
// over loops could otherwise grow without bound. A capped result is still
// far above the source.
const maxExpandedStyle = 4 << 20

type styleMixin struct {
	file string
	body []byte
}

type styleExpander struct {
	read    func(string) ([]byte, bool)
	out     bytes.Buffer
	vars    map[string]int // item counts of list and map variables
	mixins  map[string]styleMixin
	stack   []string // files being expanded (import cycles)
	imports []string
	depth   int
	steps   int             // blocks and statements visited (maxExpandSteps)
	done    map[string]bool // with minified: file + parent selector expanded already
}

// maxExpandSteps caps the blocks and statements ExpandStyle visits for one
// source, and maxStyleSelector the length of a flattened selector: a mixin
// that includes itself twice, or nested selector lists, grow exponentially
// with depth without writing much (found by FuzzExpandStyle: a self-including
// mixin under an eight-part selector list hung the analysis). The largest
// real sources measured (a page importing a UI library, 170 KB expanded)
// take a few thousand steps.
const (
	maxExpandSteps   = 1 << 20
	maxStyleSelector = 64 << 10
)

func (x *styleExpander) full() bool {
	return x.out.Len() > maxExpandedStyle || x.depth > 64 || x.steps > maxExpandSteps
}

var (
	styleMixinDef      = regexp.MustCompile(`^(?:@mixin\s+([\w-]+)|\.([\w-]+)\s*\(.*\)\s*(?:when\b.*)?$)`)
	styleEach          = regexp.MustCompile(`(?s)^@each\s+.*?\s+in\s+(.*)$`)
	styleFor           = regexp.MustCompile(`^@for\s+\S+\s+from\s+(-?\d+)\s+(through|to)\s+(-?\d+)`)
	styleVar           = regexp.MustCompile(`(?s)^\$([\w-]+)\s*:\s*(.*?)\s*(!default|!global)?\s*$`)
	styleLessVar       = regexp.MustCompile(`^@[\w-]+\s*:`)
	styleInclude       = regexp.MustCompile(`^@include\s+([\w.-]+)`)
	styleLessCall      = regexp.MustCompile(`^[.#]([\w-]+)\s*(\(.*\))?\s*(!important)?$`)
	styleMapMerge      = regexp.MustCompile(`(?s)^map-merge\((.*)\)$`)
	styleSpaceRuns     = regexp.MustCompile(`\s+`)
	styleInterpolation = regexp.MustCompile(`#\{[^{}]*\}`)
)

// block expands the statements of src (a file or a block's body) written
// inside the flattened selector parent (nil at the top level).
func (x *styleExpander) block(file string, src []byte, parent []byte) {
	x.depth++
	defer func() { x.depth-- }()
	x.steps++
	if len(parent) > maxStyleSelector {
		x.steps = maxExpandSteps + 1 // stop everywhere: the selectors only grow from here
	}
	d := styleDecls{out: &x.out, parent: parent}
	for i := 0; i < len(src) && !x.full(); {
		i = skipStyleSeparators(src, i)
		if i >= len(src) {
			break
		}
		x.steps++
		j := styleStmtEnd(src, i)
		head := bytes.TrimSpace(src[i:j])
		if j < len(src) && src[j] == '{' {
			k := styleBlockEnd(src, j)
			x.blockStmt(file, head, src[j+1:k], &d)
			i = k + 1
			continue
		}
		i = j + 1
		x.stmt(file, head, &d)
	}
	d.flush()
}

// styleDecls holds the declarations a block has met since its last nested
// block: they are written as one rule of the block's selector before
// anything the next nested block writes.
type styleDecls struct {
	out    *bytes.Buffer
	parent []byte // the block's selector (nil at the top level)
	list   [][]byte
}

// add holds a declaration back until the next flush.
func (d *styleDecls) add(decl []byte) { d.list = append(d.list, decl) }

// flush writes the declarations held, as a rule of the parent selector
// (bare at the top level), and empties the list.
func (d *styleDecls) flush() {
	if len(d.list) == 0 {
		return
	}
	if d.parent != nil {
		d.out.Write(d.parent)
		d.out.WriteByte('{')
	}
	for _, decl := range d.list {
		d.out.Write(decl)
		d.out.WriteByte(';')
	}
	if d.parent != nil {
		d.out.WriteString("}\n")
	}
	d.list = d.list[:0]
}

// skipStyleSeparators returns the index of the first byte from i on that is
// not space or the ';' or '}' left over from the statement before.
func skipStyleSeparators(src []byte, i int) int {
	for i < len(src) && (isStyleSpace(src[i]) || src[i] == ';' || src[i] == '}') {
		i++
	}
	return i
}

// blockStmt expands a statement with a block, `head { body }`, met in a
// block whose pending declarations are d: a definition is recorded, a loop,
// condition or include expands its body, an at-rule wraps it and a nested
// rule flattens it under the selector.
func (x *styleExpander) blockStmt(file string, head, body []byte, d *styleDecls) {
	h := string(head)
	switch {
	case strings.HasPrefix(h, "@function"), strings.HasPrefix(h, "%"):
	case styleMixinDef.MatchString(h):
		m := styleMixinDef.FindStringSubmatch(h)
		x.mixins[m[1]+m[2]] = styleMixin{file: file, body: body}
	case strings.HasPrefix(h, "@each"):
		n := x.eachCount(h)
		d.flush()
		x.repeat(file, body, d.parent, n)
	case strings.HasPrefix(h, "@for"):
		d.flush()
		x.repeat(file, body, d.parent, forCount(h))
	case strings.HasPrefix(h, "@if"), strings.HasPrefix(h, "@while"):
		d.flush()
		x.block(file, body, d.parent)
	case strings.HasPrefix(h, "@else"):
	case strings.HasPrefix(h, "@include"):
		d.flush()
		x.include(h, d.parent)
		x.block(file, body, d.parent)
	case strings.HasPrefix(h, "@media"), strings.HasPrefix(h, "@supports"), strings.HasPrefix(h, "@at-root"):
		d.flush()
		x.atRule(file, head, body, d.parent)
	case strings.HasPrefix(h, "@"):
		// @keyframes, @font-face, @page: written as they are.
		d.flush()
		x.atRule(file, head, body, nil)
	default:
		d.flush()
		x.block(file, body, nestSelector(d.parent, head))
	}
}

// stmt expands a statement without a block, met in a block whose pending
// declarations are d: a variable is recorded, an import or include
// expanded, a directive dropped, and anything else is a declaration.
func (x *styleExpander) stmt(file string, head []byte, d *styleDecls) {
	h := string(head)
	switch {
	case strings.HasPrefix(h, "$"):
		x.setVar(h)
	case strings.HasPrefix(h, "@import"), strings.HasPrefix(h, "@use"), strings.HasPrefix(h, "@forward"),
		strings.HasPrefix(h, "@require"):
		x.importStmt(file, h, d.parent)
	case strings.HasPrefix(h, "@include"):
		d.flush()
		x.include(h, d.parent)
	case strings.HasPrefix(h, "@extend"), strings.HasPrefix(h, "@warn"), strings.HasPrefix(h, "@debug"),
		strings.HasPrefix(h, "@error"), strings.HasPrefix(h, "@return"), strings.HasPrefix(h, "@charset"),
		styleLessVar.MatchString(h):
	case d.parent != nil && styleLessCall.MatchString(h) && x.hasMixin(styleLessCall.FindStringSubmatch(h)[1]):
		d.flush()
		m := x.mixins[styleLessCall.FindStringSubmatch(h)[1]]
		x.block(m.file, m.body, d.parent)
	default:
		d.add(styleSpaceRuns.ReplaceAll(head, []byte(" ")))
	}
}

// repeat expands body n times (a loop's iterations), stopping early once
// the output is full.
func (x *styleExpander) repeat(file string, body, parent []byte, n int) {
	for range max(n, 0) {
		if x.full() {
			break
		}
		x.block(file, body, parent)
	}
}

// eachCount is the number of times `@each … in list` repeats its body: the
// items of its list or map, 1 when the head is not understood.
func (x *styleExpander) eachCount(h string) int {
	if m := styleEach.FindStringSubmatch(h); m != nil {
		return x.count(m[1], 0)
	}
	return 1
}

// forCount is the number of times `@for $i from a through|to b` repeats its
// body (negative for a backward range, which mpgate does not repeat), 1
// when the head is not understood.
func forCount(h string) int {
	m := styleFor.FindStringSubmatch(h)
	if m == nil {
		return 1
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[3])
	n := b - a
	if m[2] == "through" {
		n++
	}
	return n
}

// atRule writes an at-rule block as it is, its head with spaces collapsed,
// around the expansion of its body inside the selector parent.
func (x *styleExpander) atRule(file string, head, body, parent []byte) {
	x.out.Write(styleSpaceRuns.ReplaceAll(head, []byte(" ")))
	x.out.WriteByte('{')
	x.block(file, body, parent)
	x.out.WriteString("}\n")
}

// setVar records the item count of `$name: value` (a !default value only
// when the variable is not set yet).
func (x *styleExpander) setVar(h string) {
	m := styleVar.FindStringSubmatch(h)
	if m == nil {
		return
	}
	if _, ok := x.vars[m[1]]; !ok || m[3] != "!default" {
		x.vars[m[1]] = x.count(m[2], 0)
	}
}

func (x *styleExpander) hasMixin(name string) bool {
	_, ok := x.mixins[name]
	return ok
}

func (x *styleExpander) include(h string, parent []byte) {
	m := styleInclude.FindStringSubmatch(h)
	if m == nil {
		return
	}
	if mx, ok := x.mixins[m[1]]; ok {
		x.block(mx.file, mx.body, parent)
	}
}

// importStmt expands `@import a, b`: a less or sass file is expanded in
// place (each time), anything else stays an @import line.
func (x *styleExpander) importStmt(file, h string, parent []byte) {
	_, args, _ := strings.Cut(h, " ")
	var keep []string
	for _, a := range splitTopLevel(args) {
		a = strings.TrimSpace(a)
		req := strings.Trim(a, `"' `)
		if strings.HasPrefix(h, "@use") || strings.HasPrefix(h, "@forward") {
			req, _, _ = strings.Cut(req, `"`)
			req, _, _ = strings.Cut(req, `'`)
		}
		if req == "" {
			continue
		}
		// less imports a .less named in url() too (wallhaven-mini's
		// `@import url(./style/basics.less)`).
		if u, ok := strings.CutPrefix(req, "url("); ok {
			req = strings.Trim(strings.TrimSuffix(u, ")"), `"' `)
		}
		if target, src, ok := x.resolve(file, req); ok {
			key := target + "\x00" + string(parent)
			if x.done != nil && x.done[key] {
				// Its variables and mixins are known already; its
				// rules would be duplicates the minifier drops.
				continue
			}
			if x.done != nil {
				x.done[key] = true
			}
			if !slices.Contains(x.stack, target) && len(x.stack) < 32 {
				x.stack = append(x.stack, target)
				x.block(target, stripStyleComments(src), parent)
				x.stack = x.stack[:len(x.stack)-1]
			}
			continue
		}
		if css := cssImportPath(file, req); css != "" {
			x.imports = append(x.imports, css)
		}
		keep = append(keep, a)
	}
	if len(keep) > 0 && parent == nil {
		x.out.WriteString("@import " + strings.Join(keep, ",") + ";\n")
	}
}

// resolve finds the less/sass file an import names: relative to the file,
// then to the mini-program root (the plugins' load path), as written, as a
// partial (_name) and with each source extension.
func (x *styleExpander) resolve(file, req string) (string, []byte, bool) {
	if strings.Contains(req, "(") || strings.Contains(req, "://") || strings.HasPrefix(req, "//") {
		return "", nil, false
	}
	switch ext(req) {
	case "css", "wxss", "qss", "ttss", "acss", "ddss", "css3":
		return "", nil, false
	}
	var bases []string
	if strings.HasPrefix(req, "/") {
		bases = []string{path.Clean(strings.TrimLeft(req, "/"))}
	} else {
		bases = []string{path.Join(path.Dir(file), req), path.Clean(req)}
	}
	for _, b := range bases {
		if strings.HasPrefix(b, "../") || b == ".." {
			continue
		}
		dir, name := path.Split(b)
		for _, n := range []string{name, "_" + name} {
			for _, e := range []string{"", ".scss", ".sass", ".less"} {
				p := dir + n + e
				switch ext(p) {
				case "scss", "sass", "less":
				default:
					continue
				}
				if src, ok := x.read(p); ok {
					return p, src, true
				}
			}
		}
	}
	return "", nil, false
}

// cssImportPath is the mini-program path a plain-CSS import names ("" for
// remote and url() imports).
func cssImportPath(file, req string) string {
	if strings.Contains(req, "(") || strings.Contains(req, "://") || strings.HasPrefix(req, "//") {
		return ""
	}
	p := path.Join(path.Dir(file), req)
	if strings.HasPrefix(req, "/") {
		p = path.Clean(strings.TrimLeft(req, "/"))
	}
	if strings.HasPrefix(p, "../") || p == ".." {
		return ""
	}
	return p
}

// count is the number of items @each walks in expr: a list or map literal,
// a variable holding one, map-merge of several.
func (x *styleExpander) count(expr string, depth int) int {
	expr = strings.TrimSpace(expr)
	if depth > 16 || expr == "" {
		return 1
	}
	if m := styleMapMerge.FindStringSubmatch(expr); m != nil {
		n := 0
		for _, p := range splitTopLevel(m[1]) {
			n += x.count(p, depth+1)
		}
		return n
	}
	if strings.HasPrefix(expr, "$") {
		if n, ok := x.vars[strings.TrimPrefix(expr, "$")]; ok {
			return n
		}
		return 1
	}
	if strings.HasPrefix(expr, "(") && strings.HasSuffix(expr, ")") && outerParens(expr) {
		inner := strings.TrimSpace(expr[1 : len(expr)-1])
		if inner == "" {
			return 0
		}
		return countItems(splitTopLevel(inner))
	}
	if parts := splitTopLevel(expr); countItems(parts) > 1 {
		return countItems(parts)
	}
	return len(strings.Fields(expr))
}

func countItems(parts []string) int {
	n := 0
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			n++
		}
	}
	return n
}

// outerParens reports whether the parenthesis opening s closes at its end.
func outerParens(s string) bool {
	d := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			d++
		case ')':
			d--
			if d == 0 && i < len(s)-1 {
				return false
			}
		}
	}
	return true
}

// splitTopLevel splits s at the commas outside parentheses and brackets.
func splitTopLevel(s string) []string {
	var out []string
	d, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			d++
		case ')', ']':
			d--
		case ',':
			if d == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// nestSelector flattens a nested selector: each of its parts gets the
// parent in front, or in place of &.
func nestSelector(parent, sel []byte) []byte {
	sel = styleSpaceRuns.ReplaceAll(sel, []byte(" "))
	if parent == nil {
		return sel
	}
	var parts []string
	for _, p := range splitTopLevel(string(sel)) {
		p = strings.TrimSpace(p)
		if strings.Contains(p, "&") {
			parts = append(parts, strings.ReplaceAll(p, "&", string(parent)))
		} else {
			parts = append(parts, string(parent)+" "+p)
		}
	}
	return []byte(strings.Join(parts, ","))
}

func isStyleSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// styleStmtEnd returns the index of the ';', '{' or '}' ending the
// statement at i (outside strings, parentheses and #{…}).
func styleStmtEnd(s []byte, i int) int {
	paren := 0
	for i = nextStyleSyntax(s, i); i < len(s); i = nextStyleSyntax(s, i+1) {
		switch c := s[i]; {
		case c == '(':
			paren++
		case c == ')':
			paren--
		case paren <= 0 && (c == ';' || c == '{' || c == '}'):
			return i
		}
	}
	return len(s)
}

// styleBlockEnd returns the index of the '}' closing the '{' at i.
func styleBlockEnd(s []byte, i int) int {
	d := 0
	for i = nextStyleSyntax(s, i); i < len(s); i = nextStyleSyntax(s, i+1) {
		switch s[i] {
		case '{':
			d++
		case '}':
			d--
			if d == 0 {
				return i
			}
		}
	}
	return len(s)
}

// nextStyleSyntax returns the index of the first byte from i on that is
// outside strings and #{…} interpolations (len(s) if none): where
// styleStmtEnd and styleBlockEnd look for the next brace or separator.
func nextStyleSyntax(s []byte, i int) int {
	for i < len(s) {
		switch c := s[i]; {
		case c == '"' || c == '\'':
			i = skipStyleString(s, i)
		case c == '#' && i+1 < len(s) && s[i+1] == '{':
			i = skipInterpolation(s, i)
		default:
			return i
		}
	}
	return len(s)
}

func skipStyleString(s []byte, i int) int {
	q := s[i]
	for i++; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == q || s[i] == '\n' {
			return i + 1
		}
	}
	return len(s)
}

func skipInterpolation(s []byte, i int) int {
	if j := bytes.IndexByte(s[i:], '}'); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

// stripStyleComments removes /* */ and // comments (outside strings and
// url(…)); less and sass drop // comments, and WeChat's minifier the rest.
func stripStyleComments(s []byte) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\'':
			j := skipStyleString(s, i)
			out = append(out, s[i:j]...)
			i = j
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := bytes.Index(s[i+2:], []byte("*/"))
			if j < 0 {
				return out
			}
			i += j + 4
		case c == '/' && i+1 < len(s) && s[i+1] == '/' && (i == 0 || s[i-1] != ':'):
			j := bytes.IndexByte(s[i:], '\n')
			if j < 0 {
				return out
			}
			i += j
		case c == 'u' && bytes.HasPrefix(s[i:], []byte("url(")):
			j := bytes.IndexByte(s[i:], ')')
			if j < 0 {
				j = len(s) - i - 1
			}
			out = append(out, s[i:i+j+1]...)
			i += j + 1
		default:
			out = append(out, c)
			i++
		}
	}
	return out
}
