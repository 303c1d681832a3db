package main

import (
	"io"
	"path/filepath"

	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/htmlreport"
	"github.com/mpgate/mpgate/publish"
)

// writeHTML writes check --html's report: links go to the forge's files at the head commit in CI, else
// stay relative.
func writeHTML(file string, res *compare.Result, getenv func(string) string) error {
	sha := res.HeadRev
	for _, r := range res.Reports() {
		if sha == "" && r != nil {
			sha = r.Revision
		}
	}
	o := htmlreport.Options{FileURL: htmlreport.FileURL(getenv, sha)}
	if err := publish.WriteAtomic(file, func(w io.Writer) error { return htmlreport.Write(w, res, o) }); err != nil {
		return usageError("--html: %v", err)
	}
	return nil
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
