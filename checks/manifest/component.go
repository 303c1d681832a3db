package manifest

import (
	"fmt"

	"github.com/mpgate/mpgate/checks"
)

// ParseComponent parses a page or component JSON file (pages/x/x.json). It
// returns nil and an MP114 diagnostic when src is not a JSON object; values
// of the wrong type are MP114 too. Unknown keys are not reported: page JSON
// carries window settings that differ by platform and version.
func ParseComponent(src []byte, file string) (*Component, []checks.Diagnostic) {
	r := &reader{file: file, invalid: checks.MP114}
	root := r.parse(src)
	if root == nil {
		return nil, r.diags
	}
	if root.Kind != Object {
		r.add(checks.MP114, root.Pos, fmt.Sprintf("a page or component JSON file must hold an object, not %s", root.Kind), "write {} for an empty configuration")
		return nil, r.diags
	}
	c := &Component{File: file}
	r.dups(root, file)
	for _, m := range root.Members {
		v := m.Value
		switch m.Key.Value {
		case "component":
			c.Component = r.boolean(v, "component")
		case "usingComponents":
			c.UsingComponents = r.components(v, "usingComponents")
		case "componentPlaceholder":
			c.ComponentPlaceholder = r.placeholders(v)
		case "componentGenerics":
			c.Generics = r.generics(v)
		}
	}
	sortDiags(r.diags)
	return c, r.diags
}

// generics reads componentGenerics: {"name": true} or {"name": {"default": "path"}}.
// Only entries with a default path are references.
func (r *reader) generics(v *Node) []ComponentRef {
	if !r.object(v, "componentGenerics") {
		return nil
	}
	var out []ComponentRef
	for _, m := range v.Members {
		w := fmt.Sprintf("componentGenerics[%q]", m.Key.Value)
		switch m.Value.Kind {
		case Bool:
		case Object:
			if d := m.Value.Get("default"); d != nil {
				if s, ok := r.str(d, w+".default"); ok {
					out = append(out, ComponentRef{Tag: m.Key, Path: s})
				}
			}
		default:
			r.wrongType(m.Value, w, `true or {"default": "<component path>"}`)
		}
	}
	return out
}
