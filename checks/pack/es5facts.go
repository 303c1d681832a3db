package pack

import (
	pjs "github.com/tdewolff/parse/v2/js"
)

// ES5Facts is what the estimate of WeChat's ES6 → ES5 step reads from a
// script's syntax tree: the bytes the step adds, the runtime helpers and
// the Skyline worklets it needs. The reference scan parses every script
// anyway (checks/scan.JSParsed); counting on its tree spares the estimate
// a second parse of the same bytes (Options.ES5).
type ES5Facts struct {
	extra int64
	c     *es6Counter
}

// CountES5 counts the facts of the script whose syntax tree ast is, as
// tdewolff's parser makes it with its default options (js.Options{}); nil
// means that parse failed (the step then adds nothing). It only reads ast.
func CountES5(ast *pjs.AST) ES5Facts {
	if ast == nil {
		return ES5Facts{}
	}
	extra, c := es5CountAST(ast)
	if c != nil {
		// The walk's own state points into the tree: kept until the
		// script is measured, it would keep every script's tree alive.
		c.propFns = nil
	}
	return ES5Facts{extra: extra, c: c}
}

// CountsES5 reports whether the estimate of a .js file reads ES5Facts
// (WeChat's ES6 step is on and scripts are processed): counting them is
// wasted otherwise.
func (e *Estimator) CountsES5() bool { return e.es6() && e.transforms("a.js") }

// counted returns the facts Options.ES5 holds for this script, or nil.
func (e *Estimator) counted(path string, src []byte) *ES5Facts {
	if e.o.ES5 == nil || !e.es6() {
		return nil
	}
	if f, ok := e.o.ES5(path, src); ok {
		return &f
	}
	return nil
}
