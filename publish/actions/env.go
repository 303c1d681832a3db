// Package actions publishes mpgate's result from a GitHub Actions job:
// it reads the runner's variables and event payload, writes the check run
// and the sticky comment through publish, and the outputs only a job has —
// the job summary, workflow-command annotations, step outputs and the JSON
// result that `mpgate report post` posts from a privileged workflow.
package actions

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/publish"
)

// maxEventBytes bounds the event payload and result files read.
const maxEventBytes = 64 << 20

// Env is what the GitHub Actions runner tells a step.
type Env struct {
	APIURL, ServerURL string
	Repo              bot.Repo
	EventName         string
	SHA               string // GITHUB_SHA
	RunID             string
	SummaryPath       string // GITHUB_STEP_SUMMARY
	OutputPath        string // GITHUB_OUTPUT
	RunnerTemp        string
	Token             string
	Event             Event
}

// Ref is the head or base of a pull request in an event payload.
type Ref struct {
	Ref  string `json:"ref"`
	SHA  string `json:"sha"`
	Repo *struct {
		FullName string `json:"full_name"`
	} `json:"repo"`
}

// Event is the part of $GITHUB_EVENT_PATH mpgate reads: pull_request
// (and pull_request_target), push, merge_group, workflow_run.
type Event struct {
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
		Head   Ref    `json:"head"`
		Base   Ref    `json:"base"`
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
			Number int `json:"number"`
			Head   Ref `json:"head"`
		} `json:"pull_requests"`
	} `json:"workflow_run"`
}

// ReadEnv reads the runner's variables, the event payload and the token
// (GITHUB_TOKEN, or tokenFile). what names the command in errors, which
// match publish.ErrUsage.
func ReadEnv(getenv func(string) string, tokenFile, what string) (*Env, error) {
	required := []string{"GITHUB_REPOSITORY", "GITHUB_EVENT_PATH", "GITHUB_SHA"}
	if ci := publish.DetectCI(getenv); ci != publish.GitHubActions {
		if ci == publish.GitLabCI {
			return nil, publish.Usagef("%s is for GitHub Actions; on GitLab CI, mpgate check --post posts the result itself (see docs/gitlab.md)", what)
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
		return nil, publish.Usagef("%s publishes from GitHub Actions, and this is not a GitHub Actions run: missing %s", what, strings.Join(missing, ", "))
	}
	var missing []string
	for _, k := range required {
		if getenv(k) == "" {
			missing = append(missing, k)
		}
	}
	token := getenv("GITHUB_TOKEN")
	if tokenFile != "" {
		var err error
		if token, err = publish.ReadToken(tokenFile, what); err != nil {
			return nil, err
		}
	}
	if token == "" {
		missing = append(missing, "GITHUB_TOKEN (or --token-file)")
	}
	if len(missing) > 0 {
		return nil, publish.Usagef("%s: the GitHub Actions variables %s are not set", what, strings.Join(missing, ", "))
	}
	e := &Env{
		APIURL:      cmp.Or(getenv("GITHUB_API_URL"), github.DefaultBaseURL),
		ServerURL:   cmp.Or(strings.TrimSuffix(getenv("GITHUB_SERVER_URL"), "/"), "https://github.com"),
		EventName:   getenv("GITHUB_EVENT_NAME"),
		SHA:         getenv("GITHUB_SHA"),
		RunID:       getenv("GITHUB_RUN_ID"),
		SummaryPath: getenv("GITHUB_STEP_SUMMARY"),
		OutputPath:  getenv("GITHUB_OUTPUT"),
		RunnerTemp:  getenv("RUNNER_TEMP"),
		Token:       token,
	}
	owner, name, ok := strings.Cut(getenv("GITHUB_REPOSITORY"), "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, publish.Usagef("%s: GITHUB_REPOSITORY %q is not owner/name", what, getenv("GITHUB_REPOSITORY"))
	}
	e.Repo = bot.Repo{Forge: bot.ForgeGitHub, Owner: owner, Name: name}
	if err := ReadJSONFile(getenv("GITHUB_EVENT_PATH"), &e.Event); err != nil {
		return nil, publish.Usagef("%s: GITHUB_EVENT_PATH: %v", what, err)
	}
	return e, nil
}

// ReadJSONFile decodes a JSON file of at most 64 MiB.
func ReadJSONFile(path string, v any) error {
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

// Client is a GitHub client with the job's token; opts come after mpgate's
// own (tests shorten the retry backoff).
func (e *Env) Client(userAgent string, opts ...github.Option) (*github.Client, error) {
	opts = append([]github.Option{github.WithToken(e.Token), github.WithUserAgent(userAgent)}, opts...)
	c, err := github.New(nil, e.APIURL, opts...)
	if err != nil {
		return nil, publish.Usagef("GITHUB_API_URL: %v", err)
	}
	return c, nil
}

// RunURL links to the workflow run ("" without GITHUB_RUN_ID).
func (e *Env) RunURL() string {
	if e.RunID == "" {
		return ""
	}
	return e.ServerURL + "/" + e.Repo.FullName() + "/actions/runs/" + e.RunID
}

// EventTarget is what a check --post run is about: the pull request (0
// for none), the commit the check run goes on, and the commit to compare
// with ("" for none): a pull request's base, a merge group's base, a
// push's previous commit.
func (e *Env) EventTarget() (pr int, head, base string) {
	head = e.SHA
	if p := e.Event.PullRequest; p != nil {
		pr, base = p.Number, p.Base.SHA
		if p.Head.SHA != "" {
			head = p.Head.SHA
		}
		return pr, head, base
	}
	if g := e.Event.MergeGroup; e.EventName == "merge_group" && g != nil {
		return 0, cmp.Or(g.HeadSHA, head), g.BaseSHA
	}
	if e.EventName == "push" && !publish.IsZeroSHA(e.Event.Before) {
		base = e.Event.Before
	}
	return 0, head, base
}

// Request is the pull request of the event for the changelog gate (nil
// outside a pull_request event).
func (e *Env) Request() *publish.Request {
	pr := e.Event.PullRequest
	if pr == nil {
		return nil
	}
	r := &publish.Request{Title: pr.Title, Body: pr.Body}
	for _, l := range pr.Labels {
		r.Labels = append(r.Labels, l.Name)
	}
	return r
}
