package modules

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Surface is a module's public API: the exports of its public scripts and
// the components among them, by repository-relative path (a component by
// its path without extension).
type Surface struct {
	Scripts    map[string][]Export
	Components map[string]*ComponentAPI
	// Unparsed are public scripts that do not parse: their API is unknown.
	Unparsed []string
}

// PublicScripts are the module's scripts whose API counts, among files
// (repository-relative, in any order): those matching its public entries
// (a component entry by its stem), or, without public entries, every
// script of the module. Installed npm packages are left out.
func (m *Module) PublicScripts(files []string, r *Router) []string {
	var out []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".js") || isInstalled(f) || r.Module(f) != m {
			continue
		}
		if m.IsPublic(f, false) || (m.HasPublic() && m.IsPublic(strings.TrimSuffix(f, ".js"), true)) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// SurfaceOf extracts the API of scripts read through read.
func SurfaceOf(scripts []string, read func(string) ([]byte, error)) (*Surface, error) {
	s := &Surface{Scripts: map[string][]Export{}, Components: map[string]*ComponentAPI{}}
	for _, f := range scripts {
		src, err := read(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		api, err := ExtractAPI(src)
		if err != nil {
			s.Unparsed = append(s.Unparsed, f)
			continue
		}
		if len(api.Exports) > 0 {
			s.Scripts[f] = api.Exports
		}
		if api.Component != nil {
			s.Components[strings.TrimSuffix(f, ".js")] = api.Component
		}
	}
	return s, nil
}

// Change is one difference between two surfaces.
type Change struct {
	// Where is the script or component.
	Where string
	// What changed, in words: "export request removed".
	What string
	// Breaking changes need a major version; the others a minor one.
	Breaking bool
}

func (c Change) String() string { return c.Where + ": " + c.What }

// Diff lists what changed from base to head, breaking changes first, each
// group in path order.
func Diff(base, head *Surface) []Change {
	var out []Change
	add := func(where string, breaking bool, format string, args ...any) {
		out = append(out, Change{Where: where, What: fmt.Sprintf(format, args...), Breaking: breaking})
	}
	for _, f := range union(base.Scripts, head.Scripts) {
		b, h := index(base.Scripts[f]), index(head.Scripts[f])
		for _, n := range union(b, h) {
			be, inBase := b[n]
			he, inHead := h[n]
			switch {
			case !inHead:
				add(f, true, "export %s removed", be)
			case !inBase:
				add(f, false, "export %s added", he)
			case be.Kind != he.Kind:
				add(f, true, "export %s is now a %s (was a %s)", n, he.Kind, be.Kind)
			case he.Arity > be.Arity && be.Arity >= 0:
				add(f, true, "function %s needs %d argument(s) (was %d)", n, he.Arity, be.Arity)
			case he.Arity >= 0 && he.Arity < be.Arity:
				add(f, false, "function %s needs %d argument(s) (was %d)", n, he.Arity, be.Arity)
			}
		}
	}
	for _, c := range union(base.Components, head.Components) {
		b, h := base.Components[c], head.Components[c]
		switch {
		case h == nil:
			add(c, true, "component removed")
			continue
		case b == nil:
			add(c, false, "component added")
			continue
		}
		for _, p := range union(b.Properties, h.Properties) {
			bp, inBase := b.Properties[p]
			hp, inHead := h.Properties[p]
			switch {
			case !inHead:
				add(c, true, "property %s removed", p)
			case !inBase:
				add(c, false, "property %s added", p)
			case bp.Type != hp.Type:
				add(c, true, "property %s is now %s (was %s)", p, orNone(hp.Type), orNone(bp.Type))
			case bp.Default != hp.Default:
				add(c, false, "property %s defaults to %s (was %s)", p, orNone(hp.Default), orNone(bp.Default))
			}
		}
		lists := []struct {
			what       string
			base, head []string
		}{{"external class", b.ExternalClasses, h.ExternalClasses}, {"event", b.Events, h.Events}, {"method", b.Methods, h.Methods}}
		for _, l := range lists {
			for _, n := range l.base {
				if !slices.Contains(l.head, n) {
					add(c, true, "%s %s removed", l.what, n)
				}
			}
			for _, n := range l.head {
				if !slices.Contains(l.base, n) {
					add(c, false, "%s %s added", l.what, n)
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Change) int {
		if a.Breaking != b.Breaking {
			if a.Breaking {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Where, b.Where)
	})
	return out
}

func orNone(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

func index(es []Export) map[string]Export {
	m := make(map[string]Export, len(es))
	for _, e := range es {
		m[e.Name] = e
	}
	return m
}

// union is the sorted keys of two maps.
func union[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
