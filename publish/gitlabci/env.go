// Package gitlabci publishes mpgate's result from a GitLab CI job: it
// reads the job's predefined variables (merge request, branch and merge
// train pipelines), writes the commit status and the sticky merge-request
// note through publish, and the Code Quality report GitLab shows on the
// merge request.
package gitlabci

import (
	"cmp"
	"context"
	"strconv"
	"strings"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/publish"
)

// TokenVar is the CI/CD variable holding a token that may write commit
// statuses and notes.
const TokenVar = "MPGATE_GITLAB_TOKEN"

// Env is what a GitLab CI job is told.
type Env struct {
	APIURL string
	Repo   bot.Repo
	// MRIID is the merge request of a merge request pipeline (0 for none).
	MRIID int
	// HeadSHA is the commit the status goes on: the merge request's source
	// commit (a merged-results pipeline's CI_COMMIT_SHA is a temporary
	// merge commit), else CI_COMMIT_SHA.
	HeadSHA string
	// Ref is the branch the status is for ("" lets GitLab pick).
	Ref string
	// DiffBase, TargetBranch and BeforeSHA are the base candidates, in
	// that order (merge request pipelines; branch pipelines).
	DiffBase, TargetBranch, BeforeSHA string
	// TrainSHA is the commit a merge train pipeline tests (the car's merge
	// commit): its first parent, the train before it, is the base.
	TrainSHA, TrainTarget string
	JobURL                string
	ProjectDir            string
	Token                 string
	Kind                  gitlab.TokenKind
	// TokenSource is the variable (or flag) the token came from.
	TokenSource string
	// Request is the merge request, for the changelog gate (nil outside a
	// merge request pipeline).
	Request *publish.Request
}

// ReadEnv reads the job's predefined variables and the token: tokenFile or
// MPGATE_GITLAB_TOKEN (an access token), else CI_JOB_TOKEN. what names the
// command in errors, which match publish.ErrUsage.
func ReadEnv(getenv func(string) string, tokenFile, what string) (*Env, error) {
	var missing []string
	for _, k := range []string{"CI_API_V4_URL", "CI_PROJECT_ID", "CI_COMMIT_SHA"} {
		if getenv(k) == "" {
			missing = append(missing, k)
		}
	}
	e := &Env{
		APIURL:       getenv("CI_API_V4_URL"),
		HeadSHA:      getenv("CI_COMMIT_SHA"),
		DiffBase:     getenv("CI_MERGE_REQUEST_DIFF_BASE_SHA"),
		TargetBranch: getenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"),
		JobURL:       getenv("CI_JOB_URL"),
		ProjectDir:   getenv("CI_PROJECT_DIR"),
	}
	switch {
	case tokenFile != "":
		token, err := publish.ReadToken(tokenFile, what)
		if err != nil {
			return nil, err
		}
		e.Token, e.Kind, e.TokenSource = token, gitlab.Private, "--token-file"
	case strings.TrimSpace(getenv(TokenVar)) != "":
		e.Token, e.Kind, e.TokenSource = strings.TrimSpace(getenv(TokenVar)), gitlab.Private, TokenVar
	case getenv("CI_JOB_TOKEN") != "":
		e.Token, e.Kind, e.TokenSource = getenv("CI_JOB_TOKEN"), gitlab.Job, "CI_JOB_TOKEN"
	default:
		missing = append(missing, TokenVar+" (or CI_JOB_TOKEN, or --token-file)")
	}
	if len(missing) > 0 {
		return nil, publish.Usagef("%s: the GitLab CI variables %s are not set", what, strings.Join(missing, ", "))
	}
	id, err := strconv.ParseInt(getenv("CI_PROJECT_ID"), 10, 64)
	if err != nil || id <= 0 {
		return nil, publish.Usagef("%s: CI_PROJECT_ID %q is not a project ID", what, getenv("CI_PROJECT_ID"))
	}
	e.Repo = bot.Repo{Forge: bot.ForgeGitLab, ID: id}
	if ns, name, ok := cutLast(getenv("CI_PROJECT_PATH"), "/"); ok {
		e.Repo.Owner, e.Repo.Name = ns, name
	}
	if v := getenv("CI_MERGE_REQUEST_IID"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, publish.Usagef("%s: CI_MERGE_REQUEST_IID %q is not a merge request number", what, v)
		}
		e.MRIID = n
		e.HeadSHA = cmp.Or(getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"), e.HeadSHA)
		e.Ref = getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
		if getenv("CI_MERGE_REQUEST_EVENT_TYPE") == "merge_train" {
			e.TrainSHA, e.TrainTarget = getenv("CI_COMMIT_SHA"), getenv("CI_MERGE_REQUEST_TARGET_BRANCH_SHA")
		}
		e.Request = &publish.Request{Title: getenv("CI_MERGE_REQUEST_TITLE"), Body: getenv("CI_MERGE_REQUEST_DESCRIPTION")}
		for l := range strings.SplitSeq(getenv("CI_MERGE_REQUEST_LABELS"), ",") {
			if l = strings.TrimSpace(l); l != "" {
				e.Request.Labels = append(e.Request.Labels, l)
			}
		}
	} else {
		e.Ref = getenv("CI_COMMIT_BRANCH")
		if b := getenv("CI_COMMIT_BEFORE_SHA"); !publish.IsZeroSHA(b) {
			e.BeforeSHA = b
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

// Client is a GitLab client with the job's token; opts come after mpgate's
// own (tests shorten the retry backoff).
func (e *Env) Client(userAgent string, opts ...gitlab.Option) (*gitlab.Client, error) {
	c, err := gitlab.New(e.APIURL, e.Token, e.Kind, append([]gitlab.Option{gitlab.WithUserAgent(userAgent)}, opts...)...)
	if err != nil {
		return nil, publish.Usagef("CI_API_V4_URL: %v", err)
	}
	return c, nil
}

// ResolveBase picks the commit to compare with: a merge train's previous
// car, the merge request's diff base, else its target branch
// (origin/<target>, then <target>), else a branch pipeline's previous
// commit; "" for none. The commit must be in the clone at top.
func (e *Env) ResolveBase(ctx context.Context, top string) (string, error) {
	const hint = "set GIT_DEPTH: 0 in .gitlab-ci.yml (or run git fetch origin %s first)"
	target := cmp.Or(e.TargetBranch, "<target branch>")
	switch {
	case e.TrainSHA != "":
		// A merge train: the car's commit merges the request into the train
		// before it; that first parent (else the target's tip) is the base.
		for _, rev := range []string{e.TrainSHA + "^1", e.TrainTarget} {
			if sha, err := workspace.RevParse(ctx, top, rev); rev != "" && err == nil {
				return sha, nil
			}
		}
		return "", publish.Usagef("check --post: the merge train's base (%s^1) is not in this clone; "+hint, e.TrainSHA, target)
	case e.DiffBase != "":
		if _, err := workspace.RevParse(ctx, top, e.DiffBase); err != nil {
			return "", publish.Usagef("check --post: the merge request's base %s (CI_MERGE_REQUEST_DIFF_BASE_SHA) is not in this clone (%v); "+hint,
				e.DiffBase, err, target)
		}
		return e.DiffBase, nil
	case e.TargetBranch != "":
		for _, ref := range []string{"refs/remotes/origin/" + e.TargetBranch, e.TargetBranch} {
			if sha, err := workspace.RevParse(ctx, top, ref); err == nil {
				return sha, nil
			}
		}
		return "", publish.Usagef("check --post: the target branch %s (CI_MERGE_REQUEST_TARGET_BRANCH_NAME) is not in this clone; "+hint,
			e.TargetBranch, e.TargetBranch)
	case e.BeforeSHA != "":
		if _, err := workspace.RevParse(ctx, top, e.BeforeSHA); err != nil {
			return "", publish.Usagef("check --post: the previous commit %s (CI_COMMIT_BEFORE_SHA) is not in this clone (%v); set GIT_DEPTH: 0 in .gitlab-ci.yml",
				e.BeforeSHA, err)
		}
		return e.BeforeSHA, nil
	}
	return "", nil
}
