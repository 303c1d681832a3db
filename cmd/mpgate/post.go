package main

import (
	"context"
	"io"

	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/checkrun"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/render"
	"github.com/mpgate/mpgate/internal/buildinfo"
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
			UserAgent: buildinfo.UserAgent(version), ClientOptions: gitlabOptions},
			gitlabci.CheckOptions{Project: f.Project, Top: top, Base: f.Base, BaseReport: f.BaseReport != "", HTMLReport: publish.RelPath(getenv("CI_PROJECT_DIR"), f.HTML),
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
	if err := checkrun.CoverageFromEnv(cfg, top, getenv("MPGATE_COVERAGE")); err != nil {
		return nil, err
	}
	p.Start(ctx)
	return p, nil
}

func actionsConfig(getenv func(string) string, tokenFile string, stdout, stderr io.Writer) actions.Config {
	return actions.Config{Getenv: getenv, TokenFile: tokenFile, Stdout: stdout, Stderr: stderr,
		UserAgent: buildinfo.UserAgent(version), ClientOptions: githubOptions}
}
