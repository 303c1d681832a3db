package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"

	"github.com/mpgate/mpgate/publish/actions"
)

const reportUsage = `Usage: mpgate report post --report FILE [flags]

Posts a JSON result written by 'mpgate check --post' (its output 'report')
to GitHub: the check run "mpgate" on the result's head commit and the sticky
comment on its pull request. It is the second half of the fork-safe pair: a
pull_request workflow (read-only token) uploads the result as an artifact, a
workflow_run workflow (with checks: write and pull-requests: write)
downloads it and runs this. Under workflow_run the commit and the pull
request come from the event, not from the file (which the pull request's
code could have written): the file must name the same commit. Exits 0 once
posted, whatever the verdict (the check run carries it); 2 when it cannot
post. Environment: as for check --post; MPGATE_COMMENT=false skips the comment.

Flags:
`

type reportFlags struct {
	report    string
	tokenFile string
}

func newReportFlagSet(f *reportFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("report post", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.report, "report", "", "the JSON result written by check --post (required)")
	fs.StringVar(&f.tokenFile, "token-file", "", "read the GitHub token from this file (default: GITHUB_TOKEN)")
	return fs
}

func printReportUsage(w io.Writer) error {
	return printUsage(w, reportUsage, newReportFlagSet(&reportFlags{}))
}

// runReport is `mpgate report SUBCOMMAND`.
func runReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) == 0 {
			return usageError("report: which? the subcommands are post (mpgate report post --report FILE) and health (mpgate report health --since 90d)")
		}
		return printReportUsage(stdout)
	}
	if args[0] == "health" {
		return runReportHealth(ctx, args[1:], getenv, stdout)
	}
	if args[0] != "post" {
		return usageError("report: unknown subcommand %q; the subcommands are post and health", args[0])
	}
	var f reportFlags
	fs := newReportFlagSet(&f)
	rest, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return printReportUsage(stdout)
	}
	if err != nil {
		return usageError("report post: %v (see 'mpgate report post -h')", err)
	}
	if len(rest) > 0 {
		return usageError("report post: unexpected arguments %s", strings.Join(rest, " "))
	}
	if f.report == "" {
		return usageError("report post: --report FILE is required (the JSON result of check --post)")
	}
	return actions.PostReport(ctx, actionsConfig(getenv, f.tokenFile, stdout, stderr), f.report)
}
