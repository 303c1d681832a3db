package scan

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// maxDynamicText caps the source text kept for a dynamic path.
const maxDynamicText = 200

// posRef is a Ref with the byte offset of its position, before line and
// column are filled in.
type posRef struct {
	off int
	ref Ref
}

// JS finds the references and calls of interest in a script or a script
// module (wxs, sjs, qs: ES5, same grammar).
//
// References: require('x') (Require), require('x', cb…) (RequireCallback),
// require.async('x') (RequireAsync), import … from 'x', import 'x' and
// export … from 'x' (Import), import('x') (ImportDynamic),
// requirePlugin('n') (RequirePlugin), requirePlugin('n', cb) and
// requirePlugin.async('n') (RequirePluginAsync); the optional-call spellings
// (require?.('x')) count too. A string or a template literal without
// substitutions is a literal path; any other first argument gives a Ref with
// Dynamic set and Path the argument's source text (cut at 200 bytes). Empty
// literal paths and calls without arguments are not references. Member calls
// (wx.require('x'), a.requirePlugin('x')), `new require('x')` and methods
// named require are not references either. Shadowing is NOT handled: a local
// function named require is taken for the platform's require.
//
// Positions: Line and Col (1-based, Col in bytes) of the path argument's
// first byte, which is the opening quote of a literal. App and getApp calls
// are placed at the callee's name. The AST has no positions: literals are
// placed exactly from their bytes; other calls are placed by pairing them
// with the call sites a token scan finds, in source order. Should the two
// ever disagree (a '/' read as division by one and as a regular expression
// by the other), the call keeps Line and Col 0 rather than a wrong place.
//
// JS parses src with the tdewolff parser (which bounds its own nesting depth
// at 1000 statements and 1000 expressions and reports deeper input as a
// syntax error). When src does not parse, Err says where and why and the
// references are those the token-level scan finds, which knows comments,
// strings, templates and regular expressions but not grammar.
func JS(src []byte) JSResult { return JSParsed(src, nil) }

// ParseOptions are the options of the scan's parse of a script: those the
// upload estimate's minifier parses with (tdewolff's minify/js: while
// loops become for loops, which finds the same references), so that one
// parse serves both (checks/pack tests that they stay the same).
var ParseOptions = js.Options{WhileToFor: true}

// JSParsed is JS, also handing parsed (when not nil) the syntax tree of
// src that tdewolff's parser made with ParseOptions, or nil when that
// parse failed, so that another reader of the same script need not parse
// it again (the upload estimate's ES6 count and minifier). parsed is
// called after the scan is done with the tree; it may rewrite it, and
// must not keep it.
func JSParsed(src []byte, parsed func(*js.AST)) JSResult {
	li := newLineIndex(src)
	toks := scanTokens(src, false)

	// A copy with cap == len: NewInputBytes appends a NUL, which must never
	// land in the caller's spare capacity (Template passes sub-slices).
	in := parse.NewInputBytes(src[:len(src):len(src)])
	buf := in.Bytes()
	ast, err := safeParse(in, ParseOptions)
	if parsed != nil {
		defaultAST := ast
		if err != nil {
			defaultAST = nil
		}
		defer parsed(defaultAST)
	}
	if err != nil {
		// CommonJS modules may return at the top level (Node and the
		// mini-program runtimes wrap each file in a function). The parser's
		// inline mode allows that, though not import/export, so it is the
		// second try. Its input must be fresh: the first parse moved it.
		in2 := parse.NewInputBytes(src[:len(src):len(src)])
		if ast2, err2 := safeParse(in2, js.Options{Inline: true}); err2 == nil {
			ast, err, buf = ast2, nil, in2.Bytes()
		}
	}
	if err != nil {
		res := fromTokens(src, toks, li)
		res.Err = parseErr(src, li, err)
		return res
	}
	v := &visitor{buf: buf}
	js.Walk(v, ast)
	res := v.match(src, toks, li)
	return res
}

// safeParse runs the third-party parser, turning a panic on hostile input
// into an error so that the token scan's answer is used instead.
func safeParse(in *parse.Input, o js.Options) (ast *js.AST, err error) {
	defer func() {
		if p := recover(); p != nil {
			ast, err = nil, fmt.Errorf("internal parser failure: %v", p)
		}
	}()
	return js.Parse(in, o)
}

// parseErr converts the parser's error. parse.Error counts columns in runes
// and also ends lines at a lone '\r' and at U+2028/U+2029; the column is
// recomputed in bytes with the line numbering of lineIndex.
func parseErr(src []byte, li *lineIndex, err error) *ParseError {
	var pe *parse.Error
	if !errors.As(err, &pe) {
		return &ParseError{Line: 1, Col: 1, Msg: err.Error()}
	}
	off := parseOffset(src, pe.Line, pe.Column)
	line, col := li.pos(off)
	return &ParseError{Line: line, Col: col, Msg: pe.Message}
}

// parseOffset inverts parse.Position: the byte offset of a line and rune
// column under its line-ending rules.
func parseOffset(src []byte, line, col int) int {
	i := 0
	for l := 1; l < line && i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			i++
			l++
		case c == '\r':
			i++
			if i < len(src) && src[i] == '\n' {
				i++
			}
			l++
		case c >= 0xC0:
			r, n := utf8.DecodeRune(src[i:])
			i += n
			if r == '\u2028' || r == '\u2029' {
				l++
			}
		default:
			i++
		}
	}
	for c := 1; c < col && i < len(src); c++ {
		_, n := utf8.DecodeRune(src[i:])
		i += n
	}
	return i
}

// fromTokens builds the result from the token scan alone.
func fromTokens(src []byte, toks tokenResult, li *lineIndex) JSResult {
	var refs []posRef
	var res JSResult
	refs = append(refs, toks.imports...)
	for _, s := range toks.sites {
		if s.method {
			continue
		}
		switch s.form {
		case formApp:
			line, col := li.pos(s.callee)
			res.AppCall = append(res.AppCall, Call{Line: line, Col: col})
			continue
		case formGetApp:
			line, col := li.pos(s.callee)
			res.GetApp = append(res.GetApp, GetAppCall{Line: line, Col: col, AllowDefault: s.allowDefault})
			continue
		}
		if len(s.args) == 0 {
			continue
		}
		a := s.args[0]
		r := Ref{Kind: kindOf(s.form, len(s.args))}
		if p, ok := a.literal(); ok {
			if p == "" {
				continue
			}
			r.Path = p
		} else if a.end > a.start {
			r.Path, r.Dynamic = dynamicText(src[a.start:a.end]), true
		} else {
			continue
		}
		refs = append(refs, posRef{off: a.start, ref: r})
	}
	res.Refs = place(refs, li)
	if toks.errOff >= 0 {
		line, col := li.pos(toks.errOff)
		res.Err = &ParseError{Line: line, Col: col, Msg: toks.errMsg}
	}
	return res
}

func kindOf(f form, nargs int) Kind {
	switch f {
	case formRequire:
		if nargs >= 2 {
			return RequireCallback
		}
		return Require
	case formRequireAsync:
		return RequireAsync
	case formPlugin:
		if nargs >= 2 {
			return RequirePluginAsync
		}
		return RequirePlugin
	case formPluginAsync:
		return RequirePluginAsync
	case formImport:
		return ImportDynamic
	}
	return 0
}

func dynamicText(b []byte) string {
	if len(b) <= maxDynamicText {
		return string(b)
	}
	cut := maxDynamicText
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return string(b[:cut]) + "…"
}

// place sorts refs by offset and fills in their line and column.
func place(refs []posRef, li *lineIndex) []Ref {
	if len(refs) == 0 {
		return nil
	}
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].off < refs[j].off })
	out := make([]Ref, len(refs))
	for i, r := range refs {
		out[i] = r.ref
		out[i].Line, out[i].Col = placeOff(li, r.off)
	}
	return out
}

// offsetIn returns the offset of b inside buf, or -1 when b does not lie in
// buf. The tdewolff AST carries no positions, but its literal byte slices
// (LiteralExpr.Data, ImportStmt.Module, …) are sub-slices of the parser's
// input buffer, so a pointer difference is the node's offset. The bounds
// check keeps this safe for slices the parser allocated itself (such as the
// "import" of an import() call), which are simply not placed this way.
func offsetIn(buf, b []byte) int {
	if len(b) == 0 || len(buf) == 0 {
		return -1
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	if p < base || p-base+uintptr(len(b)) > uintptr(len(buf)) {
		return -1
	}
	return int(p - base)
}

// astCall is a call of interest the AST walk found.
type astCall struct {
	// lo and hi bound the callee's offset: after the end of the last
	// literal the walk met before the call, before the first it met after
	// (hi is -1 when none followed). They keep a non-literal call from
	// taking the place of another call.
	lo, hi       int
	form         form
	nargs        int
	arg0         js.IExpr // nil without arguments
	rest0        bool     // the first argument is a spread
	exact        int      // offset of a literal first argument, else -1
	allowDefault bool
	// bundled: a require whose path is a key of the module table of the
	// built npm bundle module it sits in (see bundleTable).
	bundled bool
}

// visitor walks the AST with js.Walk and records calls and static imports.
// js.Walk visits some children out of source order (a call's arguments
// before its callee, an if's body before its condition…); for those nodes
// the visitor walks the children itself in source order, so the calls come
// out in the order of their callees in the source, the order of the token
// scan's sites.
type visitor struct {
	buf     []byte
	calls   []astCall
	imports []posRef
	// methods holds the offsets of method names (class and object-literal
	// methods, getters, setters): a method named require is not a call,
	// and the token scan cannot always tell.
	methods map[int]bool
	// last is the end offset of the literals met so far; pending lists the
	// calls met since the last literal (see astCall.lo, hi).
	last    int
	pending []int
	// tables are the module tables of the built npm bundle modules the
	// walk is inside, innermost last.
	tables []map[string]bool
	// forward is the name of the source parameter of a bundle's
	// __REQUIRE__ while the walk is inside it ("" elsewhere).
	forward string
}

// seen records a literal's bytes met by the source-order walk.
func (v *visitor) seen(b []byte) {
	off := offsetIn(v.buf, b)
	if off < 0 {
		return
	}
	for _, i := range v.pending {
		v.calls[i].hi = off
	}
	v.pending = v.pending[:0]
	v.last = max(v.last, off+len(b))
}

func (v *visitor) walk(nodes ...js.INode) {
	for _, n := range nodes {
		js.Walk(v, n)
	}
}

// Enter implements js.IVisitor. It records the literals, imports and calls
// it meets; a node whose children the parser's own walk would visit out of
// source order is walked here instead (and nil returned).
func (v *visitor) Enter(n js.INode) js.IVisitor {
	switch n := n.(type) {
	case *js.LiteralExpr:
		v.seen(n.Data)
	case js.LiteralExpr:
		v.seen(n.Data)
	case *js.DirectivePrologueStmt:
		v.seen(n.Value)
	case *js.VarDecl:
		v.walkVarDecl(n)
		return nil
	case *js.ImportStmt:
		v.addModule(n.Module)
	case *js.ExportStmt:
		v.addModule(n.Module)
	case *js.CallExpr:
		v.walkCall(n)
		return nil
	case *js.ArrayExpr:
		return v.enterArray(n)
	case *js.NewExpr:
		v.walkNew(n)
		return nil
	case *js.IfStmt:
		v.walk(n.Cond, n.Body, n.Else)
		return nil
	case *js.WhileStmt:
		v.walk(n.Cond, n.Body)
		return nil
	case *js.WithStmt:
		v.walk(n.Cond, n.Body)
		return nil
	case *js.ForStmt:
		v.walk(n.Init, n.Cond, n.Post)
		v.walkBody(n.Body)
		return nil
	case *js.ForInStmt:
		v.walk(n.Init, n.Value)
		v.walkBody(n.Body)
		return nil
	case *js.ForOfStmt:
		v.walk(n.Init, n.Value)
		v.walkBody(n.Body)
		return nil
	case *js.CaseClause:
		v.walkCase(n)
		return nil
	case *js.SwitchStmt:
		v.walkSwitch(n)
		return nil
	case *js.TryStmt:
		v.walkTry(n)
		return nil
	case *js.FuncDecl:
		v.walk(&n.Params, &n.Body)
		return nil
	case *js.MethodDecl:
		v.walkMethod(n)
		return nil
	case *js.ArrowFunc:
		v.walk(&n.Params, &n.Body)
		return nil
	case *js.TemplateExpr:
		v.walkTemplate(n)
		return nil
	}
	return v
}

// walkVarDecl walks each binding then its value. The value of
// `var __REQUIRE__ = function(modId, source) { … require(source) }` (the
// bundle's forwarding of requests its table lacks, which are references of
// their own, not unchecked dynamic requires) is walked with v.forward set
// to the source parameter.
func (v *visitor) walkVarDecl(n *js.VarDecl) {
	for i := range n.List {
		b := &n.List[i]
		js.Walk(v, b.Binding)
		if src, ok := requireForwarder(b); ok {
			prev := v.forward
			v.forward = src
			js.Walk(v, b.Default)
			v.forward = prev
			continue
		}
		js.Walk(v, b.Default)
	}
}

// requireForwarder recognises the binding
// `__REQUIRE__ = function(modId, source) {…}` of a built npm bundle and
// returns the name of its source parameter.
func requireForwarder(b *js.BindingElement) (string, bool) {
	if name, ok := b.Binding.(*js.Var); !ok || string(name.Name()) != "__REQUIRE__" {
		return "", false
	}
	f, ok := b.Default.(*js.FuncDecl)
	if !ok || len(f.Params.List) < 2 {
		return "", false
	}
	src, ok := f.Params.List[1].Binding.(*js.Var)
	if !ok {
		return "", false
	}
	return string(src.Name()), true
}

// walkCall records a call and walks its callee and arguments. In a module
// of a built npm bundle (see bundleTable), the factory's requires go to the
// bundle's module table first.
func (v *visitor) walkCall(n *js.CallExpr) {
	v.call(n)
	table, ok := bundleTable(n)
	if !ok {
		v.walk(n.X, &n.Args)
		return
	}
	js.Walk(v, n.X)
	for i := range n.Args.List {
		if i == 1 {
			v.walkWithTable(table, n.Args.List[i].Value)
			continue
		}
		js.Walk(v, n.Args.List[i].Value)
	}
}

// enterArray walks a module of a browserify bundle (see browserifyTable),
// whose factory's requires go to the module's own table first, and returns
// nil; any other array is left to the parser's walk (v returned).
func (v *visitor) enterArray(n *js.ArrayExpr) js.IVisitor {
	table, ok := browserifyTable(n)
	if !ok {
		return v
	}
	v.walkWithTable(table, n.List[0].Value)
	js.Walk(v, n.List[1].Value)
	return nil
}

// walkWithTable walks n with table as the innermost module table.
func (v *visitor) walkWithTable(table map[string]bool, n js.INode) {
	v.tables = append(v.tables, table)
	js.Walk(v, n)
	v.tables = v.tables[:len(v.tables)-1]
}

// walkNew walks a new expression's constructor, then its arguments if any.
func (v *visitor) walkNew(n *js.NewExpr) {
	js.Walk(v, n.X)
	if n.Args != nil {
		js.Walk(v, n.Args)
	}
}

// walkBody walks a loop's body, which may be absent.
func (v *visitor) walkBody(body *js.BlockStmt) {
	if body != nil {
		js.Walk(v, body)
	}
}

// walkCase walks a case clause's test, then its statements.
func (v *visitor) walkCase(n *js.CaseClause) {
	js.Walk(v, n.Cond)
	for _, s := range n.List {
		js.Walk(v, s)
	}
}

// walkSwitch walks a switch's discriminant, then its clauses.
func (v *visitor) walkSwitch(n *js.SwitchStmt) {
	js.Walk(v, n.Init)
	for i := range n.List {
		js.Walk(v, &n.List[i])
	}
}

// walkTry walks a try statement's block, catch binding, catch block and
// finally block, those present.
func (v *visitor) walkTry(n *js.TryStmt) {
	if n.Body != nil {
		js.Walk(v, n.Body)
	}
	js.Walk(v, n.Binding)
	if n.Catch != nil {
		js.Walk(v, n.Catch)
	}
	if n.Finally != nil {
		js.Walk(v, n.Finally)
	}
}

// walkMethod notes a method definition's name (a token-scan "call" there is
// not one) and walks its name, parameters and body.
func (v *visitor) walkMethod(n *js.MethodDecl) {
	if off := offsetIn(v.buf, n.Name.Literal.Data); off >= 0 {
		if v.methods == nil {
			v.methods = map[int]bool{}
		}
		v.methods[off] = true
	}
	v.walk(&n.Name, &n.Params, &n.Body)
}

// walkTemplate walks a template literal's tag, then its text parts and
// substitutions in order.
func (v *visitor) walkTemplate(n *js.TemplateExpr) {
	js.Walk(v, n.Tag)
	for _, part := range n.List {
		v.seen(part.Value)
		js.Walk(v, part.Expr)
	}
	v.seen(n.Tail)
}

// Exit implements js.IVisitor.
func (v *visitor) Exit(js.INode) {}

func (v *visitor) addModule(raw []byte) {
	if raw == nil {
		return
	}
	v.seen(raw)
	p, ok := unquoteJS(raw)
	if !ok || p == "" {
		return
	}
	off := offsetIn(v.buf, raw)
	v.imports = append(v.imports, posRef{off: off, ref: Ref{Kind: Import, Path: p}})
}

// call records n when its callee is one of interest.
func (v *visitor) call(n *js.CallExpr) {
	f := astForm(n.X)
	if f == 0 {
		return
	}
	c := astCall{form: f, nargs: len(n.Args.List), exact: -1, lo: v.last, hi: -1}
	v.pending = append(v.pending, len(v.calls))
	if c.nargs > 0 {
		a := n.Args.List[0]
		c.arg0, c.rest0 = a.Value, a.Rest
		if raw, ok := literalRaw(a); ok {
			c.exact = offsetIn(v.buf, raw)
			if p, ok := unquoteJS(raw); ok && f == formRequire && len(v.tables) > 0 && v.tables[len(v.tables)-1][p] {
				c.bundled = true
			}
		} else if x, ok := a.Value.(*js.Var); ok && f == formRequire && v.forward != "" && string(x.Name()) == v.forward {
			c.bundled = true
		}
		if f == formGetApp {
			c.allowDefault = hasAllowDefault(a.Value)
		}
	}
	v.calls = append(v.calls, c)
}

// astForm recognises the callees: the plain names require, requirePlugin,
// App, getApp, the members require.async and requirePlugin.async, and
// import(…).
func astForm(x js.IExpr) form {
	switch x := x.(type) {
	case *js.Var:
		return calleeForm(js.IdentifierToken, x.Name())
	case *js.LiteralExpr, js.LiteralExpr:
		if lit, _ := asLiteral(x); lit.TokenType == js.ImportToken {
			return formImport
		}
	case *js.DotExpr:
		obj, ok := x.X.(*js.Var)
		if !ok {
			return 0
		}
		var prop []byte
		if lit, ok := asLiteral(x.Y); ok {
			prop = lit.Data
		} else if y, ok := x.Y.(*js.Var); ok {
			prop = y.Name()
		}
		if string(prop) != "async" {
			return 0
		}
		switch string(obj.Name()) {
		case "require":
			return formRequireAsync
		case "requirePlugin":
			return formPluginAsync
		}
	}
	return 0
}

// asLiteral unwraps a literal, which the parser stores by value or by
// pointer depending on the place.
func asLiteral(e js.IExpr) (js.LiteralExpr, bool) {
	switch e := e.(type) {
	case *js.LiteralExpr:
		if e != nil {
			return *e, true
		}
	case js.LiteralExpr:
		return e, true
	}
	return js.LiteralExpr{}, false
}

// literalRaw returns the raw token of a string or substitution-free
// template argument.
func literalRaw(a js.Arg) ([]byte, bool) {
	if a.Rest {
		return nil, false
	}
	if lit, ok := asLiteral(a.Value); ok {
		return lit.Data, lit.TokenType == js.StringToken
	}
	switch e := a.Value.(type) {
	case *js.TemplateExpr:
		if e.Tag == nil && len(e.List) == 0 {
			return e.Tail, true
		}
	}
	return nil, false
}

// hasAllowDefault reports whether e is an object literal with the property
// allowDefault: true.
func hasAllowDefault(e js.IExpr) bool {
	obj, ok := e.(*js.ObjectExpr)
	if !ok {
		return false
	}
	for _, p := range obj.List {
		if p.Name == nil || p.Name.IsComputed() || p.Spread {
			continue
		}
		name := p.Name.Literal.Data
		if p.Name.Literal.TokenType == js.StringToken {
			s, _ := unquoteJS(name)
			name = []byte(s)
		}
		if string(name) != "allowDefault" {
			continue
		}
		if lit, ok := asLiteral(p.Value); ok && lit.TokenType == js.TrueToken {
			return true
		}
	}
	return false
}

// match pairs the AST's calls with the token scan's sites to place them.
// Both lists are in source order of the callees. A call with a literal
// argument is placed exactly (pointer offset) and skips sites the token
// scan found that the grammar rejects; any other call takes the next site of
// its form.
func (v *visitor) match(src []byte, toks tokenResult, li *lineIndex) JSResult {
	sites := newSiteCursor(toks.sites, v.methods)
	var res JSResult
	refs := v.imports
	for _, c := range v.calls {
		st := sites.take(c)
		switch c.form {
		case formApp:
			line, col := placeSite(li, st)
			res.AppCall = append(res.AppCall, Call{Line: line, Col: col})
		case formGetApp:
			line, col := placeSite(li, st)
			res.GetApp = append(res.GetApp, GetAppCall{Line: line, Col: col, AllowDefault: c.allowDefault})
		default:
			if r, ok := callRef(src, c, st); ok {
				refs = append(refs, r)
			}
		}
	}
	res.Refs = place(refs, li)
	return res
}

// siteCursor hands out the token scan's call sites of each form, in source
// order, to the AST's calls of that form, in source order.
type siteCursor struct {
	byForm map[form][]*site
	next   map[form]int // index of the first site of the form not passed yet
}

// newSiteCursor groups sites by form, leaving out the method definitions
// the AST found (offsets of their names in methods).
func newSiteCursor(sites []*site, methods map[int]bool) *siteCursor {
	byForm := map[form][]*site{}
	for _, s := range sites {
		if !methods[s.callee] {
			byForm[s.form] = append(byForm[s.form], s)
		}
	}
	return &siteCursor{byForm: byForm, next: map[form]int{}}
}

// take returns the site of call c and moves past it, or returns nil (and
// stays) when no site is c's.
func (sc *siteCursor) take(c astCall) *site {
	sites := sc.byForm[c.form]
	i := sc.next[c.form]
	var j int
	if c.exact >= 0 {
		j = exactSite(sites[i:], c.exact)
	} else {
		j = boundedSite(sites[i:], c)
	}
	if j < 0 {
		return nil
	}
	sc.next[c.form] = i + j + 1
	return sites[i+j]
}

// exactSite returns the index of the first site whose first argument
// starts at off, -1 if none.
func exactSite(sites []*site, off int) int {
	for j, s := range sites {
		if len(s.args) > 0 && s.args[0].start == off {
			return j
		}
	}
	return -1
}

// boundedSite returns the index of the next site in source order within
// the call's bounds if it has the same shape, -1 otherwise: sites before
// the bounds are ones the grammar rejects, and if the next one does not
// fit, the token scan saw the code differently and the call stays unplaced
// rather than misplaced.
func boundedSite(sites []*site, c astCall) int {
	for j, s := range sites {
		if s.callee < c.lo {
			continue
		}
		if (c.hi < 0 || s.callee <= c.hi) && s.fits(c) { // == for import(, whose keyword is a literal
			return j
		}
		break
	}
	return -1
}

// placeSite is the line and column of a site's callee, 0, 0 without a site.
func placeSite(li *lineIndex, st *site) (int, int) {
	off := -1
	if st != nil {
		off = st.callee
	}
	return placeOff(li, off)
}

// callRef is the reference a require or import call makes, at the offset of
// its argument: a literal path, or a dynamic one written as the argument's
// text. ok is false for a call without arguments, a request the npm bundle
// resolves itself, or an empty path.
func callRef(src []byte, c astCall, st *site) (posRef, bool) {
	if c.arg0 == nil || c.bundled {
		return posRef{}, false
	}
	r := Ref{Kind: kindOf(c.form, c.nargs)}
	if raw, ok := literalRaw(js.Arg{Value: c.arg0, Rest: c.rest0}); ok {
		p, _ := unquoteJS(raw)
		if p == "" {
			return posRef{}, false
		}
		r.Path = p
		return posRef{off: c.exact, ref: r}, true
	}
	r.Dynamic = true
	off, path := dynamicArg(src, c, st)
	r.Path = path
	return posRef{off: off, ref: r}, true
}

// dynamicArg returns the offset and text of a call's non-literal first
// argument: as the token scan's site spans it in src when there is one,
// else printed from the AST (at the call's exact offset, -1 as a rule).
func dynamicArg(src []byte, c astCall, st *site) (int, string) {
	if st != nil && len(st.args) > 0 && st.args[0].end > st.args[0].start {
		a := st.args[0]
		return a.start, dynamicText(src[a.start:a.end])
	}
	var b strings.Builder
	if c.rest0 {
		b.WriteString("...")
	}
	c.arg0.JS(&b)
	return c.exact, dynamicText([]byte(b.String()))
}

// fits reports whether a site has the shape of a non-literal call: as many
// arguments, and a first one that is not a literal.
func (s *site) fits(c astCall) bool {
	if len(s.args) != c.nargs {
		return false
	}
	if len(s.args) > 0 {
		if _, lit := s.args[0].literal(); lit {
			return false
		}
	}
	return true
}

// placeOff is li.pos for a known offset and 0, 0 for an unknown one (-1).
func placeOff(li *lineIndex, off int) (int, int) {
	if off < 0 {
		return 0, 0
	}
	return li.pos(off)
}

// bundleTable recognises a module of a built npm bundle, the file the
// DevTools' (and QQ's) "Build npm" and miniprogram-ci's packNpm write for a
// package that is not a mini-program package:
//
//	__DEFINE__(id, function(require, module, exports) { … },
//	    function(modId) { var map = {"./core": id2}; return __REQUIRE__(map[modId], modId) })
//
// Inside the factory, require is the third function: a request that is a key
// of map is a module of the bundle itself; any other goes on to the
// platform's require from the bundle's own file. bundleTable returns map's
// keys. The shape is matched on the syntax tree: the callee __DEFINE__, a
// factory whose first parameter is require, and a resolver whose body
// declares an object literal and returns a call of __REQUIRE__.
func bundleTable(n *js.CallExpr) (map[string]bool, bool) {
	callee, ok := n.X.(*js.Var)
	if !ok || string(callee.Name()) != "__DEFINE__" || len(n.Args.List) != 3 {
		return nil, false
	}
	factory, ok := n.Args.List[1].Value.(*js.FuncDecl)
	if !ok || len(factory.Params.List) == 0 {
		return nil, false
	}
	if req, ok := factory.Params.List[0].Binding.(*js.Var); !ok || string(req.Name()) != "require" {
		return nil, false
	}
	resolver, ok := n.Args.List[2].Value.(*js.FuncDecl)
	if !ok || len(resolver.Params.List) != 1 {
		return nil, false
	}
	var table map[string]bool
	returns := false
	for _, st := range resolver.Body.List {
		switch st := st.(type) {
		case *js.VarDecl:
			for _, b := range st.List {
				if obj, ok := b.Default.(*js.ObjectExpr); ok && table == nil {
					table = tableKeys(obj)
				}
			}
		case *js.ReturnStmt:
			if c, ok := st.Value.(*js.CallExpr); ok {
				if f, ok := c.X.(*js.Var); ok && string(f.Name()) == "__REQUIRE__" {
					returns = true
				}
			}
		}
	}
	if table == nil || !returns {
		return nil, false
	}
	return table, true
}

// browserifyTable recognises a module of a browserify bundle, the shape of
// the standalone builds vendored into mini-programs (markdown-it plugins in
// towxml, for one):
//
//	{6: [function(require, module, exports) { … require("./lib/render") … },
//	     {"./lib/render": 4}], …}
//
// Inside the factory, require is the bundle's own: a request that is a key
// of the map next to it is a module of the bundle (its table of id by
// request); any other goes on to the require outside the bundle, the
// platform's. browserifyTable returns the map's keys. The shape is matched
// on the syntax tree: an array of exactly a function whose first parameter
// is require and an object literal.
func browserifyTable(n *js.ArrayExpr) (map[string]bool, bool) {
	if len(n.List) != 2 || n.List[0].Spread || n.List[1].Spread {
		return nil, false
	}
	factory, ok := n.List[0].Value.(*js.FuncDecl)
	if !ok || len(factory.Params.List) == 0 {
		return nil, false
	}
	if req, ok := factory.Params.List[0].Binding.(*js.Var); !ok || string(req.Name()) != "require" {
		return nil, false
	}
	obj, ok := n.List[1].Value.(*js.ObjectExpr)
	if !ok {
		return nil, false
	}
	return tableKeys(obj), true
}

// tableKeys returns the literal property names of a module table.
func tableKeys(obj *js.ObjectExpr) map[string]bool {
	keys := make(map[string]bool, len(obj.List))
	for _, p := range obj.List {
		if p.Name == nil || p.Name.IsComputed() || p.Spread {
			continue
		}
		name := string(p.Name.Literal.Data)
		if p.Name.Literal.TokenType == js.StringToken {
			var ok bool
			if name, ok = unquoteJS(p.Name.Literal.Data); !ok {
				continue
			}
		}
		keys[name] = true
	}
	return keys
}
