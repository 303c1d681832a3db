package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"

	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/render"
	"github.com/mpgate/mpgate/publish"
	"github.com/mpgate/mpgate/publish/actions"
	"github.com/mpgate/mpgate/publish/gitlabci"
)

// Client options added to every forge client of check --post, report post
// and release apply (tests shorten the retry backoff).
var (
	githubOptions []github.Option
	gitlabOptions []gitlab.Option
)

// ciPoster publishes check --post's result from the CI job it runs in
// (publish/actions, publish/gitlabci).
type ciPoster interface {
	Base() string
	Request() *publish.Request
	Start(ctx context.Context)
	Abort(ctx context.Context, runErr error)
	Publish(ctx context.Context, res *compare.Result) error
}

// startPost prepares check --post in the CI job: the base from the event
// unless --base or --base-report is given, the request for the changelog
// gate unless the flags describe it, MPGATE_COVERAGE; then shows the check
// running.
func startPost(ctx context.Context, cfg *config.Config, f *checkFlags, top string, getenv func(string) string, stdout, stderr io.Writer) (ciPoster, error) {
	var (
		p   ciPoster
		err error
	)
	if publish.DetectCI(getenv) == publish.GitLabCI {
		p, err = gitlabci.Prepare(ctx, gitlabci.Config{Getenv: getenv, TokenFile: f.TokenFile, Stdout: stdout, Stderr: stderr,
			UserAgent: userAgent(), ClientOptions: gitlabOptions},
			gitlabci.CheckOptions{Project: f.Project, Top: top, Base: f.Base, BaseReport: f.BaseReport != "", HTMLReport: relTo(getenv("CI_PROJECT_DIR"), f.HTML),
				MinChange: int64(cfg.Comment.MinChange), RequireChanges: cfg.Comment.RequireChanges})
	} else {
		// Outside any CI this names what GitHub Actions would set.
		resultPath := ""
		if f.Output != "" && f.Format == render.FormatJSON {
			resultPath = f.Output
		}
		p, err = actions.Prepare(ctx, actionsConfig(getenv, f.TokenFile, stdout, stderr),
			actions.CheckOptions{Project: f.Project, Top: top, Base: f.Base, BaseReport: f.BaseReport != "", ResultPath: resultPath, HTMLReport: f.HTML != "",
				MinChange: int64(cfg.Comment.MinChange), RequireChanges: cfg.Comment.RequireChanges})
	}
	if err != nil {
		return nil, err
	}
	f.Base = p.Base()
	if r := p.Request(); r != nil && f.Title == "" && f.Body == "" && f.Labels == "" {
		f.Title, f.Body, f.PRLabels = r.Title, r.Body, r.Labels
	}
	if err := applyCoverageEnv(cfg, top, getenv); err != nil {
		return nil, err
	}
	p.Start(ctx)
	return p, nil
}

func actionsConfig(getenv func(string) string, tokenFile string, stdout, stderr io.Writer) actions.Config {
	return actions.Config{Getenv: getenv, TokenFile: tokenFile, Stdout: stdout, Stderr: stderr,
		UserAgent: userAgent(), ClientOptions: githubOptions}
}

func userAgent() string {
	if version == "" {
		return "mpgate"
	}
	return "mpgate/" + version
}

// applyCoverageEnv lets MPGATE_COVERAGE (the action's coverage input, a path
// relative to the working directory) override gates.coverage.report, which is
// relative to the repository top.
func applyCoverageEnv(cfg *config.Config, top string, getenv func(string) string) error {
	c := getenv("MPGATE_COVERAGE")
	if c == "" {
		return nil
	}
	abs, err := filepath.Abs(c)
	if err != nil {
		return usageError("MPGATE_COVERAGE: %v", err)
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return usageError("MPGATE_COVERAGE %s: not inside the repository %s", c, top)
	}
	cfg.Gates.Coverage.Report = filepath.ToSlash(rel)
	return nil
}

// relTo is file relative to dir ("" when file is "" or cannot be made relative; dir "" = the working
// directory).
func relTo(dir, file string) string {
	if file == "" {
		return ""
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return ""
	}
	if dir == "" {
		dir = "."
	}
	base, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(base, abs)
	if err != nil {
		return ""
	}
	return filepath.ToSlash(rel)
}
