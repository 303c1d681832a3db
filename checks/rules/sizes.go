package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mpgate/mpgate/checks"
)

// size returns the figure the limits apply to.
func (in *Input) size(p checks.Package) int64 {
	if in.Basis == checks.BasisUploadBytes {
		return p.UploadBytes
	}
	return p.Bytes
}

func (in *Input) basisNote() string {
	if in.Basis == checks.BasisUploadBytes {
		return " (estimated upload size after the platform's own minification and unused-file filtering)"
	}
	return ""
}

// sizes applies MP301–MP304.
func sizes(in *Input) []checks.Diagnostic {
	var out []checks.Diagnostic
	var total int64
	for _, p := range in.Packages {
		n := in.size(p)
		total += n
		// Without a manifest the packages are unknown: every file sits in
		// the main package, so only the total can be judged.
		if p.Limit <= 0 || in.NoReach {
			continue
		}
		label := p.Name
		if p.Name == checks.MainPackage {
			label = "the main package"
		}
		switch {
		case n > p.Limit:
			line, col := in.declPos(p.Name)
			d := checks.New(checks.MP301, in.App.File, line, col,
				fmt.Sprintf("%s is %s, over its %s limit by %s%s", label, checks.FormatBytes(n),
					checks.FormatBytes(p.Limit), checks.FormatBytes(n-p.Limit), in.basisNote()),
				"move pages into (new) subpackages, load code with require.async, serve large images and media from a CDN")
			d.Package, d.Bytes = p.Name, n-p.Limit
			out = append(out, d)
		case in.Limits.Warn > 0 && float64(n) > float64(p.Limit)*in.Limits.Warn/100:
			line, col := in.declPos(p.Name)
			d := checks.New(checks.MP304, in.App.File, line, col,
				fmt.Sprintf("%s is %s, %.0f%% of its %s limit%s", label, checks.FormatBytes(n),
					100*float64(n)/float64(p.Limit), checks.FormatBytes(p.Limit), in.basisNote()),
				"plan the next split now: the limit is hard and the platform rejects the upload past it")
			d.Package, d.Bytes = p.Name, n
			out = append(out, d)
		}
	}
	if in.Limits.Total > 0 && total > in.Limits.Total {
		d := checks.New(checks.MP302, in.App.File, 0, 0,
			fmt.Sprintf("the program is %s in all, over the %s total limit by %s%s", checks.FormatBytes(total),
				checks.FormatBytes(in.Limits.Total), checks.FormatBytes(total-in.Limits.Total), in.basisNote()),
			"remove unused files and duplicates, and move images and media to a CDN")
		d.Bytes = total - in.Limits.Total
		out = append(out, d)
	}
	out = append(out, preload(in)...)
	return out
}

// preload applies MP303: the pages of one package share one preload budget
// for all the packages their preloadRule entries name.
func preload(in *Input) []checks.Diagnostic {
	if in.Limits.Preload <= 0 || len(in.App.Preload) == 0 {
		return nil
	}
	byName := map[string]checks.Package{}
	for _, p := range in.Packages {
		byName[p.Name] = p
	}
	resolve := func(v string) (string, bool) {
		if v == checks.MainPackage {
			return checks.MainPackage, true
		}
		root := strings.Trim(strings.TrimPrefix(v, "./"), "/")
		for _, sp := range in.App.Subpackages {
			if sp.Root.Value == root || (sp.Name != nil && sp.Name.Value == v) {
				return sp.Root.Value, true
			}
		}
		return "", false
	}
	type budget struct {
		targets map[string]bool
		first   checks.Diagnostic
	}
	budgets := map[string]*budget{}
	var order []string
	for _, r := range in.App.Preload {
		src := in.Layout.PackageOf(strings.TrimPrefix(r.Page.Value, "/") + ".json")
		b := budgets[src]
		if b == nil {
			b = &budget{targets: map[string]bool{}}
			b.first.File, b.first.Line, b.first.Column = in.App.File, r.Page.Pos.Line, r.Page.Pos.Col
			budgets[src] = b
			order = append(order, src)
		}
		for _, v := range r.Packages {
			if name, ok := resolve(v.Value); ok && name != src {
				b.targets[name] = true
			}
		}
	}
	var out []checks.Diagnostic
	for _, src := range order {
		b := budgets[src]
		var sum int64
		names := make([]string, 0, len(b.targets))
		for name := range b.targets {
			sum += in.size(byName[name])
			names = append(names, name)
		}
		sort.Strings(names)
		if sum <= in.Limits.Preload {
			continue
		}
		label := src
		if src == checks.MainPackage {
			label = "the main package"
		}
		d := checks.New(checks.MP303, b.first.File, b.first.Line, b.first.Column,
			fmt.Sprintf("pages of %s preload %s (%s), over the %s preload limit by %s", label,
				strings.Join(names, ", "), checks.FormatBytes(sum), checks.FormatBytes(in.Limits.Preload),
				checks.FormatBytes(sum-in.Limits.Preload)),
			"preload fewer packages from this package's pages, or split the preloaded packages")
		if src == checks.MainPackage {
			// The documented budget is shared by "the pages of one subpackage"
			// and checked when packing; nothing documents (or enforces, in
			// miniprogram-ci) a budget for main-package pages, and WeChat's
			// own demo preloads 3.1 MB from its tab pages. A warning.
			d.Severity = checks.SeverityWarning
			d.Message = fmt.Sprintf("pages of the main package preload %s (%s), more than the %s budget the platform documents for the pages of one subpackage (by %s)",
				strings.Join(names, ", "), checks.FormatBytes(sum), checks.FormatBytes(in.Limits.Preload), checks.FormatBytes(sum-in.Limits.Preload))
			d.Hint = "not refused for main-package pages, but every preload competes with the first pages for the network: preload fewer packages, or move the rules to subpackage pages"
		}
		d.Package, d.Bytes = src, sum-in.Limits.Preload
		out = append(out, d)
	}
	return out
}

// declPos is where the manifest declares a package: a subpackage's root, the
// main package's first page.
func (in *Input) declPos(name string) (int, int) {
	for _, sp := range in.App.Subpackages {
		if sp.Root.Value == name {
			return sp.Root.Pos.Line, sp.Root.Pos.Col
		}
	}
	if len(in.App.Pages) > 0 {
		return in.App.Pages[0].Pos.Line, in.App.Pages[0].Pos.Col
	}
	return 1, 1
}
