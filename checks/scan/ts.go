package scan

// TS finds the references of JS in a TypeScript source (.ts), for projects
// that keep TypeScript sources in the mini-program tree. The tdewolff parser
// knows no type syntax, so TS relies on the token scan alone: comments,
// strings, templates and regular expressions still hide references, member
// calls and methods are still excluded, but nothing checks the grammar, so
// Err reports only lexical errors (an unterminated string or comment).
// `import type … from 'x'` and `import x = require('x')` are reported like
// their JS forms (Import, Require), although the compiler erases type-only
// imports. Positions are as for JS, always placed.
func TS(src []byte) JSResult {
	return fromTokens(src, scanTokens(src, true), newLineIndex(src))
}
