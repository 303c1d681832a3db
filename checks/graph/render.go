package graph

import (
	"path"
	"slices"
	"strings"
)

// Resources written inside a template that another template pulls in with
// <import>/<include> are resolved the way the platform renders them: the
// <import>/<include> src itself is relative to the file holding it, but a
// relative image or media path inside the imported template is resolved at
// run time against the page or component that renders it, not against the
// template file (docs/platforms.md, "Paths inside imported templates").
//
// A page's or component's own template renders itself. Any other template
// file is rendered by the pages and components that reach it through chains
// of Template edges; a template that no page or component reaches renders
// itself (so that a broken path in it is still reported).

// templateRenderers maps each template file that is the target of a
// Template edge, and is not itself a page's or component's template, to the
// templates of the pages and components that render it, sorted.
func (g *Graph) templateRenderers(tmplExt string) map[string][]string {
	importers := map[string][]string{}
	for _, e := range g.Edges {
		if e.Kind == Template && e.To != "" && path.Ext(e.To) == tmplExt {
			importers[e.To] = append(importers[e.To], e.From)
		}
	}
	out := make(map[string][]string, len(importers))
	for t := range importers {
		if g.ownTemplate(t, tmplExt) {
			continue
		}
		seen := map[string]bool{t: true}
		queue := []string{t}
		var found []string
		for len(queue) > 0 {
			f := queue[0]
			queue = queue[1:]
			for _, from := range importers[f] {
				if seen[from] {
					continue
				}
				seen[from] = true
				if g.ownTemplate(from, tmplExt) {
					found = append(found, from)
					continue
				}
				queue = append(queue, from)
			}
		}
		slices.Sort(found)
		out[t] = found
	}
	return out
}

// ownTemplate reports whether f is the template of a page or component.
func (g *Graph) ownTemplate(f, tmplExt string) bool {
	return path.Ext(f) == tmplExt && g.Stems[strings.TrimSuffix(f, tmplExt)]
}

// resolveRendered resolves the literal Resource edges of template files
// against the pages and components that render them (see templateRenderers):
// one edge per renderer from which the path names a file, with Renderers set
// to that renderer. A path that names a file from none of them is
// Unresolved, with Renderers listing them all.
func (g *Graph) resolveRendered(r *resolver, edges []Edge, tmplExt string) {
	renderers := g.templateRenderers(tmplExt)
	for _, e := range edges {
		rs := renderers[e.From]
		if len(rs) == 0 {
			if to, ok := r.withExt(e.From, e.Request, ""); ok {
				e.To = to
				g.Edges = append(g.Edges, e)
			} else {
				g.Unresolved = append(g.Unresolved, e)
			}
			continue
		}
		found := false
		for _, rd := range rs {
			// A "/"-absolute path names the same file from every renderer,
			// but each renderer's package judges whether it may use it.
			to, ok := r.withExt(rd, e.Request, "")
			if !ok {
				continue
			}
			found = true
			re := e
			re.To, re.Renderers = to, []string{rd}
			g.Edges = append(g.Edges, re)
		}
		if !found {
			e.Renderers = rs
			g.Unresolved = append(g.Unresolved, e)
		}
	}
}
