package coverage

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// WriteSummary writes a plain-text table of the report: one row per file
// (sorted by path) with covered/total lines, the percentage and, for files with
// line data, the uncovered lines as ranges; then the total. A file without
// executable lines shows "-" for its percentage.
func (r *Report) WriteSummary(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "format: %s\n", r.Format)
	for _, p := range r.SortedPaths() {
		f := r.Files[p]
		fmt.Fprintf(&b, "%s\t%d/%d\t%s", p, f.Covered, f.Total, pct(f.Covered, f.Total))
		switch {
		case f.Lines == nil:
			b.WriteString("\t(summary only)")
		case f.Covered < f.Total:
			b.WriteString("\tmissed: ")
			b.WriteString(missedRanges(f))
		}
		b.WriteByte('\n')
	}
	c, t := r.Totals()
	fmt.Fprintf(&b, "TOTAL\t%d/%d\t%s\n", c, t, pct(c, t))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write coverage summary: %w", err)
	}
	return nil
}

func pct(c, t int) string {
	if t == 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(c)*100/float64(t), 'f', 2, 64) + "%"
}

// missedRanges lists the uncovered executable lines as "3-5,9": a range joins
// uncovered lines with no covered executable line between them.
func missedRanges(f *File) string {
	lines := make([]int, 0, len(f.Lines))
	for n := range f.Lines {
		lines = append(lines, n)
	}
	slices.Sort(lines)
	var parts []string
	start, end := -1, -1
	flush := func() {
		if start < 0 {
			return
		}
		if start == end {
			parts = append(parts, strconv.Itoa(start))
		} else {
			parts = append(parts, strconv.Itoa(start)+"-"+strconv.Itoa(end))
		}
		start, end = -1, -1
	}
	for _, n := range lines {
		if f.Lines[n] > 0 {
			flush()
			continue
		}
		if start < 0 {
			start = n
		}
		end = n
	}
	flush()
	return strings.Join(parts, ",")
}
