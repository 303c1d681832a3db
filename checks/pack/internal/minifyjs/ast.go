package js

// This file is mpgate's only addition to the fork (FORK.md): the rest of
// the package is tdewolff/minify v2's js package, with field names added to
// its struct literals of tdewolff/parse's types.

import (
	"io"

	"github.com/tdewolff/parse/v2/js"
)

// ParseOptions are the options of the parse Minify makes, which MinifyAST
// expects of its tree (for Minify's default parameters: no "inline").
var ParseOptions = js.Options{WhileToFor: true}

// MinifyAST writes what Minify(m, w, r, nil) writes for the script whose
// tree ast is, as js.Parse made it with ParseOptions: the same output
// without parsing the script again. It rewrites ast (hoisting, statement
// lists), so the tree must not be read after it.
func (o *Minifier) MinifyAST(w io.Writer, ast *js.AST) error {
	m := &jsMinifier{
		o:       o,
		w:       w,
		renamer: newRenamer(!o.KeepVarNames, !o.useAlphabetVarNames),
	}
	m.hoistVars(&ast.BlockStmt)
	ast.List = optimizeStmtList(ast.List, functionBlock)
	for _, item := range ast.List {
		m.writeSemicolon()
		m.minifyStmt(item)
	}
	_, err := w.Write(nil)
	return err
}
