package modules

import (
	"bytes"
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"
	"unsafe"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/pack"
)

// Namespaces are the platforms' global API objects.
var Namespaces = []string{"wx", "my", "tt", "swan", "qq"}

// APIUse is a use of a platform's global API: wx.request, qq?.login,
// my['alert'].
type APIUse struct {
	Namespace, Member string
	// Line and Col are 1-based; 0 when the parser gave no position.
	Line, Col int
}

// PlatformAPIUses parses a script with a real JavaScript parser (the one
// tdewolff/minify is built on; mpgate already links it) and returns its
// member accesses on the platforms' global API objects. Only the global
// counts: a parameter, variable or import named wx is the script's own
// (an adapter handed in, say). A script that does not parse returns the
// parser's error.
func PlatformAPIUses(src []byte) ([]APIUse, error) {
	// The buffer gets one byte of spare capacity, so the parser's input
	// keeps it instead of copying: the tokens it returns are slices of
	// buf (the AST carries no positions; offset finds them).
	buf := make([]byte, len(src), len(src)+1)
	copy(buf, src)
	in := parse.NewInputBytes(buf)
	defer in.Restore()
	ast, err := js.Parse(in, js.Options{})
	if err != nil {
		return nil, err
	}
	v := &apiVisitor{src: buf, imported: imports(ast)}
	js.Walk(v, ast)
	return v.uses, nil
}

type apiVisitor struct {
	src []byte
	// imported are the names the module's imports bind: the parser leaves
	// them undeclared, but an imported wx is the module's own.
	imported map[string]bool
	uses     []APIUse
}

// imports are the names bound by a module's import statements (which
// stand at the top level only).
func imports(ast *js.AST) map[string]bool {
	names := map[string]bool{}
	for _, st := range ast.List {
		im, ok := st.(*js.ImportStmt)
		if !ok {
			continue
		}
		if im.Default != nil {
			names[string(im.Default)] = true
		}
		for _, a := range im.List {
			if a.Binding != nil {
				names[string(a.Binding)] = true
			} else {
				names[string(a.Name)] = true
			}
		}
	}
	return names
}

func (v *apiVisitor) Enter(n js.INode) js.IVisitor {
	var x, y js.IExpr
	switch e := n.(type) {
	case *js.DotExpr:
		x, y = e.X, e.Y
	case *js.IndexExpr:
		x, y = e.X, e.Y
	default:
		return v
	}
	ns, ok := globalNamespace(x)
	if !ok || v.imported[ns] {
		return v
	}
	var member []byte
	switch m := y.(type) {
	case js.LiteralExpr:
		member = m.Data
	case *js.LiteralExpr:
		member = m.Data
	}
	use := APIUse{Namespace: ns, Member: strings.Trim(string(member), "'\"`")}
	if off, ok := v.offset(member); ok {
		use.Line, use.Col = lineCol(v.src, off)
	}
	v.uses = append(v.uses, use)
	return v
}

func (v *apiVisitor) Exit(js.INode) {}

// offset is where a token the parser returned starts in the source: the
// token is a slice of the source buffer (the lexer is zero-copy, and
// returns three-index slices, so their capacity tells nothing), so the
// distance between the two addresses is its offset. A token that is not
// inside the buffer, or whose bytes differ there, has no position.
func (v *apiVisitor) offset(tok []byte) (int, bool) {
	if len(tok) == 0 || len(v.src) == 0 {
		return 0, false
	}
	off := int(uintptr(unsafe.Pointer(unsafe.SliceData(tok))) - uintptr(unsafe.Pointer(unsafe.SliceData(v.src))))
	if off < 0 || off+len(tok) > len(v.src) || !bytes.Equal(v.src[off:off+len(tok)], tok) {
		return 0, false
	}
	return off, true
}

// globalNamespace reports whether x is an undeclared (global) variable
// named like a platform's API object.
func globalNamespace(x js.IExpr) (string, bool) {
	vr, ok := x.(*js.Var)
	if !ok || vr.Decl != js.NoDecl {
		return "", false
	}
	name := string(vr.Name())
	if !slices.Contains(Namespaces, name) {
		return "", false
	}
	return name, true
}

func lineCol(src []byte, off int) (int, int) {
	line := 1 + bytes.Count(src[:off], []byte{'\n'})
	col := off - bytes.LastIndexByte(src[:off], '\n')
	return line, col
}

// APIInput is what CheckPlatformAPI needs.
type APIInput struct {
	// Scripts are the program's JavaScript files, relative to the
	// mini-program root.
	Scripts []string
	// Prefix is the mini-program root relative to the repository.
	Prefix string
	Config config.PlatformAPI
	// ReadFile reads a script.
	ReadFile func(file string) ([]byte, error)
	// ConfigFile names the config in messages.
	ConfigFile string
}

// CheckPlatformAPI reports, once per file with its first use, the scripts
// outside the adapter files that use a platform's global API (MP404).
// Installed npm packages (miniprogram_npm, node_modules) are not the
// program's own code and are left out. Nothing when no adapters are
// configured. A script that does not parse is skipped: the analysis
// reports it already (MP213).
func CheckPlatformAPI(in APIInput) ([]checks.Diagnostic, error) {
	if len(in.Config.Adapters) == 0 {
		return nil, nil
	}
	var adapters []*pack.Glob
	for _, a := range in.Config.Adapters {
		g, err := pack.CompileGlob(strings.TrimPrefix(a, "./"))
		if err != nil {
			return nil, fmt.Errorf("boundaries.platform_api.adapters: %w", err)
		}
		adapters = append(adapters, g)
	}
	cf := cmp.Or(in.ConfigFile, config.DefaultFile)
	var out []checks.Diagnostic
	for _, f := range in.Scripts {
		if !strings.HasSuffix(f, ".js") && !strings.HasSuffix(f, ".mjs") && !strings.HasSuffix(f, ".cjs") {
			continue
		}
		if isInstalled(f) {
			continue
		}
		repo := path.Join(in.Prefix, f)
		if slices.ContainsFunc(adapters, func(g *pack.Glob) bool { return g.Match(repo) }) {
			continue
		}
		src, err := in.ReadFile(f)
		if err != nil {
			continue // reported by the analysis (MP113)
		}
		uses, err := PlatformAPIUses(src)
		if err != nil || len(uses) == 0 {
			continue
		}
		first := uses[0]
		msg := fmt.Sprintf("%s uses the platform API %s outside the adapter layer", f, name(first))
		if len(uses) > 1 {
			msg += fmt.Sprintf(", and %d more use(s) in the file (%s)", len(uses)-1, distinct(uses[1:], 5))
		}
		out = append(out, checks.New(checks.MP404, f, first.Line, first.Col, msg,
			fmt.Sprintf("call it through the adapter layer (%s in %s), so one place knows each platform", strings.Join(in.Config.Adapters, ", "), cf)))
	}
	return out, nil
}

func name(u APIUse) string {
	if u.Member == "" {
		return u.Namespace
	}
	return u.Namespace + "." + u.Member
}

// distinct lists up to max distinct API names of uses, with "…" when more.
func distinct(uses []APIUse, max int) string {
	var names []string
	for _, u := range uses {
		if n := name(u); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) > max {
		return strings.Join(names[:max], ", ") + ", …"
	}
	return strings.Join(names, ", ")
}

// isInstalled reports whether a file belongs to an installed npm package.
func isInstalled(f string) bool {
	for s := range strings.SplitSeq(f, "/") {
		if s == "miniprogram_npm" || s == "node_modules" {
			return true
		}
	}
	return false
}
