package checkrun

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
)

// Failures says why the result fails the check, or "" when it passes. A
// head-only check fails on a failing verdict, an error diagnostic, or a
// gate that failed or could not be evaluated, and names them per project;
// a comparison fails on its verdict and counts failed gates and errors.
func Failures(res *compare.Result) string {
	if res.HeadOnly {
		return headFailures(res.Reports())
	}
	if res.Verdict != checks.VerdictFail {
		return ""
	}
	var n, errs int
	for _, g := range res.AllGates() {
		if g.Blocks() {
			n++
		}
	}
	for _, c := range res.Projects {
		if c.Head == nil {
			errs++
			continue
		}
		for _, d := range c.Head.Diagnostics {
			if d.Severity == checks.SeverityError {
				errs++
			}
		}
	}
	return fmt.Sprintf("%s, %s", plural(n, "gate failed", "gates failed"), plural(errs, "error", "errors"))
}

func headFailures(rs []*checks.Report) string {
	var why []string
	for _, r := range rs {
		errs, gates := 0, 0
		for _, d := range r.Diagnostics {
			if d.Severity == checks.SeverityError {
				errs++
			}
		}
		for _, g := range r.Gates {
			if g.Blocks() {
				gates++
			}
		}
		if errs == 0 && gates == 0 && r.Verdict != checks.VerdictFail {
			continue
		}
		var parts []string
		if errs > 0 {
			parts = append(parts, plural(errs, "error diagnostic", "error diagnostics"))
		}
		if gates > 0 {
			parts = append(parts, plural(gates, "failed gate", "failed gates"))
		}
		if len(parts) == 0 {
			parts = append(parts, "verdict fail")
		}
		s := strings.Join(parts, ", ")
		if r.Project != "" && len(rs) > 1 {
			s = r.Project + ": " + s
		}
		why = append(why, s)
	}
	return strings.Join(why, "; ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// ReadableDir checks that dir is a directory whose entries can be listed.
func ReadableDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return errors.New("no such directory")
		}
		return err
	}
	if !st.IsDir() {
		return errors.New("not a directory")
	}
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.ReadDir(1); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}
