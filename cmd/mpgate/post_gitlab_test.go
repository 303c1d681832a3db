package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/internal/fakegitlab"
	"github.com/mpgate/mpgate/publish/gitlabci"
)

const (
	glProjectID = 42
	glProject   = "acme/shop"
	glMR        = 5
	glBotID     = 7
	glBotName   = "project_42_bot_5d0c"
	glToken     = "glpat-mpgate-test-token"
	glJobToken  = "glcbt-job-token-test"
	glJobURL    = "https://gitlab.example.com/acme/shop/-/jobs/901"
	statusRoute = "POST /projects/:id/statuses/:sha"
	notesRoute  = "POST /projects/:id/merge_requests/:iid/notes"
)

// fastGitLabRetries shortens the adapter's backoff for the test.
func fastGitLabRetries(t *testing.T) {
	t.Helper()
	old := gitlabOptions
	gitlabOptions = []gitlab.Option{gitlab.WithRetries(4, time.Millisecond, 2*time.Millisecond)}
	t.Cleanup(func() { gitlabOptions = old })
}

// newGitLabFake is a fake GitLab with the project, its bot (a project
// access token, Maintainer) and a developer whose job token a pipeline
// gets. It checks at the end that every request was one GitLab accepts.
func newGitLabFake(t *testing.T, base, head string) *fakegitlab.Fake {
	t.Helper()
	f := fakegitlab.New(t)
	f.AddUser(glBotID, glBotName, true)
	f.AddUser(8, "dev", false)
	f.AddToken(glToken, fakegitlab.Private, glBotID)
	f.AddToken(glJobToken, fakegitlab.Job, 8)
	f.AddProject(glProjectID, glProject)
	f.SetMember(glProjectID, glBotID, 40)
	f.SetMember(glProjectID, 8, 30)
	f.SetMergeRequest(glProjectID, fakegitlab.MergeRequest{IID: glMR, Title: "pages", State: "opened",
		SourceBranch: "changes", TargetBranch: "main", SHA: head, BaseSHA: base, Author: 8})
	t.Cleanup(func() {
		if errs := f.Errors(); len(errs) > 0 {
			t.Errorf("fake GitLab saw invalid requests:\n%s", strings.Join(errs, "\n"))
		}
	})
	return f
}

// glRunner is a GitLab CI job's environment: a merge request pipeline for
// !5 (base..head) when mr, else a branch pipeline on main after base.
func glRunner(t *testing.T, f *fakegitlab.Fake, base, head string, mr bool) map[string]string {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		"CI": "true", "GITLAB_CI": "true",
		"CI_API_V4_URL": f.BaseURL(), "CI_PROJECT_ID": fmt.Sprint(glProjectID), "CI_PROJECT_PATH": glProject,
		"CI_PROJECT_DIR": dir, "CI_COMMIT_SHA": head, "CI_JOB_URL": glJobURL, "CI_JOB_TOKEN": glJobToken,
		gitlabci.TokenVar: glToken,
	}
	if mr {
		env["CI_PIPELINE_SOURCE"] = "merge_request_event"
		env["CI_MERGE_REQUEST_IID"] = fmt.Sprint(glMR)
		env["CI_MERGE_REQUEST_DIFF_BASE_SHA"] = base
		env["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] = "main"
		env["CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"] = "changes"
	} else {
		env["CI_PIPELINE_SOURCE"] = "push"
		env["CI_COMMIT_BRANCH"] = "main"
		env["CI_COMMIT_BEFORE_SHA"] = base
	}
	return env
}

// statusStates are the states the requests asked for, in order.
func statusStates(t *testing.T, f *fakegitlab.Fake) []string {
	t.Helper()
	var out []string
	for _, r := range f.Requests() {
		if r.Route != statusRoute || r.Status >= 300 {
			continue
		}
		var body struct {
			State string `json:"state"`
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
			t.Fatalf("status body %q: %v", r.Body, err)
		}
		out = append(out, body.State)
	}
	return out
}

func glStickyNotes(f *fakegitlab.Fake, key string) []fakegitlab.Note {
	var out []fakegitlab.Note
	for _, n := range f.Notes(glProjectID, glMR) {
		if n.Author == glBotID && strings.Contains(n.Body, bot.StickyMarker(key)) {
			out = append(out, n)
		}
	}
	return out
}

func readCodeQuality(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("Code Quality report: %v", err)
	}
	var issues []map[string]any
	if err := json.Unmarshal(data, &issues); err != nil {
		t.Fatalf("Code Quality report %s: %v", path, err)
	}
	return issues
}

func TestGitLabPostMergeRequest(t *testing.T) {
	tests := []struct {
		name      string
		missing   int
		wantCode  int
		wantState string
	}{
		{"failing", 60, exitFail, gitlab.StateFailed},
		{"passing", 0, exitPass, gitlab.StateSuccess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fastGitLabRetries(t)
			dir, base, head := miniRepo(t, tt.missing)
			f := newGitLabFake(t, base, head)
			env := glRunner(t, f, base, head, true)
			res := runArgs(t, env, "check", "--post", dir)
			if res.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstderr: %s", res.code, tt.wantCode, res.stderr)
			}
			if strings.Contains(res.stdout+res.stderr, glToken) || strings.Contains(res.stdout+res.stderr, glJobToken) {
				t.Error("a token was printed")
			}
			for _, r := range f.Requests() {
				if r.Auth != "PRIVATE-TOKEN" {
					t.Errorf("%s %s sent with %q, want the access token", r.Method, r.Path, r.Auth)
				}
			}
			if got, want := statusStates(t, f), []string{gitlab.StateRunning, tt.wantState}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("status states %v, want %v", got, want)
			}
			if reqs := f.Requests(); len(reqs) == 0 || reqs[0].Route != statusRoute {
				t.Errorf("the running status is not the first request: %+v", reqs[:min(len(reqs), 1)])
			}
			sts := f.Statuses(glProjectID, head)
			if len(sts) != 1 {
				t.Fatalf("%d statuses on %s, want 1: %+v", len(sts), head, sts)
			}
			st := sts[0]
			if st.Name != "mpgate" || st.State != tt.wantState || st.Ref != "changes" || st.TargetURL != glJobURL ||
				st.Description == "" || utf8.RuneCountInString(st.Description) > 255 {
				t.Errorf("status %+v", st)
			}
			notes := glStickyNotes(f, "")
			if len(notes) != 1 {
				t.Fatalf("%d sticky notes, want 1", len(notes))
			}
			if !strings.Contains(notes[0].Body, glJobURL) && tt.missing > 0 {
				t.Logf("note:\n%s", notes[0].Body)
			}
			if tt.missing > 0 && !strings.Contains(notes[0].Body, "MP102") {
				t.Errorf("the note does not name MP102:\n%s", notes[0].Body)
			}
			issues := readCodeQuality(t, filepath.Join(env["CI_PROJECT_DIR"], gitlabci.CodeQualityFile))
			if len(issues) != tt.missing {
				t.Errorf("%d Code Quality issues, want %d", len(issues), tt.missing)
			}
			for _, is := range issues {
				loc, _ := is["location"].(map[string]any)
				if is["check_name"] != "MP102" || loc["path"] != "app.json" {
					t.Errorf("Code Quality issue %v", is)
					break
				}
			}
			if strings.Contains(res.stderr, "notice") {
				t.Errorf("a token notice although the token may write: %s", res.stderr)
			}
		})
	}
}

// Missing or wrong variables are usage errors naming them, before any
// request (the adapter's own cases are publish/gitlabci's TestGitLabPostUsage).
func TestGitLabPostUsage(t *testing.T) {
	dir, base, head := miniRepo(t, 1)
	tests := []struct {
		name string
		env  func(env map[string]string)
		args []string
		want []string
	}{
		{"nothing", func(env map[string]string) {
			for k := range env {
				if k != "GITLAB_CI" {
					delete(env, k)
				}
			}
		}, nil, []string{"CI_API_V4_URL", "CI_PROJECT_ID", "CI_COMMIT_SHA", "MPGATE_GITLAB_TOKEN (or CI_JOB_TOKEN, or --token-file)"}},
		{"empty token file", func(env map[string]string) {}, []string{"--token-file"}, []string{"is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newGitLabFake(t, base, head)
			env := glRunner(t, f, base, head, true)
			tt.env(env)
			args := []string{"check", "--post"}
			for _, a := range tt.args {
				if a == "--token-file" {
					tok := filepath.Join(t.TempDir(), "tok")
					writeFile(t, tok, "\n")
					args = append(args, a, tok)
					continue
				}
				args = append(args, a)
			}
			res := runArgs(t, env, append(args, dir)...)
			if res.code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %q", res.code, exitUsage, res.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("stderr %q does not name %q", res.stderr, w)
				}
			}
			if n := len(f.Requests()); n != 0 {
				t.Errorf("%d requests to GitLab on a usage error", n)
			}
		})
	}
}

// yamlBlocks returns the ```yaml blocks of a Markdown file.
func yamlBlocks(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	var cur []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```yaml":
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

// docs/gitlab.md's pipeline is valid YAML that runs check --post with the
// full history and collects the Code Quality report mpgate writes.
func TestGitLabDocs(t *testing.T) {
	const path = "../../docs/gitlab.md"
	blocks := yamlBlocks(t, path)
	if len(blocks) < 2 {
		t.Fatalf("%d yaml blocks in %s", len(blocks), path)
	}
	type job struct {
		Variables map[string]any `yaml:"variables"`
		Script    []string       `yaml:"script"`
		Artifacts struct {
			When    string            `yaml:"when"`
			Reports map[string]string `yaml:"reports"`
		} `yaml:"artifacts"`
	}
	for i, b := range blocks[:2] {
		t.Run(fmt.Sprint("block ", i), func(t *testing.T) {
			var doc map[string]job
			if err := yaml.Unmarshal([]byte(b), &doc); err != nil {
				t.Fatalf("not YAML: %v\n%s", err, b)
			}
			j, ok := doc["mpgate"]
			if !ok {
				t.Fatalf("no mpgate job:\n%s", b)
			}
			if !strings.Contains(strings.Join(j.Script, "\n"), "mpgate check --post") {
				t.Errorf("script %q does not run mpgate check --post", j.Script)
			}
			if j.Artifacts.When != "always" {
				t.Errorf("artifacts when %q, want always", j.Artifacts.When)
			}
			cq := j.Artifacts.Reports["codequality"]
			if i == 0 && (cq != gitlabci.CodeQualityFile || fmt.Sprint(j.Variables["GIT_DEPTH"]) != "0") {
				t.Errorf("codequality %q, GIT_DEPTH %v", cq, j.Variables["GIT_DEPTH"])
			}
			if i == 1 && cq != "gl-code-quality-report-*.json" {
				t.Errorf("codequality %q for --project jobs", cq)
			}
		})
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{gitlabci.TokenVar, "CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_COMMIT_BEFORE_SHA", "/webhooks/gitlab",
		"MPGATE_CODEQUALITY", "MPGATE_COMMENT", "Merge request events", "Tag push events", "Comments", "Push events"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s does not mention %s", path, want)
		}
	}
}

// TestGitLabPostHTMLReport: check --post --html on GitLab writes the report and the sticky note links it in
// the job's artifacts (where the component's artifacts:paths keeps it).
func TestGitLabPostHTMLReport(t *testing.T) {
	fastGitLabRetries(t)
	dir, base, head := miniRepo(t, 1)
	f := newGitLabFake(t, base, head)
	env := glRunner(t, f, base, head, true)
	file := filepath.Join(env["CI_PROJECT_DIR"], "reports", "mpgate-report.html")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	res := runArgs(t, env, "check", "--post", "--html", file, dir)
	if res.code != exitFail {
		t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
	}
	if data, err := os.ReadFile(file); err != nil || !strings.Contains(string(data), `<svg class="map"`) {
		t.Fatalf("the HTML report was not written (%v)", err)
	}
	notes := glStickyNotes(f, "")
	if len(notes) != 1 {
		t.Fatalf("%d sticky notes, want 1", len(notes))
	}
	if want := glJobURL + "/artifacts/file/reports/mpgate-report.html"; !strings.Contains(notes[0].Body, want) {
		t.Errorf("the note does not link %s:\n%s", want, notes[0].Body)
	}
}
