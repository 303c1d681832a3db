package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/mpgate/mpgate/checks"
)

// MarkdownOptions shape the Markdown rendering.
type MarkdownOptions struct {
	// Title is the heading; empty means "mpgate" and the project's name.
	Title string
	// HeadingLevel is the level of the title heading (1–4); 0 means 3.
	HeadingLevel int
	// MaxPerSeverity caps the diagnostics listed per severity (the rest are
	// counted); 0 lists all.
	MaxPerSeverity int
}

// Markdown writes the report as GitHub-flavoured Markdown: a package table
// with budget bars, the diagnostics, the gates and the verdict. Text from
// the repository is escaped so it cannot break the tables or inject HTML.
func Markdown(w io.Writer, r *checks.Report, o MarkdownOptions) error {
	if r == nil {
		return fmt.Errorf("rendering Markdown report: no report")
	}
	if o.HeadingLevel <= 0 || o.HeadingLevel > 4 {
		o.HeadingLevel = 3
	}
	m := &md{errWriter: &errWriter{w: w}, o: o}
	m.header(r)
	m.packages(r)
	m.diagnostics(r)
	m.gates(r)
	m.print("**Verdict: " + verdictIcon(verdictOf(r)) + " " + mdText(verdictOf(r)) + "**\n")
	if m.err != nil {
		return fmt.Errorf("rendering Markdown report: %w", m.err)
	}
	return nil
}

type md struct {
	*errWriter
	o MarkdownOptions
}

func (m *md) heading(extra int, text string) {
	m.print(strings.Repeat("#", min(m.o.HeadingLevel+extra, 6)) + " " + text + "\n\n")
}

func verdictIcon(v string) string {
	if v == checks.VerdictPass {
		return "✅"
	}
	return "❌"
}

func gateIcon(s string) string {
	switch s {
	case checks.GatePass:
		return "✅"
	case checks.GateFail:
		return "❌"
	case checks.GateSkip:
		return "⏭️"
	}
	return "⚠️"
}

func (m *md) header(r *checks.Report) {
	title := m.o.Title
	if title == "" {
		title = "mpgate"
		if r.Project != "" {
			title += " · " + mdText(r.Project)
		}
	} else {
		title = mdText(title)
	}
	m.heading(0, title+" "+verdictIcon(verdictOf(r)))
	var facts []string
	if r.Platform != "" {
		facts = append(facts, mdText(r.Platform)+" mini-program")
	}
	root := r.Root
	if root == "" {
		root = "."
	}
	facts = append(facts, "root "+mdCode(root), basisText(r))
	m.print(strings.Join(facts, " · ") + "\n\n")
}

func (m *md) budget(used, limit int64, warn float64) string {
	pct, ok := share(used, limit)
	if !ok {
		return "—"
	}
	dot := [...]string{"🟢", "🟡", "🔴"}[level(pct, warn)]
	return dot + " `" + bar(pct, 10, "▓", "░") + "` " + pctString(pct)
}

func (m *md) packages(r *checks.Report) {
	m.print("| Package | Kind | Files | Size | Upload | Gzip | Limit | Budget |\n")
	m.print("|:--|:--|--:|--:|--:|--:|--:|:--|\n")
	files := 0
	for _, p := range r.Packages {
		files += p.Files
		name := mdCode(p.Name)
		if p.Alias != "" && p.Alias != p.Name {
			name += " (" + mdText(p.Alias) + ")"
		}
		m.printf("| %s | %s | %d | %s | %s | %s | %s | %s |\n", name, kindLabel(p), p.Files,
			Size(p.Bytes), Size(p.UploadBytes), Size(p.GzipBytes), mdLimit(p.Limit), m.budget(measured(r, p), p.Limit, r.Limits.Warn))
	}
	m.printf("| **Total** | | %d | %s | %s | %s | %s | %s |\n\n", files,
		Size(r.TotalBytes), Size(r.TotalUploadBytes), Size(r.TotalGzipBytes), mdLimit(r.Limits.Total), m.budget(measuredTotal(r), r.Limits.Total, r.Limits.Warn))
	m.print("<sub>Sizes: " + SizeLegend + ". Upload: estimated size after the platform's own processing. Budget: share of the limit used.</sub>\n\n")
	for _, n := range r.UploadNotes {
		m.print("<sub>Upload estimate: " + mdText(n) + "</sub>\n\n")
	}
}

func mdLimit(n int64) string {
	if n <= 0 {
		return "—"
	}
	return Size(n)
}

func (m *md) diagnostics(r *checks.Report) {
	groups := groupDiagnostics(r.Diagnostics)
	if len(r.Diagnostics) == 0 {
		m.print("No problems found.\n\n")
		return
	}
	var counts []string
	for _, sev := range severities {
		if n := len(groups[sev]); n > 0 {
			counts = append(counts, severityNoun(sev, n))
		}
	}
	m.heading(1, "Diagnostics: "+strings.Join(counts, ", "))
	// Errors and warnings in one table; notes are many and never fail a
	// check, so they are folded away.
	var main []checks.Diagnostic
	for _, sev := range severities[:2] {
		main = append(main, m.capped(groups[sev])...)
	}
	if len(main) > 0 {
		m.table(main)
		for _, sev := range severities[:2] {
			m.more(sev, len(groups[sev]))
		}
		m.print("\n")
	}
	if notes := groups[checks.SeverityInfo]; len(notes) > 0 {
		m.print("<details><summary>" + severityNoun(checks.SeverityInfo, len(notes)) + "</summary>\n\n")
		shown, more := capHints(notes)
		m.table(m.capped(shown))
		for _, l := range more {
			m.print("\n" + mdText(l) + "\n")
		}
		m.more(checks.SeverityInfo, len(shown))
		m.print("\n</details>\n\n")
	}
}

func (m *md) capped(ds []checks.Diagnostic) []checks.Diagnostic {
	if m.o.MaxPerSeverity > 0 && len(ds) > m.o.MaxPerSeverity {
		return ds[:m.o.MaxPerSeverity]
	}
	return ds
}

func (m *md) more(sev checks.Severity, n int) {
	if m.o.MaxPerSeverity > 0 && n > m.o.MaxPerSeverity {
		m.printf("\n… %s not shown (the JSON report has all).\n", severityNoun(sev, n-m.o.MaxPerSeverity))
	}
}

func (m *md) table(ds []checks.Diagnostic) {
	m.print("| | Rule | Where | Message |\n|---|---|---|---|\n")
	for _, d := range ds {
		where := "—"
		if loc := location(d); loc != "" {
			where = mdCode(loc)
		}
		msg := mdText(d.Message)
		if d.Hint != "" {
			msg += "<br>💡 " + mdText(d.Hint)
		}
		sev := d.Severity
		if sev != checks.SeverityError && sev != checks.SeverityWarning {
			sev = checks.SeverityInfo
		}
		m.printf("| %s | %s | %s | %s |\n", severityIcon(sev), mdText(d.Rule), where, msg)
	}
}

func severityIcon(s checks.Severity) string {
	switch s {
	case checks.SeverityError:
		return "❌"
	case checks.SeverityWarning:
		return "⚠️"
	}
	return "ℹ️"
}

func (m *md) gates(r *checks.Report) {
	if len(r.Gates) == 0 {
		m.print("Gates: none evaluated (they need a base to compare with).\n\n")
		return
	}
	m.heading(1, "Gates")
	m.print("| Gate | Status | Summary |\n|---|---|---|\n")
	for _, g := range r.Gates {
		name := mdText(g.Name)
		if g.Rule != "" && g.Rule != g.Name {
			name += " (" + mdText(g.Rule) + ")"
		}
		m.printf("| %s | %s %s | %s |\n", name, gateIcon(g.Status), mdText(g.Status), mdText(g.Summary))
	}
	m.print("\n")
}

// mdText escapes text for a Markdown table cell: no HTML, no emphasis or
// links, no pipes or line breaks that would end the cell.
func mdText(s string) string {
	s = clean(s, true)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\n':
			b.WriteString("<br>")
		case '\\', '`', '*', '_', '[', ']', '|', '~', '#', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode writes s as a code span for a table cell: a fence longer than any
// run of backticks in s, and pipes escaped (GitHub reads \| in a table cell
// as a pipe even inside code).
func mdCode(s string) string {
	s = clean(s, false)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	s = strings.ReplaceAll(s, "|", `\|`)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
