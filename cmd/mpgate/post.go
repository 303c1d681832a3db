package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/render"
)

// githubOptions are added to every GitHub client of --post and report post
// (tests shorten the retry backoff).
var githubOptions []github.Option

// GitHub's limits on what a step may write (docs: "Workflow commands").
const (
	// summaryLimit is the size of $GITHUB_STEP_SUMMARY GitHub accepts.
	summaryLimit = 1 << 20
	// workflowAnnotationsPerLevel is how many ::error, ::warning and
	// ::notice annotations of one step GitHub shows.
	workflowAnnotationsPerLevel = 10
	// maxEventBytes bounds the event payload and result files read.
	maxEventBytes = 64 << 20
	// checkName is the check run's name.
	checkName = "mpgate"
)

// forkNotice explains the read-only token of a fork's pull request.
const forkNotice = "This token may not write check runs or comments (a pull request from a fork gets a read-only GITHUB_TOKEN). " +
	"The results are in the job summary and in these annotations. To post them on the pull request, " +
	"upload the result (output 'report') as an artifact and run 'mpgate report post' in a workflow_run workflow: " +
	"see docs/github-action.md, \"Pull requests from forks\"."

// ghEnv is what the GitHub Actions runner tells a step.
type ghEnv struct {
	apiURL, serverURL string
	repo              bot.Repo
	eventName         string
	sha               string // GITHUB_SHA
	runID             string
	summaryPath       string // GITHUB_STEP_SUMMARY
	outputPath        string // GITHUB_OUTPUT
	runnerTemp        string
	token             string
	event             ghEvent
}

// ghRef is the head or base of a pull request in an event payload.
type ghRef struct {
	Ref  string `json:"ref"`
	SHA  string `json:"sha"`
	Repo *struct {
		FullName string `json:"full_name"`
	} `json:"repo"`
}

// ghEvent is the part of $GITHUB_EVENT_PATH mpgate reads: pull_request
// (and pull_request_target), push, workflow_run.
type ghEvent struct {
	Before string `json:"before"`
	After  string `json:"after"`
	// MergeGroup is a merge queue's group (merge_group): its head is the
	// commit tested, its base the queue before it.
	MergeGroup *struct {
		HeadSHA string `json:"head_sha"`
		BaseSHA string `json:"base_sha"`
	} `json:"merge_group"`
	PullRequest *struct {
		Number int    `json:"number"`
		Head   ghRef  `json:"head"`
		Base   ghRef  `json:"base"`
		Title  string `json:"title"`
		Body   string `json:"body"`
		Labels []struct {
			Name string `json:"name"`
		} `json:"labels"`
	} `json:"pull_request"`
	WorkflowRun *struct {
		ID             int64  `json:"id"`
		HeadSHA        string `json:"head_sha"`
		HTMLURL        string `json:"html_url"`
		Event          string `json:"event"`
		HeadRepository *struct {
			FullName string `json:"full_name"`
		} `json:"head_repository"`
		PullRequests []struct {
			Number int   `json:"number"`
			Head   ghRef `json:"head"`
		} `json:"pull_requests"`
	} `json:"workflow_run"`
}

// readGitHubEnv reads the runner's variables, the event payload and the
// token (GITHUB_TOKEN, or tokenFile). what names the command in errors.
func readGitHubEnv(getenv func(string) string, tokenFile, what string) (*ghEnv, error) {
	required := []string{"GITHUB_REPOSITORY", "GITHUB_EVENT_PATH", "GITHUB_SHA"}
	if getenv("GITHUB_ACTIONS") != "true" {
		if getenv("GITLAB_CI") == "true" {
			return nil, usageError("%s is for GitHub Actions; on GitLab CI, mpgate check --post posts the result itself (see docs/gitlab.md)", what)
		}
		missing := []string{"GITHUB_ACTIONS=true"}
		for _, k := range required {
			if getenv(k) == "" {
				missing = append(missing, k)
			}
		}
		if tokenFile == "" && getenv("GITHUB_TOKEN") == "" {
			missing = append(missing, "GITHUB_TOKEN (or --token-file)")
		}
		return nil, usageError("%s publishes from GitHub Actions, and this is not a GitHub Actions run: missing %s", what, strings.Join(missing, ", "))
	}
	var missing []string
	for _, k := range required {
		if getenv(k) == "" {
			missing = append(missing, k)
		}
	}
	token := getenv("GITHUB_TOKEN")
	if tokenFile != "" {
		data, err := os.ReadFile(tokenFile)
		if err != nil {
			return nil, usageError("%s: --token-file: %v", what, err)
		}
		token = strings.TrimSpace(string(data))
		if token == "" {
			return nil, usageError("%s: --token-file %s is empty", what, tokenFile)
		}
	}
	if token == "" {
		missing = append(missing, "GITHUB_TOKEN (or --token-file)")
	}
	if len(missing) > 0 {
		return nil, usageError("%s: the GitHub Actions variables %s are not set", what, strings.Join(missing, ", "))
	}
	e := &ghEnv{
		apiURL:      getenv("GITHUB_API_URL"),
		serverURL:   strings.TrimSuffix(getenv("GITHUB_SERVER_URL"), "/"),
		eventName:   getenv("GITHUB_EVENT_NAME"),
		sha:         getenv("GITHUB_SHA"),
		runID:       getenv("GITHUB_RUN_ID"),
		summaryPath: getenv("GITHUB_STEP_SUMMARY"),
		outputPath:  getenv("GITHUB_OUTPUT"),
		runnerTemp:  getenv("RUNNER_TEMP"),
		token:       token,
	}
	if e.apiURL == "" {
		e.apiURL = github.DefaultBaseURL
	}
	if e.serverURL == "" {
		e.serverURL = "https://github.com"
	}
	owner, name, ok := strings.Cut(getenv("GITHUB_REPOSITORY"), "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, usageError("%s: GITHUB_REPOSITORY %q is not owner/name", what, getenv("GITHUB_REPOSITORY"))
	}
	e.repo = bot.Repo{Forge: "github", Owner: owner, Name: name}
	if err := readJSONFile(getenv("GITHUB_EVENT_PATH"), &e.event); err != nil {
		return nil, usageError("%s: GITHUB_EVENT_PATH: %v", what, err)
	}
	return e, nil
}

// readJSONFile decodes a JSON file of at most maxEventBytes.
func readJSONFile(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxEventBytes+1))
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxEventBytes {
		return fmt.Errorf("%s: larger than %d MiB", path, maxEventBytes>>20)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: not JSON: %w", path, err)
	}
	return nil
}

func (e *ghEnv) client() (*github.Client, error) {
	ua := "mpgate"
	if version != "" {
		ua += "/" + version
	}
	opts := append([]github.Option{github.WithToken(e.token), github.WithUserAgent(ua)}, githubOptions...)
	c, err := github.New(nil, e.apiURL, opts...)
	if err != nil {
		return nil, usageError("GITHUB_API_URL: %v", err)
	}
	return c, nil
}

// runURL links to the workflow run ("" without GITHUB_RUN_ID).
func (e *ghEnv) runURL() string {
	if e.runID == "" {
		return ""
	}
	return e.serverURL + "/" + e.repo.FullName() + "/actions/runs/" + e.runID
}

// eventTarget is what a check --post run is about: the pull request (0 for
// none), the commit the check run goes on, and the commit to compare with
// ("" for none).
func (e *ghEnv) eventTarget() (pr int, head, base string) {
	head = e.sha
	if p := e.event.PullRequest; p != nil {
		pr, base = p.Number, p.Base.SHA
		if p.Head.SHA != "" {
			head = p.Head.SHA
		}
		return pr, head, base
	}
	if g := e.event.MergeGroup; e.eventName == "merge_group" && g != nil {
		return 0, cmp.Or(g.HeadSHA, head), g.BaseSHA
	}
	if e.eventName == "push" && !isZeroSHA(e.event.Before) {
		base = e.event.Before
	}
	return 0, head, base
}

// isZeroSHA: a push that created a branch has before = 000…0.
func isZeroSHA(s string) bool { return strings.Trim(s, "0") == "" }

// resultArtifact is the JSON result --post writes for `mpgate report post`:
// the result contract (mpgate.result/v1) with where it belongs added.
type resultArtifact struct {
	compare.Result
	GitHub *artifactGitHub `json:"github,omitempty"`
}

// artifactGitHub says which pull request and commit a result is about.
type artifactGitHub struct {
	Repository  string `json:"repository"`
	PullRequest int    `json:"pullRequest,omitempty"`
	HeadSHA     string `json:"headSha"`
	BaseSHA     string `json:"baseSha,omitempty"`
	Event       string `json:"event,omitempty"`
	RunID       string `json:"runId,omitempty"`
	// Project is the --project the result was limited to (the sticky
	// comment's key and the check run's name).
	Project string `json:"project,omitempty"`
	// Comment is .mpgate.yml's comment section, for report post.
	Comment *config.Comment `json:"comment,omitempty"`
}

// poster publishes one result on GitHub: check run, sticky comment, job
// summary, workflow annotations and step outputs.
type poster struct {
	env            *ghEnv
	client         *github.Client
	stdout, stderr io.Writer

	project  string
	comment  bool
	policy   config.Comment // .mpgate.yml's comment: require_changes, min_change
	headSHA  string
	baseSHA  string
	pr       int
	details  string // the check run's details URL
	report   string // the JSON result's path
	artifact bool   // write the JSON result (check --post); report post reads it

	checkID   int64
	forbidden bool
	// gitlab does the posting on GitLab CI (post_gitlab.go).
	gitlab *glPoster
	// failOnForbidden: a 403 is an error (report post's token must be
	// privileged), not a fallback.
	failOnForbidden bool
}

func (p *poster) checkName() string { return checkNameFor(p.project) }

// checkNameFor is the check run's (GitLab: the commit status's) name: one
// per project when a monorepo's projects are posted apart.
func checkNameFor(project string) string {
	if project == "" {
		return checkName
	}
	return checkName + " (" + project + ")"
}

// startPost prepares `check --post`: reads the runner's environment, sets
// the base from the event when --base is not given, applies MPGATE_COVERAGE,
// and creates the check run in_progress on the head commit.
func startPost(ctx context.Context, cfg *config.Config, f *checkFlags, top string, getenv func(string) string, stdout, stderr io.Writer) (*poster, error) {
	if getenv("GITHUB_ACTIONS") != "true" && getenv("GITLAB_CI") == "true" {
		// The changelog gate reads the merge request from the pipeline's
		// variables unless the flags describe it.
		if getenv("CI_MERGE_REQUEST_IID") != "" && f.title == "" && f.body == "" && f.labels == "" {
			f.title, f.body = getenv("CI_MERGE_REQUEST_TITLE"), getenv("CI_MERGE_REQUEST_DESCRIPTION")
			for l := range strings.SplitSeq(getenv("CI_MERGE_REQUEST_LABELS"), ",") {
				if l = strings.TrimSpace(l); l != "" {
					f.prLabels = append(f.prLabels, l)
				}
			}
		}
		gp, err := startGitLabPost(ctx, cfg, f, top, getenv, stdout, stderr)
		if err != nil {
			return nil, err
		}
		return &poster{gitlab: gp}, nil
	}
	env, err := readGitHubEnv(getenv, f.tokenFile, "check --post")
	if err != nil {
		return nil, err
	}
	p := &poster{env: env, stdout: stdout, stderr: stderr, project: f.project, comment: true, headSHA: env.sha, artifact: true, policy: cfg.Comment}
	if v := getenv("MPGATE_COMMENT"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, usageError("MPGATE_COMMENT=%q: want true or false", v)
		}
		p.comment = b
	}
	p.pr, p.headSHA, p.baseSHA = env.eventTarget()
	if f.base == "" && f.baseReport == "" && p.baseSHA != "" {
		f.base = p.baseSHA
	}
	// The changelog gate reads the pull request from the payload unless
	// the flags describe it.
	if pr := env.event.PullRequest; pr != nil && f.title == "" && f.body == "" && f.labels == "" {
		f.title, f.body = pr.Title, pr.Body
		for _, l := range pr.Labels {
			f.prLabels = append(f.prLabels, l.Name)
		}
	}
	if f.base != "" {
		if _, err := workspace.RevParse(ctx, top, f.base); err != nil {
			return nil, usageError("check --post: base %s is not in this clone (%v); check out with actions/checkout and fetch-depth: 0", f.base, err)
		}
	}
	if err := applyCoverageEnv(cfg, top, getenv); err != nil {
		return nil, err
	}
	p.report = filepath.Join(cmpOr(env.runnerTemp, os.TempDir()), "mpgate-result.json")
	if p.project != "" {
		p.report = filepath.Join(cmpOr(env.runnerTemp, os.TempDir()), "mpgate-result-"+safeFileName(p.project)+".json")
	}
	if f.output != "" && f.format == formatJSON {
		p.report = f.output
	}
	p.details = env.runURL()
	if p.client, err = env.client(); err != nil {
		return nil, err
	}
	id, err := p.client.CreateCheckRun(ctx, env.repo, p.headSHA, p.checkName(), "in_progress", p.details)
	switch {
	case errors.Is(err, github.ErrForbidden):
		p.forbidden = true
	case err != nil:
		// Tried again when the result is published.
		fmt.Fprintf(stderr, "mpgate: could not create the check run (trying again at the end): %v\n", err)
	default:
		p.checkID = id
	}
	return p, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// safeFileName keeps letters, digits, '-', '_' and '.'.
func safeFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// abort completes the check run when the gate could not run at all, so it
// does not stay in progress.
func (p *poster) abort(ctx context.Context, runErr error) {
	if p != nil && p.gitlab != nil {
		p.gitlab.abort(ctx, runErr)
		return
	}
	if p == nil || p.checkID == 0 {
		return
	}
	conclusion, title := bot.ConclusionFailure, "mpgate could not run"
	if ctx.Err() != nil {
		conclusion, title = bot.ConclusionCancelled, "mpgate was interrupted"
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	out := bot.CheckOutput{Title: title, Summary: "```\n" + strings.ReplaceAll(runErr.Error(), "```", "'''") + "\n```"}
	if err := p.client.CompleteCheckRun(ctx, p.env.repo, p.checkID, conclusion, out); err != nil {
		fmt.Fprintf(p.stderr, "mpgate: could not complete the check run: %v\n", err)
	}
}

// publish posts res everywhere it goes. Errors of the GitHub API are
// returned after the local outputs (summary, annotations, step outputs) are
// written; a 403 (a fork's read-only token) falls back to those silently
// unless failOnForbidden.
func (p *poster) publish(ctx context.Context, res *compare.Result) error {
	if p.gitlab != nil {
		return p.gitlab.publish(ctx, res)
	}
	var errs []error
	if p.artifact {
		if err := p.writeArtifact(res); err != nil {
			errs = append(errs, fmt.Errorf("writing the JSON result: %w", err))
		}
	}

	// Check run.
	checkWritten := false
	if !p.forbidden {
		err := p.completeCheckRun(ctx, res)
		switch {
		case errors.Is(err, github.ErrForbidden):
			p.forbidden = true
		case err != nil:
			errs = append(errs, err)
		default:
			checkWritten = true
		}
	}

	// Sticky comment. It links the pull request's checks, which stays the
	// same from run to run: a re-run with the same result leaves the
	// comment alone. The summary links this check run.
	link, commentLink := p.details, p.details
	if checkWritten {
		link = p.env.serverURL + "/" + p.env.repo.FullName() + "/runs/" + strconv.FormatInt(p.checkID, 10)
		commentLink = link
		if p.pr > 0 {
			commentLink = p.env.serverURL + "/" + p.env.repo.FullName() + "/pull/" + strconv.Itoa(p.pr) + "/checks"
		}
	}
	var body bytes.Buffer
	if err := render.ResultMarkdown(&body, res, render.ResultOptions{Marker: bot.StickyMarker(p.project), MaxBytes: github.MaxCommentChars, DetailsURL: commentLink, MinChange: int64(p.policy.MinChange)}); err != nil {
		return errors.Join(append(errs, err)...)
	}
	if p.pr > 0 && p.comment && !p.forbidden {
		err := p.upsertComment(ctx, res, body.String())
		switch {
		case errors.Is(err, github.ErrForbidden):
			p.forbidden = true
		case err != nil:
			errs = append(errs, err)
		}
	}
	if p.forbidden && p.failOnForbidden {
		errs = append(errs, fmt.Errorf("GitHub refused to let this token write check runs or comments (%w): give the workflow 'permissions: {checks: write, pull-requests: write}'", github.ErrForbidden))
	}

	// Job summary.
	if p.env.summaryPath != "" {
		if err := p.appendSummary(res, link); err != nil {
			errs = append(errs, fmt.Errorf("writing the job summary: %w", err))
		}
	}

	// Workflow-command annotations, where the check run could not carry
	// them (printing them as well would show every finding twice).
	if !checkWritten {
		var notices []string
		if p.forbidden && !p.failOnForbidden {
			notices = append(notices, forkNotice)
		}
		if err := printWorkflowAnnotations(p.stdout, render.ResultAnnotations(res), notices); err != nil {
			errs = append(errs, err)
		}
	}

	// Step outputs.
	if p.env.outputPath != "" {
		verdict := res.Verdict
		if verdict == "" {
			verdict = checks.VerdictPass
		}
		err := appendOutputs(p.env.outputPath, []output{{outputVerdict, verdict}, {outputReport, p.report}, {outputCommentBody, body.String()}})
		if err != nil {
			errs = append(errs, fmt.Errorf("writing the step outputs: %w", err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("posting to GitHub: %w", errors.Join(errs...))
	}
	return nil
}

func (p *poster) completeCheckRun(ctx context.Context, res *compare.Result) error {
	if p.checkID == 0 {
		id, err := p.client.CreateCheckRun(ctx, p.env.repo, p.headSHA, p.checkName(), "in_progress", p.details)
		if err != nil {
			return err
		}
		p.checkID = id
	}
	cr := render.ResultCheckRun(res, render.ResultOptions{DetailsURL: p.details})
	out := bot.CheckOutput{Title: cr.Title, Summary: cr.Summary, Text: cr.Text}
	for _, a := range cr.Annotations {
		out.Annotations = append(out.Annotations, bot.Annotation{Path: a.Path, StartLine: a.StartLine, EndLine: a.EndLine,
			StartCol: a.StartCol, EndCol: a.EndCol, Level: a.Level, Title: a.Title, Message: a.Message})
	}
	return p.client.CompleteCheckRun(ctx, p.env.repo, p.checkID, cr.Conclusion, out)
}

// upsertComment keeps the one sticky comment. The account is the token's
// (GET /user); an Action's GITHUB_TOKEN may not ask, and is
// github-actions[bot].
func (p *poster) upsertComment(ctx context.Context, res *compare.Result, body string) error {
	login, err := p.client.Login(ctx)
	if errors.Is(err, github.ErrForbidden) {
		login, err = github.ActionsLogin, nil
	}
	if err != nil {
		return err
	}
	if p.policy.RequireChanges && !render.ResultHasChanges(res, int64(p.policy.MinChange)) {
		// comment.require_changes: no new comment; one already there is
		// updated, lest it show an earlier push's figures.
		id, _, err := p.client.UpdateStickyComment(ctx, p.env.repo, p.pr, p.project, body, login)
		if err == nil && id == 0 {
			fmt.Fprintln(p.stderr, "mpgate: no comment: nothing changed (comment.require_changes)")
		}
		return err
	}
	_, _, err = p.client.UpsertStickyComment(ctx, p.env.repo, p.pr, p.project, body, login)
	return err
}

func (p *poster) writeArtifact(res *compare.Result) error {
	var buf bytes.Buffer
	if err := render.ResultJSON(&buf, res); err != nil {
		return err
	}
	var a resultArtifact
	if err := json.Unmarshal(buf.Bytes(), &a.Result); err != nil {
		return fmt.Errorf("re-reading the result: %w", err)
	}
	a.GitHub = &artifactGitHub{Repository: p.env.repo.FullName(), PullRequest: p.pr, HeadSHA: p.headSHA, BaseSHA: p.baseSHA,
		Event: p.env.eventName, RunID: p.env.runID, Project: p.project, Comment: &p.policy}
	data, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p.report), 0o755); err != nil {
		return err
	}
	return writeAtomic(p.report, func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	})
}

// appendSummary appends the result to $GITHUB_STEP_SUMMARY within what is
// left of its 1 MiB.
func (p *poster) appendSummary(res *compare.Result, link string) error {
	var used int64
	if st, err := os.Stat(p.env.summaryPath); err == nil {
		used = st.Size()
	}
	room := summaryLimit - int(used) - 2
	if room < render.MinResultBytes {
		fmt.Fprintf(p.stderr, "mpgate: the job summary is full (%d bytes of %d); the result is not added to it\n", used, summaryLimit)
		return nil
	}
	var buf bytes.Buffer
	if used > 0 {
		buf.WriteString("\n")
	}
	title := "mpgate"
	if p.project != "" {
		title += " · " + p.project
	}
	if err := render.ResultMarkdown(&buf, res, render.ResultOptions{MaxBytes: room, DetailsURL: link, Title: title, MinChange: int64(p.policy.MinChange)}); err != nil {
		return err
	}
	f, err := os.OpenFile(p.env.summaryPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ---- workflow commands ----

// escapeData escapes a workflow command's message (GitHub's escapeData).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value (GitHub's
// escapeProperty).
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// workflowLevel maps a check-run level onto a workflow command.
func workflowLevel(level string) string {
	switch level {
	case bot.LevelFailure:
		return "error"
	case bot.LevelWarning:
		return "warning"
	}
	return "notice"
}

// workflowAnnotation formats one ::error/::warning/::notice command.
func workflowAnnotation(a render.Annotation) string {
	var props []string
	if a.Path != "" {
		props = append(props, "file="+escapeProperty(a.Path))
		if a.StartLine > 0 {
			props = append(props, "line="+strconv.Itoa(a.StartLine))
			if a.EndLine > a.StartLine {
				props = append(props, "endLine="+strconv.Itoa(a.EndLine))
			}
			if a.StartCol > 0 && a.EndLine <= a.StartLine {
				props = append(props, "col="+strconv.Itoa(a.StartCol))
				if a.EndCol > a.StartCol {
					props = append(props, "endColumn="+strconv.Itoa(a.EndCol))
				}
			}
		}
	}
	if a.Title != "" {
		props = append(props, "title="+escapeProperty(a.Title))
	}
	cmd := "::" + workflowLevel(a.Level)
	if len(props) > 0 {
		cmd += " " + strings.Join(props, ",")
	}
	return cmd + "::" + escapeData(a.Message)
}

// printWorkflowAnnotations prints the annotations as workflow commands
// within GitHub's cap of 10 per level per step: the first ones of each level
// (the list is most important first), then one notice saying how many more
// the job summary has. notices come first and count against the cap.
func printWorkflowAnnotations(w io.Writer, anns []render.Annotation, notices []string) error {
	caps := map[string]int{"error": workflowAnnotationsPerLevel, "warning": workflowAnnotationsPerLevel,
		"notice": max(workflowAnnotationsPerLevel-len(notices), 0)}
	counts := map[string]int{}
	for _, a := range anns {
		counts[workflowLevel(a.Level)]++
	}
	left := func() int {
		n := 0
		for l, c := range counts {
			n += max(c-caps[l], 0)
		}
		return n
	}
	if left() > 0 && caps["notice"] > 0 {
		caps["notice"]-- // room for the "more in the summary" notice
	}
	var b strings.Builder
	for _, n := range notices {
		b.WriteString("::notice title=mpgate::" + escapeData(n) + "\n")
	}
	shown := map[string]int{}
	for _, a := range anns {
		l := workflowLevel(a.Level)
		if shown[l] >= caps[l] {
			continue
		}
		shown[l]++
		b.WriteString(workflowAnnotation(a) + "\n")
	}
	if more := left(); more > 0 {
		var parts []string
		for _, l := range []string{"error", "warning", "notice"} {
			if n := counts[l] - shown[l]; n > 0 {
				parts = append(parts, plural(n, l, l+"s"))
			}
		}
		fmt.Fprintf(&b, "::notice title=mpgate::%s more in the job summary (GitHub shows %d annotations of each level per step)\n",
			strings.Join(parts, ", "), workflowAnnotationsPerLevel)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ---- step outputs ----

// The step outputs (action.yml's outputs).
const (
	outputVerdict     = "verdict"
	outputReport      = "report"
	outputCommentBody = "comment-body"
)

type output struct{ name, value string }

// appendOutputs appends name<<DELIMITER / value / DELIMITER blocks to
// $GITHUB_OUTPUT, with a random delimiter that is not in the value.
func appendOutputs(path string, outs []output) error {
	var b strings.Builder
	for _, o := range outs {
		delim, err := randomDelimiter()
		if err != nil {
			return err
		}
		for strings.Contains(o.value, delim) {
			if delim, err = randomDelimiter(); err != nil {
				return err
			}
		}
		value := o.value
		if !strings.HasSuffix(value, "\n") {
			value += "\n"
		}
		fmt.Fprintf(&b, "%s<<%s\n%s%s\n", o.name, delim, value, delim)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, b.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func randomDelimiter() (string, error) {
	var buf [16]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return "", fmt.Errorf("random delimiter: %w", err)
	}
	return "ghadelimiter_" + hex.EncodeToString(buf[:]), nil
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
