package rules

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/graph"
)

// codeFile reports whether the platform's dependency analysis covers the file
// (scripts, templates, styles, script modules, JSON). Images and media are
// resources, which no analysis can prove unused: code may name them in strings.
func (in *Input) codeFile(f string) bool {
	switch path.Ext(f) {
	case ".js", ".json", in.Platform.Template, in.Platform.Style, in.Platform.ScriptModule:
		return true
	}
	return false
}

// projectFiles are configuration files that are never "unused".
var projectFiles = map[string]bool{"project.config.json": true, "project.private.config.json": true,
	"mini.project.json": true, "project.swan.json": true, "sitemap.json": true, "theme.json": true, "ext.json": true}

// hints applies MP305–MP307 (information: bytes that could be saved). Each
// is grouped so that a program with hundreds of such files gets a handful of
// findings: MP305 one per folder, MP306 one per set of packages, MP307 one
// per subpackage. Without a readable manifest every file would look unused:
// MP305 and MP307 are left out then.
func hints(in *Input) []checks.Diagnostic {
	var out []checks.Diagnostic
	if !in.NoReach {
		out = append(out, unused(in)...)
	}
	out = append(out, duplicates(in)...)
	if !in.NoReach {
		out = append(out, movable(in)...)
	}
	return out
}

// maxNamed is how many files a grouped finding names; the rest are counted.
const maxNamed = 5

// nameList names up to maxNamed paths, then "and N more".
func nameList(paths []string) string {
	if len(paths) <= maxNamed {
		return strings.Join(paths, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(paths[:maxNamed], ", "), len(paths)-maxNamed)
}

// unused applies MP305: unreferenced code files, one finding per folder.
func unused(in *Input) []checks.Diagnostic {
	type group struct {
		pkg   string
		files []string
		bytes int64
	}
	groups := map[string]*group{}
	for _, f := range in.Files {
		if f.Used || !in.codeFile(f.Path) || projectFiles[f.Path] {
			continue
		}
		dir := path.Dir(f.Path)
		if npm := npmPackageDir(f.Path); npm != "" {
			// Build npm copies a component library whole: one finding
			// per package, not one per component folder.
			dir = npm
		}
		g := groups[dir]
		if g == nil {
			g = &group{pkg: f.Package}
			groups[dir] = g
		}
		g.files = append(g.files, f.Path)
		g.bytes += f.Bytes
	}
	dirs := make([]string, 0, len(groups))
	for d := range groups {
		dirs = append(dirs, d)
	}
	slices.Sort(dirs)
	var out []checks.Diagnostic
	for _, dir := range dirs {
		g := groups[dir]
		slices.Sort(g.files)
		msg := fmt.Sprintf("%s (%s) is used by no page, component, app script, worker or subpackage entry", g.files[0], checks.FormatBytes(g.bytes))
		if len(g.files) > 1 {
			where := dir + "/"
			if dir == "." {
				where = "the root"
			}
			msg = fmt.Sprintf("%d files in %s (%s) are used by no page, component, app script, worker or subpackage entry: %s",
				len(g.files), where, checks.FormatBytes(g.bytes), nameList(g.files))
		}
		hint := "delete them, or reference them; the platform drops unused files from the upload only when ignoreUploadUnusedFiles is on"
		if npmPackageDir(g.files[0]) == dir {
			msg = fmt.Sprintf("%s of npm package %s (%s) is used by no page, component, app script, worker or subpackage entry", g.files[0], dir+"/", checks.FormatBytes(g.bytes))
			if len(g.files) > 1 {
				msg = fmt.Sprintf("%d files of npm package %s (%s) are used by no page, component, app script, worker or subpackage entry: %s",
					len(g.files), dir+"/", checks.FormatBytes(g.bytes), nameList(g.files))
			}
			hint = "\"Build npm\" copies the whole package; the platform leaves its unused files out of the upload only when ignoreUploadUnusedFiles is on in project.config.json"
		}
		d := checks.New(checks.MP305, g.files[0], 0, 0, msg, hint)
		d.Package, d.Bytes = g.pkg, g.bytes
		out = append(out, d)
	}
	return out
}

// npmPackageDir returns the directory of the built npm package f lies in
// ("miniprogram_npm/@vant/weapp" for
// "miniprogram_npm/@vant/weapp/button/index.js"), or "".
func npmPackageDir(f string) string {
	segs := strings.Split(f, "/")
	i := slices.Index(segs, "miniprogram_npm")
	n := i + 2
	if i >= 0 && n < len(segs) && strings.HasPrefix(segs[i+1], "@") {
		n++
	}
	if i < 0 || n >= len(segs) {
		return ""
	}
	return strings.Join(segs[:n], "/")
}

// minDuplicate is the smallest file MP306 reports.
const minDuplicate = 512

// duplicates applies MP306: identical content in several packages.
func duplicates(in *Input) []checks.Diagnostic {
	if len(in.Hashes) == 0 {
		return nil
	}
	groups := map[string][]checks.File{}
	for _, f := range in.Files {
		// Pages and components must live in their package, and copies of tiny
		// boilerplate ("{}", "Page({})") save nothing worth a finding.
		if f.Bytes < minDuplicate || in.Graph.Stems[strings.TrimSuffix(f.Path, path.Ext(f.Path))] {
			continue
		}
		if h, ok := in.Hashes[f.Path]; ok {
			groups[h] = append(groups[h], f)
		}
	}
	// One finding per set of packages holding the copies.
	type pkgSet struct {
		pkgs   []string
		copies []string // "a = b = c", one per content
		first  string
		count  int
		saved  int64
	}
	sets := map[string]*pkgSet{}
	for _, fs := range groups {
		pkgs := map[string]bool{}
		for _, f := range fs {
			pkgs[f.Package] = true
		}
		if len(pkgs) < 2 {
			continue
		}
		sort.Slice(fs, func(i, j int) bool { return fs[i].Path < fs[j].Path })
		names := make([]string, 0, len(fs))
		for _, f := range fs {
			names = append(names, f.Path)
		}
		keys := make([]string, 0, len(pkgs))
		for p := range pkgs {
			keys = append(keys, p)
		}
		slices.Sort(keys)
		k := strings.Join(keys, "\x00")
		s := sets[k]
		if s == nil {
			s = &pkgSet{pkgs: keys, first: fs[0].Path}
			sets[k] = s
		}
		s.first = min(s.first, fs[0].Path)
		s.copies = append(s.copies, strings.Join(names, " = "))
		s.count++
		s.saved += fs[0].Bytes * int64(len(fs)-1)
	}
	var out []checks.Diagnostic
	for _, s := range sets {
		slices.Sort(s.copies)
		what := "1 file has identical copies"
		if s.count > 1 {
			what = fmt.Sprintf("%d files have identical copies", s.count)
		}
		d := checks.New(checks.MP306, s.first, 0, 0,
			fmt.Sprintf("%s in packages %s (%s could be saved): %s", what, strings.Join(s.pkgs, ", "), checks.FormatBytes(s.saved), nameList(s.copies)),
			fmt.Sprintf("keep one copy in the main package (if every user may reach it) to save %s", checks.FormatBytes(s.saved)))
		d.Bytes = s.saved
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}

// movable applies MP307: main-package files whose only users, directly or
// through other main-package files, sit in one subpackage.
func movable(in *Input) []checks.Diagnostic {
	size := make(map[string]int64, len(in.Files))
	for _, f := range in.Files {
		size[f.Path] = f.Bytes
	}
	all := fileSet(in.Files)
	users := mainUsers(in, usesOfMain(in, all), mainEntries(in, all))
	groups := soleUsers(users, in.packages(), size)
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []checks.Diagnostic
	for _, only := range names {
		g := groups[only]
		msg := fmt.Sprintf("%s (%s) is in the main package but only %s uses it", g.files[0], checks.FormatBytes(g.bytes), only)
		if len(g.files) > 1 {
			msg = fmt.Sprintf("%d main-package files (%s) are used only by %s: %s", len(g.files), checks.FormatBytes(g.bytes), only, nameList(g.files))
		}
		d := checks.New(checks.MP307, g.files[0], 0, 0, msg,
			fmt.Sprintf("move them into %s: the main package gets %s smaller", only, checks.FormatBytes(g.bytes)))
		d.Package, d.Bytes = checks.MainPackage, g.bytes
		out = append(out, d)
	}
	return out
}

// usesOfMain are, for each main-package file an edge leads to, the files
// whose edges lead to it (once per edge). A component is used through all
// of its files: its script, template and style use other files in turn.
func usesOfMain(in *Input, all fileSet) map[string][]string {
	into := map[string][]string{}
	// Many edges name the same component: its files are listed once.
	stems := map[string][]string{}
	exts := []string{".js", ".ts"}
	for _, e := range in.Graph.Edges {
		if e.To == "" {
			continue
		}
		if e.Kind != graph.Component {
			if in.pkgOf(e.To).main {
				into[e.To] = append(into[e.To], e.From)
			}
			continue
		}
		files, ok := stems[e.To]
		if !ok {
			files = graph.StemFiles(all, e.To, in.Platform, exts)
			stems[e.To] = files
		}
		for _, to := range files {
			if in.pkgOf(to).main {
				into[to] = append(into[to], e.From)
			}
		}
	}
	return into
}

// mainEntries are the files the main package itself loads: app.json, the
// app's scripts and the files of its pages.
func mainEntries(in *Input, all fileSet) map[string]bool {
	entries := map[string]bool{in.App.File: true}
	for _, f := range in.AppScripts {
		entries[f] = true
	}
	for _, pg := range in.App.Pages {
		stem := strings.TrimPrefix(pg.Value, "/")
		for _, f := range graph.StemFiles(all, stem, in.Platform, []string{".js", ".ts"}) {
			entries[f] = true
		}
	}
	return entries
}

// mainUsers returns, for each main-package file reached by an edge, the
// packages that use it, directly or through other main-package files; ""
// marks a use by the main package itself (an entry, or an edge from a main
// file that the main package itself needs). The uses that name their
// package outright are settled first; those through another main-package
// file are followed to a fixed point.
func mainUsers(in *Input, into map[string][]string, entries map[string]bool) map[string]map[string]bool {
	users := make(map[string]map[string]bool, len(into))
	through := map[string][]string{} // main-package files using each file
	for to, froms := range into {
		u := map[string]bool{}
		if entries[to] {
			u[""] = true
		}
		for _, from := range froms {
			switch p := in.pkgOf(from); {
			case !p.main:
				u[p.name] = true
			case entries[from] || from == in.App.File:
				u[""] = true
			default:
				through[to] = append(through[to], from)
			}
		}
		users[to] = u
	}
	for changed := true; changed; {
		changed = false
		for to, froms := range through {
			u := users[to]
			for _, from := range froms {
				for p := range users[from] {
					changed = mark(u, p) || changed
				}
			}
		}
	}
	return users
}

// mark adds p to set and reports whether it was not there.
func mark(set map[string]bool, p string) bool {
	if set[p] {
		return false
	}
	set[p] = true
	return true
}

// movableGroup is the main-package files one subpackage alone uses.
type movableGroup struct {
	files []string
	bytes int64
}

// soleUsers groups the main-package files of a size whose one user is a
// subpackage that is not independent, by that subpackage; files in path
// order.
func soleUsers(users map[string]map[string]bool, ps *packages, size map[string]int64) map[string]*movableGroup {
	groups := map[string]*movableGroup{}
	files := make([]string, 0, len(users))
	for f := range users {
		files = append(files, f)
	}
	slices.Sort(files)
	for _, f := range files {
		u := users[f]
		if len(u) != 1 || u[""] {
			continue
		}
		var only string
		for p := range u {
			only = p
		}
		if ps.named(only).independent || size[f] == 0 {
			continue
		}
		g := groups[only]
		if g == nil {
			g = &movableGroup{}
			groups[only] = g
		}
		g.files = append(g.files, f)
		g.bytes += size[f]
	}
	return groups
}

type fileSet []checks.File

func (s fileSet) Exists(p string) bool {
	i := sort.Search(len(s), func(i int) bool { return s[i].Path >= p })
	return i < len(s) && s[i].Path == p
}
func (s fileSet) IsDir(string) bool                      { return false }
func (s fileSet) ReadFile(string, int64) ([]byte, error) { return nil, fmt.Errorf("not readable") }
