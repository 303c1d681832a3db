// Package checkrun is the pipeline of `mpgate check`: one Run for every
// mode. Without a base it analyses each project of the config (head only);
// with a base ref, a stored base report or a CI post it judges the change
// through bot/gate. Either way the outcome is a *compare.Result, written by
// render.Write, so the command has one renderer entry point whatever the
// mode (a head-only result is marked HeadOnly and keeps the mpgate.report/v1
// layouts, byte for byte).
package checkrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot/gate"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/analyze"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/filecache"
	"github.com/mpgate/mpgate/checks/platform"
)

// ErrUsage marks errors the user fixes in the command line, the config or
// the directory (exit code 2). gate.ErrUsage matches too.
var ErrUsage = errors.New("usage")

// usage is an error whose message is shown as it is, marked ErrUsage.
type usage struct{ msg string }

func (u usage) Error() string { return u.msg }

func (u usage) Is(target error) bool { return target == ErrUsage }

func usagef(format string, args ...any) error { return usage{fmt.Sprintf(format, args...)} }

// Spec is one check: what the command's flags and environment say.
type Spec struct {
	// Dir is the directory checked (the repository or a mini-program).
	Dir    string
	Config *config.Config
	// Project limits the check to this project of the config.
	Project string
	// Platform overrides the projects' platform (head only).
	Platform platform.ID
	// Root is the mini-program root inside each project's directory (head only).
	Root         string
	IncludeFiles bool
	Brotli       bool
	BuildTimeout time.Duration
	// Analyze is the engine, the cache wrapped around it (Cached).
	Analyze gate.AnalyzeFunc
	Logger  *slog.Logger
	// ProjectProgress, when set, gives the progress callback of a project's
	// analysis (head only: a terminal's progress line).
	ProjectProgress func(project string) func(stage string, done, total int)

	// Compare judges the change rather than the head alone (--base,
	// --base-report, --post); what follows is for that mode.
	Compare bool
	// Top and Sub are the repository root and Dir relative to it (Locate).
	Top, Sub string
	// BaseRef is compared with; BaseReports replace building the base.
	BaseRef     string
	BaseReports map[string]*checks.Report
	// HeadRev is "HEAD" in CI (the commit under test), empty for the work tree.
	HeadRev     string
	Title, Body string
	Labels      []string
	LogDir      string
	Progress    func(msg string)
	BuildLog    func(title, logPath string)
	// BaseCache, when set, keeps merge-bases' whole reports (gate.Spec):
	// a base analysed before is neither checked out nor analysed again.
	// It is flushed when the run ends.
	BaseCache *filecache.Cache
}

// Locate finds the repository that holds dir: its top level and dir
// relative to it (""), or dir itself when it is in none and git is not
// needed (a stored base report).
func Locate(ctx context.Context, dir string, needGit bool) (top, sub string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", usage{err.Error()}
	}
	top, err = workspace.Toplevel(ctx, abs)
	if err != nil {
		if needGit {
			return "", "", usagef("--base needs a git repository: %v", err)
		}
		top = abs
	}
	sub, err = filepath.Rel(top, abs)
	if err != nil || sub == "." {
		sub = ""
	}
	return top, sub, nil
}

// Run runs the check the spec describes.
func Run(ctx context.Context, s Spec) (*compare.Result, error) {
	if s.Compare {
		return runCompare(ctx, s)
	}
	return runHead(ctx, s)
}

func runCompare(ctx context.Context, s Spec) (*compare.Result, error) {
	spec := gate.Spec{
		RepoDir:      s.Top,
		Subdir:       s.Sub,
		HeadRev:      s.HeadRev,
		BaseRef:      s.BaseRef,
		BaseReports:  s.BaseReports,
		Config:       s.Config,
		BuildTimeout: s.BuildTimeout,
		Title:        s.Title,
		Body:         s.Body,
		Labels:       s.Labels,
		Logger:       s.Logger,
		Analyze:      s.Analyze,
		LogDir:       s.LogDir,
		Progress:     s.Progress,
		BuildLog:     s.BuildLog,
	}
	if s.BaseCache != nil {
		spec.BaseCache = s.BaseCache
		defer func() {
			if err := s.BaseCache.Flush(); err != nil && s.Logger != nil {
				s.Logger.Warn("analysis cache not written", "err", err)
			}
		}()
	}
	if s.Project != "" {
		spec.Projects = []string{s.Project}
	}
	if len(s.BaseReports) == 1 && len(s.Config.Projects) == 1 {
		for _, r := range s.BaseReports {
			spec.BaseReports = map[string]*checks.Report{s.Config.Projects[0].Name: r}
		}
	}
	res, err := gate.Run(ctx, spec)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("check --base: %w", ctx.Err())
		}
		if errors.Is(err, gate.ErrUsage) {
			return nil, usage{err.Error()}
		}
		return nil, err
	}
	return res, nil
}

// runHead analyses each project's head as it is on disk, stamps the commit
// (so the JSON report serves as a later --base-report) and applies the gates
// that need no base (coverage minimum, lint) to the first report.
func runHead(ctx context.Context, s Spec) (*compare.Result, error) {
	projects := s.Config.Projects
	if s.Project != "" {
		p, ok := s.Config.Project(s.Project)
		if !ok {
			return nil, usagef("no project %q in %s; its projects: %s", s.Project, configName(s.Config), strings.Join(quoted(s.Config.ProjectNames()), ", "))
		}
		projects = []config.Project{p}
	}
	reports := make([]*checks.Report, 0, len(projects))
	roots := make([]string, 0, len(projects))
	for _, p := range projects {
		r, err := analyzeProject(ctx, s, p)
		if err != nil {
			return nil, err
		}
		reports = append(reports, r)
		roots = append(roots, p.Root)
	}
	gate.StampRevision(ctx, s.Dir, reports)
	cfg := s.Config
	if cfg.Gates.Coverage.Report != "" || cfg.Gates.Lint.Report != "" {
		r := reports[0]
		r.Gates = append(r.Gates, gate.Absolute(ctx, gate.Spec{RepoDir: s.Dir, Config: cfg, BuildTimeout: s.BuildTimeout, Logger: s.Logger})...)
		r.Verdict = analyze.Verdict(r)
	}
	return compare.NewHeadOnly(reports, roots), nil
}

func analyzeProject(ctx context.Context, s Spec, p config.Project) (*checks.Report, error) {
	pdir := filepath.Join(s.Dir, filepath.FromSlash(p.Root))
	label := p.Name
	if label == "" {
		label = pdir
	}
	if err := ReadableDir(pdir); err != nil {
		msg := fmt.Sprintf("cannot read directory %s: %v", pdir, err)
		if p.Name != "" {
			msg = "project " + p.Name + ": " + msg
		}
		if p.Build != "" {
			msg += fmt.Sprintf("; it is built by %q: run the build first", p.Build)
		} else if p.Line > 0 {
			msg += "; fix its root in the config"
		}
		return nil, usage{msg}
	}
	opt := analyze.Options{
		Platform:     p.Platform,
		Root:         s.Root,
		Limits:       p.CheckLimits(),
		Logger:       s.Logger,
		IncludeFiles: s.IncludeFiles,
		Brotli:       s.Brotli,
		// A project with a build command is analysed in its build output,
		// which is already processed: limits apply to its bytes as they are.
		BuildOutput: p.Build != "",
		Boundaries:  analyze.BoundariesOf(s.Config, p.Root),
	}
	if s.Platform != "" {
		opt.Platform = s.Platform
	}
	if s.ProjectProgress != nil {
		opt.Progress = s.ProjectProgress(p.Name)
	}
	an := s.Analyze
	if an == nil {
		an = analyze.Run
	}
	r, err := an(ctx, pdir, opt)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("analysing %s: %w", label, ctxErr)
		}
		return nil, usagef("analysing %s: %v", label, err)
	}
	if r == nil {
		return nil, fmt.Errorf("analysing project %s: the engine returned no report", label)
	}
	if r.Project == "" {
		r.Project = p.Name
	}
	return r, nil
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

// ReadBaseReports reads a stored report (one project) or a reports file
// (several), keyed by project name.
func ReadBaseReports(path string) (map[string]*checks.Report, error) {
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
