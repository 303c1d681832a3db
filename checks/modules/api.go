package modules

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// Export kinds.
const (
	KindFunction = "function"
	KindClass    = "class"
	KindValue    = "value"
)

// Export is a name a script exports.
type Export struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Arity is the number of parameters a caller must pass (those before
	// the first default or rest parameter) of a function; -1 when it is
	// not visible (a value, or a function the script does not define).
	Arity int `json:"arity"`
}

// Property is a component property as the component declares it.
type Property struct {
	// Type is the constructor named (String, Number, Boolean, Object,
	// Array, null); "" when not visible.
	Type string `json:"type,omitempty"`
	// Default is the value's source text; "" when none.
	Default string `json:"default,omitempty"`
}

// ComponentAPI is what a component offers its users.
type ComponentAPI struct {
	Properties      map[string]Property `json:"properties,omitempty"`
	ExternalClasses []string            `json:"externalClasses,omitempty"`
	// Events are the names passed to this.triggerEvent as literals.
	Events []string `json:"events,omitempty"`
	// Methods are the component's methods (callable through
	// selectComponent).
	Methods []string `json:"methods,omitempty"`
}

// ScriptAPI is the public surface of one script: what it exports, and
// what the component it registers offers (nil when it registers none).
type ScriptAPI struct {
	Exports   []Export      `json:"exports,omitempty"`
	Component *ComponentAPI `json:"component,omitempty"`
}

// ExtractAPI parses a script and returns its public surface: ES exports
// and CommonJS module.exports / exports.x assignments at the top level,
// and the Component({...}) it registers. What cannot be known without
// running the code (computed names, exports built in a loop) is left out.
func ExtractAPI(src []byte) (*ScriptAPI, error) {
	in := parse.NewInputBytes(slices.Clip(src))
	defer in.Restore()
	ast, err := js.Parse(in, js.Options{})
	if err != nil {
		return nil, err
	}
	x := &extractor{funcs: map[string]js.IExpr{}, api: &ScriptAPI{}}
	x.collectLocals(ast.List)
	for _, st := range ast.List {
		x.statement(st)
	}
	events := &eventVisitor{}
	js.Walk(events, ast)
	if c := x.api.Component; c != nil {
		c.Events = events.names
		slices.Sort(c.Events)
	}
	slices.SortFunc(x.api.Exports, func(a, b Export) int { return strings.Compare(a.Name, b.Name) })
	x.api.Exports = slices.CompactFunc(x.api.Exports, func(a, b Export) bool { return a.Name == b.Name })
	return x.api, nil
}

type extractor struct {
	// funcs are the top level's functions, classes and constants by name,
	// for exports that name them.
	funcs map[string]js.IExpr
	api   *ScriptAPI
}

func (x *extractor) collectLocals(list []js.IStmt) {
	for _, st := range list {
		switch s := st.(type) {
		case *js.FuncDecl:
			if s.Name != nil {
				x.funcs[string(s.Name.Name())] = s
			}
		case *js.ClassDecl:
			if s.Name != nil {
				x.funcs[string(s.Name.Name())] = s
			}
		case *js.VarDecl:
			for _, b := range s.List {
				if v, ok := b.Binding.(*js.Var); ok && b.Default != nil {
					x.funcs[string(v.Name())] = b.Default
				}
			}
		}
	}
}

func (x *extractor) statement(st js.IStmt) {
	switch s := st.(type) {
	case *js.ExportStmt:
		x.export(s)
	case *js.ExprStmt:
		x.expression(s.Value)
	}
}

func (x *extractor) export(s *js.ExportStmt) {
	switch {
	case s.Default:
		x.add("default", s.Decl)
	case s.Decl != nil:
		switch d := s.Decl.(type) {
		case *js.FuncDecl:
			if d.Name != nil {
				x.add(string(d.Name.Name()), d)
			}
		case *js.ClassDecl:
			if d.Name != nil {
				x.add(string(d.Name.Name()), d)
			}
		case *js.VarDecl:
			for _, b := range d.List {
				if v, ok := b.Binding.(*js.Var); ok {
					x.add(string(v.Name()), b.Default)
				}
			}
		}
	default:
		for _, a := range s.List {
			name, local := a.Binding, a.Name
			if name == nil {
				name = a.Name
			}
			if string(name) == "*" {
				continue // export * from: the other module's names
			}
			var val js.IExpr
			if s.Module == nil {
				val = x.funcs[string(local)]
			}
			x.add(string(name), val)
		}
	}
}

// expression handles module.exports = …, module.exports.x = …,
// exports.x = … and Component({...}).
func (x *extractor) expression(e js.IExpr) {
	switch v := unparen(e).(type) {
	case *js.BinaryExpr:
		if v.Op != js.EqToken {
			return
		}
		target := unparen(v.X)
		if isModuleExports(target) {
			if obj, ok := unparen(x.resolve(v.Y)).(*js.ObjectExpr); ok {
				for _, p := range obj.List {
					if name := propName(p); name != "" {
						x.add(name, p.Value)
					}
				}
				return
			}
			x.add("default", v.Y)
			return
		}
		if d, ok := target.(*js.DotExpr); ok && (isModuleExports(unparen(d.X)) || isGlobal(d.X, "exports")) {
			if name := literal(d.Y); name != "" {
				x.add(name, v.Y)
			}
		}
	case *js.CallExpr:
		if isGlobal(v.X, "Component") && len(v.Args.List) > 0 {
			if obj, ok := unparen(v.Args.List[0].Value).(*js.ObjectExpr); ok {
				x.api.Component = component(obj)
			}
		}
	}
}

func (x *extractor) resolve(e js.IExpr) js.IExpr {
	if v, ok := unparen(e).(*js.Var); ok {
		if f, ok := x.funcs[string(v.Name())]; ok {
			return f
		}
	}
	return e
}

func (x *extractor) add(name string, val js.IExpr) {
	exp := Export{Name: name, Kind: KindValue, Arity: -1}
	switch f := unparen(x.resolve(val)).(type) {
	case *js.FuncDecl:
		exp.Kind, exp.Arity = KindFunction, arity(f.Params)
	case *js.ArrowFunc:
		exp.Kind, exp.Arity = KindFunction, arity(f.Params)
	case *js.MethodDecl:
		exp.Kind, exp.Arity = KindFunction, arity(f.Params)
	case *js.ClassDecl:
		exp.Kind = KindClass
	}
	x.api.Exports = append(x.api.Exports, exp)
}

// arity counts the parameters before the first default or rest.
func arity(p js.Params) int {
	n := 0
	for _, b := range p.List {
		if b.Default != nil {
			break
		}
		n++
	}
	return n
}

func unparen(e js.IExpr) js.IExpr {
	for {
		g, ok := e.(*js.GroupExpr)
		if !ok {
			return e
		}
		e = g.X
	}
}

func isGlobal(e js.IExpr, name string) bool {
	v, ok := unparen(e).(*js.Var)
	return ok && v.Decl == js.NoDecl && string(v.Name()) == name
}

func isModuleExports(e js.IExpr) bool {
	d, ok := e.(*js.DotExpr)
	return ok && isGlobal(d.X, "module") && literal(d.Y) == "exports"
}

// literal is the name or string a member or property is written with.
func literal(e js.IExpr) string {
	switch l := e.(type) {
	case js.LiteralExpr:
		return unquote(l.Data)
	case *js.LiteralExpr:
		return unquote(l.Data)
	}
	return ""
}

func unquote(b []byte) string {
	if len(b) >= 2 && (b[0] == '\'' || b[0] == '"' || b[0] == '`') && b[len(b)-1] == b[0] {
		return string(b[1 : len(b)-1])
	}
	return string(b)
}

// propName is an object property's name; "" when computed or a spread.
func propName(p js.Property) string {
	if p.Spread {
		return ""
	}
	if p.Name == nil {
		switch v := p.Value.(type) {
		case *js.Var:
			return string(v.Name()) // shorthand {a}
		case *js.MethodDecl:
			if v.Name.PropertyName.Computed == nil {
				return unquote(v.Name.PropertyName.Literal.Data) // {a() {}}
			}
		}
		return ""
	}
	if p.Name.Computed != nil {
		return ""
	}
	return unquote(p.Name.Literal.Data)
}

// component reads the options object of Component({...}).
func component(obj *js.ObjectExpr) *ComponentAPI {
	c := &ComponentAPI{}
	for _, p := range obj.List {
		switch propName(p) {
		case "properties":
			c.Properties = properties(p.Value)
		case "externalClasses":
			if arr, ok := unparen(p.Value).(*js.ArrayExpr); ok {
				for _, el := range arr.List {
					if s := literal(el.Value); s != "" {
						c.ExternalClasses = append(c.ExternalClasses, s)
					}
				}
			}
			slices.Sort(c.ExternalClasses)
		case "methods":
			if o, ok := unparen(p.Value).(*js.ObjectExpr); ok {
				for _, m := range o.List {
					if n := propName(m); n != "" {
						c.Methods = append(c.Methods, n)
					}
				}
			}
			slices.Sort(c.Methods)
		}
	}
	return c
}

// properties reads a component's properties: `name: String` or
// `name: {type: String, value: …}`.
func properties(e js.IExpr) map[string]Property {
	o, ok := unparen(e).(*js.ObjectExpr)
	if !ok {
		return nil
	}
	out := map[string]Property{}
	for _, p := range o.List {
		name := propName(p)
		if name == "" {
			continue
		}
		var prop Property
		switch v := unparen(p.Value).(type) {
		case *js.Var:
			prop.Type = string(v.Name())
		case js.LiteralExpr: // null
			prop.Type = string(v.Data)
		case *js.ObjectExpr:
			for _, f := range v.List {
				switch propName(f) {
				case "type":
					prop.Type = source(f.Value)
				case "value":
					prop.Default = source(f.Value)
				}
			}
		}
		out[name] = prop
	}
	return out
}

// source is an expression's JavaScript text.
func source(e js.IExpr) string {
	var b bytes.Buffer
	e.JS(&b)
	return b.String()
}

// eventVisitor collects the literal names of this.triggerEvent('name')
// (and of any x.triggerEvent, as components write that = this).
type eventVisitor struct{ names []string }

func (v *eventVisitor) Enter(n js.INode) js.IVisitor {
	c, ok := n.(*js.CallExpr)
	if !ok || len(c.Args.List) == 0 {
		return v
	}
	d, ok := unparen(c.X).(*js.DotExpr)
	if !ok || literal(d.Y) != "triggerEvent" {
		return v
	}
	if name := literal(c.Args.List[0].Value); name != "" && !slices.Contains(v.names, name) {
		v.names = append(v.names, name)
	}
	return v
}

func (v *eventVisitor) Exit(js.INode) {}

// String is a one-line description of an export, for messages.
func (e Export) String() string {
	if e.Kind == KindFunction && e.Arity >= 0 {
		return fmt.Sprintf("%s (function of %d parameter(s))", e.Name, e.Arity)
	}
	return e.Name + " (" + e.Kind + ")"
}
