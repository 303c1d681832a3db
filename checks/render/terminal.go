package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"

	"github.com/mpgate/mpgate/checks"
)

// TerminalOptions shape the terminal rendering.
type TerminalOptions struct {
	// Color adds ANSI colours (the caller decides: a terminal, NO_COLOR unset).
	Color bool
	// Width is the line width to fit; 0 means 80.
	Width int
	// MaxPerSeverity caps the diagnostics listed per severity (the rest are
	// counted); 0 lists all.
	MaxPerSeverity int
	// AllPackages lists the packages of unchanged size in a comparison's
	// table (ResultTerminal); by default they are folded into one line
	// that counts them, as the comment folds them.
	AllPackages bool
	// AllPackagesHint is how the reader shows the folded packages (a flag
	// such as "--all-packages"), said on the folded line; "" says nothing.
	AllPackagesHint string
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

type term struct {
	*errWriter
	o TerminalOptions
}

func (t *term) paint(code, s string) string {
	if !t.o.Color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func levelColor(l int) string {
	switch l {
	case 2:
		return ansiRed
	case 1:
		return ansiYellow
	}
	return ansiGreen
}

// Terminal writes the report as a table of packages, the diagnostics grouped
// by severity, the gates and the verdict, fitted to o.Width columns.
func Terminal(w io.Writer, r *checks.Report, o TerminalOptions) error {
	if r == nil {
		return fmt.Errorf("rendering report: no report")
	}
	if o.Width <= 0 {
		o.Width = 80
	}
	o.Width = max(o.Width, 60)
	t := &term{errWriter: &errWriter{w: w}, o: o}
	t.header(r)
	t.packages(r)
	t.diagnostics(r)
	t.gates(r)
	t.verdict(r)
	if t.err != nil {
		return fmt.Errorf("rendering report: %w", t.err)
	}
	return nil
}

func (t *term) header(r *checks.Report) {
	parts := []string{"mpgate"}
	if r.Project != "" {
		parts = append(parts, "project "+clean(r.Project, false))
	}
	if r.Platform != "" {
		parts = append(parts, clean(r.Platform, false))
	}
	root := clean(r.Root, false)
	if root == "" {
		root = "."
	}
	parts = append(parts, "root "+root)
	t.print(t.paint(ansiBold, truncate(strings.Join(parts, " · "), t.o.Width)) + "\n\n")
}

// Column widths of the package table; the name column takes what is left.
const (
	kindW  = 5
	filesW = 5
	sizeW  = 8
	barW   = 8
	pctW   = 4
	// fixedW is every column but the name, with the spaces between them.
	fixedW = 1 + kindW + 1 + filesW + 4*(1+sizeW) + 1 + barW + 1 + pctW
)

func shortKind(p checks.Package) string {
	switch kindLabel(p) {
	case "independent":
		return "indep"
	case "workers":
		return "work"
	case "subpackage":
		return "sub"
	}
	return "main"
}

func (t *term) packages(r *checks.Report) {
	room := t.o.Width - fixedW
	nameW := len("PACKAGE")
	names := make([]string, len(r.Packages))
	for i, p := range r.Packages {
		names[i] = clean(p.Name, false)
		// The alias when it fits: the name matters more.
		if p.Alias != "" && p.Alias != p.Name {
			if with := names[i] + " (" + clean(p.Alias, false) + ")"; width(with) <= room {
				names[i] = with
			}
		}
		nameW = max(nameW, width(names[i]))
	}
	nameW = min(nameW, room)
	row := func(name, kind, files, size, upload, gzip, limit, barCell string) string {
		return fmt.Sprintf("%s %s %s %s %s %s %s %s",
			pad(truncate(name, nameW), nameW), pad(kind, kindW), lpad(files, filesW),
			lpad(size, sizeW), lpad(upload, sizeW), lpad(gzip, sizeW), lpad(limit, sizeW), barCell)
	}
	t.print(t.paint(ansiBold, strings.TrimRight(row("PACKAGE", "KIND", "FILES", "SIZE", "UPLOAD", "GZIP", "LIMIT", "USED"), " ")) + "\n")
	if len(r.Packages) == 0 {
		t.print(t.paint(ansiDim, "(no packages)") + "\n")
	}
	files := 0
	for i, p := range r.Packages {
		files += p.Files
		t.print(row(names[i], shortKind(p), strconv.Itoa(p.Files), Size(p.Bytes), Size(p.UploadBytes),
			Size(p.GzipBytes), limitCell(p.Limit), t.usage(measured(r, p), p.Limit, r.Limits.Warn)) + "\n")
	}
	t.print(t.paint(ansiBold, row("TOTAL", "", strconv.Itoa(files), Size(r.TotalBytes), Size(r.TotalUploadBytes),
		Size(r.TotalGzipBytes), limitCell(r.Limits.Total), t.usage(measuredTotal(r), r.Limits.Total, r.Limits.Warn))) + "\n")
	legend := "Sizes: " + SizeLegend + "; " + basisText(r) + "."
	for _, l := range wrap(legend, t.o.Width) {
		t.print(t.paint(ansiDim, l) + "\n")
	}
	for _, n := range r.UploadNotes {
		for _, l := range wrap("Upload estimate: "+clean(n, false), t.o.Width) {
			t.print(t.paint(ansiDim, l) + "\n")
		}
	}
}

func limitCell(limit int64) string {
	if limit <= 0 {
		return "-"
	}
	return Size(limit)
}

func (t *term) usage(used, limit int64, warn float64) string {
	pct, ok := share(used, limit)
	if !ok {
		return pad("", barW) + " " + lpad("-", pctW)
	}
	c := levelColor(level(pct, warn))
	return t.paint(c, bar(pct, barW, "█", "░")) + " " + t.paint(c, lpad(pctString(pct), pctW))
}

func (t *term) diagnostics(r *checks.Report) {
	groups := groupDiagnostics(r.Diagnostics)
	if len(r.Diagnostics) == 0 {
		t.print("\n" + t.paint(ansiGreen, "No problems found.") + "\n")
		return
	}
	for _, sev := range severities {
		ds := groups[sev]
		if len(ds) == 0 {
			continue
		}
		title, color := severityHeading(sev)
		t.print("\n" + t.paint(ansiBold+color, fmt.Sprintf("%s (%d)", title, len(ds))) + "\n")
		shown, more := capHints(ds)
		total := len(shown)
		if t.o.MaxPerSeverity > 0 && len(shown) > t.o.MaxPerSeverity {
			shown = shown[:t.o.MaxPerSeverity]
		}
		for _, d := range shown {
			t.diagnostic(d, color)
		}
		for _, l := range more {
			t.print(t.paint(ansiDim, "  "+l) + "\n")
		}
		if len(shown) < total {
			t.print(t.paint(ansiDim, fmt.Sprintf("  … and %d more (the JSON report has all)", total-len(shown))) + "\n")
		}
	}
}

func (t *term) diagnostic(d checks.Diagnostic, color string) {
	// "  file:line:col RULE message", continuation lines indented by 4.
	loc := clean(location(d), false)
	d.Rule, d.Message, d.Hint = clean(d.Rule, false), clean(d.Message, true), clean(d.Hint, true)
	lead := ""
	if loc != "" {
		lead = loc + " "
	}
	lines := wrap(lead+d.Rule+" "+d.Message, t.o.Width-4)
	for i, l := range lines {
		if i == 0 {
			// Paint the location and the rule, not the message.
			rest := strings.TrimPrefix(l, lead)
			rule, msg, _ := strings.Cut(rest, " ")
			if !strings.HasPrefix(l, lead) || !strings.HasPrefix(rest, d.Rule) {
				t.print("  " + l + "\n")
				continue
			}
			t.print("  " + t.paint(ansiBold, strings.TrimSuffix(lead, " ")) + sep(lead) + t.paint(color, rule) + sep(msg) + msg + "\n")
			continue
		}
		t.print("    " + l + "\n")
	}
	if d.Hint != "" {
		for i, l := range wrap("hint: "+d.Hint, t.o.Width-4) {
			if i == 0 {
				l = t.paint(ansiDim, "hint:") + strings.TrimPrefix(l, "hint:")
			}
			t.print("    " + l + "\n")
		}
	}
}

func sep(s string) string {
	if s == "" {
		return ""
	}
	return " "
}

func gateStatusColor(s string) string {
	switch s {
	case checks.GatePass:
		return ansiGreen
	case checks.GateSkip:
		return ansiDim
	case checks.GateFail, checks.GateError:
		return ansiRed
	}
	return ansiYellow
}

func (t *term) gates(r *checks.Report) {
	if len(r.Gates) == 0 {
		t.print("\n" + t.paint(ansiDim, "Gates: none evaluated (they need a base to compare with).") + "\n")
		return
	}
	t.print("\n" + t.paint(ansiBold, "Gates") + "\n")
	nameW := 4
	for _, g := range r.Gates {
		nameW = max(nameW, width(clean(g.Name, false)))
	}
	nameW = min(nameW, 24)
	for _, g := range r.Gates {
		g.Name, g.Status, g.Summary = clean(g.Name, false), clean(g.Status, false), clean(g.Summary, true)
		status := strings.ToUpper(g.Status)
		lead := "  " + t.paint(gateStatusColor(g.Status), pad(truncate(status, 5), 5)) + " " + pad(truncate(g.Name, nameW), nameW) + " "
		indent := 2 + 5 + 1 + nameW + 1
		lines := wrap(g.Summary, t.o.Width-indent)
		if len(lines) == 0 {
			lines = []string{""}
		}
		for i, l := range lines {
			if i == 0 {
				t.print(strings.TrimRight(lead+l, " ") + "\n")
				continue
			}
			t.print(strings.Repeat(" ", indent) + l + "\n")
		}
	}
}

func (t *term) verdict(r *checks.Report) {
	groups := groupDiagnostics(r.Diagnostics)
	var counts []string
	for _, sev := range severities {
		counts = append(counts, severityNoun(sev, len(groups[sev])))
	}
	v := verdictOf(r)
	color := ansiGreen
	if v != checks.VerdictPass {
		color = ansiRed
	}
	t.print("\n" + t.paint(ansiBold+color, "Verdict: "+strings.ToUpper(v)) + " (" + strings.Join(counts, ", ") + ")\n")
}

// columns measures text in terminal columns: East Asian wide and fullwidth
// characters (汉字, ｶﾀｶﾅ's fullwidth forms, most emoji) take two, combining
// marks none. Ambiguous characters (…, ─, ░) count as one, as terminals
// outside CJK locales show them; the result does not depend on the
// environment (RUNEWIDTH_EASTASIAN, LANG) so that output is reproducible.
var columns = func() *runewidth.Condition {
	c := runewidth.NewCondition()
	c.EastAsianWidth = false
	return c
}()

// width is the number of terminal columns s takes.
func width(s string) int { return columns.StringWidth(s) }

// pad right-pads s with spaces to n columns.
func pad(s string, n int) string {
	if c := width(s); c < n {
		return s + strings.Repeat(" ", n-c)
	}
	return s
}

// lpad left-pads s with spaces to n columns.
func lpad(s string, n int) string {
	if c := width(s); c < n {
		return strings.Repeat(" ", n-c) + s
	}
	return s
}

// truncate shortens s to at most n columns, ending with "…" when cut (a
// wide character that would straddle the edge is dropped whole).
func truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if width(s) <= n {
		return s
	}
	return columns.Truncate(s, n, "…")
}

// cutWidth splits s after at most n columns (at least one character, so
// that a wide character in a one-column space still makes progress).
func cutWidth(s string, n int) (head, rest string) {
	w := 0
	for i, r := range s {
		rw := columns.RuneWidth(r)
		if w+rw > n && i > 0 {
			return s[:i], s[i:]
		}
		w += rw
	}
	return s, ""
}

// wrap breaks text into lines of at most width columns at spaces; a word
// wider than the line is cut into pieces.
func wrap(text string, lineWidth int) []string {
	lineWidth = max(lineWidth, 10)
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		line, lineLen := "", 0
		for _, word := range strings.Fields(para) {
			for width(word) > lineWidth {
				if lineLen > 0 {
					lines = append(lines, line)
					line, lineLen = "", 0
				}
				var head string
				head, word = cutWidth(word, lineWidth)
				lines = append(lines, head)
			}
			wl := width(word)
			if wl == 0 {
				continue
			}
			switch {
			case lineLen == 0:
				line, lineLen = word, wl
			case lineLen+1+wl <= lineWidth:
				line, lineLen = line+" "+word, lineLen+1+wl
			default:
				lines = append(lines, line)
				line, lineLen = word, wl
			}
		}
		if lineLen > 0 {
			lines = append(lines, line)
		}
	}
	return lines
}

// severityHeading is the terminal heading and colour of a severity's group.
func severityHeading(sev checks.Severity) (string, string) {
	switch sev {
	case checks.SeverityWarning:
		return "Warnings", ansiYellow
	case checks.SeverityInfo:
		return "Notes", ansiCyan
	}
	return "Errors", ansiRed
}
