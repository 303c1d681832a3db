package main

import (
	"io"
	"path/filepath"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/htmlreport"
	"github.com/mpgate/mpgate/checks/render"
	"github.com/mpgate/mpgate/publish"
)

// writeHTML writes check --html's report: links go to the forge's files at sha in CI, else stay relative.
func writeHTML(file string, res *compare.Result, sha string, getenv func(string) string) error {
	o := htmlreport.Options{FileURL: htmlreport.FileURL(getenv, sha)}
	if err := publish.WriteAtomic(file, func(w io.Writer) error { return htmlreport.Write(w, res, o) }); err != nil {
		return usageError("--html: %v", err)
	}
	return nil
}

// htmlResult is the result check writes as HTML without a base: its reports and where they lie.
func htmlResult(reports []*checks.Report, locs []render.LocationOptions) (*compare.Result, string) {
	prefixes := make([]string, len(locs))
	for i, l := range locs {
		prefixes[i] = l.Prefix
	}
	sha := ""
	if len(reports) > 0 {
		sha = reports[0].Revision
	}
	return htmlreport.FromReports(reports, prefixes), sha
}

// relTo is file relative to dir ("" when file is "" or cannot be made relative; dir "" = the working
// directory).
func relTo(dir, file string) string {
	if file == "" {
		return ""
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return ""
	}
	if dir == "" {
		dir = "."
	}
	base, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(base, abs)
	if err != nil {
		return ""
	}
	return filepath.ToSlash(rel)
}
