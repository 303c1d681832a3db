package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mpgate/mpgate/checkrun/progress"
)

const usageText = `mpgate checks mini-program repositories (WeChat, Alipay, Douyin, Baidu, QQ):
packaging rules, package sizes and gates.

Usage:
  mpgate check [flags] [DIR]   analyse the mini-program(s) in DIR (default ".")
  mpgate report post [flags]   post a stored JSON result to GitHub (fork-safe workflow_run)
  mpgate report health [flags] the engineering health report from the server's database
  mpgate serve [flags]         run the GitHub App server (webhooks, queue, check runs)
  mpgate release SUBCOMMAND    per-module changelogs and releases: plan, apply, check, preview
  mpgate version               print the version, commit and build date
  mpgate healthcheck [flags]   probe a running server's /healthz (exit 0 when healthy)
  mpgate help [COMMAND]        show this help, or a command's

Run 'mpgate check -h' for the flags of check.

Exit codes:
  0  every gate passed (warnings allowed)
  1  a gate failed or there is an error diagnostic
  2  usage error, invalid .mpgate.yml, or a directory that cannot be read

Config: .mpgate.yml (docs/config.md). Commands and flags: docs/cli.md.
`

// run is the whole program: args without the program name, the environment
// through getenv, and the two output streams. The returned error carries
// the exit code (exitCode).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return &exitError{code: exitUsage, err: fmt.Errorf("no command given"), quiet: true}
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "check":
		return runCheck(ctx, rest, getenv, stdout, stderr)
	case "report":
		return runReport(ctx, rest, getenv, stdout, stderr)
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "release":
		return runRelease(ctx, rest, getenv, stdout, stderr)
	case "version", "--version", "-version":
		if len(rest) > 0 {
			return usageError("version takes no arguments")
		}
		_, err := fmt.Fprint(stdout, readBuild().Long())
		return err
	case "healthcheck":
		return runHealthcheck(ctx, rest, getenv, stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			switch rest[0] {
			case "check":
				return printCheckUsage(stdout)
			case "report":
				return printReportUsage(stdout)
			case "serve":
				return printServeUsage(stdout)
			case "release":
				return printReleaseUsage(stdout)
			case "healthcheck":
				return printHealthcheckUsage(stdout)
			case "version", "help":
				_, err := fmt.Fprint(stdout, usageText)
				return err
			}
			return usageError("unknown command %q; the commands are check, report, release, serve, healthcheck, version and help", rest[0])
		}
		_, err := fmt.Fprint(stdout, usageText)
		return err
	default:
		if strings.HasPrefix(cmd, "-") {
			return usageError("flag %s before a command; flags come after it: mpgate check %s", cmd, strings.Join(args, " "))
		}
		return usageError("unknown command %q; run 'mpgate help' for the commands", cmd)
	}
}

// isTerminal reports whether w is a terminal.
var isTerminal = progress.IsTerminal

// printUsage writes a command's usage: head, then fs's flags in the long
// form (the flag package accepts -flag and --flag).
func printUsage(w io.Writer, head string, fs *flag.FlagSet) error {
	var buf strings.Builder
	fs.SetOutput(&buf)
	fs.PrintDefaults()
	_, err := io.WriteString(w, head+strings.ReplaceAll("\n"+buf.String(), "\n  -", "\n  --")[1:])
	return err
}
