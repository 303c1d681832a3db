package gitlabci

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/render"
	"github.com/mpgate/mpgate/publish"
)

// CodeQualityFile is the Code Quality report check --post writes, in
// $CI_PROJECT_DIR, for `artifacts: reports: codequality:`
// (MPGATE_CODEQUALITY names another file).
const CodeQualityFile = "gl-code-quality-report.json"

// noteBytes caps the rendered note below GitLab's 1,000,000 characters,
// leaving room for the escapes added after rendering.
const noteBytes = gitlab.MaxNoteChars * 9 / 10

// tokenNotice explains what a CI job token cannot do, and the fix.
const tokenNotice = "GitLab does not let this token write commit statuses or merge-request notes " +
	"(a CI_JOB_TOKEN never may; an access token needs the api scope and the Developer role). " +
	"The result is in this job log and in the Code Quality report %s. To post the status and the note, " +
	"create a project access token with the api scope and the Developer role, and store it as a masked CI/CD variable " +
	TokenVar + " (see docs/gitlab.md)."

// Config is what a command gives the adapter.
type Config struct {
	Getenv func(string) string
	// TokenFile replaces MPGATE_GITLAB_TOKEN and CI_JOB_TOKEN.
	TokenFile      string
	Stdout, Stderr io.Writer
	UserAgent      string
	// ClientOptions are added to the GitLab client's (tests shorten the
	// retry backoff).
	ClientOptions []gitlab.Option
}

// CheckOptions are check --post's.
type CheckOptions struct {
	// Project is --project: its own status name, note and Code Quality
	// file.
	Project string
	// Top is the repository's top directory (the base must be there).
	Top string
	// Base is --base; "" picks the pipeline's unless BaseReport.
	Base string
	// MinChange and RequireChanges are .mpgate.yml's comment section
	// (publish.Options).
	MinChange      int64
	RequireChanges bool
	// BaseReport: --base-report is given, the pipeline's base is not used.
	BaseReport bool
	// HTMLReport is check --html's file, relative to the project directory
	// (the component's artifacts:paths keeps it): the note links it in the
	// job's artifacts. "" = none.
	HTMLReport string
}

// Poster publishes one result from a GitLab CI job: the Code Quality
// report, then the commit status and sticky note (through publish); when
// the token may not write, the verdict and a notice in the job log.
type Poster struct {
	env         *Env
	cfg         Config
	pub         *publish.Publisher
	base        string
	codeQuality string
}

// Prepare reads the job's environment for check --post and checks it,
// without a request to GitLab.
func Prepare(ctx context.Context, cfg Config, opt CheckOptions) (*Poster, error) {
	const what = "check --post"
	env, err := ReadEnv(cfg.Getenv, cfg.TokenFile, what)
	if err != nil {
		return nil, err
	}
	comment, err := publish.CommentEnabled(cfg.Getenv)
	if err != nil {
		return nil, err
	}
	p := &Poster{env: env, cfg: cfg, base: opt.Base}
	switch {
	case opt.Base == "" && !opt.BaseReport:
		if p.base, err = env.ResolveBase(ctx, opt.Top); err != nil {
			return nil, err
		}
	case opt.Base != "":
		if _, err := workspace.RevParse(ctx, opt.Top, opt.Base); err != nil {
			return nil, publish.Usagef("%s: base %s is not in this clone (%v); set GIT_DEPTH: 0 in .gitlab-ci.yml", what, opt.Base, err)
		}
	}
	p.codeQuality = cfg.Getenv("MPGATE_CODEQUALITY")
	if p.codeQuality == "" {
		name := CodeQualityFile
		if opt.Project != "" {
			name = "gl-code-quality-report-" + publish.SafeFileName(opt.Project) + ".json"
		}
		p.codeQuality = filepath.Join(cmp.Or(env.ProjectDir, "."), name)
	}
	c, err := env.Client(cfg.UserAgent, cfg.ClientOptions...)
	if err != nil {
		return nil, err
	}
	target := &Target{Client: c, Repo: env.Repo, HeadSHA: env.HeadSHA, Ref: env.Ref}
	p.pub = publish.New(target, publish.Options{Project: opt.Project, PR: env.MRIID, Comment: comment, DetailsURL: env.JobURL,
		MaxCommentBytes: noteBytes, EscapeComment: gitlab.EscapeMarkdown, TitleOnly: true, MinChange: opt.MinChange, RequireChanges: opt.RequireChanges,
		ReportURL: artifactURL(env.JobURL, opt.HTMLReport)})
	return p, nil
}

// Base is the commit to compare with ("" for none).
func (p *Poster) Base() string { return p.base }

// Request is the merge request, for the changelog gate (nil for none).
func (p *Poster) Request() *publish.Request { return p.env.Request }

// Start sets the commit status running. A failure is said on stderr and
// tried again by Publish.
func (p *Poster) Start(ctx context.Context) {
	if err := p.pub.Start(ctx); err != nil {
		fmt.Fprintf(p.cfg.Stderr, "mpgate: could not set the commit status (trying again at the end): %v\n", err)
	}
}

// Abort fails (or, when interrupted, cancels) the commit status when the
// gate could not run, so it does not stay running.
func (p *Poster) Abort(ctx context.Context, runErr error) {
	if err := p.pub.Abort(ctx, runErr); err != nil {
		fmt.Fprintf(p.cfg.Stderr, "mpgate: could not set the commit status: %v\n", err)
	}
}

// Publish writes the Code Quality report, then sets the commit status and
// keeps the sticky note. A token that may not write (a CI job token, or an
// access token without the api scope or role) falls back to the Code
// Quality report and the job log with a notice; other API errors are
// returned after the report is written.
func (p *Poster) Publish(ctx context.Context, res *compare.Result) error {
	return p.pub.PublishJob(ctx, res, "GitLab", publish.JobOutputs{
		Before: []func(*compare.Result) error{p.writeCodeQuality},
		After:  []func(*compare.Result, publish.Outcome, error) error{p.explain},
	})
}

func (p *Poster) writeCodeQuality(res *compare.Result) error {
	if err := publish.WriteAtomic(p.codeQuality, func(w io.Writer) error { return render.ResultCodeQuality(w, res) }); err != nil {
		return fmt.Errorf("writing the Code Quality report %s: %w", p.codeQuality, err)
	}
	return nil
}

// explain says in the job log why nothing reached the merge request: a
// token that may not write (the Code Quality report still has the
// findings), or one GitLab refused.
func (p *Poster) explain(_ *compare.Result, o publish.Outcome, err error) error {
	if o.Forbidden {
		fmt.Fprintf(p.cfg.Stderr, "%s: %s\n", p.pub.CheckName(), oneLine(o.Title))
		fmt.Fprintf(p.cfg.Stderr, "mpgate: notice: "+tokenNotice+"\n", p.codeQuality)
	}
	if errors.Is(err, publish.ErrUnauthorized) {
		return fmt.Errorf("GitLab refused the token from %s: renew it (an access token with the api scope)", p.env.TokenSource)
	}
	return nil
}

// artifactURL is the address of a file of the job's artifacts (GitLab's
// /-/jobs/ID/artifacts/file/PATH), or "" without a job URL or a file, or for
// a path outside the project directory (artifacts:paths keeps nothing there).
func artifactURL(jobURL, file string) string {
	file = path.Clean(filepath.ToSlash(file))
	if jobURL == "" || file == "." || path.IsAbs(file) || file == ".." || strings.HasPrefix(file, "../") {
		return ""
	}
	segs := strings.Split(file, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.TrimSuffix(jobURL, "/") + "/artifacts/file/" + strings.Join(segs, "/")
}
