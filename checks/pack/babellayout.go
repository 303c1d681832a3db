package pack

import (
	"github.com/tdewolff/parse/v2"
	pjs "github.com/tdewolff/parse/v2/js"
)

// Babel's generator and esbuild's printer lay out a minified script
// differently, and the difference is most of what an already minified
// script grows by under WeChat's unminified ES5 step (es6 without
// minified). esbuild keeps an object literal that was written on one line
// on one line, and indents only by statement nesting. Babel puts every
// property of every object on a line of its own and indents by blocks and
// objects alike, so a line inside three nested objects carries six more
// spaces. It also prints each declarator of a multi-declarator var on its
// own line, names anonymous functions after the property or variable they
// are assigned to (function-name transform), replaces typeof with a
// runtime helper call, and prepends "use strict". Framework page chunks
// (Taro's JSX compiled to calls with props objects nested in children
// arrays) are dense in exactly this; a vendor bundle less so. The flat
// factor used before (1.22) read Taro's subpackage pages 17–25% low.
//
// babelLayoutExtra returns the bytes Babel's layout adds over esbuild's
// pretty-printing of a minified script: for each non-empty object at
// Babel indentation depth d (blocks plus enclosing objects) with n
// properties, 2n(d+1)+2d; for each statement (and closing brace) of a
// block inside k enclosing objects, 2k; each further declarator of a var
// with an initialiser, 2d+2; each name given to an anonymous function, its
// length, and the space after "function" of one left anonymous; each typeof,
// 3, plus its helper require once; "use strict" when the script is not
// already strict. Measured on miniprogram-ci 2.1.42 (docs/sizes.md).
//
// typeofHelper reports whether the script uses typeof, for which WeChat
// adds the runtime helper file typeof.js.
func babelLayoutExtra(src []byte) (extra int64, typeofHelper, ok bool) {
	ast, err := pjs.Parse(parse.NewInputBytes(src[:len(src):len(src)]), pjs.Options{})
	if err != nil {
		return 0, false, false
	}
	v := &babelLayout{blocks: -1} // the script itself is the outermost block
	pjs.Walk(v, ast)
	n := v.extra
	if v.typeofs > 0 {
		n += int64(3*v.typeofs) + babelTypeofRequire
	}
	strict := false
	if len(ast.List) > 0 {
		if d, ok := ast.List[0].(*pjs.DirectivePrologueStmt); ok {
			s := string(d.Value)
			strict = s == `"use strict"` || s == `'use strict'`
		}
	}
	if !strict {
		n += int64(len("\"use strict\";\n\n"))
	}
	return n, v.typeofs > 0, true
}

// babelTypeofRequire is the line Babel adds for the typeof helper:
// var _typeof2 = require("../../@babel/runtime/helpers/typeof");
const babelTypeofRequire = 62

type babelLayout struct {
	// blocks is the statement nesting esbuild indents by too; levels
	// counts what only Babel indents by: enclosing objects and
	// multi-declarator vars (Babel indents the declarators' contents).
	blocks, levels int
	extra          int64
	typeofs        int
}

func (b *babelLayout) depth() int { return b.blocks + b.levels }

// splitVar reports whether Babel prints the declarators of v on lines of
// their own: more than one, one with an initialiser, not in a for head.
func splitVar(v *pjs.VarDecl) bool {
	if len(v.List) < 2 || v.InFor {
		return false
	}
	for _, e := range v.List {
		if e.Default != nil {
			return true
		}
	}
	return false
}

func (b *babelLayout) Enter(n pjs.INode) pjs.IVisitor {
	switch x := n.(type) {
	case *pjs.BlockStmt:
		// its statements and its closing brace, each on a line
		b.extra += int64(2 * b.levels * (len(x.List) + 1))
		b.blocks++
	case *pjs.FuncDecl:
		// Babel prints "function () {" for an anonymous function
		// expression; a name given by the function-name transform is
		// charged where it is assigned.
		if x.Name == nil {
			b.extra++
		}
	case *pjs.ObjectExpr:
		if k := int64(len(x.List)); k > 0 {
			d := int64(b.depth())
			b.extra += 2*k*(d+1) + 2*d
			for _, p := range x.List {
				if f, ok := p.Value.(*pjs.FuncDecl); ok && f.Name == nil && p.Name != nil && p.Name.Computed == nil {
					b.extra += funcName(p.Name.Literal)
				}
			}
		}
		b.levels++
	case *pjs.VarDecl:
		for _, e := range x.List {
			if f, ok := e.Default.(*pjs.FuncDecl); ok && f.Name == nil {
				if v, ok := e.Binding.(*pjs.Var); ok {
					b.extra += int64(len(v.Data))
				}
			}
		}
		if splitVar(x) {
			b.extra += int64(len(x.List)-1) * int64(2*b.depth()+2)
			b.levels++
		}
	case *pjs.UnaryExpr:
		if x.Op == pjs.TypeofToken {
			b.typeofs++
		}
	}
	return b
}

// funcName is the length of the name Babel's function-name transform
// gives an anonymous function assigned to a property with this key: the
// key when it is an identifier, "_" otherwise (the space Babel prints
// after an anonymous "function" is charged on the function itself).
func funcName(key pjs.LiteralExpr) int64 {
	if key.TokenType == pjs.IdentifierToken {
		return int64(len(key.Data))
	}
	return 1
}

func (b *babelLayout) Exit(n pjs.INode) {
	switch x := n.(type) {
	case *pjs.BlockStmt:
		b.blocks--
	case *pjs.ObjectExpr:
		b.levels--
	case *pjs.VarDecl:
		if splitVar(x) {
			b.levels--
		}
	}
}
