// Package render writes a checks.Report for people and machines: a terminal
// table, Markdown for pull-request comments and job summaries, and the JSON
// contract. Human sizes use bases of 1024 (KB = 1024 bytes, MB = 1024 KB), as
// the platforms do; every human rendering says so in its legend.
package render

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mpgate/mpgate/checks"
)

// ReportsSchema is the schema value of the JSON written for several
// projects: {"schema": ReportsSchema, "reports": [...], "verdict": ...}.
const ReportsSchema = "mpgate.reports/v1"

// SizeLegend explains the units of every human rendering.
const SizeLegend = "KB = 1024 bytes, MB = 1024 KB"

// Size formats a byte count for people: "812 B", "402.3 KB", "1.76 MB", with
// bases of 1024. It never needs more than 9 characters below 1 TB.
func Size(n int64) string {
	neg := ""
	if n < 0 {
		neg, n = "-", -n
		if n < 0 { // math.MinInt64
			n = math.MaxInt64
		}
	}
	const kb, mb, gb = 1 << 10, 1 << 20, 1 << 30
	switch {
	case n < kb:
		return neg + strconv.FormatInt(n, 10) + " B"
	case n < 1000*kb:
		return neg + strconv.FormatFloat(float64(n)/kb, 'f', 1, 64) + " KB"
	case n < 1000*mb:
		return neg + strconv.FormatFloat(float64(n)/mb, 'f', 2, 64) + " MB"
	default:
		return neg + strconv.FormatFloat(float64(n)/gb, 'f', 2, 64) + " GB"
	}
}

// measured returns the figure the package's limit is judged on.
func measured(r *checks.Report, p checks.Package) int64 {
	if r.SizeBasis == checks.BasisUploadBytes {
		return p.UploadBytes
	}
	return p.Bytes
}

func measuredTotal(r *checks.Report) int64 {
	if r.SizeBasis == checks.BasisUploadBytes {
		return r.TotalUploadBytes
	}
	return r.TotalBytes
}

// share is used/limit in percent; ok is false without a limit.
func share(used, limit int64) (float64, bool) {
	if limit <= 0 {
		return 0, false
	}
	return float64(used) * 100 / float64(limit), true
}

// level classifies a share: 0 under the warning share, 1 at or above it, 2
// over the limit.
func level(pct, warn float64) int {
	if warn <= 0 {
		warn = 90
	}
	switch {
	case pct > 100:
		return 2
	case pct >= warn:
		return 1
	}
	return 0
}

// bar draws a share as width cells of full and empty, capped at full.
func bar(pct float64, width int, full, empty string) string {
	n := int(math.Round(pct / 100 * float64(width)))
	if pct >= 1 && n == 0 {
		n = 1
	}
	n = max(0, min(n, width))
	return strings.Repeat(full, n) + strings.Repeat(empty, width-n)
}

func pctString(pct float64) string {
	if pct > 999 {
		return ">999%"
	}
	return strconv.Itoa(int(math.Round(pct))) + "%"
}

func kindLabel(p checks.Package) string {
	switch {
	case p.Kind == checks.KindMain:
		return "main"
	case p.Kind == checks.KindWorkers:
		return "workers"
	case p.Independent:
		return "independent"
	}
	return "subpackage"
}

func basisText(r *checks.Report) string {
	if r.SizeBasis == checks.BasisUploadBytes {
		return "limits judged on the upload size (estimated after the platform's own processing)"
	}
	return "limits judged on the source size"
}

// severities in display order.
var severities = []checks.Severity{checks.SeverityError, checks.SeverityWarning, checks.SeverityInfo}

// maxPerHintRule caps how many findings of each hint rule (MP305–MP307:
// bytes that could be saved) text and Markdown list; the rest are counted.
// They are many on real programs and never fail a check.
const maxPerHintRule = 10

var hintRules = map[string]bool{checks.MP305: true, checks.MP306: true, checks.MP307: true}

// capHints keeps the first maxPerHintRule findings of each hint rule and
// returns, in rule order, one "and N more" line per rule that was capped.
func capHints(ds []checks.Diagnostic) ([]checks.Diagnostic, []string) {
	seen := map[string]int{}
	var shown []checks.Diagnostic
	for _, d := range ds {
		if hintRules[d.Rule] {
			seen[d.Rule]++
			if seen[d.Rule] > maxPerHintRule {
				continue
			}
		}
		shown = append(shown, d)
	}
	var more []string
	for _, id := range []string{checks.MP305, checks.MP306, checks.MP307} {
		if n := seen[id] - maxPerHintRule; n > 0 {
			more = append(more, fmt.Sprintf("… and %d more %s (the JSON report has all)", n, id))
		}
	}
	return shown, more
}

// maxPerRule caps how many findings of one rule a judged request's Markdown
// and text list; the rest of the rule is one "… and N more" line (the JSON
// result and the check run's annotations have all).
const maxPerRule = 10

// groupByRule splits xs by rule, the rules in the order they first appear,
// each group in its order.
func groupByRule[T any](xs []T, rule func(T) string) [][]T {
	index := map[string]int{}
	var out [][]T
	for _, x := range xs {
		k := rule(x)
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], x)
	}
	return out
}

func groupDiagnostics(ds []checks.Diagnostic) map[checks.Severity][]checks.Diagnostic {
	g := map[checks.Severity][]checks.Diagnostic{}
	for _, d := range ds {
		sev := d.Severity
		if sev != checks.SeverityError && sev != checks.SeverityWarning {
			sev = checks.SeverityInfo
		}
		g[sev] = append(g[sev], d)
	}
	return g
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func severityNoun(s checks.Severity, n int) string {
	switch s {
	case checks.SeverityError:
		return plural(n, "error", "errors")
	case checks.SeverityWarning:
		return plural(n, "warning", "warnings")
	}
	return plural(n, "note", "notes")
}

// location is "file:line:col", shortened when parts are missing.
func location(d checks.Diagnostic) string {
	if d.File == "" {
		return ""
	}
	s := d.File
	if d.Line > 0 {
		s += ":" + strconv.Itoa(d.Line)
		if d.Column > 0 {
			s += ":" + strconv.Itoa(d.Column)
		}
	}
	return s
}

func verdictOf(r *checks.Report) string {
	if r.Verdict == "" {
		return checks.VerdictPass
	}
	return r.Verdict
}

// Verdict is the verdict over several reports: fail when any failed.
func Verdict(rs ...*checks.Report) string {
	for _, r := range rs {
		if r != nil && verdictOf(r) != checks.VerdictPass {
			return checks.VerdictFail
		}
	}
	return checks.VerdictPass
}

// contract returns a copy of r whose slices are never nil, so the JSON has
// "diagnostics": [] rather than null.
func contract(r *checks.Report) checks.Report {
	c := *r
	if c.Schema == "" {
		c.Schema = checks.Schema
	}
	if c.Packages == nil {
		c.Packages = []checks.Package{}
	}
	if c.Diagnostics == nil {
		c.Diagnostics = []checks.Diagnostic{}
	}
	if c.Gates == nil {
		c.Gates = []checks.Gate{}
	}
	if c.Verdict == "" {
		c.Verdict = checks.VerdictPass
	}
	return c
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing JSON report: %w", err)
	}
	return nil
}

// JSON writes the report contract (schema "mpgate.report/v1"), indented,
// with "diagnostics" and "gates" always lists.
func JSON(w io.Writer, r *checks.Report) error {
	if r == nil {
		return fmt.Errorf("writing JSON report: no report")
	}
	return writeJSON(w, contract(r))
}

// Reports is the JSON shape of several projects' reports.
type Reports struct {
	Schema  string          `json:"schema"`
	Reports []checks.Report `json:"reports"`
	Verdict string          `json:"verdict"`
}

// JSONReports writes several reports as {"schema": "mpgate.reports/v1",
// "reports": [...], "verdict": ...}; the verdict fails when any report does.
func JSONReports(w io.Writer, rs []*checks.Report) error {
	out := Reports{Schema: ReportsSchema, Reports: make([]checks.Report, 0, len(rs)), Verdict: Verdict(rs...)}
	for i, r := range rs {
		if r == nil {
			return fmt.Errorf("writing JSON reports: report %d is missing", i)
		}
		out.Reports = append(out.Reports, contract(r))
	}
	return writeJSON(w, out)
}

// errWriter remembers the first write error so renderers can write freely
// and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}

func (e *errWriter) print(s string) {
	if e.err != nil {
		return
	}
	_, e.err = io.WriteString(e.w, s)
}

// clean replaces control characters (ANSI escapes included) in text taken
// from a repository, so a file name cannot drive the reader's terminal or
// break a Markdown table. Newlines survive when keepNewlines is set.
func clean(s string, keepNewlines bool) string {
	ok := true
	for _, r := range s {
		if isControl(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\n' && keepNewlines {
			return r
		}
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		if isControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError
}
