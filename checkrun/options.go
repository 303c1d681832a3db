package checkrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot/gate"
	"github.com/mpgate/mpgate/checkrun/cilog"
	"github.com/mpgate/mpgate/checkrun/progress"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/filecache"
	"github.com/mpgate/mpgate/checks/htmlreport"
	"github.com/mpgate/mpgate/checks/platform"
	"github.com/mpgate/mpgate/checks/render"
	"github.com/mpgate/mpgate/publish"
)

// Options are what `mpgate check`'s flags ask for (cmd/mpgate fills them).
type Options struct {
	Format       string
	Config       string
	Platform     string
	Root         string
	Project      string
	Output       string
	HTML         string
	NoColor      bool
	AllPackages  bool
	Base         string
	BaseReport   string
	IncludeFiles bool
	Brotli       bool
	NoCache      bool
	// Cache is the per-file analysis cache (nil with --no-cache).
	Cache        *filecache.Cache
	BuildTimeout time.Duration
	BuildLog     string
	Post         bool
	TokenFile    string
	// The request, for the changelog gate (gates.changelog) with --base.
	Title  string
	Body   string
	Labels string
	// PRLabels are the pull request's labels from the event payload (with
	// --post on GitHub), used when --labels is not given; a label name may
	// hold a comma.
	PRLabels []string
}

// LabelList splits --labels at commas, dropping empty names; without
// --labels it is the event payload's labels.
func (o *Options) LabelList() []string {
	if o.Labels == "" {
		return o.PRLabels
	}
	var out []string
	for l := range strings.SplitSeq(o.Labels, ",") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Validate checks the options and the directory argument, and returns the
// directory to check.
func (o *Options) Validate(positional []string) (string, error) {
	switch o.Format {
	case render.FormatText, render.FormatJSON, render.FormatMarkdown, render.FormatSARIF, render.FormatCodeQuality:
	case "md":
		o.Format = render.FormatMarkdown
	default:
		return "", usagef("check: --format %q: want text, json, markdown, sarif or codequality", o.Format)
	}
	if o.Platform != "" {
		if _, ok := platform.Get(platform.ID(o.Platform)); !ok {
			return "", usagef("check: --platform %q: want wechat, alipay, douyin, baidu or qq", o.Platform)
		}
	}
	if len(positional) > 1 {
		return "", usagef("check: one directory at a time, got %d: %s", len(positional), strings.Join(positional, " "))
	}
	dir := "."
	if len(positional) == 1 {
		dir = positional[0]
	}
	if err := ReadableDir(dir); err != nil {
		return "", usagef("cannot read directory %s: %v; pass the repository or mini-program directory: mpgate check DIR", dir, err)
	}
	return dir, nil
}

// Spec is the check the options ask for in dir with cfg; Analyze and the
// comparison's fields are filled by the caller (PrepareCompare).
func (o *Options) Spec(dir string, cfg *config.Config, logger *slog.Logger) Spec {
	return Spec{Dir: dir, Config: cfg, Project: o.Project, Platform: platform.ID(o.Platform), Root: o.Root,
		IncludeFiles: o.IncludeFiles || o.HTML != "", Brotli: o.Brotli, BuildTimeout: o.BuildTimeout, Logger: logger,
		Compare: o.Base != "" || o.BaseReport != "" || o.Post}
}

// PrepareCompare fills the spec of a check that judges the change (--base,
// --base-report, --post): the repository, the CI post started by startPost
// (with --post; it may set the base and the request from the event), the
// stored base reports, the build logs and the CI log's phases.
func (o *Options) PrepareCompare(ctx context.Context, spec *Spec, getenv func(string) string, stderr io.Writer, startPost func(top string) error) (*cilog.Log, error) {
	var err error
	if spec.Top, spec.Sub, err = Locate(ctx, spec.Dir, o.Base != ""); err != nil {
		return nil, usagef("%v", err)
	}
	if o.Post {
		if err = startPost(spec.Top); err != nil {
			return nil, err
		}
		// In CI the result is published for the commit under test: files the
		// job wrote (coverage and lint reports) are not part of the change.
		// A local run judges a dirty work tree as it is (gate.Spec.HeadRev).
		spec.HeadRev = "HEAD"
	}
	// startPost may have set the base and the request from the event.
	spec.BaseRef, spec.Title, spec.Body, spec.Labels = o.Base, o.Title, o.Body, o.LabelList()
	spec.Analyze = Cached(o.Cache, nil, spec.Logger)
	// A merge-base analysed before (the request's previous push) is taken
	// from the cache: no checkout, no analysis.
	spec.BaseCache = o.Cache
	if o.BaseReport != "" {
		if spec.BaseReports, err = ReadBaseReports(o.BaseReport); err != nil {
			return nil, usagef("--base-report: %v", err)
		}
	}
	// A line per phase on any output (a CI log was silent while two builds
	// ran), each build's output folded in the CI log, its file kept.
	spec.LogDir = o.BuildLog
	if spec.LogDir != "" {
		if spec.LogDir, err = filepath.Abs(spec.LogDir); err != nil {
			return nil, usagef("--build-log: %v", err)
		}
	} else {
		spec.LogDir = cilog.DefaultBuildLogDir(getenv)
	}
	cl := cilog.New(stderr, getenv, spec.LogDir != "")
	spec.Progress, spec.BuildLog = cl.Phase, cl.Build
	return cl, nil
}

// PrepareHead fills the spec of a head-only check: the engine an with the
// cache around it and, when stderr is a terminal, the progress line there.
// done removes the line: call it when Run returns.
func (o *Options) PrepareHead(spec *Spec, an gate.AnalyzeFunc, stderr io.Writer, terminal bool) (done func()) {
	spec.Analyze = Cached(o.Cache, an, spec.Logger)
	if !terminal {
		return func() {}
	}
	prog := progress.New(stderr)
	spec.ProjectProgress = prog.ForProject
	return prog.Start()
}

// Write writes the result to stdout (in colour when terminal says stdout is
// one and the environment allows it) and, with --output, to a file.
func (o *Options) Write(res *compare.Result, version string, terminal bool, getenv func(string) string, stdout io.Writer) error {
	w := render.WriteOptions{Format: o.Format, SARIF: render.SARIFOptions{Version: version}}
	w.Terminal.Color = !o.NoColor && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb" && terminal
	w.Terminal.Width = 80
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n >= 60 {
		w.Terminal.Width = n
	}
	w.Terminal.AllPackages, w.Terminal.AllPackagesHint = o.AllPackages, "--all-packages"
	if err := render.Write(stdout, res, w); err != nil {
		what := "result"
		if res.HeadOnly {
			what = "report"
		}
		return fmt.Errorf("writing the %s: %w", what, err)
	}
	if o.Output == "" {
		return nil
	}
	// The file has no colour; a head-only report is 80 columns wide, a
	// comparison keeps the terminal's width.
	w.Terminal.Color = false
	if res.HeadOnly {
		w.Terminal.Width = 80
	}
	if err := publish.WriteAtomic(o.Output, func(f io.Writer) error { return render.Write(f, res, w) }); err != nil {
		return usagef("--output: %v", err)
	}
	return nil
}

// WriteHTML writes --html's report: links go to the forge's files at the
// head commit in CI, else stay relative. Without --include-files the
// head-only report's files are dropped again afterwards (the other outputs
// list them only when asked).
func (o *Options) WriteHTML(res *compare.Result, getenv func(string) string) error {
	sha := res.HeadRev
	for _, r := range res.Reports() {
		if sha == "" && r != nil {
			sha = r.Revision
		}
	}
	h := htmlreport.Options{FileURL: htmlreport.FileURL(getenv, sha)}
	if err := publish.WriteAtomic(o.HTML, func(w io.Writer) error { return htmlreport.Write(w, res, h) }); err != nil {
		return usagef("--html: %v", err)
	}
	if res.HeadOnly && !o.IncludeFiles {
		for _, r := range res.Reports() {
			if r != nil {
				r.Files = nil
			}
		}
	}
	return nil
}

// LoadConfig reads the config: file when given, else DIR/.mpgate.yml
// (optional there). Its errors are ErrUsage.
func LoadConfig(dir, file string) (*config.Config, error) {
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
		return nil, usagef("invalid config:\n%v\n(the keys are documented in docs/config.md)", err)
	case errors.Is(err, fs.ErrNotExist):
		return nil, usagef("--config %s: no such file", file)
	default:
		return nil, usagef("%v", err)
	}
}

// CoverageFromEnv lets MPGATE_COVERAGE (c: the action's coverage input, a
// path relative to the working directory) override gates.coverage.report,
// which is relative to the repository top. Its errors are ErrUsage.
func CoverageFromEnv(cfg *config.Config, top, c string) error {
	if c == "" {
		return nil
	}
	abs, err := filepath.Abs(c)
	if err != nil {
		return usagef("MPGATE_COVERAGE: %v", err)
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return usagef("MPGATE_COVERAGE %s: not inside the repository %s", c, top)
	}
	cfg.Gates.Coverage.Report = filepath.ToSlash(rel)
	return nil
}
