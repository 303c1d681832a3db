package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"

	"github.com/mpgate/mpgate/bot/gate"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/render"
	"github.com/mpgate/mpgate/publish"
)

// runCompare is `check --base REF` / `--base-report FILE`: judge the change
// between the merge-base and the head of the repository that holds dir.
func runCompare(ctx context.Context, dir string, cfg *config.Config, f checkFlags, getenv func(string) string, stdout, stderr io.Writer) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return usageError("%v", err)
	}
	top, err := workspace.Toplevel(ctx, abs)
	if err != nil {
		if f.base != "" {
			return usageError("--base needs a git repository: %v", err)
		}
		top = abs // a stored base report needs no git
	}
	sub, err := filepath.Rel(top, abs)
	if err != nil || sub == "." {
		sub = ""
	}
	// --post: the check is running from the start (post.go).
	var post ciPoster
	if f.post {
		if post, err = startPost(ctx, cfg, &f, top, getenv, stdout, stderr); err != nil {
			return err
		}
	}
	spec := gate.Spec{
		RepoDir:      top,
		Subdir:       sub,
		BaseRef:      f.base,
		Config:       cfg,
		BuildTimeout: f.buildTimeout,
		Title:        f.title,
		Body:         f.body,
		Labels:       f.labelList(),
		Logger:       slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	spec.Analyze = cachedAnalyze(f.cache, nil, spec.Logger)
	if f.cache != nil {
		// A merge-base analysed before (the request's previous push) is
		// taken from the cache: no checkout, no analysis.
		spec.BaseCache = f.cache
	}
	if post != nil {
		// In CI the result is published for the commit under test: files the
		// job wrote (coverage and lint reports) are not part of the change.
		// A local run judges a dirty work tree as it is (gate.Spec.HeadRev).
		spec.HeadRev = "HEAD"
	}
	if f.project != "" {
		spec.Projects = []string{f.project}
	}
	if f.baseReport != "" {
		reports, err := readBaseReports(f.baseReport)
		if err != nil {
			return usageError("--base-report: %v", err)
		}
		spec.BaseReports = reports
		if len(cfg.Projects) == 1 && len(reports) == 1 {
			for _, r := range reports {
				spec.BaseReports = map[string]*checks.Report{cfg.Projects[0].Name: r}
			}
		}
	}
	// A line per phase on any output (a CI log was silent while two builds
	// ran), each build's output folded in the CI log, its file kept.
	spec.LogDir = f.buildLog
	if spec.LogDir != "" {
		if spec.LogDir, err = filepath.Abs(spec.LogDir); err != nil {
			return usageError("--build-log: %v", err)
		}
	} else {
		spec.LogDir = defaultBuildLogDir(getenv)
	}
	cl := newCILog(stderr, getenv, spec.LogDir != "")
	spec.Progress, spec.BuildLog = cl.phase, cl.build
	res, err := gate.Run(ctx, spec)
	if f.cache != nil {
		if ferr := f.cache.Flush(); ferr != nil {
			spec.Logger.Warn("analysis cache not written", "err", ferr)
		}
	}
	if err != nil {
		if post != nil {
			post.Abort(ctx, err)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("check --base: %w", ctx.Err())
		}
		if errors.Is(err, gate.ErrUsage) {
			return usageError("%v", err)
		}
		return err
	}

	color := !f.noColor && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb" && isTerminal(stdout)
	width := 80
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n >= 60 {
		width = n
	}
	write := func(w io.Writer, color bool) error {
		switch f.format {
		case formatJSON:
			return render.ResultJSON(w, res)
		case formatMarkdown:
			return render.ResultMarkdown(w, res, render.ResultOptions{})
		case formatSARIF:
			return render.ResultSARIF(w, res, render.SARIFOptions{Version: version})
		case formatCQ:
			return render.ResultCodeQuality(w, res)
		default:
			return render.ResultTerminal(w, res, render.TerminalOptions{Color: color, Width: width,
				AllPackages: f.allPackages, AllPackagesHint: "--all-packages"})
		}
	}
	if err := write(stdout, color); err != nil {
		return fmt.Errorf("writing the result: %w", err)
	}
	if f.output != "" {
		if err := publish.WriteAtomic(f.output, func(w io.Writer) error { return write(w, false) }); err != nil {
			return usageError("--output: %v", err)
		}
	}
	if post != nil {
		cl.phase("publishing the result")
		if err := post.Publish(ctx, res); err != nil {
			return err
		}
	}
	if res.Verdict == checks.VerdictFail {
		return &exitError{code: exitFail, err: errors.New("check failed: " + failedSummary(res))}
	}
	return nil
}

// failedSummary names what failed.
func failedSummary(res *compare.Result) string {
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

// readBaseReports reads a stored report (one project) or a reports file
// (several), keyed by project name.
func readBaseReports(path string) (map[string]*checks.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var probe struct {
		Schema  string           `json:"schema"`
		Reports []*checks.Report `json:"reports"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s: not a JSON report: %v (write one with mpgate check --format json --include-files)", path, err)
	}
	out := map[string]*checks.Report{}
	switch probe.Schema {
	case checks.Schema:
		var r checks.Report
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		out[r.Project] = &r
	case "mpgate.reports/v1":
		for _, r := range probe.Reports {
			out[r.Project] = r
		}
	default:
		return nil, fmt.Errorf("%s: schema %q is not a report (want %s)", path, probe.Schema, checks.Schema)
	}
	return out, nil
}
