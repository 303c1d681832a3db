// Package htmlreport writes a check's result as one self-contained HTML file: a treemap per package (folders
// and files by size, coloured by growth against the base when there is one), each package's budget bar, the
// size-diff table, the findings linked to their files, the largest files and what moving shared files would
// save (MP306, MP307).
//
// The file needs no network: CSS, SVG and the few lines of JavaScript are inline, so it works opened from
// disk, as a CI artifact. The output is deterministic (no clock, sorted everywhere), so a golden file holds
// it. html/template escapes every name (file paths, messages).
package htmlreport

import (
	"cmp"
	"fmt"
	"html/template"
	"io"
	"math"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/render"
	"github.com/mpgate/mpgate/checks/treemap"
)

// Options shape the report.
type Options struct {
	// Title is the page's heading; "" = "mpgate report".
	Title string
	// FileURL is where a finding's or a file's link goes: the repository path is appended to it (with
	// "#L<line>" for a line), e.g. "https://github.com/o/r/blob/<head sha>/". "" links the repository path
	// itself, relative, which works when the report sits at the repository's root.
	FileURL string
	// LargestFiles is how many of the largest files are listed per project; 0 = 20.
	LargestFiles int
}

// Treemap geometry: the SVG's viewBox. Its aspect is kept on every screen (the SVG scales uniformly), so
// the rectangles' areas stay proportional to the sizes.
const (
	mapWidth  = 960
	mapHeight = 540
)

// headOnly turns the result of a check without a base (compare.Result.HeadOnly: each comparison holds its
// head report alone, its PathPrefix the project's root without the report's Root) into comparisons with no
// base, which carry the package rows the size table shows and full repository prefixes.
func headOnly(res *compare.Result) *compare.Result {
	out := *res
	out.Projects = nil
	for _, c := range res.Projects {
		if c.Head == nil {
			out.Projects = append(out.Projects, c)
			continue
		}
		h := compare.Compare(nil, c.Head)
		h.Gates, h.Verdict = c.Head.Gates, c.Head.Verdict
		if p := path.Join(c.PathPrefix, c.Head.Root); p != "." {
			h.PathPrefix = p + "/"
		}
		out.Projects = append(out.Projects, h)
	}
	return &out
}

// FileURL is the forge's address of the repository's files at sha (Options.FileURL), from the CI job's
// variables: GitHub Actions' GITHUB_SERVER_URL and GITHUB_REPOSITORY, GitLab CI's CI_PROJECT_URL. Outside
// CI, or without sha, it is "" (links stay relative).
func FileURL(getenv func(string) string, sha string) string {
	if sha == "" {
		return ""
	}
	if s, r := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"); getenv("GITHUB_ACTIONS") == "true" && s != "" && r != "" {
		return strings.TrimSuffix(s, "/") + "/" + r + "/blob/" + sha + "/"
	}
	if u := getenv("CI_PROJECT_URL"); getenv("GITLAB_CI") == "true" && u != "" {
		return strings.TrimSuffix(u, "/") + "/-/blob/" + sha + "/"
	}
	return ""
}

// Write renders res as HTML to w.
func Write(w io.Writer, res *compare.Result, o Options) error {
	if o.Title == "" {
		o.Title = "mpgate report"
	}
	// Only a web address is a base for links; without one, links are relative to the report ("./" first, so
	// that a file named "javascript:x" stays a path).
	if u, err := url.Parse(o.FileURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		o.FileURL = "./"
	}
	if o.LargestFiles <= 0 {
		o.LargestFiles = 20
	}
	if res.HeadOnly {
		res = headOnly(res)
	}
	v := view{Title: o.Title, Verdict: res.Verdict, BaseRev: short(res.BaseRev), HeadRev: short(res.HeadRev), Gates: res.Gates}
	for _, c := range res.Projects {
		v.Projects = append(v.Projects, project(c, o))
	}
	return page.Execute(w, v)
}

type view struct {
	Title, Verdict, BaseRev, HeadRev string
	Gates                            []checks.Gate
	Projects                         []projectView
}

type projectView struct {
	Name, Error, BaseError string
	HasBase                bool
	Verdict                string
	Basis                  string // what the treemap measures
	Gates                  []checks.Gate
	Packages               []packageView
	Diffs                  []diffRow
	Total                  diffRow
	Findings               []finding
	Largest                []fileRow
	Savings                []saving
	SavingsTotal           string
}

type packageView struct {
	Name, Label, Kind    string
	Size, Limit, Percent string
	Bar                  float64 // width of the bar in percent, ≤ 100
	Level                string  // ok, warn, over
	Map                  template.HTML
}

type diffRow struct {
	Name, Status, Base, Head, Delta, Percent, Limit, Share string
	HasBase, Grew, Shrank                                  bool
}

type finding struct {
	Rule, Severity, Where, Link, Message, Hint, Status string
}

type fileRow struct {
	Path, Link, Package, Size, Delta string
}

type saving struct {
	Rule, Where, Link, Message, Bytes string
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

func project(c *compare.Comparison, o Options) projectView {
	pv := projectView{Name: c.Project, Error: c.HeadError, BaseError: c.BaseError, HasBase: c.Base != nil, Verdict: c.Verdict, Gates: c.Gates}
	if pv.Name == "" {
		pv.Name = "mini-program"
	}
	if c.Head == nil {
		return pv
	}
	v := newProjectSizes(c, o)
	pv.Basis = "source size"
	if v.upload {
		pv.Basis = "estimated upload size"
	}
	pv.Packages = v.packages()
	// The size-diff table.
	for _, d := range c.Packages {
		pv.Diffs = append(pv.Diffs, diffRowOf(pv.HasBase, d.Name, d.Status, d.Base, d.Head, d.Delta, d.Percent, d.Limit, d.Share))
	}
	pv.Total = diffRowOf(pv.HasBase, "total", "", c.Total.Base, c.Total.Head, c.Total.Delta, c.Total.Percent, c.Total.Limit, share(c.Total.Head, c.Total.Limit))
	pv.Findings = v.findings()
	pv.Largest = v.largest()
	pv.Savings, pv.SavingsTotal = v.savings()
	return pv
}

// projectSizes is what the parts of a project's view share: the file
// links, and the size each file is measured by (its estimated upload size
// when the report has one, else its source size), at the head and base.
type projectSizes struct {
	c         *compare.Comparison
	o         Options
	upload    bool
	baseSizes map[string]int64
}

func newProjectSizes(c *compare.Comparison, o Options) *projectSizes {
	v := &projectSizes{c: c, o: o, baseSizes: map[string]int64{}}
	for _, f := range c.Head.Files {
		v.upload = v.upload || f.UploadBytes > 0
	}
	if c.Base != nil {
		for _, f := range c.Base.Files {
			v.baseSizes[f.Path] = v.size(f)
		}
	}
	return v
}

func (v *projectSizes) size(f checks.File) int64 {
	if v.upload {
		return f.UploadBytes
	}
	return f.Bytes
}

// link is the URL of file (at line, when > 0) under Options.FileURL; "" for
// no file.
func (v *projectSizes) link(file string, line int) string {
	if file == "" {
		return ""
	}
	segs := strings.Split(path.Join(v.c.PathPrefix, file), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u := v.o.FileURL + strings.Join(segs, "/")
	if line > 0 {
		u += "#L" + strconv.Itoa(line)
	}
	return u
}

// packages are the head's packages: budget bars and treemaps.
func (v *projectSizes) packages() []packageView {
	head := v.c.Head
	byPkg := map[string][]checks.File{}
	for _, f := range head.Files {
		byPkg[f.Package] = append(byPkg[f.Package], f)
	}
	var out []packageView
	for _, p := range head.Packages {
		used := p.Bytes
		if head.SizeBasis == checks.BasisUploadBytes {
			used = p.UploadBytes
		}
		pkv := packageView{Name: p.Name, Label: pkgLabel(p), Kind: p.Kind, Size: render.Size(used), Limit: "no limit", Level: "ok"}
		if p.Limit > 0 {
			pct := 100 * float64(used) / float64(p.Limit)
			pkv.Limit = render.Size(p.Limit)
			pkv.Percent = strconv.FormatFloat(pct, 'f', 1, 64) + "%"
			pkv.Bar = math.Min(100, pct)
			warn := head.Limits.Warn
			if warn <= 0 {
				warn = 90
			}
			switch {
			case pct > 100:
				pkv.Level = "over"
			case pct >= warn:
				pkv.Level = "warn"
			}
		}
		pkv.Map = drawMap(p, byPkg[p.Name], v.size, v.baseSizes, v.c.Base != nil, func(file string) string { return v.link(file, 0) })
		out = append(out, pkv)
	}
	return out
}

// findings: new first, then those already there; fixed ones last. Without
// a base, the head's.
func (v *projectSizes) findings() []finding {
	var out []finding
	add := func(ds []checks.Diagnostic, status string) {
		for _, d := range ds {
			where := d.File
			if where != "" && d.Line > 0 {
				where += ":" + strconv.Itoa(d.Line)
			}
			out = append(out, finding{Rule: d.Rule, Severity: string(d.Severity), Where: where,
				Link: v.link(d.File, d.Line), Message: d.Message, Hint: d.Hint, Status: status})
		}
	}
	if v.c.Base != nil {
		add(v.c.NewDiagnostics, "new")
		add(v.c.ExistingDiagnostics, "existing")
		add(v.c.FixedDiagnostics, "fixed")
	} else {
		add(v.c.Head.Diagnostics, "")
	}
	return out
}

// largest are the Options.LargestFiles largest files, with their change
// when there is a base.
func (v *projectSizes) largest() []fileRow {
	files := slices.Clone(v.c.Head.Files)
	slices.SortStableFunc(files, func(a, b checks.File) int {
		return cmp.Or(cmp.Compare(v.size(b), v.size(a)), cmp.Compare(a.Path, b.Path))
	})
	var out []fileRow
	for _, f := range files[:min(len(files), v.o.LargestFiles)] {
		r := fileRow{Path: f.Path, Link: v.link(f.Path, 0), Package: f.Package, Size: render.Size(v.size(f))}
		if v.c.Base != nil {
			if b, ok := v.baseSizes[f.Path]; ok {
				r.Delta = signed(v.size(f) - b)
			} else {
				r.Delta = "new"
			}
		}
		out = append(out, r)
	}
	return out
}

// savings is what moving shared files would save (MP306, MP307), and their
// total ("" for none).
func (v *projectSizes) savings() ([]saving, string) {
	var out []saving
	var total int64
	for _, d := range v.c.Head.Diagnostics {
		if d.Rule != checks.MP306 && d.Rule != checks.MP307 {
			continue
		}
		total += d.Bytes
		out = append(out, saving{Rule: d.Rule, Where: d.File, Link: v.link(d.File, d.Line), Message: d.Message, Bytes: render.Size(d.Bytes)})
	}
	if total > 0 {
		return out, render.Size(total)
	}
	return out, ""
}

func share(used, limit int64) float64 {
	if limit <= 0 {
		return 0
	}
	return 100 * float64(used) / float64(limit)
}

func diffRowOf(hasBase bool, name, status string, base, head, delta int64, pct float64, limit int64, sh float64) diffRow {
	r := diffRow{Name: name, Status: status, Base: render.Size(base), Head: render.Size(head), Delta: signed(delta),
		Percent: strconv.FormatFloat(pct, 'f', 1, 64) + "%", Limit: "–", Share: "–", HasBase: hasBase, Grew: delta > 0, Shrank: delta < 0}
	if limit > 0 {
		r.Limit = render.Size(limit)
		r.Share = strconv.FormatFloat(sh, 'f', 1, 64) + "%"
	}
	return r
}

func signed(n int64) string {
	switch {
	case n > 0:
		return "+" + render.Size(n)
	case n == 0:
		return "0"
	}
	return render.Size(n)
}

func pkgLabel(p checks.Package) string {
	name := p.Name
	if p.Name == checks.MainPackage {
		name = "main package (" + p.Name + ")"
	}
	if p.Alias != "" {
		name += " “" + p.Alias + "”"
	}
	return name
}

// drawMap draws one package's treemap: its files nested in their folders, relative to the package's root.
func drawMap(p checks.Package, files []checks.File, size func(checks.File) int64, base map[string]int64, hasBase bool, link func(string) string) template.HTML {
	root := &treemap.Node{}
	leaves := map[*treemap.Node]checks.File{}
	slices.SortFunc(files, func(a, b checks.File) int { return cmp.Compare(a.Path, b.Path) })
	prefix := strings.Trim(p.Root, "./")
	for _, f := range files {
		if size(f) <= 0 {
			continue
		}
		rel := f.Path
		if p.Kind != checks.KindMain && prefix != "" {
			rel = strings.TrimPrefix(rel, prefix+"/")
		}
		parts := strings.Split(rel, "/")
		n := root
		for _, dir := range parts[:len(parts)-1] {
			var next *treemap.Node
			for _, c := range n.Children {
				if c.Name == dir && len(c.Children) > 0 {
					next = c
				}
			}
			if next == nil {
				next = &treemap.Node{Name: dir}
				n.Children = append(n.Children, next)
			}
			n = next
		}
		l := &treemap.Node{Name: parts[len(parts)-1], Size: float64(size(f))}
		n.Children = append(n.Children, l)
		leaves[l] = f
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="map" viewBox="0 0 %d %d" role="img" aria-label="treemap of %s">`, mapWidth, mapHeight, template.HTMLEscapeString(p.Name))
	if len(leaves) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="empty">no files</text></svg>`, mapWidth/2, mapHeight/2)
		return template.HTML(b.String())
	}
	placed := treemap.Layout(root, treemap.Rect{W: mapWidth, H: mapHeight})
	// Folders first (outlines drawn over files come after), so files are clickable.
	for _, pl := range placed {
		f, isFile := leaves[pl.Node]
		if !isFile {
			continue
		}
		r := pl.Rect
		sz := size(f)
		colour, growth := fileColour(f.Path, sz, base, hasBase)
		title := f.Path + " — " + render.Size(sz)
		if growth != "" {
			title += " (" + growth + ")"
		}
		fmt.Fprintf(&b, `<a href="%s"><rect class="file" x="%s" y="%s" width="%s" height="%s" fill="%s" data-bytes="%d" data-path="%s"><title>%s</title></rect>`,
			template.HTMLEscapeString(link(f.Path)), num(r.X), num(r.Y), num(r.W), num(r.H), colour, sz, template.HTMLEscapeString(f.Path), template.HTMLEscapeString(title))
		if label := fit(pl.Node.Name, r.W, r.H); label != "" {
			fmt.Fprintf(&b, `<text x="%s" y="%s">%s</text>`, num(r.X+3), num(r.Y+13), template.HTMLEscapeString(label))
		}
		b.WriteString(`</a>`)
	}
	for _, pl := range placed {
		if _, isFile := leaves[pl.Node]; isFile {
			continue
		}
		r := pl.Rect
		fmt.Fprintf(&b, `<rect class="dir" x="%s" y="%s" width="%s" height="%s"><title>%s/ — %s</title></rect>`,
			num(r.X), num(r.Y), num(r.W), num(r.H), template.HTMLEscapeString(pl.Node.Name), render.Size(int64(pl.Node.Total())))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// num writes a coordinate with two decimals, trimmed: deterministic and short.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" || s == "-" {
		return "0"
	}
	return s
}

// fit returns the label when it fits in a w×h rectangle (about 7 units per narrow character, 13 per wide
// one such as a Chinese character), else "".
func fit(name string, w, h float64) string {
	if h < 16 {
		return ""
	}
	width := 6.0
	for _, r := range name {
		if utf8.RuneLen(r) >= 3 {
			width += 13
		} else {
			width += 7
		}
	}
	if width > w {
		return ""
	}
	return name
}

// fileColour is a file's fill: by its growth against the base when there is one (red grew, green shrank,
// orange new, grey unchanged), else by its kind.
func fileColour(p string, size int64, base map[string]int64, hasBase bool) (colour, growth string) {
	if hasBase {
		b, ok := base[p]
		switch {
		case !ok:
			return "#f0a040", "new"
		case size > b:
			pct := 100 * float64(size-b) / math.Max(1, float64(b))
			// 1% → light red, 50% and more → deep red.
			t := math.Min(1, math.Log1p(pct)/math.Log1p(50))
			return mix("#f4c7c3", "#c62828", t), "+" + render.Size(size-b)
		case size < b:
			return "#a5d6a7", render.Size(size - b)
		}
		return "#cfd8dc", ""
	}
	switch path.Ext(p) {
	case ".js", ".wxs", ".sjs", ".ts":
		return "#90caf9", ""
	case ".wxss", ".acss", ".ttss", ".css", ".less", ".scss":
		return "#ce93d8", ""
	case ".wxml", ".axml", ".ttml", ".swan", ".qml":
		return "#80cbc4", ""
	case ".json":
		return "#fff59d", ""
	case ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp":
		return "#ffcc80", ""
	}
	return "#cfd8dc", ""
}

func mix(a, b string, t float64) string {
	pa, pb := hex(a), hex(b)
	var out [3]int
	for i := range out {
		out[i] = int(math.Round(float64(pa[i]) + t*float64(pb[i]-pa[i])))
	}
	return fmt.Sprintf("#%02x%02x%02x", out[0], out[1], out[2])
}

func hex(s string) [3]int {
	var c [3]int
	for i := range c {
		v, _ := strconv.ParseUint(s[1+2*i:3+2*i], 16, 8)
		c[i] = int(v)
	}
	return c
}
