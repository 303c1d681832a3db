package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mpgate/mpgate/checkrun"
	"github.com/mpgate/mpgate/checkrun/cilog"
	"github.com/mpgate/mpgate/checkrun/progress"
	"github.com/mpgate/mpgate/checks/analyze"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/filecache"
	"github.com/mpgate/mpgate/checks/platform"
	"github.com/mpgate/mpgate/checks/render"
	"github.com/mpgate/mpgate/publish"
)

// analyzeRun is the engine; tests replace it to check the wiring alone.
var analyzeRun = analyze.Run

// Output formats of check.
const (
	formatText     = render.FormatText
	formatJSON     = render.FormatJSON
	formatMarkdown = render.FormatMarkdown
	formatSARIF    = render.FormatSARIF
	formatCQ       = render.FormatCodeQuality
)

type checkFlags struct {
	format       string
	config       string
	platform     string
	root         string
	project      string
	output       string
	html         string
	noColor      bool
	allPackages  bool
	base         string
	baseReport   string
	includeFiles bool
	brotli       bool
	noCache      bool
	// cache is the per-file analysis cache (nil with --no-cache).
	cache        *filecache.Cache
	buildTimeout time.Duration
	buildLog     string
	post         bool
	tokenFile    string
	// The request, for the changelog gate (gates.changelog) with --base.
	title  string
	body   string
	labels string
	// prLabels are the pull request's labels from the event payload (with
	// --post on GitHub), used when --labels is not given; a label name may
	// hold a comma.
	prLabels []string
}

// labelList splits --labels at commas, dropping empty names; without
// --labels it is the event payload's labels.
func (f *checkFlags) labelList() []string {
	if f.labels == "" {
		return f.prLabels
	}
	var out []string
	for l := range strings.SplitSeq(f.labels, ",") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func newCheckFlagSet(f *checkFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.format, "format", formatText, "output format: text, json, markdown, sarif or codequality")
	fs.StringVar(&f.config, "config", "", "config file (default DIR/"+config.DefaultFile+", optional there)")
	fs.StringVar(&f.platform, "platform", "", "platform: wechat, alipay, douyin, baidu or qq (default: the config's, else detected)")
	fs.StringVar(&f.root, "root", "", "mini-program root inside each project's directory (default: project settings' miniprogramRoot, else the directory)")
	fs.StringVar(&f.project, "project", "", "check only the project with this name from the config")
	fs.StringVar(&f.output, "output", "", "also write the report to this file (same format, no colour)")
	fs.StringVar(&f.html, "html", "", "also write the report as one self-contained HTML file (treemaps, budgets, findings; docs/report.md)")
	fs.BoolVar(&f.noColor, "no-color", false, "no colour even on a terminal (NO_COLOR does the same)")
	fs.BoolVar(&f.allPackages, "all-packages", false, "with a base, list the packages of unchanged size too (text format; by default they are counted on one line)")
	fs.StringVar(&f.base, "base", "", "compare with the merge-base of this ref and HEAD: build both in parallel, apply the gates")
	fs.StringVar(&f.baseReport, "base-report", "", "compare with this stored JSON report instead of building the base")
	fs.BoolVar(&f.includeFiles, "include-files", false, "list every counted file in the JSON report (what --base-report needs to show changed files)")
	fs.BoolVar(&f.brotli, "brotli", false, "also compute brotli sizes (slower; gzip sizes are always there)")
	fs.BoolVar(&f.noCache, "no-cache", false, "neither read nor write the per-file analysis cache (MPGATE_CACHE_DIR, default the user cache directory's mpgate)")
	fs.DurationVar(&f.buildTimeout, "build-timeout", 0, "time limit of each project's build (default 10m)")
	fs.StringVar(&f.buildLog, "build-log", "", "with --base: keep each build's full log in this directory (default on GitHub Actions $RUNNER_TEMP/mpgate-build-logs, on GitLab CI $CI_PROJECT_DIR/mpgate-build-logs)")
	fs.BoolVar(&f.post, "post", false, "publish the result to the forge of the CI environment (GitHub Actions, GitLab CI)")
	fs.StringVar(&f.tokenFile, "token-file", "", "read the forge token from this file (with --post)")
	fs.StringVar(&f.title, "title", "", "with --base: the request's title, for the changelog gate (with --post on GitHub: the pull request's)")
	fs.StringVar(&f.body, "body", "", "with --base: the request's description, for the changelog gate (with --post on GitHub: the pull request's)")
	fs.StringVar(&f.labels, "labels", "", "with --base: the request's labels, comma-separated, for the changelog gate (with --post on GitHub: the pull request's)")
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
	dir, err := f.validate(positional)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(dir, f.config)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if !f.noCache {
		f.cache = checkrun.OpenCache(getenv("MPGATE_CACHE_DIR"), 0, logger)
	}
	spec := checkrun.Spec{Dir: dir, Config: cfg, Project: f.project, Platform: platform.ID(f.platform), Root: f.root,
		IncludeFiles: f.includeFiles || f.html != "", Brotli: f.brotli, BuildTimeout: f.buildTimeout, Logger: logger,
		Compare: f.base != "" || f.baseReport != "" || f.post}
	var (
		post ciPoster
		cl   *cilog.Log
		prog *progress.Line
	)
	if spec.Compare {
		if post, cl, err = prepareCompare(ctx, &spec, &f, getenv, stdout, stderr); err != nil {
			return err
		}
	} else {
		spec.Analyze = checkrun.Cached(f.cache, analyzeRun, logger)
		if isTerminal(stderr) {
			prog = progress.New(stderr)
			stopProgress := prog.Start()
			defer stopProgress()
			spec.ProjectProgress = prog.ForProject
		}
	}
	res, err := checkrun.Run(ctx, spec)
	if prog != nil {
		prog.Clear()
	}
	if err != nil {
		if post != nil {
			post.Abort(ctx, err)
		}
		if errors.Is(err, checkrun.ErrUsage) {
			return usageError("%v", err)
		}
		return err
	}
	if f.html != "" {
		if err := writeHTML(f.html, res, getenv); err != nil {
			return err
		}
		if res.HeadOnly && !f.includeFiles { // the report lists its files only when asked
			for _, r := range res.Reports() {
				if r != nil {
					r.Files = nil
				}
			}
		}
	}
	if err := f.write(res, getenv, stdout); err != nil {
		return err
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

// validate checks the flags and the directory argument, and returns the
// directory to check.
func (f *checkFlags) validate(positional []string) (string, error) {
	switch f.format {
	case formatText, formatJSON, formatMarkdown, formatSARIF, formatCQ:
	case "md":
		f.format = formatMarkdown
	default:
		return "", usageError("check: --format %q: want text, json, markdown, sarif or codequality", f.format)
	}
	if f.platform != "" {
		if _, ok := platform.Get(platform.ID(f.platform)); !ok {
			return "", usageError("check: --platform %q: want wechat, alipay, douyin, baidu or qq", f.platform)
		}
	}
	if len(positional) > 1 {
		return "", usageError("check: one directory at a time, got %d: %s", len(positional), strings.Join(positional, " "))
	}
	dir := "."
	if len(positional) == 1 {
		dir = positional[0]
	}
	if err := checkrun.ReadableDir(dir); err != nil {
		return "", usageError("cannot read directory %s: %v; pass the repository or mini-program directory: mpgate check DIR", dir, err)
	}
	return dir, nil
}

// prepareCompare fills the spec of a check that judges the change (--base,
// --base-report, --post): the repository, the CI post started (the check
// shows as running), the stored base reports, the build logs and the CI
// log's phases.
func prepareCompare(ctx context.Context, spec *checkrun.Spec, f *checkFlags, getenv func(string) string, stdout, stderr io.Writer) (ciPoster, *cilog.Log, error) {
	var err error
	if spec.Top, spec.Sub, err = checkrun.Locate(ctx, spec.Dir, f.base != ""); err != nil {
		return nil, nil, usageError("%v", err)
	}
	var post ciPoster
	if f.post {
		if post, err = startPost(ctx, spec.Config, f, spec.Top, getenv, stdout, stderr); err != nil {
			return nil, nil, err
		}
		// In CI the result is published for the commit under test: files the
		// job wrote (coverage and lint reports) are not part of the change.
		// A local run judges a dirty work tree as it is (gate.Spec.HeadRev).
		spec.HeadRev = "HEAD"
	}
	// startPost may have set the base and the request from the event.
	spec.BaseRef, spec.Title, spec.Body, spec.Labels = f.base, f.title, f.body, f.labelList()
	spec.Analyze = checkrun.Cached(f.cache, nil, spec.Logger)
	// A merge-base analysed before (the request's previous push) is taken
	// from the cache: no checkout, no analysis.
	spec.BaseCache = f.cache
	if f.baseReport != "" {
		if spec.BaseReports, err = checkrun.ReadBaseReports(f.baseReport); err != nil {
			return nil, nil, usageError("--base-report: %v", err)
		}
	}
	// A line per phase on any output (a CI log was silent while two builds
	// ran), each build's output folded in the CI log, its file kept.
	spec.LogDir = f.buildLog
	if spec.LogDir != "" {
		if spec.LogDir, err = filepath.Abs(spec.LogDir); err != nil {
			return nil, nil, usageError("--build-log: %v", err)
		}
	} else {
		spec.LogDir = cilog.DefaultBuildLogDir(getenv)
	}
	cl := cilog.New(stderr, getenv, spec.LogDir != "")
	spec.Progress, spec.BuildLog = cl.Phase, cl.Build
	return post, cl, nil
}

// write writes the result to stdout and, with --output, to a file.
func (f *checkFlags) write(res *compare.Result, getenv func(string) string, stdout io.Writer) error {
	o := render.WriteOptions{Format: f.format, SARIF: render.SARIFOptions{Version: version}}
	o.Terminal.Color = !f.noColor && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb" && isTerminal(stdout)
	o.Terminal.Width = 80
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n >= 60 {
		o.Terminal.Width = n
	}
	o.Terminal.AllPackages, o.Terminal.AllPackagesHint = f.allPackages, "--all-packages"
	if err := render.Write(stdout, res, o); err != nil {
		what := "result"
		if res.HeadOnly {
			what = "report"
		}
		return fmt.Errorf("writing the %s: %w", what, err)
	}
	if f.output == "" {
		return nil
	}
	// The file has no colour; a head-only report is 80 columns wide, a
	// comparison keeps the terminal's width.
	o.Terminal.Color = false
	if res.HeadOnly {
		o.Terminal.Width = 80
	}
	if err := publish.WriteAtomic(f.output, func(w io.Writer) error { return render.Write(w, res, o) }); err != nil {
		return usageError("--output: %v", err)
	}
	return nil
}

func loadConfig(dir, file string) (*config.Config, error) {
	var (
		cfg *config.Config
		err error
	)
	if file != "" {
		cfg, err = config.Load(file)
	} else {
		cfg, err = config.LoadDir(dir)
	}
	switch {
	case err == nil:
		return cfg, nil
	case errors.Is(err, config.ErrInvalid):
		return nil, usageError("invalid config:\n%v\n(the keys are documented in docs/config.md)", err)
	case errors.Is(err, fs.ErrNotExist):
		return nil, usageError("--config %s: no such file", file)
	default:
		return nil, usageError("%v", err)
	}
}
