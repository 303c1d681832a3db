package js

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestForkIsUpstream: the copied files are those of the
// github.com/tdewolff/minify/v2 the module builds with, but for the field
// names go vet's composites check wants in literals of tdewolff/parse's
// types (FORK.md says how to copy them again after a version bump): both
// are compared with those names taken out.
func TestForkIsUpstream(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/tdewolff/minify/v2").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/tdewolff/minify/v2: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		t.Fatal("go list -m gave no directory for github.com/tdewolff/minify/v2 (run go mod download)")
	}
	for _, f := range []string{"js/js.go", "js/stmtlist.go", "js/util.go", "js/vars.go", "LICENSE"} {
		want, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".go") {
			got, want = unkeyed(t, got), unkeyed(t, want)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from upstream's %s beyond field names: copy it again (FORK.md)", filepath.Base(f), filepath.Join(dir, f))
		}
	}
}

// unkeyed prints the Go source src with the field names taken out of every
// composite literal of a type from another package (js.BinaryExpr{Op: op}
// becomes js.BinaryExpr{op}) or of an elided type: the only edit the fork
// makes to upstream's files.
func unkeyed(t *testing.T, src []byte) []byte {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		// Of a type from another package, or with the type left out
		// (the elements of []js.Arg{{…}}).
		if _, imported := lit.Type.(*ast.SelectorExpr); !imported && lit.Type != nil {
			return true
		}
		for i, e := range lit.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				if _, field := kv.Key.(*ast.Ident); field {
					lit.Elts[i] = kv.Value
				}
			}
		}
		return true
	})
	var b bytes.Buffer
	if err := format.Node(&b, fset, f); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
