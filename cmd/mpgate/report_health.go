package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot/health"
)

const reportHealthUsage = `Usage: mpgate report health [--since 90d] [--format markdown|json] [flags]

Writes the engineering health report from the database of 'mpgate serve'
(the same --data-dir or --database-url, and their MPGATE_ variables): per
repository the runs, passes and failures, build failures, line coverage, the
gates' pass rate, the time from a failing run to the next green one, and the
packages against their limits at the default branch. JSON follows the
mpgate.health/v1 shape in docs/pages.md. Exits 0 when written, 2 when the
database cannot be read.

Flags:
`

// reportHealthFlags are report health's flags; bot/health does what they ask.
type reportHealthFlags = health.Options

func newReportHealthFlagSet(f *reportHealthFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("report health", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.Since, "since", "90d", "the period: days (90d) or a Go duration (36h)")
	fs.StringVar(&f.Format, "format", "markdown", "markdown or json")
	fs.StringVar(&f.DataDir, "data-dir", "./mpgate-data", "the server's data directory (its SQLite database)")
	fs.StringVar(&f.DatabaseURL, "database-url", "", "the server's PostgreSQL database instead (postgres://…)")
	return fs
}

func printReportHealthUsage(w io.Writer) error {
	return printUsage(w, reportHealthUsage, newReportHealthFlagSet(&reportHealthFlags{}))
}

// runReportHealth is `mpgate report health`.
func runReportHealth(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var f reportHealthFlags
	fs := newReportHealthFlagSet(&f)
	rest, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return printReportHealthUsage(stdout)
	}
	if err != nil {
		return usageError("report health: %v (see 'mpgate report health -h')", err)
	}
	if len(rest) > 0 {
		return usageError("report health: unexpected arguments %s", strings.Join(rest, " "))
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, name := range []string{"data-dir", "database-url"} {
		if v := getenv(envName(name)); v != "" && !set[name] {
			_ = fs.Set(name, v)
		}
	}
	rep, err := f.Report(ctx, time.Now())
	if errors.Is(err, health.ErrUsage) {
		return usageError("report health: %v", err)
	}
	if err != nil {
		return fmt.Errorf("report health: %w", err)
	}
	return f.Write(stdout, rep)
}
