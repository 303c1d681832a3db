package actions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/publish"
)

// PostReport is `mpgate report post`: it posts the JSON result at path,
// written by check --post in a pull request's workflow, from a privileged
// workflow_run workflow. The commit and the pull request come from the
// event, not from the file (which the pull request's code could have
// written); a token that may not write is an error here.
func PostReport(ctx context.Context, cfg Config, path string) error {
	const what = "report post"
	env, err := ReadEnv(cfg.Getenv, cfg.TokenFile, what)
	if err != nil {
		return err
	}
	var a Artifact
	if err := ReadJSONFile(path, &a); err != nil {
		return publish.Usagef("%s: --report: %v", what, err)
	}
	if a.Schema != compare.ResultSchema {
		return publish.Usagef("%s: --report %s: schema %q, want %s (the JSON result of check --post)", what, path, a.Schema, compare.ResultSchema)
	}
	if a.GitHub == nil {
		a.GitHub = &ArtifactGitHub{}
	}
	comment, err := publish.CommentEnabled(cfg.Getenv)
	if err != nil {
		return err
	}
	p := &Poster{env: env, cfg: cfg, result: path, base: a.GitHub.BaseSHA,
		opt: publish.Options{Project: a.GitHub.Project, Comment: comment, DetailsURL: env.RunURL(), MaxCommentBytes: github.MaxCommentChars,
			FailOnForbidden: true, ForbiddenHint: permissionsHint}}
	if c := a.GitHub.Comment; c != nil {
		p.opt.MinChange, p.opt.RequireChanges = c.MinChange, c.RequireChanges
	}
	c, err := env.Client(cfg.UserAgent, cfg.ClientOptions...)
	if err != nil {
		return err
	}
	head, err := p.reportTarget(ctx, c, a.GitHub)
	if err != nil {
		return err
	}
	if err := p.connect(head); err != nil {
		return err
	}
	if p.opt.PR == 0 {
		fmt.Fprintf(cfg.Stderr, "mpgate: no open pull request has head %s; posting the check run only\n", head)
	}
	return p.Publish(ctx, ArtifactResult(&a))
}

// reportTarget sets the pull request to post on and returns the head
// commit. Under workflow_run they come from the event: pull_requests[0],
// or (empty for a fork's pull request) the open pull requests of the head
// commit, or the file's number once the pull request's head is checked to
// be that commit.
func (p *Poster) reportTarget(ctx context.Context, c *github.Client, art *ArtifactGitHub) (string, error) {
	wr := p.env.Event.WorkflowRun
	if wr == nil {
		if art.HeadSHA == "" {
			return "", publish.Usagef("report post: the result names no head commit and the event is not workflow_run")
		}
		if art.Repository != "" && !strings.EqualFold(art.Repository, p.env.Repo.FullName()) {
			return "", publish.Usagef("report post: the result is for %s, this is %s", art.Repository, p.env.Repo.FullName())
		}
		p.opt.PR = art.PullRequest
		return art.HeadSHA, nil
	}
	if wr.HeadSHA == "" {
		return "", publish.Usagef("report post: the workflow_run event has no head_sha")
	}
	p.opt.DetailsURL = wr.HTMLURL
	if art.HeadSHA != "" && !strings.EqualFold(art.HeadSHA, wr.HeadSHA) {
		return "", publish.Usagef("report post: the result is for commit %s, the workflow run for %s: download the artifact of this run (run-id: ${{ github.event.workflow_run.id }})", art.HeadSHA, wr.HeadSHA)
	}
	if len(wr.PullRequests) > 0 {
		p.opt.PR = wr.PullRequests[0].Number
		return wr.HeadSHA, nil
	}
	repo := p.env.Repo
	pulls, _, err := c.GitHub().PullRequests.ListPullRequestsWithCommit(ctx, repo.Owner, repo.Name, wr.HeadSHA, &gh.ListOptions{PerPage: 100})
	if err != nil {
		return "", fmt.Errorf("report post: finding the pull request of %s: %w", wr.HeadSHA, err)
	}
	for _, pr := range pulls {
		if pr.GetState() == "open" && strings.EqualFold(pr.GetHead().GetSHA(), wr.HeadSHA) {
			p.opt.PR = pr.GetNumber()
			return wr.HeadSHA, nil
		}
	}
	if art.PullRequest > 0 {
		pr, err := c.PullRequest(ctx, repo, art.PullRequest)
		var er *gh.ErrorResponse
		if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound {
			return wr.HeadSHA, nil // no such pull request: the check run only
		}
		if err != nil {
			return "", fmt.Errorf("report post: checking pull request #%d: %w", art.PullRequest, err)
		}
		if !strings.EqualFold(pr.HeadSHA, wr.HeadSHA) {
			return "", publish.Usagef("report post: pull request #%d's head is %s, not the workflow run's %s (pushed again since?)", art.PullRequest, pr.HeadSHA, wr.HeadSHA)
		}
		p.opt.PR = art.PullRequest
	}
	return wr.HeadSHA, nil
}
