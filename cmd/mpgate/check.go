package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot/gate"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/analyze"
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
	formatText     = "text"
	formatJSON     = "json"
	formatMarkdown = "markdown"
	formatSARIF    = "sarif"
	formatCQ       = "codequality"
)

type checkFlags struct {
	format       string
	config       string
	platform     string
	root         string
	project      string
	output       string
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
	var buf bytes.Buffer
	fs := newCheckFlagSet(&checkFlags{})
	fs.SetOutput(&buf)
	fs.PrintDefaults()
	// The flag package accepts -flag and --flag; show the long form.
	flags := strings.ReplaceAll("\n"+buf.String(), "\n  -", "\n  --")[1:]
	_, err := io.WriteString(w, checkUsageHead+flags)
	return err
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
	switch f.format {
	case formatText, formatJSON, formatMarkdown, formatSARIF, formatCQ:
	case "md":
		f.format = formatMarkdown
	default:
		return usageError("check: --format %q: want text, json, markdown, sarif or codequality", f.format)
	}
	if f.platform != "" {
		if _, ok := platform.Get(platform.ID(f.platform)); !ok {
			return usageError("check: --platform %q: want wechat, alipay, douyin, baidu or qq", f.platform)
		}
	}
	if len(positional) > 1 {
		return usageError("check: one directory at a time, got %d: %s", len(positional), strings.Join(positional, " "))
	}
	dir := "."
	if len(positional) == 1 {
		dir = positional[0]
	}
	if err := readableDir(dir); err != nil {
		return usageError("cannot read directory %s: %v; pass the repository or mini-program directory: mpgate check DIR", dir, err)
	}

	cfg, err := loadConfig(dir, f.config)
	if err != nil {
		return err
	}
	if !f.noCache {
		f.cache = openCache(getenv("MPGATE_CACHE_DIR"), 0, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	}
	if f.base != "" || f.baseReport != "" || f.post {
		return runCompare(ctx, dir, cfg, f, getenv, stdout, stderr)
	}
	projects := cfg.Projects
	if f.project != "" {
		p, ok := cfg.Project(f.project)
		if !ok {
			return usageError("no project %q in %s; its projects: %s", f.project, configName(cfg), strings.Join(quoted(cfg.ProjectNames()), ", "))
		}
		projects = []config.Project{p}
	}

	color := !f.noColor && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb" && isTerminal(stdout)
	var prog *progress
	if isTerminal(stderr) {
		prog = newProgress(stderr)
		stopProgress := prog.start()
		defer stopProgress()
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	reports := make([]*checks.Report, 0, len(projects))
	locs := make([]render.LocationOptions, 0, len(projects))
	for _, p := range projects {
		r, err := checkProject(ctx, dir, p, analyze.BoundariesOf(cfg, p.Root), f, prog, logger)
		if err != nil {
			return err
		}
		reports = append(reports, r)
		locs = append(locs, render.LocationOptions{Prefix: p.Root})
	}
	if prog != nil {
		prog.clear()
	}
	// A report names its commit, so that used as --base-report it tells
	// which lines a request changed.
	gate.StampRevision(ctx, dir, reports)
	// Coverage minimum and lint need no base: a plain check applies them
	// too, on the first report (they are the repository's gates).
	if cfg.Gates.Coverage.Report != "" || cfg.Gates.Lint.Report != "" {
		r := reports[0]
		r.Gates = append(r.Gates, gate.Absolute(ctx, gate.Spec{RepoDir: dir, Config: cfg, BuildTimeout: f.buildTimeout, Logger: logger})...)
		r.Verdict = analyze.Verdict(r)
	}

	width := 80
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n >= 60 {
		width = n
	}
	out := outputs{reports: reports, locs: locs, format: f.format}
	if err := out.write(stdout, color, width); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if f.output != "" {
		if err := out.writeFile(f.output); err != nil {
			return usageError("--output: %v", err)
		}
	}
	if why := failures(reports); why != "" {
		return &exitError{code: exitFail, err: errors.New("check failed: " + why)}
	}
	return nil
}

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strconv.Quote(n)
	}
	return out
}

func configName(cfg *config.Config) string {
	if cfg.File == "" {
		return "the default config"
	}
	return cfg.File
}

// readableDir checks that dir is a directory whose entries can be listed.
func readableDir(dir string) error {
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

func checkProject(ctx context.Context, dir string, p config.Project, bounds *analyze.Boundaries, f checkFlags, prog *progress,
	logger *slog.Logger) (*checks.Report, error) {
	pdir := filepath.Join(dir, filepath.FromSlash(p.Root))
	label := p.Name
	if label == "" {
		label = pdir
	}
	if err := readableDir(pdir); err != nil {
		msg := fmt.Sprintf("cannot read directory %s: %v", pdir, err)
		if p.Name != "" {
			msg = "project " + p.Name + ": " + msg
		}
		if p.Build != "" {
			msg += fmt.Sprintf("; it is built by %q: run the build first", p.Build)
		} else if p.Line > 0 {
			msg += "; fix its root in the config"
		}
		return nil, usageError("%s", msg)
	}
	opt := analyze.Options{
		Platform:     p.Platform,
		Root:         f.root,
		Limits:       p.CheckLimits(),
		Logger:       logger,
		IncludeFiles: f.includeFiles,
		Brotli:       f.brotli,
		// A project with a build command is analysed in its build output,
		// which is already processed: limits apply to its bytes as they are.
		BuildOutput: p.Build != "",
		Boundaries:  bounds,
	}
	if f.platform != "" {
		opt.Platform = platform.ID(f.platform)
	}
	if prog != nil {
		opt.Progress = prog.forProject(p.Name)
	}
	r, err := cachedAnalyze(f.cache, analyzeRun, logger)(ctx, pdir, opt)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("analysing %s: %w", label, ctxErr)
		}
		return nil, usageError("analysing %s: %v", label, err)
	}
	if r == nil {
		return nil, fmt.Errorf("analysing project %s: the engine returned no report", label)
	}
	if r.Project == "" {
		r.Project = p.Name
	}
	return r, nil
}

// outputs are the reports of one check and how to write them.
type outputs struct {
	reports []*checks.Report
	// locs place each report's paths in the repository (sarif, codequality).
	locs   []render.LocationOptions
	format string
}

func (o outputs) write(w io.Writer, color bool, width int) error {
	rs := o.reports
	switch o.format {
	case formatSARIF:
		return render.SARIF(w, rs, o.locs, render.SARIFOptions{Version: version})
	case formatCQ:
		return render.CodeQuality(w, rs, o.locs)
	case formatJSON:
		if len(rs) == 1 {
			return render.JSON(w, rs[0])
		}
		return render.JSONReports(w, rs)
	case formatMarkdown:
		for i, r := range rs {
			if i > 0 {
				if _, err := io.WriteString(w, "\n"); err != nil {
					return err
				}
			}
			if err := render.Markdown(w, r, render.MarkdownOptions{}); err != nil {
				return err
			}
		}
		if len(rs) > 1 {
			_, err := fmt.Fprintf(w, "\n**Overall verdict: %s**\n", render.Verdict(rs...))
			return err
		}
		return nil
	default:
		for i, r := range rs {
			if i > 0 {
				if _, err := io.WriteString(w, "\n"+strings.Repeat("─", min(width, 80))+"\n\n"); err != nil {
					return err
				}
			}
			if err := render.Terminal(w, r, render.TerminalOptions{Color: color, Width: width}); err != nil {
				return err
			}
		}
		if len(rs) > 1 {
			_, err := fmt.Fprintf(w, "\nOverall verdict: %s (%d projects)\n", strings.ToUpper(render.Verdict(rs...)), len(rs))
			return err
		}
		return nil
	}
}

// writeFile writes the report to path through a temporary file, so a
// reader never sees half a report.
func (o outputs) writeFile(path string) error {
	return publish.WriteAtomic(path, func(w io.Writer) error { return o.write(w, false, 80) })
}

// failures says why the reports fail the check, or "" when they pass: a
// failing verdict, an error diagnostic, or a gate that failed or could not
// be evaluated.
func failures(rs []*checks.Report) string {
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
