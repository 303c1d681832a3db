package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"

	"github.com/mpgate/mpgate/checkrun"
	"github.com/mpgate/mpgate/checkrun/cilog"
	"github.com/mpgate/mpgate/checks/analyze"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/render"
)

// analyzeRun is the engine; tests replace it to check the wiring alone.
var analyzeRun = analyze.Run

// checkFlags are check's flags; the checkrun package does what they ask.
type checkFlags = checkrun.Options

func newCheckFlagSet(f *checkFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.Format, "format", render.FormatText, "output format: text, json, markdown, sarif or codequality")
	fs.StringVar(&f.Config, "config", "", "config file (default DIR/"+config.DefaultFile+", optional there)")
	fs.StringVar(&f.Platform, "platform", "", "platform: wechat, alipay, douyin, baidu or qq (default: the config's, else detected)")
	fs.StringVar(&f.Root, "root", "", "mini-program root inside each project's directory (default: project settings' miniprogramRoot, else the directory)")
	fs.StringVar(&f.Project, "project", "", "check only the project with this name from the config")
	fs.StringVar(&f.Output, "output", "", "also write the report to this file (same format, no colour)")
	fs.StringVar(&f.HTML, "html", "", "also write the report as one self-contained HTML file (treemaps, budgets, findings; docs/report.md)")
	fs.BoolVar(&f.NoColor, "no-color", false, "no colour even on a terminal (NO_COLOR does the same)")
	fs.BoolVar(&f.AllPackages, "all-packages", false, "with a base, list the packages of unchanged size too (text format; by default they are counted on one line)")
	fs.StringVar(&f.Base, "base", "", "compare with the merge-base of this ref and HEAD: build both in parallel, apply the gates")
	fs.StringVar(&f.BaseReport, "base-report", "", "compare with this stored JSON report instead of building the base")
	fs.BoolVar(&f.IncludeFiles, "include-files", false, "list every counted file in the JSON report (what --base-report needs to show changed files)")
	fs.BoolVar(&f.Brotli, "brotli", false, "also compute brotli sizes (slower; gzip sizes are always there)")
	fs.BoolVar(&f.NoCache, "no-cache", false, "neither read nor write the per-file analysis cache (MPGATE_CACHE_DIR, default the user cache directory's mpgate)")
	fs.DurationVar(&f.BuildTimeout, "build-timeout", 0, "time limit of each project's build (default 10m)")
	fs.StringVar(&f.BuildLog, "build-log", "", "with --base: keep each build's full log in this directory (default on GitHub Actions $RUNNER_TEMP/mpgate-build-logs, on GitLab CI $CI_PROJECT_DIR/mpgate-build-logs)")
	fs.BoolVar(&f.Post, "post", false, "publish the result to the forge of the CI environment (GitHub Actions, GitLab CI)")
	fs.StringVar(&f.TokenFile, "token-file", "", "read the forge token from this file (with --post)")
	fs.StringVar(&f.Title, "title", "", "with --base: the request's title, for the changelog gate (with --post on GitHub: the pull request's)")
	fs.StringVar(&f.Body, "body", "", "with --base: the request's description, for the changelog gate (with --post on GitHub: the pull request's)")
	fs.StringVar(&f.Labels, "labels", "", "with --base: the request's labels, comma-separated, for the changelog gate (with --post on GitHub: the pull request's)")
	return fs
}

const checkUsageHead = `Usage: mpgate check [flags] [DIR]

Analyses the mini-program(s) in DIR (default "."): the projects of DIR/.mpgate.yml,
or without it the mini-program at DIR itself. Prints a report and exits with
0 (pass), 1 (a gate failed or an error diagnostic) or 2 (usage error, invalid
config, unreadable directory). Flags may come before or after DIR.

Flags:
`

func printCheckUsage(w io.Writer) error {
	return printUsage(w, checkUsageHead, newCheckFlagSet(&checkFlags{}))
}

// parseInterspersed parses flags before and after the positional
// arguments ("check DIR --format json"); "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func runCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var f checkFlags
	fs := newCheckFlagSet(&f)
	positional, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return printCheckUsage(stdout)
	}
	if err != nil {
		return usageError("check: %v (see 'mpgate check -h')", err)
	}
	dir, err := f.Validate(positional)
	if err != nil {
		return cliError(err)
	}
	cfg, err := checkrun.LoadConfig(dir, f.Config)
	if err != nil {
		return cliError(err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if !f.NoCache {
		f.Cache = checkrun.OpenCache(getenv("MPGATE_CACHE_DIR"), 0, logger)
	}
	spec := f.Spec(dir, cfg, logger)
	var (
		post ciPoster
		cl   *cilog.Log
		done = func() {}
	)
	if spec.Compare {
		cl, err = f.PrepareCompare(ctx, &spec, getenv, stderr, func(top string) (err error) {
			post, err = startPost(ctx, cfg, &f, top, getenv, stdout, stderr)
			return err
		})
		if err != nil {
			return cliError(err)
		}
	} else {
		done = f.PrepareHead(&spec, analyzeRun, stderr, isTerminal(stderr))
	}
	res, err := checkrun.Run(ctx, spec)
	done()
	if err != nil {
		if post != nil {
			post.Abort(ctx, err)
		}
		return cliError(err)
	}
	if f.HTML != "" {
		if err := f.WriteHTML(res, getenv); err != nil {
			return cliError(err)
		}
	}
	if err := f.Write(res, version, isTerminal(stdout), getenv, stdout); err != nil {
		return cliError(err)
	}
	if post != nil {
		cl.Phase("publishing the result")
		if err := post.Publish(ctx, res); err != nil {
			return err
		}
	}
	if why := checkrun.Failures(res); why != "" {
		return &exitError{code: exitFail, err: errors.New("check failed: " + why)}
	}
	return nil
}

// cliError gives checkrun's usage errors exit code 2.
func cliError(err error) error {
	if errors.Is(err, checkrun.ErrUsage) {
		return usageError("%v", err)
	}
	return err
}
