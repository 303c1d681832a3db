package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/mpgate/mpgate/checks/compare"
)

const reportUsage = `Usage: mpgate report post --report FILE [flags]

Posts a JSON result written by 'mpgate check --post' (its output 'report')
to GitHub: the check run "mpgate" on the result's head commit and the sticky
comment on its pull request. It is the second half of the fork-safe pair: a
pull_request workflow (read-only token) uploads the result as an artifact, a
workflow_run workflow (with checks: write and pull-requests: write)
downloads it and runs this. Under workflow_run the commit and the pull
request come from the event, not from the file (which the pull request's
code could have written): the file must name the same commit. Exits 0 once
posted, whatever the verdict (the check run carries it); 2 when it cannot
post. Environment: as for check --post; MPGATE_COMMENT=false skips the comment.

Flags:
`

type reportFlags struct {
	report    string
	tokenFile string
}

func newReportFlagSet(f *reportFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("report post", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.report, "report", "", "the JSON result written by check --post (required)")
	fs.StringVar(&f.tokenFile, "token-file", "", "read the GitHub token from this file (default: GITHUB_TOKEN)")
	return fs
}

func printReportUsage(w io.Writer) error {
	var buf bytes.Buffer
	fs := newReportFlagSet(&reportFlags{})
	fs.SetOutput(&buf)
	fs.PrintDefaults()
	flags := strings.ReplaceAll("\n"+buf.String(), "\n  -", "\n  --")[1:]
	_, err := io.WriteString(w, reportUsage+flags)
	return err
}

// runReport is `mpgate report SUBCOMMAND`.
func runReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) == 0 {
			return usageError("report: which? the subcommand is post (mpgate report post --report FILE)")
		}
		return printReportUsage(stdout)
	}
	if args[0] != "post" {
		return usageError("report: unknown subcommand %q; the subcommand is post", args[0])
	}
	var f reportFlags
	fs := newReportFlagSet(&f)
	rest, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return printReportUsage(stdout)
	}
	if err != nil {
		return usageError("report post: %v (see 'mpgate report post -h')", err)
	}
	if len(rest) > 0 {
		return usageError("report post: unexpected arguments %s", strings.Join(rest, " "))
	}
	if f.report == "" {
		return usageError("report post: --report FILE is required (the JSON result of check --post)")
	}
	return reportPost(ctx, f, getenv, stdout, stderr)
}

func reportPost(ctx context.Context, f reportFlags, getenv func(string) string, stdout, stderr io.Writer) error {
	env, err := readGitHubEnv(getenv, f.tokenFile, "report post")
	if err != nil {
		return err
	}
	var a resultArtifact
	if err := readJSONFile(f.report, &a); err != nil {
		return usageError("report post: --report: %v", err)
	}
	if a.Schema != compare.ResultSchema {
		return usageError("report post: --report %s: schema %q, want %s (the JSON result of check --post)", f.report, a.Schema, compare.ResultSchema)
	}
	if a.GitHub == nil {
		a.GitHub = &artifactGitHub{}
	}
	p := &poster{env: env, stdout: stdout, stderr: stderr, project: a.GitHub.Project, comment: true, report: f.report,
		baseSHA: a.GitHub.BaseSHA, details: env.runURL(), failOnForbidden: true}
	if a.GitHub.Comment != nil {
		p.policy = *a.GitHub.Comment
	}
	if v := getenv("MPGATE_COMMENT"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return usageError("MPGATE_COMMENT=%q: want true or false", v)
		}
		p.comment = b
	}
	if p.client, err = env.client(); err != nil {
		return err
	}
	if err := p.target(ctx, a.GitHub); err != nil {
		return err
	}
	if p.pr == 0 {
		fmt.Fprintf(stderr, "mpgate: no open pull request has head %s; posting the check run only\n", p.headSHA)
	}
	return p.publish(ctx, artifactResult(&a))
}

// artifactResult is the result of a file a pull request's workflow wrote:
// projects that are not there are dropped and the verdicts are computed
// again from the gates and findings, not taken from the file.
func artifactResult(a *resultArtifact) *compare.Result {
	res := a.Result
	projects := make([]*compare.Comparison, 0, len(res.Projects))
	for _, c := range res.Projects {
		if c != nil {
			projects = append(projects, c)
		}
	}
	res.Projects = projects
	res.Finish()
	return &res
}

// target sets the head commit and the pull request to post on. Under
// workflow_run they come from the event: pull_requests[0], or (empty for a
// fork's pull request) the open pull requests of the head commit, or the
// file's number once the pull request's head is checked to be that commit.
func (p *poster) target(ctx context.Context, art *artifactGitHub) error {
	wr := p.env.event.WorkflowRun
	if wr == nil {
		if art.HeadSHA == "" {
			return usageError("report post: the result names no head commit and the event is not workflow_run")
		}
		if art.Repository != "" && !strings.EqualFold(art.Repository, p.env.repo.FullName()) {
			return usageError("report post: the result is for %s, this is %s", art.Repository, p.env.repo.FullName())
		}
		p.headSHA, p.pr = art.HeadSHA, art.PullRequest
		return nil
	}
	if wr.HeadSHA == "" {
		return usageError("report post: the workflow_run event has no head_sha")
	}
	p.headSHA = wr.HeadSHA
	p.details = wr.HTMLURL
	if art.HeadSHA != "" && !strings.EqualFold(art.HeadSHA, wr.HeadSHA) {
		return usageError("report post: the result is for commit %s, the workflow run for %s: download the artifact of this run (run-id: ${{ github.event.workflow_run.id }})", art.HeadSHA, wr.HeadSHA)
	}
	if len(wr.PullRequests) > 0 {
		p.pr = wr.PullRequests[0].Number
		return nil
	}
	pulls, _, err := p.client.GitHub().PullRequests.ListPullRequestsWithCommit(ctx, p.env.repo.Owner, p.env.repo.Name, wr.HeadSHA, &gh.ListOptions{PerPage: 100})
	if err != nil {
		return fmt.Errorf("report post: finding the pull request of %s: %w", wr.HeadSHA, err)
	}
	for _, pr := range pulls {
		if pr.GetState() == "open" && strings.EqualFold(pr.GetHead().GetSHA(), wr.HeadSHA) {
			p.pr = pr.GetNumber()
			return nil
		}
	}
	if art.PullRequest > 0 {
		pr, err := p.client.PullRequest(ctx, p.env.repo, art.PullRequest)
		var er *gh.ErrorResponse
		if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound {
			return nil // no such pull request: the check run only
		}
		if err != nil {
			return fmt.Errorf("report post: checking pull request #%d: %w", art.PullRequest, err)
		}
		if !strings.EqualFold(pr.HeadSHA, wr.HeadSHA) {
			return usageError("report post: pull request #%d's head is %s, not the workflow run's %s (pushed again since?)", art.PullRequest, pr.HeadSHA, wr.HeadSHA)
		}
		p.pr = art.PullRequest
	}
	return nil
}
