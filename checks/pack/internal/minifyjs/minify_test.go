package js

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tdewolff/minify/v2"
	upstream "github.com/tdewolff/minify/v2/js"
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// snippets are scripts that exercise what the tree handed to MinifyAST
// could get wrong: the while → for rewrite of ParseOptions, hoisting and
// renaming (which MinifyAST does on the caller's tree), statement-list
// optimisation, and syntax the parser is picky about.
var snippets = []string{
	"",
	"// only a comment\n",
	"'use strict';\nvar a = 1;\nmodule.exports = function (x) { return x + a; };\n",
	"let i = 0;\nwhile (i < 3) { const j = i; setTimeout(() => j); i++; }\n",
	"outer: while (true) { do { break outer; } while (0); }\nwhile (x) y();\nwhile (a) { if (b) continue; c(); }\n",
	"function f() { var a = 1; if (a) { var b = 2; } return a + b; }\nvar g = function () { return f(); };\n",
	"for (var k in o) { if (!o.hasOwnProperty(k)) continue; r.push(k); }\nfor (const v of list) use(v);\n",
	"class A extends B { static #n = 1; get x() { return this.#n; } async *gen() { yield* super.gen(); } }\n",
	"const re = /[/\\]]+/g, t = `a${b}c${`d${e}`}`;\nexport default { re, t };\nexport * from './m';\nimport x, { y as z } from './n';\n",
	"a = b\n(c)\nd = e\n[f] = g\nreturn_ = 1\n",
	"if (a) { b(); } else if (c) { d(); } else { e(); }\nswitch (x) { case 1: y(); break; default: z(); }\n",
	"try { risky(); } catch { recover(); } finally { done(); }\nlabel: for (;;) { break label; }\n",
	"const { a = 1, b: [c, ...d], ...rest } = obj; f(...d, ...rest);\nasync function h() { for await (const q of r) await q; }\n",
	"Page({ data: { n: 0 }, onLoad() { const app = getApp(); this.setData({ n: app.n ?? 1 }); }, tap: e => e?.detail });\n",
}

// TestMinifyASTSameAsMinify: MinifyAST of a script's tree writes what
// upstream's Minify writes for its bytes, for the snippets above and every
// script of the repository's examples and test data.
func TestMinifyASTSameAsMinify(t *testing.T) {
	scripts := map[string][]byte{}
	for i, s := range snippets {
		scripts[filepath.Join("snippet", string(rune('a'+i)))] = []byte(s)
	}
	root := filepath.Join("..", "..", "..", "..")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != root || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".js") {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			scripts[p] = b
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) < len(snippets)+50 {
		t.Fatalf("only %d scripts found under %s", len(scripts), root)
	}
	parsed := 0
	for name, src := range scripts {
		want, wantErr := viaMinify(src)
		got, gotErr := viaAST(src)
		if (wantErr != nil) != (gotErr != nil) {
			t.Errorf("%s: Minify error %v, MinifyAST path error %v", name, wantErr, gotErr)
			continue
		}
		if wantErr != nil {
			continue
		}
		parsed++
		if !bytes.Equal(got, want) {
			t.Errorf("%s: MinifyAST wrote\n%s\nMinify wrote\n%s", name, got, want)
		}
	}
	if parsed < len(scripts)/2 {
		t.Errorf("only %d of %d scripts parsed: the comparison is hollow", parsed, len(scripts))
	}
}

// FuzzMinifyAST: for any input that parses, MinifyAST writes what Minify
// writes; for any that does not, Minify fails too.
func FuzzMinifyAST(f *testing.F) {
	for _, s := range snippets {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		want, wantErr := viaMinify(src)
		got, gotErr := viaAST(src)
		if (wantErr != nil) != (gotErr != nil) {
			t.Fatalf("Minify error %v, MinifyAST path error %v", wantErr, gotErr)
		}
		if wantErr == nil && !bytes.Equal(got, want) {
			t.Fatalf("MinifyAST wrote %q, Minify wrote %q", got, want)
		}
	})
}

func viaMinify(src []byte) ([]byte, error) {
	var b bytes.Buffer
	err := (&upstream.Minifier{}).Minify(minify.New(), &b, bytes.NewReader(src), nil)
	return b.Bytes(), err
}

func viaAST(src []byte) ([]byte, error) {
	ast, err := js.Parse(parse.NewInputBytes(src[:len(src):len(src)]), ParseOptions)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = (&Minifier{}).MinifyAST(&b, ast)
	return b.Bytes(), err
}
