package actions

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/publish"
)

// forkNotice explains the read-only token of a fork's pull request.
const forkNotice = "This token may not write check runs or comments (a pull request from a fork gets a read-only GITHUB_TOKEN). " +
	"The results are in the job summary and in these annotations. To post them on the pull request, " +
	"upload the result (output 'report') as an artifact and run 'mpgate report post' in a workflow_run workflow: " +
	"see docs/github-action.md, \"Pull requests from forks\"."

// permissionsHint is report post's error when its token may not write.
const permissionsHint = "GitHub refused to let this token write check runs or comments: give the workflow 'permissions: {checks: write, pull-requests: write}'"

// Config is what a command gives the adapter.
type Config struct {
	Getenv func(string) string
	// TokenFile replaces GITHUB_TOKEN.
	TokenFile      string
	Stdout, Stderr io.Writer
	UserAgent      string
	// ClientOptions are added to the GitHub client's (tests shorten the
	// retry backoff).
	ClientOptions []github.Option
}

// CheckOptions are check --post's.
type CheckOptions struct {
	// Project is --project: its own check run, comment and result file.
	Project string
	// Top is the repository's top directory (the base must be there).
	Top string
	// Base is --base; "" takes the event's unless BaseReport.
	Base string
	// MinChange and RequireChanges are .mpgate.yml's comment section
	// (publish.Options).
	MinChange      int64
	RequireChanges bool
	// BaseReport: --base-report is given, the event's base is not used.
	BaseReport bool
	// ResultPath is where the JSON result goes ("" for
	// $RUNNER_TEMP/mpgate-result[-PROJECT].json).
	ResultPath string
	// HTMLReport: check --html writes the HTML report, which the Action
	// uploads as an artifact of the run: the comment links the run's page,
	// which lists it (the artifact's own address exists only after the
	// upload, which follows the comment).
	HTMLReport bool
}

// Poster publishes one result from a GitHub Actions job: the check run
// and sticky comment (through publish), the job summary, workflow-command
// annotations where the check run could not carry them, the step outputs
// and the JSON result.
type Poster struct {
	env    *Env
	cfg    Config
	target *Target
	pub    *publish.Publisher
	opt    publish.Options

	base     string
	request  *publish.Request
	result   string // the JSON result's path (output 'report')
	artifact bool   // write the JSON result (check --post); report post reads it
}

// Prepare reads the job's environment for check --post and checks it,
// without a request to GitHub: the base is the event's unless given, and
// must be in the clone.
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
	pr, head, base := env.EventTarget()
	p := &Poster{env: env, cfg: cfg, artifact: true, base: opt.Base, request: env.Request()}
	if p.base == "" && !opt.BaseReport {
		p.base = base
	}
	if p.base != "" {
		if _, err := workspace.RevParse(ctx, opt.Top, p.base); err != nil {
			return nil, publish.Usagef("%s: base %s is not in this clone (%v); check out with actions/checkout and fetch-depth: 0", what, p.base, err)
		}
	}
	name := "mpgate-result.json"
	if opt.Project != "" {
		name = "mpgate-result-" + publish.SafeFileName(opt.Project) + ".json"
	}
	p.result = cmp.Or(opt.ResultPath, filepath.Join(cmp.Or(env.RunnerTemp, os.TempDir()), name))
	p.opt = publish.Options{Project: opt.Project, PR: pr, Comment: comment, DetailsURL: env.RunURL(), MaxCommentBytes: github.MaxCommentChars,
		MinChange: opt.MinChange, RequireChanges: opt.RequireChanges}
	if opt.HTMLReport {
		p.opt.ReportURL = env.RunURL()
	}
	if err := p.connect(head); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Poster) connect(head string) error {
	c, err := p.env.Client(p.cfg.UserAgent, p.cfg.ClientOptions...)
	if err != nil {
		return err
	}
	p.target = &Target{Client: c, Repo: p.env.Repo, HeadSHA: head, ServerURL: p.env.ServerURL}
	if p.opt.PR > 0 {
		p.opt.ChecksURL = p.env.ServerURL + "/" + p.env.Repo.FullName() + "/pull/" + fmt.Sprint(p.opt.PR) + "/checks"
	}
	p.pub = publish.New(p.target, p.opt)
	return nil
}

// Base is the commit to compare with ("" for none).
func (p *Poster) Base() string { return p.base }

// Request is the event's pull request, for the changelog gate (nil for
// none).
func (p *Poster) Request() *publish.Request { return p.request }

// Start creates the check run in_progress on the head commit. A failure
// is said on stderr and tried again by Publish.
func (p *Poster) Start(ctx context.Context) {
	if err := p.pub.Start(ctx); err != nil {
		fmt.Fprintf(p.cfg.Stderr, "mpgate: could not create the check run (trying again at the end): %v\n", err)
	}
}

// Abort completes the check run when the gate could not run at all.
func (p *Poster) Abort(ctx context.Context, runErr error) {
	if err := p.pub.Abort(ctx, runErr); err != nil {
		fmt.Fprintf(p.cfg.Stderr, "mpgate: could not complete the check run: %v\n", err)
	}
}

// Publish posts res everywhere it goes. Errors of the GitHub API are
// returned after the job's own outputs (summary, annotations, step
// outputs) are written; a token that may not write (a fork's) falls back
// to those, with a notice.
func (p *Poster) Publish(ctx context.Context, res *compare.Result) error {
	var jo publish.JobOutputs
	if p.artifact {
		jo.Before = append(jo.Before, p.writeArtifact)
	}
	jo.After = append(jo.After, p.writeSummary, p.printAnnotations, p.writeOutputs)
	return p.pub.PublishJob(ctx, res, "GitHub", jo)
}

func (p *Poster) writeArtifact(res *compare.Result) error {
	where := ArtifactGitHub{Repository: p.env.Repo.FullName(), PullRequest: p.opt.PR, HeadSHA: p.target.HeadSHA, BaseSHA: p.base,
		Event: p.env.EventName, RunID: p.env.RunID, Project: p.opt.Project}
	if p.opt.MinChange != 0 || p.opt.RequireChanges {
		// Only whether and how to comment: report post gates nothing on it.
		where.Comment = &CommentPolicy{MinChange: p.opt.MinChange, RequireChanges: p.opt.RequireChanges}
	}
	if err := WriteArtifact(p.result, res, where); err != nil {
		return fmt.Errorf("writing the JSON result: %w", err)
	}
	return nil
}

func (p *Poster) writeSummary(res *compare.Result, o publish.Outcome, _ error) error {
	if p.env.SummaryPath == "" {
		return nil
	}
	title := "mpgate"
	if p.opt.Project != "" {
		title += " · " + p.opt.Project
	}
	if err := AppendSummary(p.env.SummaryPath, res, title, cmp.Or(o.CheckURL, p.opt.DetailsURL), p.opt.MinChange, p.cfg.Stderr); err != nil {
		return fmt.Errorf("writing the job summary: %w", err)
	}
	return nil
}

// printAnnotations prints workflow-command annotations where the check run
// could not carry them (printing them as well would show every finding
// twice).
func (p *Poster) printAnnotations(_ *compare.Result, o publish.Outcome, _ error) error {
	if o.CheckWritten {
		return nil
	}
	var notices []string
	if o.Forbidden && !p.opt.FailOnForbidden {
		notices = append(notices, forkNotice)
	}
	return PrintAnnotations(p.cfg.Stdout, o.Annotations, notices)
}

func (p *Poster) writeOutputs(res *compare.Result, o publish.Outcome, _ error) error {
	if p.env.OutputPath == "" {
		return nil
	}
	verdict := cmp.Or(res.Verdict, checks.VerdictPass)
	outs := []Output{{OutputVerdict, verdict}, {OutputReport, p.result}, {OutputCommentBody, o.Comment}}
	if err := AppendOutputs(p.env.OutputPath, outs); err != nil {
		return fmt.Errorf("writing the step outputs: %w", err)
	}
	return nil
}
