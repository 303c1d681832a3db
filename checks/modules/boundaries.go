package modules

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/graph"
)

// Input is what Check needs.
type Input struct {
	// Edges are the dependency graph's resolved uses; paths are relative
	// to the mini-program root.
	Edges []graph.Edge
	// Prefix is the mini-program root relative to the repository ("" for
	// the repository itself): module globs are repository-relative.
	Prefix string
	Router *Router
	Config config.Boundaries
	// ConfigFile names the config in messages (".mpgate.yml").
	ConfigFile string
}

// link is a use that crosses from one module into another.
type link struct {
	edge     graph.Edge
	from, to *Module
}

// Check returns the findings of the boundaries on the graph's edges: MP401
// (a module uses one its layers or rules forbid), MP403 (a module reaches
// past another's public entries) and MP402 (modules that use each other in
// a cycle, the shortest cycle named). Nothing when no boundary is
// configured and no module declares public entries.
func Check(in Input) []checks.Diagnostic {
	if in.Router == nil {
		return nil
	}
	anyPublic := slices.ContainsFunc(in.Router.Modules(), (*Module).HasPublic)
	if !in.Config.Enabled() && !anyPublic {
		return nil
	}
	cf := cmp.Or(in.ConfigFile, config.DefaultFile)
	var out []checks.Diagnostic
	var links []link
	for _, e := range in.Edges {
		if e.To == "" || e.External != "" || e.Kind == graph.Plugin {
			continue
		}
		from, to := in.Router.Module(path.Join(in.Prefix, e.From)), in.Router.Module(path.Join(in.Prefix, e.To))
		if from == nil || to == nil || from == to {
			continue
		}
		links = append(links, link{e, from, to})
		if why := forbidden(in.Config, from.Name, to.Name, cf); why != "" {
			out = append(out, checks.New(checks.MP401, e.From, e.Line, e.Col,
				fmt.Sprintf("module %s may not use module %s: %s uses %s (%s); %s", from.Name, to.Name, e.From, target(e), e.Kind, why),
				"move what both need into a module both may use, or change boundaries in "+cf+" if the dependency is meant (docs/modules.md)"))
		}
		if !to.IsPublic(path.Join(in.Prefix, e.To), e.Kind == graph.Component) {
			out = append(out, checks.New(checks.MP403, e.From, e.Line, e.Col,
				fmt.Sprintf("%s reaches into the internals of module %s: %s is not one of its public entries (%s)", e.From, to.Name, target(e), strings.Join(to.Public, ", ")),
				fmt.Sprintf("use what module %s makes public, or add the file to its public entries in %s if others are meant to use it", to.Name, cf)))
		}
	}
	if in.Config.Enabled() {
		out = append(out, cycles(links)...)
	}
	return out
}

// target is what an edge uses, as written in messages.
func target(e graph.Edge) string {
	if e.Kind == graph.Component {
		return "component " + e.To
	}
	return e.To
}

// matchName reports whether a module name matches a glob of names.
func matchName(glob, name string) bool {
	ok, _ := path.Match(glob, name)
	return ok
}

func matchAny(globs []string, name string) bool {
	return slices.ContainsFunc(globs, func(g string) bool { return matchName(g, name) })
}

// layerOf is the index of the first layer naming the module, -1 when none.
func layerOf(b config.Boundaries, name string) int {
	return slices.IndexFunc(b.Layers, func(l config.Layer) bool { return matchAny(l.Modules, name) })
}

// forbidden says why module from may not use module to, "" when it may.
func forbidden(b config.Boundaries, from, to, cf string) string {
	if lf, lt := layerOf(b, from), layerOf(b, to); lf >= 0 && lt >= 0 && lt < lf {
		return fmt.Sprintf("layer %s is above layer %s (boundaries.layers, %s line %d): a module uses only its own layer and those below",
			layerName(b.Layers[lt], lt), layerName(b.Layers[lf], lf), cf, b.Layers[lt].Line)
	}
	for i, r := range b.Rules {
		if !matchName(r.From, from) {
			continue
		}
		where := fmt.Sprintf("boundaries.rules[%d] (%s line %d)", i, cf, r.Line)
		if r.Allow != nil && !matchAny(r.Allow, to) {
			if len(r.Allow) == 0 {
				return where + " allows it no other module"
			}
			return fmt.Sprintf("%s allows it only %s", where, strings.Join(r.Allow, ", "))
		}
		if matchAny(r.Forbid, to) {
			return fmt.Sprintf("%s forbids %s", where, strings.Join(r.Forbid, ", "))
		}
	}
	return ""
}

func layerName(l config.Layer, i int) string {
	if l.Name != "" {
		return l.Name
	}
	return fmt.Sprintf("#%d", i+1)
}

// cycles reports each group of modules that use one another (a strongly
// connected component of the module graph) once, with its shortest cycle.
func cycles(links []link) []checks.Diagnostic {
	// The first use of each module pair stands for the pair.
	adj := map[string][]string{}
	first := map[[2]string]graph.Edge{}
	var names []string
	seen := map[string]bool{}
	for _, l := range links {
		k := [2]string{l.from.Name, l.to.Name}
		if _, ok := first[k]; ok {
			continue
		}
		first[k] = l.edge
		adj[k[0]] = append(adj[k[0]], k[1])
		for _, n := range k {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	for _, n := range names {
		slices.Sort(adj[n])
	}
	var out []checks.Diagnostic
	for _, comp := range components(names, adj) {
		if len(comp) < 2 {
			continue
		}
		cyc := shortestCycle(comp, adj)
		var uses []string
		for i := range len(cyc) - 1 {
			e := first[[2]string{cyc[i], cyc[i+1]}]
			uses = append(uses, fmt.Sprintf("%s:%d uses %s", e.From, e.Line, e.To))
		}
		e := first[[2]string{cyc[0], cyc[1]}]
		out = append(out, checks.New(checks.MP402, e.From, e.Line, e.Col,
			fmt.Sprintf("modules use each other in a cycle: %s (%s)", strings.Join(cyc, " → "), strings.Join(uses, "; ")),
			"break the cycle: move what they share into a module below them, or invert one dependency (an event or a callback passed in)"))
	}
	return out
}

// components are the strongly connected components of the module graph
// (Tarjan's algorithm), each sorted, in the order of their first name.
func components(names []string, adj map[string][]string) [][]string {
	index, low := map[string]int{}, map[string]int{}
	on := map[string]bool{}
	var stack []string
	var out [][]string
	next := 0
	var visit func(v string)
	visit = func(v string) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		on[v] = true
		for _, w := range adj[v] {
			if _, ok := index[w]; !ok {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			on[w] = false
			comp = append(comp, w)
			if w == v {
				break
			}
		}
		slices.Sort(comp)
		out = append(out, comp)
	}
	for _, n := range names {
		if _, ok := index[n]; !ok {
			visit(n)
		}
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}

// shortestCycle is the shortest cycle through the component's modules,
// as names with the first repeated at the end; among cycles of one length,
// the one starting at the first name in order.
func shortestCycle(comp []string, adj map[string][]string) []string {
	in := map[string]bool{}
	for _, n := range comp {
		in[n] = true
	}
	var best []string
	for _, start := range comp {
		// Breadth-first from start back to start, inside the component.
		prev := map[string]string{}
		queue := []string{start}
		found := false
		for len(queue) > 0 && !found {
			v := queue[0]
			queue = queue[1:]
			for _, w := range adj[v] {
				if !in[w] {
					continue
				}
				if w == start {
					prev[start] = v
					found = true
					break
				}
				if _, ok := prev[w]; !ok {
					prev[w] = v
					queue = append(queue, w)
				}
			}
		}
		if !found {
			continue
		}
		cyc := []string{start}
		for v := prev[start]; v != start; v = prev[v] {
			cyc = append(cyc, v)
		}
		cyc = append(cyc, start)
		slices.Reverse(cyc)
		if best == nil || len(cyc) < len(best) {
			best = cyc
		}
	}
	return best
}
