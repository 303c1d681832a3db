package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/lint"
)

// ResultTerminal writes a judged request for a terminal: per project the
// size-diff table and the new findings (existing and fixed ones counted),
// the lint problems, every gate and the verdict, fitted to o.Width columns
// and coloured only when o.Color.
func ResultTerminal(w io.Writer, res *compare.Result, o TerminalOptions) error {
	if res == nil {
		return fmt.Errorf("rendering result: no result")
	}
	if o.Width <= 0 {
		o.Width = 80
	}
	o.Width = max(o.Width, 60)
	t := &term{errWriter: &errWriter{w: w}, o: o}
	head := "mpgate"
	if res.BaseRev != "" || res.HeadRev != "" {
		to := clean(shortRev(res.HeadRev), false)
		if res.HeadWorkingTree {
			to = "working tree (on " + to + ")"
		}
		head += " · " + clean(shortRev(res.BaseRev), false) + " → " + to
	}
	t.print(t.paint(ansiBold, truncate(head, t.o.Width)) + "\n")
	multi := len(res.Projects) > 1
	for i, c := range res.Projects {
		if c == nil {
			continue
		}
		t.resultProject(projectName(c, i, multi), c)
	}
	t.resultLint(res.Lint)
	t.resultGates(res)
	v := resultVerdict(res)
	color := ansiGreen
	if v != checks.VerdictPass {
		color = ansiRed
	}
	line := "Verdict: " + strings.ToUpper(v)
	if parts := headline(res, 0); len(parts) > 0 {
		line += " (" + clean(strings.Join(parts, ", "), false) + ")"
	}
	for i, l := range wrap(line, t.o.Width) {
		if i == 0 {
			t.print("\n" + t.paint(ansiBold+color, l) + "\n")
			continue
		}
		t.print(l + "\n")
	}
	if t.err != nil {
		return fmt.Errorf("rendering result: %w", t.err)
	}
	return nil
}

func shortRev(r string) string {
	if r == "" {
		return "?"
	}
	return cutUTF8(r, 12)
}

// Columns of the diff table; the name takes what is left.
const (
	diffSizeW   = 9
	diffChangeW = 10
	diffPctW    = 7
	diffFixedW  = 3*(1+diffSizeW) + 1 + diffChangeW + 1 + diffPctW + 1 + barW + 1 + pctW
)

func (t *term) resultProject(name string, c *compare.Comparison) {
	title := projectTitle(name, c)
	if c.HeadError != "" {
		t.print("\n" + t.paint(ansiBold, truncate(title, t.o.Width)) + "\n")
		for _, l := range wrap("head could not be analysed: "+clean(truncate(c.HeadError, termTextMax), true), t.o.Width-2) {
			t.print("  " + t.paint(ansiRed, l) + "\n")
		}
		return
	}
	t.print("\n" + t.paint(ansiBold, truncate(title, t.o.Width)) + "\n")
	if c.Base == nil {
		why := "no base report: every package counts as new"
		if c.BaseError != "" {
			why = "no base: " + clean(truncate(c.BaseError, termTextMax), true)
		}
		for _, l := range wrap(why, t.o.Width-2) {
			t.print("  " + t.paint(ansiYellow, l) + "\n")
		}
	}
	pkgs, folded := t.shownPackages(c)
	names := packageNames(pkgs)
	cols := t.layoutColumns(names)
	t.print(t.paint(ansiBold, strings.TrimRight(cols.row("PACKAGE", "BASE", "HEAD", "CHANGE", "%", "LIMIT", "USED"), " ")) + "\n")
	warn := 0.0
	if c.Head != nil {
		warn = c.Head.Limits.Warn
	}
	for i, p := range pkgs {
		t.print(strings.TrimRight(t.packageRow(cols, names[i], p, warn), " ") + "\n")
	}
	pct := ""
	if c.Total.Base > 0 {
		pct = fmt.Sprintf("%+.1f%%", c.Total.Percent)
	}
	t.print(t.paint(ansiBold, strings.TrimRight(cols.row("TOTAL", Size(c.Total.Base), Size(c.Total.Head), termSigned(c.Total.Delta), pct,
		limitCell(c.Total.Limit), t.usage(c.Total.Head, c.Total.Limit, warn)), " ")) + "\n")
	if folded > 0 {
		line := plural(folded, "unchanged package", "unchanged packages") + " not shown"
		if t.o.AllPackagesHint != "" {
			line += " (" + clean(t.o.AllPackagesHint, false) + " shows them)"
		}
		for _, l := range wrap(line+".", t.o.Width) {
			t.print(t.paint(ansiDim, l) + "\n")
		}
	}
	for _, l := range wrap("Sizes: "+SizeLegend+"; + added, - removed package.", t.o.Width) {
		t.print(t.paint(ansiDim, l) + "\n")
	}
	t.resultFindings(c)
}

// projectTitle is a project's heading: "Project NAME", or for an unnamed
// project (no .mpgate.yml) where it is.
func projectTitle(name string, c *compare.Comparison) string {
	switch {
	case name != "":
		return "Project " + clean(name, false)
	case c.PathPrefix != "":
		return "Mini-program " + clean(strings.TrimSuffix(c.PathPrefix, "/"), false)
	}
	return "Project"
}

// shownPackages are the packages of the table and how many are folded:
// packages of unchanged size (a changed file of the same size too) are
// folded, counted on one line, unless AllPackages; with no base every
// package is new, none is folded.
func (t *term) shownPackages(c *compare.Comparison) ([]compare.PackageDiff, int) {
	if c.Base == nil || t.o.AllPackages {
		return c.Packages, 0
	}
	pkgs, folded := make([]compare.PackageDiff, 0, len(c.Packages)), 0
	for _, p := range c.Packages {
		if !sizeChanged(p, 0) { // as the comment folds them
			folded++
			continue
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, folded
}

// packageNames are the packages' names as the table shows them: "+ " for
// an added package, "- " for a removed one.
func packageNames(pkgs []compare.PackageDiff) []string {
	names := make([]string, len(pkgs))
	for i, p := range pkgs {
		names[i] = clean(p.Name, false)
		switch p.Status {
		case compare.Added:
			names[i] = "+ " + names[i]
		case compare.Removed:
			names[i] = "- " + names[i]
		}
	}
	return names
}

// diffColumns is the layout of a size-diff table.
type diffColumns struct {
	nameW     int
	showLimit bool
}

// layoutColumns lays the table out for the terminal's width: narrow
// terminals lose the limit column (the USED share stays).
func (t *term) layoutColumns(names []string) diffColumns {
	room := t.o.Width - diffFixedW
	showLimit := room >= 10
	if !showLimit {
		room += 1 + diffSizeW
	}
	nameW := len("PACKAGE")
	for _, n := range names {
		nameW = max(nameW, width(n))
	}
	return diffColumns{nameW: max(min(nameW, room), 1), showLimit: showLimit}
}

func (d diffColumns) row(name, base, head, change, pct, limit, used string) string {
	// Absurd sizes (a broken report) are cut to their column.
	cell := func(s string, w int) string { return lpad(truncate(s, w), w) }
	limit = " " + cell(limit, diffSizeW)
	if !d.showLimit {
		limit = ""
	}
	if !strings.Contains(change, "\x1b") {
		change = cell(change, diffChangeW)
	}
	return fmt.Sprintf("%s %s %s %s %s%s %s", pad(truncate(name, d.nameW), d.nameW), cell(base, diffSizeW), cell(head, diffSizeW),
		change, cell(pct, diffPctW), limit, used)
}

// packageRow is a package's row: its sizes, change, share of its limit.
func (t *term) packageRow(cols diffColumns, name string, p compare.PackageDiff, warn float64) string {
	base, head, used := Size(p.Base), Size(p.Head), t.usage(p.Head, p.Limit, warn)
	pct := ""
	switch p.Status {
	case compare.Added:
		base, pct = "-", "new"
	case compare.Removed:
		head, pct, used = "-", "removed", ""
	default:
		if p.Base > 0 && p.Delta != 0 {
			pct = fmt.Sprintf("%+.1f%%", p.Percent)
		}
	}
	change := lpad(truncate(termSigned(p.Delta), diffChangeW), diffChangeW)
	if p.Delta > 0 {
		change = t.paint(ansiYellow, change)
	}
	return cols.row(name, base, head, change, pct, limitCell(p.Limit), used)
}

// termTextMax bounds the text of one finding or gate in a terminal: a
// longer one is a broken report, and wrapping it would take long.
const termTextMax = 2000

func termDiag(d checks.Diagnostic) checks.Diagnostic {
	d.Rule, d.File = truncate(d.Rule, 200), truncate(d.File, 500)
	d.Message, d.Hint = truncate(d.Message, termTextMax), truncate(d.Hint, termTextMax)
	return d
}

func termSigned(n int64) string {
	switch {
	case n > 0:
		return "+" + Size(n)
	case n < 0:
		return "-" + Size(-n)
	}
	return "0 B"
}

func (t *term) resultFindings(c *compare.Comparison) {
	g := bySeverity(c.NewDiagnostics)
	if len(c.NewDiagnostics) == 0 {
		t.print(t.paint(ansiGreen, "No new findings.") + "\n")
	}
	for i, sev := range severities {
		ds := g[i]
		if len(ds) == 0 {
			continue
		}
		title, color := severityHeading(sev)
		title = "New " + strings.ToLower(title)
		t.print("\n" + t.paint(ansiBold+color, fmt.Sprintf("%s (%d)", title, len(ds))) + "\n")
		t.ruleGroups(ds, t.o.MaxPerSeverity, func(d checks.Diagnostic) {
			d = termDiag(d)
			if d.File != "" {
				d.File = repoPath(c.PathPrefix, d.File)
			}
			t.diagnostic(d, color)
		})
	}
	var rest []string
	if n := len(c.ExistingDiagnostics); n > 0 {
		rest = append(rest, plural(n, "existing finding", "existing findings")+" ("+countText(bySeverity(c.ExistingDiagnostics))+")")
	}
	if n := len(c.FixedDiagnostics); n > 0 {
		rest = append(rest, plural(n, "finding", "findings")+" fixed")
	}
	if len(rest) > 0 {
		for _, l := range wrap(strings.Join(rest, "; ")+".", t.o.Width) {
			t.print(t.paint(ansiDim, l) + "\n")
		}
	}
}

func (t *term) resultLint(ps []lint.Problem) {
	if len(ps) == 0 {
		return
	}
	t.print("\n" + t.paint(ansiBold, "Lint problems ("+strconv.Itoa(len(ps))+")") + "\n")
	ds := make([]checks.Diagnostic, 0, len(ps))
	for _, p := range ps {
		sev := checks.SeverityWarning
		if p.Severity == lint.Error {
			sev = checks.SeverityError
		}
		ds = append(ds, checks.Diagnostic{Rule: lintRule(p), Severity: sev, File: p.File, Line: p.Line, Column: p.Column, Message: p.Message})
	}
	g := bySeverity(ds)
	t.ruleGroups(append(g[0], g[1]...), 2*t.o.MaxPerSeverity, func(d checks.Diagnostic) {
		color := ansiYellow
		if d.Severity == checks.SeverityError {
			color = ansiRed
		}
		t.diagnostic(termDiag(d), color)
	})
}

// ruleGroups prints findings grouped by rule: at most maxPerRule of each,
// then "… and N more RULE"; capRows (0: none) bounds the findings printed,
// the rest counted on one line.
func (t *term) ruleGroups(ds []checks.Diagnostic, capRows int, print func(checks.Diagnostic)) {
	rows, left := 0, 0
	for _, g := range groupByRule(ds, func(d checks.Diagnostic) string { return d.Rule }) {
		n := min(len(g), maxPerRule)
		if capRows > 0 {
			n = min(n, max(capRows-rows, 0))
		}
		for _, d := range g[:n] {
			print(d)
		}
		rows += n
		switch rest := len(g) - n; {
		case rest == 0:
		case n < min(len(g), maxPerRule):
			left += rest
		default:
			t.print(t.paint(ansiDim, fmt.Sprintf("  … and %d more %s (the JSON result has all)", rest, clean(truncate(g[0].Rule, 200), false))) + "\n")
		}
	}
	if left > 0 {
		t.print(t.paint(ansiDim, fmt.Sprintf("  … and %d more (the JSON result has all)", left)) + "\n")
	}
}

func (t *term) resultGates(res *compare.Result) {
	type scoped struct {
		scope string
		g     checks.Gate
	}
	var gs []scoped
	multi := len(res.Projects) > 1
	for i, c := range res.Projects {
		if c == nil {
			continue
		}
		scope := projectName(c, i, multi)
		if c.HeadError != "" {
			gs = append(gs, scoped{scope, checks.Gate{Name: "analysis", Status: checks.GateError, Summary: "the head could not be analysed"}})
		}
		for _, g := range c.Gates {
			gs = append(gs, scoped{scope, g})
		}
	}
	for _, g := range res.Gates {
		gs = append(gs, scoped{"", g})
	}
	if len(gs) == 0 {
		t.print("\n" + t.paint(ansiDim, "Gates: none evaluated.") + "\n")
		return
	}
	t.print("\n" + t.paint(ansiBold, "Gates") + "\n")
	nameW := 4
	names := make([]string, len(gs))
	for i, s := range gs {
		names[i] = clean(s.g.Name, false)
		if s.scope != "" {
			names[i] = clean(s.scope, false) + "/" + names[i]
		}
		nameW = max(nameW, width(names[i]))
	}
	nameW = min(nameW, 24)
	for i, s := range gs {
		g := s.g
		summary := clean(truncate(g.Summary, termTextMax), true)
		if g.Status == checks.GateError {
			summary = "could not be evaluated: " + summary
		}
		status := strings.ToUpper(clean(g.Status, false))
		lead := "  " + t.paint(gateStatusColor(g.Status), pad(truncate(status, 5), 5)) + " " + pad(truncate(names[i], nameW), nameW) + " "
		indent := 2 + 5 + 1 + nameW + 1
		lines := wrap(summary, t.o.Width-indent)
		if len(lines) == 0 {
			lines = []string{""}
		}
		for j, l := range lines {
			if j == 0 {
				t.print(strings.TrimRight(lead+l, " ") + "\n")
				continue
			}
			t.print(strings.Repeat(" ", indent) + l + "\n")
		}
	}
}
