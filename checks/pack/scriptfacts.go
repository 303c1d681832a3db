package pack

import (
	"fmt"
	"unicode/utf8"

	pjs "github.com/tdewolff/parse/v2/js"

	minifyjs "github.com/mpgate/mpgate/checks/pack/internal/minifyjs"
)

// ScriptFacts is what the upload estimate of a script reads from its
// syntax tree: the ES6 → ES5 step's facts (the bytes the step adds, the
// runtime helpers and the Skyline worklets it needs) and the length of the
// minified script. The reference scan parses every script anyway
// (checks/scan.JSParsed); deriving both from its tree spares the estimate
// parsing the same bytes twice more (Options.Facts): one parse per script.
type ScriptFacts struct {
	es5      bool // extra and c were counted
	extra    int64
	c        *es6Counter
	minified bool  // min was measured
	min      int64 // the minified length
}

// ReadsFacts reports whether the estimate of a .js file reads ScriptFacts
// (scripts are processed: ES6 step or minification on): deriving them is
// wasted otherwise.
func (e *Estimator) ReadsFacts() bool { return e.transforms("a.js") }

// Facts derives the facts the estimate of the script at path, content src,
// reads from ast, its tree as js.Parse made it with scan.ParseOptions (the
// options the minifier parses with); nil means that parse failed, and the
// estimate then takes the script as it is, with nothing added. Minifying
// rewrites ast: it must not be read after Facts. The facts keep no pointer
// into the tree.
func (e *Estimator) Facts(path string, src []byte, ast *pjs.AST) ScriptFacts {
	var f ScriptFacts
	if e.es6() {
		f.es5 = true
		if ast != nil {
			f.extra, f.c = es5CountAST(ast)
			// The walk's own state points into the tree: kept until the
			// script is measured, it would keep every script's tree alive.
			f.c.propFns = nil
		}
	}
	if e.minifies(path, src) {
		// Last: the minifier rewrites the tree the ES6 count read.
		f.minified, f.min = true, int64(len(src))
		if ast != nil {
			if n, err := minifiedLen(ast); err == nil {
				f.min = n
			}
		}
	}
	return f
}

// minifies reports whether the estimate of the script at path, content
// src, is its minified length (estimateJS's minified branch).
func (e *Estimator) minifies(path string, src []byte) bool {
	if _, gen := e.Generated(path); gen || ext(path) != "js" || !e.transforms(path) || !e.s.Minified {
		return false
	}
	return len(src) <= MaxTransformBytes && utf8.RuneCount(src) < MaxCodeLength
}

// minifiedLen is the length of what minifyJS writes for the script whose
// tree ast is, without writing it out.
func minifiedLen(ast *pjs.AST) (n int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal minifier failure: %v", p)
		}
	}()
	var c counter
	if err := (&minifyjs.Minifier{}).MinifyAST(&c, ast); err != nil {
		return 0, err
	}
	return c.n, nil
}

// earlierFacts returns what Options.Facts holds for this script (derived
// by Facts from an earlier parse of these bytes), or nil.
func (e *Estimator) earlierFacts(path string, src []byte) *ScriptFacts {
	if e.o.Facts == nil {
		return nil
	}
	if f, ok := e.o.Facts(path, src); ok {
		return &f
	}
	return nil
}
