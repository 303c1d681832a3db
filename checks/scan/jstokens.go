package scan

import (
	"errors"
	"fmt"
	"io"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// form is the shape of a call the JS scanner looks for.
type form uint8

const (
	formRequire      form = iota + 1 // require(
	formRequireAsync                 // require.async(
	formPlugin                       // requirePlugin(
	formPluginAsync                  // requirePlugin.async(
	formImport                       // import(
	formApp                          // App(
	formGetApp                       // getApp(
)

// argSpan is one top-level argument of a call site: the bytes from its first
// to its last token (no surrounding blanks or comments).
type argSpan struct {
	start, end  int
	first, last int // indexes of its first and last significant tokens
	tt          js.TokenType
	data        []byte // the first token
}

// literal returns the argument's value when it is a single string or
// template-without-substitution token.
func (a argSpan) literal() (string, bool) {
	if a.first != a.last || (a.tt != js.StringToken && a.tt != js.TemplateToken) {
		return "", false
	}
	return unquoteJS(a.data)
}

// site is a call found by the token scanner.
type site struct {
	form   form
	callee int // offset of the callee's first byte
	args   []argSpan
	// method is set when the "call" is followed by '{': likely a method
	// definition named like a callee, not a call (unless it follows
	// "extends", as in class A extends require('./b') {}). Only the
	// fallback uses it; with an AST, methods are known exactly.
	method       bool
	afterExtends bool
	allowDefault bool
}

// frame is an open bracket or template.
type frame struct {
	// regexAfter: a '/' right after the closer starts a regular expression
	// (the closer ends a block, or the condition of if/while/for/with).
	regexAfter bool
	site       *site // set for the '(' of a call site
	inArg      bool
	obj        *site // set for the '{' of getApp's first argument
	recent     [3]tok
}

type tok struct {
	tt   js.TokenType
	data []byte
}

// tokenResult is what the token-level scan finds. It serves two purposes:
// the positions of the calls the AST finds (the AST carries none), and the
// whole answer when the file does not parse.
type tokenResult struct {
	sites   []*site
	imports []posRef // import/export … from 'x' and import 'x', found token-wise
	errOff  int      // offset of the first lexer error, -1 if none
	errMsg  string
}

// pending follows a possible callee through "require", ".", "async", "?.".
type pending struct {
	form   form
	callee int
	stage  uint8 // 0: after the name; 1: after '.'; 2: after '?.'; 3: after ".async"; 4, 5: see depth
	// afterExtends: the callee follows "extends".
	afterExtends bool
	// depth and tok follow TypeScript type arguments (stage 4; stage 5
	// is after them): the '<' nesting and the index of the first '<'.
	depth, tok int
}

// With ts set, a callee may take TypeScript type arguments before its
// parentheses (App<IAppOption>({…})).
//
// scanTokens runs the tdewolff JS lexer over src once (linear time, no
// recursion) and records call sites of the callees of interest. Comments,
// strings, templates and regular expressions are single tokens, so a
// require inside them is never seen. Whether a '/' starts a regular
// expression is decided from the previous token, as parsers do.
func scanTokens(src []byte, ts bool) (res tokenResult) {
	res = tokenResult{errOff: -1}
	defer func() {
		// The lexer is third-party code reading arbitrary bytes; should it
		// ever panic, keep what was found and say where it stopped.
		if p := recover(); p != nil {
			res.errOff, res.errMsg = 0, fmt.Sprintf("internal lexer failure: %v", p)
		}
	}()
	l := js.NewLexer(parse.NewInputBytes(src[:len(src):len(src)]))
	var (
		off, lastEnd, ntok int
		prev, prev2        js.TokenType
		pend               pending
		stack              []frame
		justClosed         *site
		modDecl            bool // inside an import/export declaration
		importKw           = -1 // token index of a statement-level import keyword
		closerRegex        bool // the last closer allows a regular expression after it
	)
	fail := func(at int, msg string) {
		if res.errOff < 0 {
			res.errOff, res.errMsg = at, msg
		}
	}
	for {
		tt, data := l.Next()
		if tt == js.ErrorToken {
			err := l.Err()
			if errors.Is(err, io.EOF) || err == nil || len(data) == 0 {
				if err != nil && !errors.Is(err, io.EOF) {
					fail(off, err.Error())
				}
				break
			}
			// The lexer skipped one character it could not read. At the
			// end of the input it would step past its terminator, so stop.
			// TypeScript decorators (@Component) are fine there.
			if !ts || string(data) != "@" {
				fail(off, lexMsg(err))
			}
			off += len(data)
			if off >= len(src) {
				break
			}
			continue
		}
		switch tt {
		case js.WhitespaceToken, js.LineTerminatorToken, js.CommentToken, js.CommentLineTerminatorToken:
			off += len(data)
			continue
		case js.DivToken, js.DivEqToken:
			if regexAllowed(prev, closerRegex) {
				rt, rd := l.RegExp()
				if rt != js.RegExpToken {
					// Unterminated: the lexer stopped at the end of the
					// line and returns the '/' and what follows as part of
					// its next token, so off stays put.
					fail(off, "unterminated regular expression")
					continue
				}
				tt, data = rt, rd
			}
		}
		start := off
		off += len(data)
		idx := ntok
		ntok++

		if justClosed != nil {
			if tt == js.OpenBraceToken && !justClosed.afterExtends {
				justClosed.method = true
			}
			justClosed = nil
		}

		// Arguments of the innermost open call, and getApp's object.
		if n := len(stack); n > 0 {
			f := &stack[n-1]
			if f.site != nil {
				switch tt {
				case js.CommaToken:
					if f.inArg {
						a := &f.site.args[len(f.site.args)-1]
						a.end, a.last = lastEnd, idx-1
						f.inArg = false
					}
				case js.CloseParenToken, js.CloseBracketToken, js.CloseBraceToken, js.TemplateEndToken, js.TemplateMiddleToken:
					// A closer never starts an argument (a mismatched one
					// ends the call below).
				default:
					if !f.inArg {
						f.site.args = append(f.site.args, argSpan{start: start, end: start + len(data), first: idx, last: idx, tt: tt, data: data})
						f.inArg = true
					}
				}
			}
			if f.obj != nil {
				if tt == js.CommaToken || tt == js.CloseBraceToken {
					if isAllowDefault(f.recent) {
						f.obj.allowDefault = true
					}
					f.recent = [3]tok{}
				} else {
					f.recent = [3]tok{f.recent[1], f.recent[2], {tt, data}}
				}
			}
		}

		// Static imports and re-exports.
		if importKw >= 0 && idx == importKw+1 {
			switch tt {
			case js.StringToken:
				res.addImport(start, data)
			case js.OpenParenToken, js.DotToken:
			default:
				modDecl = true
			}
		}
		switch {
		case tt == js.ImportToken && prev != js.DotToken && prev != js.OptChainToken:
			importKw = idx
		case tt == js.ExportToken:
			modDecl = true
		case modDecl && tt == js.SemicolonToken:
			modDecl = false
		case modDecl && tt == js.StringToken && prev == js.FromToken:
			res.addImport(start, data)
			modDecl = false
		}

		// Call sites.
		var opened *site
		if pend.form != 0 {
			switch {
			case pend.stage == 4:
				// TypeScript type arguments: App<IAppOption>({…}).
				switch tt {
				case js.LtToken:
					pend.depth++
				case js.GtToken:
					pend.depth--
				case js.GtGtToken:
					pend.depth -= 2
				case js.GtGtGtToken:
					pend.depth -= 3
				case js.SemicolonToken:
					pend.form = 0
				}
				if pend.depth == 0 {
					pend.stage = 5
				} else if pend.depth < 0 || idx-pend.tok > 64 {
					pend.form = 0
				}
			case tt == js.OpenParenToken && pend.stage != 1:
				opened = &site{form: pend.form, callee: pend.callee, afterExtends: pend.afterExtends}
				pend.form = 0
			case tt == js.DotToken && pend.stage == 0 && (pend.form == formRequire || pend.form == formPlugin):
				pend.stage = 1
			case tt == js.OptChainToken && (pend.stage == 0 || pend.stage == 3):
				pend.stage = 2
			case ts && tt == js.LtToken && (pend.stage == 0 || pend.stage == 3):
				pend.stage, pend.depth, pend.tok = 4, 1, idx
			case pend.stage == 1 && js.IsIdentifierName(tt) && string(data) == "async":
				pend.stage = 3
				if pend.form == formRequire {
					pend.form = formRequireAsync
				} else {
					pend.form = formPluginAsync
				}
			default:
				pend.form = 0
			}
		}
		if pend.form == 0 && opened == nil && calleeAllowed(prev, prev2) {
			if f := calleeForm(tt, data); f != 0 {
				pend = pending{form: f, callee: start, afterExtends: prev == js.ExtendsToken}
			}
		}

		switch tt {
		case js.OpenParenToken, js.OpenBracketToken, js.OpenBraceToken, js.TemplateStartToken:
			nf := frame{site: opened, regexAfter: opensBlock(tt, prev)}
			if opened != nil {
				res.sites = append(res.sites, opened)
			}
			if n := len(stack); tt == js.OpenBraceToken && n > 0 {
				if p := stack[n-1].site; p != nil && p.form == formGetApp && len(p.args) == 1 && p.args[0].first == idx {
					nf.obj = p
				}
			}
			stack = append(stack, nf)
		case js.CloseParenToken, js.CloseBracketToken, js.CloseBraceToken, js.TemplateEndToken:
			if n := len(stack); n > 0 {
				f := &stack[n-1]
				if f.site != nil {
					if f.inArg {
						a := &f.site.args[len(f.site.args)-1]
						a.end, a.last = lastEnd, idx-1
					}
					justClosed = f.site
				}
				closerRegex = f.regexAfter
				stack = stack[:n-1]
			} else {
				closerRegex = tt == js.CloseBraceToken
			}
		}
		prev2, prev = prev, tt
		lastEnd = start + len(data)
	}
	// Calls left open at the end of the input keep what they have.
	for _, f := range stack {
		if f.site != nil && f.inArg {
			a := &f.site.args[len(f.site.args)-1]
			a.end, a.last = lastEnd, ntok-1
		}
	}
	return res
}

func (r *tokenResult) addImport(start int, raw []byte) {
	if p, ok := unquoteJS(raw); ok && p != "" {
		r.imports = append(r.imports, posRef{off: start, ref: Ref{Kind: Import, Path: p}})
	}
}

// calleeForm says whether a token names a callee of interest.
func calleeForm(tt js.TokenType, data []byte) form {
	if tt == js.ImportToken {
		return formImport
	}
	if tt != js.IdentifierToken {
		return 0
	}
	switch string(data) {
	case "require":
		return formRequire
	case "requirePlugin":
		return formPlugin
	case "App":
		return formApp
	case "getApp":
		return formGetApp
	}
	return 0
}

// calleeAllowed is false after tokens that make a name a member, a
// declaration or a constructor rather than a plain call.
func calleeAllowed(prev, prev2 js.TokenType) bool {
	switch prev {
	case js.DotToken, js.OptChainToken, js.FunctionToken, js.NewToken, js.ClassToken:
		return false
	case js.MulToken: // function* name(
		return prev2 != js.FunctionToken
	}
	return true
}

// opensBlock says, for an opening token after prev, whether a '/' after its
// closer starts a regular expression: true for a block's '{' (after ')',
// ';', '}', '{', '=>', else, do, try, finally or at the start) and for the
// '(' of if/while/for/with; false for object literals, other parentheses,
// brackets and templates.
func opensBlock(tt, prev js.TokenType) bool {
	switch tt {
	case js.OpenParenToken:
		return prev == js.IfToken || prev == js.WhileToken || prev == js.ForToken || prev == js.WithToken
	case js.OpenBraceToken:
		switch prev {
		case 0, js.CloseParenToken, js.SemicolonToken, js.CloseBraceToken, js.OpenBraceToken, js.ArrowToken,
			js.ElseToken, js.DoToken, js.TryToken, js.FinallyToken:
			return true
		}
		return js.IsIdentifier(prev) // class C extends B {, or a function's name (
	}
	return false
}

// regexAllowed decides whether a '/' after prev starts a regular
// expression; closerRegex is what the last ')' or '}' said (opensBlock).
func regexAllowed(prev js.TokenType, closerRegex bool) bool {
	switch prev {
	case 0:
		return true
	case js.CloseParenToken, js.CloseBraceToken:
		return closerRegex
	case js.CloseBracketToken, js.StringToken, js.TemplateToken, js.TemplateEndToken,
		js.RegExpToken, js.ThisToken, js.SuperToken, js.NullToken, js.TrueToken, js.FalseToken,
		js.PrivateIdentifierToken, js.IncrToken, js.DecrToken:
		return false
	}
	if js.IsNumeric(prev) || js.IsIdentifier(prev) {
		return false
	}
	return true
}

func isAllowDefault(r [3]tok) bool {
	if r[1].tt != js.ColonToken || r[2].tt != js.TrueToken {
		return false
	}
	switch r[0].tt {
	case js.IdentifierToken:
		return string(r[0].data) == "allowDefault"
	case js.StringToken:
		s, ok := unquoteJS(r[0].data)
		return ok && s == "allowDefault"
	}
	return false
}

func lexMsg(err error) string {
	var pe *parse.Error
	if errors.As(err, &pe) {
		return pe.Message
	}
	return err.Error()
}
