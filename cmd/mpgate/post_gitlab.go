package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/render"
)

// gitlabOptions are added to every GitLab client of --post (tests shorten
// the retry backoff).
var gitlabOptions []gitlab.Option

const (
	// codeQualityFile is the Code Quality report check --post writes on
	// GitLab CI, in $CI_PROJECT_DIR, for `artifacts: reports: codequality:`
	// (MPGATE_CODEQUALITY names another file).
	codeQualityFile = "gl-code-quality-report.json"
	// glTokenVar is the CI/CD variable holding a token that may write
	// commit statuses and notes.
	glTokenVar = "MPGATE_GITLAB_TOKEN"
	// noteBytes caps the rendered note below GitLab's 1,000,000
	// characters, leaving room for the escapes added after rendering.
	noteBytes = gitlab.MaxNoteChars * 9 / 10
)

// glTokenNotice explains what a CI job token cannot do, and the fix.
const glTokenNotice = "GitLab does not let this token write commit statuses or merge-request notes " +
	"(a CI_JOB_TOKEN never may; an access token needs the api scope and the Developer role). " +
	"The result is in this job log and in the Code Quality report %s. To post the status and the note, " +
	"create a project access token with the api scope and the Developer role, and store it as a masked CI/CD variable " +
	glTokenVar + " (see docs/gitlab.md)."

// glEnv is what a GitLab CI job is told.
type glEnv struct {
	apiURL string
	repo   bot.Repo
	// mrIID is the merge request of a merge request pipeline (0 for none).
	mrIID int
	// headSHA is the commit the status goes on: the merge request's source
	// commit (a merged-results pipeline's CI_COMMIT_SHA is a temporary
	// merge commit), else CI_COMMIT_SHA.
	headSHA string
	// ref is the branch the status is for ("" lets GitLab pick).
	ref string
	// diffBase, targetBranch and beforeSHA are the base candidates, in
	// that order (merge request pipelines; branch pipelines).
	diffBase, targetBranch, beforeSHA string
	// trainSHA is the commit a merge train pipeline tests (the car's merge
	// commit): its first parent, the train before it, is the base.
	trainSHA, trainTarget string
	jobURL                string
	projectDir            string
	token                 string
	kind                  gitlab.TokenKind
	tokenSource           string // the variable (or flag) the token came from
}

// readGitLabEnv reads the job's predefined variables and the token:
// --token-file or MPGATE_GITLAB_TOKEN (an access token), else CI_JOB_TOKEN.
func readGitLabEnv(getenv func(string) string, tokenFile, what string) (*glEnv, error) {
	var missing []string
	for _, k := range []string{"CI_API_V4_URL", "CI_PROJECT_ID", "CI_COMMIT_SHA"} {
		if getenv(k) == "" {
			missing = append(missing, k)
		}
	}
	e := &glEnv{
		apiURL:       getenv("CI_API_V4_URL"),
		headSHA:      getenv("CI_COMMIT_SHA"),
		diffBase:     getenv("CI_MERGE_REQUEST_DIFF_BASE_SHA"),
		targetBranch: getenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"),
		jobURL:       getenv("CI_JOB_URL"),
		projectDir:   getenv("CI_PROJECT_DIR"),
	}
	switch {
	case tokenFile != "":
		data, err := os.ReadFile(tokenFile)
		if err != nil {
			return nil, usageError("%s: --token-file: %v", what, err)
		}
		e.token, e.kind, e.tokenSource = strings.TrimSpace(string(data)), gitlab.Private, "--token-file"
		if e.token == "" {
			return nil, usageError("%s: --token-file %s is empty", what, tokenFile)
		}
	case strings.TrimSpace(getenv(glTokenVar)) != "":
		e.token, e.kind, e.tokenSource = strings.TrimSpace(getenv(glTokenVar)), gitlab.Private, glTokenVar
	case getenv("CI_JOB_TOKEN") != "":
		e.token, e.kind, e.tokenSource = getenv("CI_JOB_TOKEN"), gitlab.Job, "CI_JOB_TOKEN"
	default:
		missing = append(missing, glTokenVar+" (or CI_JOB_TOKEN, or --token-file)")
	}
	if len(missing) > 0 {
		return nil, usageError("%s: the GitLab CI variables %s are not set", what, strings.Join(missing, ", "))
	}
	id, err := strconv.ParseInt(getenv("CI_PROJECT_ID"), 10, 64)
	if err != nil || id <= 0 {
		return nil, usageError("%s: CI_PROJECT_ID %q is not a project ID", what, getenv("CI_PROJECT_ID"))
	}
	e.repo = bot.Repo{Forge: "gitlab", ID: id}
	if ns, name, ok := cutLast(getenv("CI_PROJECT_PATH"), "/"); ok {
		e.repo.Owner, e.repo.Name = ns, name
	}
	if v := getenv("CI_MERGE_REQUEST_IID"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, usageError("%s: CI_MERGE_REQUEST_IID %q is not a merge request number", what, v)
		}
		e.mrIID = n
		if s := getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"); s != "" {
			e.headSHA = s
		}
		e.ref = getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
		if getenv("CI_MERGE_REQUEST_EVENT_TYPE") == "merge_train" {
			e.trainSHA, e.trainTarget = getenv("CI_COMMIT_SHA"), getenv("CI_MERGE_REQUEST_TARGET_BRANCH_SHA")
		}
	} else {
		e.ref = getenv("CI_COMMIT_BRANCH")
		if b := getenv("CI_COMMIT_BEFORE_SHA"); !isZeroSHA(b) {
			e.beforeSHA = b
		}
	}
	return e, nil
}

// cutLast splits s at its last sep.
func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i <= 0 || i+len(sep) >= len(s) {
		return "", "", false
	}
	return s[:i], s[i+len(sep):], true
}

func (e *glEnv) client() (*gitlab.Client, error) {
	ua := "mpgate"
	if version != "" {
		ua += "/" + version
	}
	c, err := gitlab.New(e.apiURL, e.token, e.kind, append([]gitlab.Option{gitlab.WithUserAgent(ua)}, gitlabOptions...)...)
	if err != nil {
		return nil, usageError("CI_API_V4_URL: %v", err)
	}
	return c, nil
}

// resolveBase picks the commit to compare with: the merge request's diff
// base, else its target branch (origin/<target>, then <target>), else a
// branch pipeline's previous commit; "" for none.
func (e *glEnv) resolveBase(ctx context.Context, top string) (string, error) {
	const hint = "set GIT_DEPTH: 0 in .gitlab-ci.yml (or run git fetch origin %s first)"
	switch {
	case e.trainSHA != "":
		// A merge train: the car's commit merges the request into the train
		// before it; that first parent (else the target's tip) is the base.
		for _, rev := range []string{e.trainSHA + "^1", e.trainTarget} {
			if sha, err := workspace.RevParse(ctx, top, rev); rev != "" && err == nil {
				return sha, nil
			}
		}
		return "", usageError("check --post: the merge train's base (%s^1) is not in this clone; "+hint, e.trainSHA, cmpOr(e.targetBranch, "<target branch>"))
	case e.diffBase != "":
		if _, err := workspace.RevParse(ctx, top, e.diffBase); err != nil {
			return "", usageError("check --post: the merge request's base %s (CI_MERGE_REQUEST_DIFF_BASE_SHA) is not in this clone (%v); "+hint,
				e.diffBase, err, cmpOr(e.targetBranch, "<target branch>"))
		}
		return e.diffBase, nil
	case e.targetBranch != "":
		for _, ref := range []string{"refs/remotes/origin/" + e.targetBranch, e.targetBranch} {
			if sha, err := workspace.RevParse(ctx, top, ref); err == nil {
				return sha, nil
			}
		}
		return "", usageError("check --post: the target branch %s (CI_MERGE_REQUEST_TARGET_BRANCH_NAME) is not in this clone; "+hint,
			e.targetBranch, e.targetBranch)
	case e.beforeSHA != "":
		if _, err := workspace.RevParse(ctx, top, e.beforeSHA); err != nil {
			return "", usageError("check --post: the previous commit %s (CI_COMMIT_BEFORE_SHA) is not in this clone (%v); set GIT_DEPTH: 0 in .gitlab-ci.yml",
				e.beforeSHA, err)
		}
		return e.beforeSHA, nil
	}
	return "", nil
}

// glPoster publishes one result on GitLab: commit status, sticky merge
// request note, Code Quality report and, when the token may not write, a
// notice in the job log.
type glPoster struct {
	env            *glEnv
	client         *gitlab.Client
	stdout, stderr io.Writer

	project     string
	comment     bool
	policy      config.Comment // .mpgate.yml's comment: require_changes, min_change
	codeQuality string         // the Code Quality report's path

	started   bool // the running status was posted
	forbidden bool
}

func (p *glPoster) statusName() string { return checkNameFor(p.project) }

// startGitLabPost is startPost on GitLab CI: reads the job's variables,
// sets the base when neither --base nor --base-report is given, applies
// MPGATE_COVERAGE, and sets the commit status running.
func startGitLabPost(ctx context.Context, cfg *config.Config, f *checkFlags, top string, getenv func(string) string, stdout, stderr io.Writer) (*glPoster, error) {
	env, err := readGitLabEnv(getenv, f.tokenFile, "check --post")
	if err != nil {
		return nil, err
	}
	p := &glPoster{env: env, stdout: stdout, stderr: stderr, project: f.project, comment: true, policy: cfg.Comment}
	if v := getenv("MPGATE_COMMENT"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, usageError("MPGATE_COMMENT=%q: want true or false", v)
		}
		p.comment = b
	}
	if f.base == "" && f.baseReport == "" {
		if f.base, err = env.resolveBase(ctx, top); err != nil {
			return nil, err
		}
	} else if f.base != "" {
		if _, err := workspace.RevParse(ctx, top, f.base); err != nil {
			return nil, usageError("check --post: base %s is not in this clone (%v); set GIT_DEPTH: 0 in .gitlab-ci.yml", f.base, err)
		}
	}
	if err := applyCoverageEnv(cfg, top, getenv); err != nil {
		return nil, err
	}
	p.codeQuality = getenv("MPGATE_CODEQUALITY")
	if p.codeQuality == "" {
		name := codeQualityFile
		if p.project != "" {
			name = "gl-code-quality-report-" + safeFileName(p.project) + ".json"
		}
		p.codeQuality = filepath.Join(cmpOr(env.projectDir, "."), name)
	}
	if p.client, err = env.client(); err != nil {
		return nil, err
	}
	err = p.client.SetStatusRef(ctx, env.repo, env.headSHA, env.ref, gitlab.StateRunning, p.statusName(), "mpgate is checking this commit", env.jobURL)
	switch {
	case errors.Is(err, gitlab.ErrForbidden):
		p.forbidden = true
	case err != nil:
		// Tried again when the result is published.
		fmt.Fprintf(stderr, "mpgate: could not set the commit status (trying again at the end): %v\n", err)
	default:
		p.started = true
	}
	return p, nil
}

// abort fails (or, when interrupted, cancels) the commit status when the
// gate could not run, so it does not stay running.
func (p *glPoster) abort(ctx context.Context, runErr error) {
	if p == nil || !p.started {
		return
	}
	state, desc := gitlab.StateFailed, "mpgate could not run: "+runErr.Error()
	if ctx.Err() != nil {
		state, desc = gitlab.StateCanceled, "mpgate was interrupted"
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := p.client.SetStatusRef(ctx, p.env.repo, p.env.headSHA, p.env.ref, state, p.statusName(), oneLine(desc), p.env.jobURL); err != nil {
		fmt.Fprintf(p.stderr, "mpgate: could not set the commit status: %v\n", err)
	}
}

// oneLine folds whitespace runs (a status description is one line).
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// publish writes the Code Quality report, then sets the commit status and
// keeps the sticky note. A token that may not write (ErrForbidden: a CI job
// token, or an access token without the api scope or role) falls back to
// the Code Quality report and the job log with a notice; other API errors
// are returned after the report is written.
func (p *glPoster) publish(ctx context.Context, res *compare.Result) error {
	var errs []error
	if err := writeAtomic(p.codeQuality, func(w io.Writer) error { return render.ResultCodeQuality(w, res) }); err != nil {
		errs = append(errs, fmt.Errorf("writing the Code Quality report %s: %w", p.codeQuality, err))
	}
	cr := render.ResultCheckRun(res, render.ResultOptions{DetailsURL: p.env.jobURL})
	if !p.forbidden {
		err := p.client.SetStatusRef(ctx, p.env.repo, p.env.headSHA, p.env.ref, gitlab.StateFor(cr.Conclusion),
			p.statusName(), oneLine(cr.Title), p.env.jobURL)
		switch {
		case errors.Is(err, gitlab.ErrForbidden):
			p.forbidden = true
		case err != nil:
			errs = append(errs, err)
		}
	}
	// A token GitLab does not know (revoked, expired) cannot write the
	// note either.
	refused := errors.Is(errors.Join(errs...), gitlab.ErrUnauthorized)
	if p.env.mrIID > 0 && p.comment && !p.forbidden && !refused {
		var body bytes.Buffer
		err := render.ResultMarkdown(&body, res, render.ResultOptions{Marker: bot.StickyMarker(p.project), MaxBytes: noteBytes, DetailsURL: p.env.jobURL, MinChange: int64(p.policy.MinChange)})
		upsert := p.client.UpsertStickyNote
		if p.policy.RequireChanges && !render.ResultHasChanges(res, int64(p.policy.MinChange)) {
			upsert = p.client.UpdateStickyNote // comment.require_changes: none created, one there kept current
		}
		if err == nil {
			_, _, err = upsert(ctx, p.env.repo, p.env.mrIID, p.project, gitlab.EscapeMarkdown(body.String()), "")
		}
		switch {
		case errors.Is(err, gitlab.ErrForbidden):
			p.forbidden = true
		case err != nil:
			errs = append(errs, err)
		}
	}
	if p.forbidden {
		fmt.Fprintf(p.stderr, "%s: %s\n", p.statusName(), oneLine(cr.Title))
		fmt.Fprintf(p.stderr, "mpgate: notice: "+glTokenNotice+"\n", p.codeQuality)
	}
	if refused || errors.Is(errors.Join(errs...), gitlab.ErrUnauthorized) {
		errs = append(errs, fmt.Errorf("GitLab refused the token from %s: renew it (an access token with the api scope)", p.env.tokenSource))
	}
	if len(errs) > 0 {
		return fmt.Errorf("posting to GitLab: %w", errors.Join(errs...))
	}
	return nil
}

// escapeGitLabMarkdown is gitlab.EscapeMarkdown (kept for the tests here).
var escapeGitLabMarkdown = gitlab.EscapeMarkdown
