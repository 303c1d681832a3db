package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
)

// The output formats of Write.
const (
	FormatText        = "text"
	FormatJSON        = "json"
	FormatMarkdown    = "markdown"
	FormatSARIF       = "sarif"
	FormatCodeQuality = "codequality"
)

// WriteOptions say how Write writes a result.
type WriteOptions struct {
	// Format is one of the Format constants; anything else is text.
	Format string
	// Terminal is for the text format (colour, width).
	Terminal TerminalOptions
	// SARIF is for the sarif format.
	SARIF SARIFOptions
}

// Write writes a check's result in the chosen format: the one entry point
// of `mpgate check` whatever the mode. A head-only result
// (compare.Result.HeadOnly) is written as its reports (mpgate.report/v1 for
// one project, mpgate.reports/v1 for several, and the report layouts of
// the text and Markdown); a comparison as mpgate.result/v1 and the result
// layouts.
func Write(w io.Writer, res *compare.Result, o WriteOptions) error {
	if res.HeadOnly {
		return writeReports(w, res, o)
	}
	switch o.Format {
	case FormatJSON:
		return ResultJSON(w, res)
	case FormatMarkdown:
		return ResultMarkdown(w, res, ResultOptions{})
	case FormatSARIF:
		return ResultSARIF(w, res, o.SARIF)
	case FormatCodeQuality:
		return ResultCodeQuality(w, res)
	default:
		return ResultTerminal(w, res, o.Terminal)
	}
}

func writeReports(w io.Writer, res *compare.Result, o WriteOptions) error {
	rs := res.Reports()
	locs := make([]LocationOptions, len(res.Projects))
	for i, c := range res.Projects {
		locs[i] = LocationOptions{Prefix: c.PathPrefix}
	}
	switch o.Format {
	case FormatSARIF:
		return SARIF(w, rs, locs, o.SARIF)
	case FormatCodeQuality:
		return CodeQuality(w, rs, locs)
	case FormatJSON:
		if len(rs) == 1 {
			return JSON(w, rs[0])
		}
		return JSONReports(w, rs)
	case FormatMarkdown:
		return reportsMarkdown(w, rs)
	default:
		return reportsTerminal(w, rs, o.Terminal)
	}
}

func reportsMarkdown(w io.Writer, rs []*checks.Report) error {
	for i, r := range rs {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := Markdown(w, r, MarkdownOptions{}); err != nil {
			return err
		}
	}
	if len(rs) > 1 {
		_, err := fmt.Fprintf(w, "\n**Overall verdict: %s**\n", Verdict(rs...))
		return err
	}
	return nil
}

func reportsTerminal(w io.Writer, rs []*checks.Report, o TerminalOptions) error {
	width := o.Width
	if width == 0 {
		width = 80
	}
	for i, r := range rs {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"+strings.Repeat("─", min(width, 80))+"\n\n"); err != nil {
				return err
			}
		}
		if err := Terminal(w, r, o); err != nil {
			return err
		}
	}
	if len(rs) > 1 {
		_, err := fmt.Fprintf(w, "\nOverall verdict: %s (%d projects)\n", strings.ToUpper(Verdict(rs...)), len(rs))
		return err
	}
	return nil
}
