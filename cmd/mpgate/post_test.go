package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/render"
	"github.com/mpgate/mpgate/internal/fakegithub"
)

const (
	testRepo  = "Codertocat/Hello-World" // the payloads' repository
	testToken = "ghs_actions_test_token"
	testLogin = "github-actions[bot]"
)

// fastRetries shortens the adapter's backoff for the test; extra options
// are added.
func fastRetries(t *testing.T, extra ...github.Option) {
	t.Helper()
	old := githubOptions
	githubOptions = append([]github.Option{github.WithRetries(4, time.Millisecond)}, extra...)
	t.Cleanup(func() { githubOptions = old })
}

// gitRun runs git in dir and returns its trimmed output.
func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// miniRepo makes a git repository holding a WeChat mini-program: the base
// commit has one page; the pull request's commit declares missing more
// pages, each a new MP102 error on its line of app.json. HEAD is the pull
// request's commit.
func miniRepo(t *testing.T, missing int) (dir, base, head string) {
	t.Helper()
	dir = t.TempDir()
	gitRun(t, dir, "init", "-q")
	writeFile(t, filepath.Join(dir, "app.js"), "App({})\n")
	writeFile(t, filepath.Join(dir, "pages/index/index.js"), "Page({})\n")
	writeFile(t, filepath.Join(dir, "pages/index/index.wxml"), "<view>hi</view>\n")
	appJSON := func(n int) string {
		pages := []string{`    "pages/index/index"`}
		for i := range n {
			pages = append(pages, fmt.Sprintf(`    "pages/p%d/p%d"`, i, i))
		}
		return "{\n  \"pages\": [\n" + strings.Join(pages, ",\n") + "\n  ]\n}\n"
	}
	writeFile(t, filepath.Join(dir, "app.json"), appJSON(0))
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "base")
	base = gitRun(t, dir, "rev-parse", "HEAD")
	gitRun(t, dir, "checkout", "-q", "-b", "changes")
	writeFile(t, filepath.Join(dir, "app.json"), appJSON(missing))
	gitRun(t, dir, "commit", "-q", "--allow-empty", "-am", "pages")
	head = gitRun(t, dir, "rev-parse", "HEAD")
	return dir, base, head
}

// runner is a GitHub Actions step's environment.
type runner struct {
	env     map[string]string
	tmp     string
	summary string
	output  string
}

// newRunner writes the payload (testdata/github/NAME, rewritten by edit)
// as the event and sets the runner's variables against the fake.
func newRunner(t *testing.T, f *fakegithub.Fake, event, name string, edit func(ev map[string]any)) *runner {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "github", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	edit(ev)
	tmp := t.TempDir()
	evPath := filepath.Join(tmp, "event.json")
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, evPath, string(out))
	r := &runner{tmp: tmp, summary: filepath.Join(tmp, "step_summary.md"), output: filepath.Join(tmp, "output")}
	r.env = map[string]string{
		"GITHUB_ACTIONS": "true", "CI": "true",
		"GITHUB_API_URL": f.BaseURL(), "GITHUB_SERVER_URL": "https://github.com",
		"GITHUB_REPOSITORY": testRepo, "GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": evPath,
		"GITHUB_SHA": "", "GITHUB_RUN_ID": "4242",
		"GITHUB_STEP_SUMMARY": r.summary, "GITHUB_OUTPUT": r.output, "RUNNER_TEMP": tmp,
		"GITHUB_TOKEN": testToken,
	}
	return r
}

// prRunner is a pull_request run on the pull request base..head.
func prRunner(t *testing.T, f *fakegithub.Fake, base, head string, fork bool) *runner {
	t.Helper()
	r := newRunner(t, f, "pull_request", "pull_request.opened.json", func(ev map[string]any) {
		pr := ev["pull_request"].(map[string]any)
		pr["head"].(map[string]any)["sha"] = head
		pr["base"].(map[string]any)["sha"] = base
		if fork {
			pr["head"].(map[string]any)["repo"].(map[string]any)["full_name"] = "forker/Hello-World"
		}
	})
	r.env["GITHUB_SHA"] = head
	return r
}

func newFake(t *testing.T) *fakegithub.Fake {
	t.Helper()
	f := fakegithub.New(t)
	f.AddToken(testToken, testLogin)
	t.Cleanup(func() {
		if errs := f.Errors(); len(errs) > 0 {
			t.Errorf("fake GitHub saw invalid requests:\n%s", strings.Join(errs, "\n"))
		}
	})
	return f
}

// parseOutputs reads $GITHUB_OUTPUT (name=value and name<<DELIM blocks).
func parseOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		line := sc.Text()
		if name, delim, ok := strings.Cut(line, "<<"); ok {
			var val []string
			closed := false
			for sc.Scan() {
				if sc.Text() == delim {
					closed = true
					break
				}
				val = append(val, sc.Text())
			}
			if !closed {
				t.Fatalf("output %s: delimiter %s never closes", name, delim)
			}
			if strings.Contains(strings.Join(val, "\n"), delim) {
				t.Fatalf("output %s: value holds its delimiter", name)
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("bad output line %q", line)
		}
		out[name] = val
	}
	return out
}

func requestsOf(f *fakegithub.Fake, op string) []fakegithub.Request {
	var out []fakegithub.Request
	for _, r := range f.Requests() {
		if r.Operation == op {
			out = append(out, r)
		}
	}
	return out
}

func stickyComments(f *fakegithub.Fake, number int, key string) []fakegithub.Comment {
	var out []fakegithub.Comment
	for _, c := range f.Comments(testRepo, number) {
		if c.Login == testLogin && strings.Contains(c.Body, bot.StickyMarker(key)) {
			out = append(out, c)
		}
	}
	return out
}

func TestPostPullRequest(t *testing.T) {
	fastRetries(t)
	f := newFake(t)
	dir, base, head := miniRepo(t, 60)
	r := prRunner(t, f, base, head, false)

	res := runArgs(t, r.env, "check", "--post", dir)
	if res.code != exitFail {
		t.Fatalf("exit %d, want %d (60 new errors)\nstderr: %s", res.code, exitFail, res.stderr)
	}
	if strings.Contains(res.stdout+res.stderr, testToken) {
		t.Error("the token was printed")
	}
	if strings.Contains(res.stdout, "::error") {
		t.Error("workflow annotations printed although the check run carries them")
	}

	// The check run: looked for (an open one a killed attempt left is
	// taken over), created in_progress, completed once with all
	// annotations in batches of at most 50.
	reqs := f.Requests()
	if len(reqs) < 2 || reqs[0].Operation != "checks/list-for-ref" || reqs[1].Operation != "checks/create" || !strings.Contains(reqs[1].Body, `"status":"in_progress"`) {
		t.Fatalf("first requests are not the lookup and an in_progress check run: %+v", reqs[:min(len(reqs), 2)])
	}
	runs := f.CheckRuns(testRepo)
	if len(runs) != 1 {
		t.Fatalf("%d check runs, want 1", len(runs))
	}
	cr := runs[0]
	if cr.Name != "mpgate" || cr.HeadSHA != head || cr.Status != "completed" || cr.Conclusion != "failure" {
		t.Errorf("check run %q on %s: %s/%s", cr.Name, cr.HeadSHA, cr.Status, cr.Conclusion)
	}
	if len(cr.Annotations) != 60 {
		t.Errorf("%d annotations, want 60", len(cr.Annotations))
	}
	if want := []int{50, 10}; fmt.Sprint(cr.AnnotationsPerRequest) != fmt.Sprint(want) {
		t.Errorf("annotations per request %v, want %v", cr.AnnotationsPerRequest, want)
	}
	for _, a := range cr.Annotations {
		if a.Path != "app.json" || a.StartLine < 4 || a.Level != "failure" {
			t.Errorf("annotation %+v", a)
			break
		}
	}
	if cr.DetailsURL != "https://github.com/"+testRepo+"/actions/runs/4242" {
		t.Errorf("details URL %q", cr.DetailsURL)
	}

	// One sticky comment on PR #2 (the payload's number).
	comments := stickyComments(f, 2, "")
	if len(comments) != 1 {
		t.Fatalf("%d sticky comments, want 1", len(comments))
	}
	if summary, _ := os.ReadFile(r.summary); !strings.Contains(string(summary), fmt.Sprintf("https://github.com/%s/runs/%d", testRepo, cr.ID)) {
		t.Errorf("job summary does not link the check run:\n%s", summary)
	}

	// Job summary, outputs and the JSON result.
	summary, err := os.ReadFile(r.summary)
	if err != nil || !strings.Contains(string(summary), "MP102") {
		t.Errorf("job summary (%v):\n%s", err, summary)
	}
	outs := parseOutputs(t, r.output)
	if outs["verdict"] != "fail" {
		t.Errorf("verdict output %q", outs["verdict"])
	}
	if strings.TrimSpace(outs["comment-body"]) != strings.TrimSpace(comments[0].Body) {
		t.Errorf("comment-body output differs from the comment:\n%s\n---\n%s", outs["comment-body"], comments[0].Body)
	}
	if outs["report"] != filepath.Join(r.tmp, "mpgate-result.json") {
		t.Errorf("report output %q", outs["report"])
	}
	var art resultArtifact
	if err := readJSONFile(outs["report"], &art); err != nil {
		t.Fatal(err)
	}
	if art.GitHub == nil || art.GitHub.PullRequest != 2 || art.GitHub.HeadSHA != head || art.GitHub.BaseSHA != base ||
		art.GitHub.Repository != testRepo || art.Verdict != "fail" || len(art.Projects) != 1 || art.BaseRev != base {
		t.Errorf("JSON result: %+v %+v", art.GitHub, art.Result)
	}
}

// A second run after a push updates the one sticky comment, found on the
// second page of more than 100 comments; a re-run with the same result
// leaves it alone; nothing is duplicated.
func TestPostUpdatesStickyComment(t *testing.T) {
	fastRetries(t)
	f := newFake(t)
	for i := range 150 {
		f.AddComment(testRepo, 2, "someone", fmt.Sprintf("comment %d", i))
	}
	dir, base, head := miniRepo(t, 3)
	r := prRunner(t, f, base, head, false)
	if res := runArgs(t, r.env, "check", "--post", dir); res.code != exitFail {
		t.Fatalf("first run: exit %d\n%s", res.code, res.stderr)
	}
	first := stickyComments(f, 2, "")
	if len(first) != 1 {
		t.Fatalf("%d sticky comments after the first run", len(first))
	}
	if !strings.Contains(first[0].Body, "https://github.com/"+testRepo+"/pull/2/checks") {
		t.Errorf("the comment does not link the pull request's checks:\n%s", first[0].Body)
	}
	for i := range 30 {
		f.AddComment(testRepo, 2, "someone", fmt.Sprintf("later comment %d", i))
	}

	// The same result again: nothing is written.
	if res := runArgs(t, r.env, "check", "--post", dir); res.code != exitFail {
		t.Fatalf("re-run: exit %d\n%s", res.code, res.stderr)
	}
	if n := f.Count("issues/update-comment"); n != 0 {
		t.Errorf("an unchanged result edited the comment %d times", n)
	}

	// A push: the comment is edited in place.
	writeFile(t, filepath.Join(dir, "pages/index/index.wxss"), ".a{color:red}\n")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "style")
	head2 := gitRun(t, dir, "rev-parse", "HEAD")
	r2 := prRunner(t, f, base, head2, false)
	if res := runArgs(t, r2.env, "check", "--post", dir); res.code != exitFail {
		t.Fatalf("run after a push: exit %d\n%s", res.code, res.stderr)
	}
	second := stickyComments(f, 2, "")
	if len(second) != 1 || second[0].ID != first[0].ID {
		t.Fatalf("sticky comments after the push: %d (%v; the first was %d)", len(second), second, first[0].ID)
	}
	if second[0].Body == first[0].Body || !strings.Contains(second[0].Body, head2[:12]) {
		t.Errorf("the comment was not updated for %s:\n%s", head2, second[0].Body)
	}
	if n := f.Count("issues/create-comment"); n != 1 {
		t.Errorf("%d comments created, want 1", n)
	}
	if n := f.Count("issues/update-comment"); n != 1 {
		t.Errorf("%d comment updates, want 1", n)
	}
	page2 := false
	for _, q := range requestsOf(f, "issues/list-comments") {
		page2 = page2 || strings.Contains(q.Query, "page=2")
	}
	if !page2 {
		t.Error("the second page of comments was never read")
	}
	if got := len(f.Comments(testRepo, 2)); got != 181 {
		t.Errorf("%d comments, want 181", got)
	}
}

// A result too big for a comment is folded under 65,536 characters; the
// job summary stays under 1 MiB although it was nearly full.
func TestPostBodyOverLimits(t *testing.T) {
	fastRetries(t)
	f := newFake(t)
	dir, base, head := miniRepo(t, 1500)
	r := prRunner(t, f, base, head, false)
	writeFile(t, r.summary, strings.Repeat("x", summaryLimit-20000)+"\n")

	if res := runArgs(t, r.env, "check", "--post", dir); res.code != exitFail {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	comments := stickyComments(f, 2, "")
	if len(comments) != 1 {
		t.Fatalf("%d sticky comments", len(comments))
	}
	body := comments[0].Body
	if n := len([]rune(body)); n > github.MaxCommentChars || n < 1000 {
		t.Errorf("comment of %d characters", n)
	}
	if strings.Contains(body, "comment truncated to GitHub's size limit") {
		t.Error("the comment was cut by the adapter instead of folded by the renderer")
	}
	st, err := os.Stat(r.summary)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > summaryLimit || st.Size() <= summaryLimit-20000 {
		t.Errorf("job summary of %d bytes", st.Size())
	}
	runs := f.CheckRuns(testRepo)
	if len(runs) != 1 || len(runs[0].Annotations) != 1500 || len(runs[0].AnnotationsPerRequest) != 30 {
		t.Errorf("check runs: %d", len(runs))
	}
	if len(runs) == 1 && (len(runs[0].Summary) > 65535 || len(runs[0].Text) > 65535) {
		t.Errorf("check run summary %d, text %d bytes", len(runs[0].Summary), len(runs[0].Text))
	}
}

// A fork's read-only token: the step falls back to the job summary and
// workflow annotations and exits by the verdict.
func TestPostForkForbidden(t *testing.T) {
	tests := []struct {
		name     string
		missing  int
		wantCode int
	}{
		{"failing", 25, exitFail},
		{"passing", 0, exitPass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fastRetries(t)
			f := newFake(t)
			f.Fault("checks/create", 1, fakegithub.ForbiddenIntegration)
			dir, base, head := miniRepo(t, tt.missing)
			r := prRunner(t, f, base, head, true)
			res := runArgs(t, r.env, "check", "--post", dir)
			if res.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstderr: %s", res.code, tt.wantCode, res.stderr)
			}
			if strings.Contains(res.stderr, "posting to GitHub") {
				t.Errorf("the 403 was reported as an error: %s", res.stderr)
			}
			if len(f.Comments(testRepo, 2)) != 0 || f.Count("checks/update") != 0 {
				t.Error("something was posted after the 403")
			}
			if summary, err := os.ReadFile(r.summary); err != nil || !strings.Contains(string(summary), "mpgate") {
				t.Errorf("job summary (%v): %s", err, summary)
			}
			if !strings.Contains(res.stdout, "::notice title=mpgate::This token may not write check runs") {
				t.Errorf("no notice about the fork's token:\n%s", res.stdout)
			}
			errs := strings.Count(res.stdout, "\n::error file=app.json,line=")
			if want := min(tt.missing, 10); errs != want {
				t.Errorf("%d ::error annotations, want %d:\n%s", errs, want, res.stdout)
			}
			if tt.missing > 10 && !strings.Contains(res.stdout, fmt.Sprintf("::notice title=mpgate::%d errors more in the job summary", tt.missing-10)) {
				t.Errorf("no notice about the annotations left out:\n%s", res.stdout)
			}
			if outs := parseOutputs(t, r.output); outs["verdict"] == "" || outs["report"] == "" {
				t.Errorf("outputs: %v", outs)
			}
		})
	}
}

// A 5xx and secondary rate limits (403 and 429 with Retry-After) are
// retried: nothing is lost.
func TestPostRetries(t *testing.T) {
	fastRetries(t)
	f := newFake(t)
	f.Fault("checks/create", 1, fakegithub.SecondaryRateLimit429)
	f.Fault("checks/update", 1, fakegithub.ServerError)
	f.Fault("issues/create-comment", 1, fakegithub.SecondaryRateLimit)
	dir, base, head := miniRepo(t, 60)
	r := prRunner(t, f, base, head, false)
	res := runArgs(t, r.env, "check", "--post", dir)
	if res.code != exitFail || strings.Contains(res.stderr, "posting") {
		t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
	}
	runs := f.CheckRuns(testRepo)
	if len(runs) != 1 || runs[0].Conclusion != "failure" || len(runs[0].Annotations) != 60 {
		t.Fatalf("check runs: %+v", runs)
	}
	if n := len(stickyComments(f, 2, "")); n != 1 {
		t.Errorf("%d sticky comments", n)
	}
	statuses := map[string]int{}
	for _, q := range f.Requests() {
		statuses[fmt.Sprint(q.Operation, " ", q.Status)]++
	}
	for _, want := range []string{"checks/create 429", "checks/create 201", "checks/update 502", "issues/create-comment 403", "issues/create-comment 201"} {
		if statuses[want] != 1 {
			t.Errorf("%d answers %q, want 1 (all: %v)", statuses[want], want, statuses)
		}
	}
}

// A rate limit not waited out ends the step with an error naming the time
// to retry; the job summary and outputs are written all the same.
func TestPostRateLimited(t *testing.T) {
	fastRetries(t, github.WithMaxRateLimitWait(0))
	f := newFake(t)
	f.Fault("checks/update", 10, fakegithub.PrimaryRateLimit)
	dir, base, head := miniRepo(t, 2)
	r := prRunner(t, f, base, head, false)
	res := runArgs(t, r.env, "check", "--post", dir)
	if res.code != exitUsage || !strings.Contains(res.stderr, "rate limit (retry at ") {
		t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
	}
	if _, err := os.Stat(r.summary); err != nil {
		t.Errorf("no job summary: %v", err)
	}
	if outs := parseOutputs(t, r.output); outs["verdict"] != "fail" {
		t.Errorf("outputs %v", outs)
	}
	if !strings.Contains(res.stdout, "::error file=app.json") {
		t.Error("no workflow annotations although the check run was not completed")
	}
}

// Push events compare with "before"; there is no comment.
func TestPostPush(t *testing.T) {
	fastRetries(t)
	f := newFake(t)
	dir, base, head := miniRepo(t, 4)
	r := newRunner(t, f, "push", "push.json", func(ev map[string]any) {
		ev["before"], ev["after"] = base, head
	})
	r.env["GITHUB_SHA"] = head
	res := runArgs(t, r.env, "check", "--post", dir)
	if res.code != exitFail {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	runs := f.CheckRuns(testRepo)
	if len(runs) != 1 || runs[0].HeadSHA != head || len(runs[0].Annotations) != 4 {
		t.Fatalf("check runs %+v", runs)
	}
	if f.Count("issues/create-comment") != 0 {
		t.Error("a push got a comment")
	}
}

func TestPostUsage(t *testing.T) {
	dir, base, head := miniRepo(t, 1)
	tests := []struct {
		name string
		env  func(r *runner)
		args []string
		want string
	}{
		{"no CI", func(r *runner) { r.env = map[string]string{} }, nil, "missing GITHUB_ACTIONS=true, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_SHA, GITHUB_TOKEN"},
		{"GitLab", func(r *runner) { r.env = map[string]string{"GITLAB_CI": "true"} }, nil, "CI_API_V4_URL"},
		{"no token", func(r *runner) { delete(r.env, "GITHUB_TOKEN") }, nil, "GITHUB_TOKEN (or --token-file) are not set"},
		{"empty token file", func(r *runner) { writeFile(t, filepath.Join(r.tmp, "tok"), "\n") }, []string{"--token-file"}, "is empty"},
		{"bad repository", func(r *runner) { r.env["GITHUB_REPOSITORY"] = "nope" }, nil, "is not owner/name"},
		{"bad comment", func(r *runner) { r.env["MPGATE_COMMENT"] = "maybe" }, nil, "MPGATE_COMMENT"},
		{"base not fetched", func(r *runner) {}, []string{"--base", strings.Repeat("ab", 20)}, "fetch-depth: 0"},
		{"coverage outside", func(r *runner) { r.env["MPGATE_COVERAGE"] = "/elsewhere/lcov.info" }, nil, "not inside the repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			r := prRunner(t, f, base, head, false)
			tt.env(r)
			args := []string{"check", "--post", dir}
			for _, a := range tt.args {
				if a == "--token-file" {
					args = append(args, a, filepath.Join(r.tmp, "tok"))
					continue
				}
				args = append(args, a)
			}
			res := runArgs(t, r.env, args...)
			if res.code != exitUsage || !strings.Contains(res.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", res.code, res.stderr, exitUsage, tt.want)
			}
			if len(f.Requests()) != 0 {
				t.Errorf("%d requests to GitHub on a usage error", len(f.Requests()))
			}
		})
	}
}

// MPGATE_COMMENT=false skips the comment; the comment body is still an
// output.
func TestPostNoComment(t *testing.T) {
	fastRetries(t)
	f := newFake(t)
	dir, base, head := miniRepo(t, 1)
	r := prRunner(t, f, base, head, false)
	r.env["MPGATE_COMMENT"] = "false"
	if res := runArgs(t, r.env, "check", "--post", dir); res.code != exitFail {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if n := len(f.Comments(testRepo, 2)); n != 0 {
		t.Errorf("%d comments", n)
	}
	if outs := parseOutputs(t, r.output); !strings.Contains(outs["comment-body"], bot.StickyMarker("")) {
		t.Errorf("comment-body output: %q", outs["comment-body"])
	}
}

func TestWorkflowAnnotation(t *testing.T) {
	tests := []struct {
		name string
		in   render.Annotation
		want string
	}{
		{"line and column", render.Annotation{Path: "app.json", StartLine: 3, EndLine: 3, StartCol: 5, EndCol: 9, Level: "failure", Title: "MP102 · page", Message: "no file"},
			"::error file=app.json,line=3,col=5,endColumn=9,title=MP102 · page::no file"},
		{"lines", render.Annotation{Path: "a.js", StartLine: 2, EndLine: 4, StartCol: 1, Level: "warning", Message: "m"},
			"::warning file=a.js,line=2,endLine=4::m"},
		{"escapes", render.Annotation{Path: "dir,x/a:b.js", StartLine: 1, EndLine: 1, Level: "notice", Title: "a:b,c%\n", Message: "50%\r\nnext: a,b"},
			"::notice file=dir%2Cx/a%3Ab.js,line=1,title=a%3Ab%2Cc%25%0A::50%25%0D%0Anext: a,b"},
		{"no path", render.Annotation{Level: "failure", Message: "whole"}, "::error::whole"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := workflowAnnotation(tt.in); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestPrintWorkflowAnnotationsCaps(t *testing.T) {
	mk := func(level string, n int) []render.Annotation {
		var out []render.Annotation
		for i := range n {
			out = append(out, render.Annotation{Path: "f.js", StartLine: i + 1, EndLine: i + 1, Level: level, Message: fmt.Sprint(level, i)})
		}
		return out
	}
	tests := []struct {
		name    string
		anns    []render.Annotation
		notices []string
		want    map[string]int // commands per level printed
		more    string
	}{
		{"under the caps", append(mk("failure", 3), mk("notice", 2)...), nil, map[string]int{"error": 3, "notice": 2}, ""},
		{"errors over", mk("failure", 25), nil, map[string]int{"error": 10, "notice": 1}, "15 errors more"},
		{"notices share with the overflow note", append(mk("notice", 12), mk("warning", 11)...), []string{"fork"},
			map[string]int{"warning": 10, "notice": 10}, "1 warning, 4 notices more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := printWorkflowAnnotations(&b, tt.anns, tt.notices); err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
				level, _, _ := strings.Cut(strings.TrimPrefix(line, "::"), " ")
				level, _, _ = strings.Cut(level, "::")
				got[level]++
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("printed %v, want %v:\n%s", got, tt.want, b.String())
			}
			if tt.more != "" && !strings.Contains(b.String(), tt.more) {
				t.Errorf("no %q note:\n%s", tt.more, b.String())
			}
			first := tt.anns[0]
			if !strings.Contains(b.String(), "::"+first.Message+"\n") {
				t.Errorf("the first (most important) annotation is missing")
			}
		})
	}
}

func TestAppendOutputs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out")
	writeFile(t, path, "earlier=1\n")
	body := "line one\nghadelimiter_x\n\nlast"
	if err := appendOutputs(path, []output{{"verdict", "pass"}, {"comment-body", body}, {"empty", ""}}); err != nil {
		t.Fatal(err)
	}
	got := parseOutputs(t, path)
	want := map[string]string{"earlier": "1", "verdict": "pass", "comment-body": body, "empty": ""}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outputs %q, want %q", got, want)
	}
}

// FuzzWorkflowAnnotation: whatever the finding, the command is one line
// whose properties cannot be split by its text.
func FuzzWorkflowAnnotation(f *testing.F) {
	f.Add("app.json", "MP102 · page", "no file\nhint: x", 3, 5)
	f.Add("a,b:c%d.js", "t::x", "%0A\r\n::error::", 1, 0)
	f.Fuzz(func(t *testing.T, path, title, msg string, line, col int) {
		cmd := workflowAnnotation(render.Annotation{Path: path, StartLine: line, EndLine: line, StartCol: col, Level: "failure", Title: title, Message: msg})
		if strings.ContainsAny(cmd, "\r\n") {
			t.Fatalf("multi-line command %q", cmd)
		}
		props, data, ok := strings.Cut(strings.TrimPrefix(cmd, "::error"), "::")
		if !ok {
			t.Fatalf("no data separator in %q", cmd)
		}
		if got := unescapeWorkflow(data); got != msg {
			t.Fatalf("message %q came back as %q", msg, got)
		}
		for _, p := range strings.Split(strings.TrimPrefix(props, " "), ",") {
			if p == "" {
				continue
			}
			k, v, ok := strings.Cut(p, "=")
			if !ok || strings.Contains(v, ":") {
				t.Fatalf("property %q of %q", p, cmd)
			}
			switch k {
			case "file":
				if unescapeWorkflow(v) != path {
					t.Fatalf("file %q came back as %q", path, unescapeWorkflow(v))
				}
			case "title":
				if unescapeWorkflow(v) != title {
					t.Fatalf("title %q came back as %q", title, unescapeWorkflow(v))
				}
			}
		}
	})
}

// unescapeWorkflow reverses escapeProperty (and escapeData), as the runner
// does.
func unescapeWorkflow(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace(s)
}

// actionYAML is the part of action.yml the test reads.
type actionYAML struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs map[string]struct {
		Description string  `yaml:"description"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID   string            `yaml:"id"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
			Env  map[string]string `yaml:"env"`
			Dir  string            `yaml:"working-directory"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// TestActionYAML keeps action.yml whole: a composite action that installs
// mpgate with scripts/action/install.sh (built from source only when that
// says so), whose every input is used, every output set by the step running
// check --post, and whose variables are ones mpgate reads; a description
// the Marketplace takes (at most 125 characters) and branding.
func TestActionYAML(t *testing.T) {
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionYAML
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(false)
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using %q, want composite (the user's toolchain builds the base and the head)", a.Runs.Using)
	}
	if n := len([]rune(a.Description)); n == 0 || n > 125 {
		t.Errorf("description has %d characters; the Marketplace takes 1 to 125", n)
	}
	if a.Branding.Icon == "" || a.Branding.Color == "" {
		t.Errorf("branding %+v: the Marketplace wants an icon and a color", a.Branding)
	}
	var all strings.Builder
	var check, install, build bool
	for _, s := range a.Runs.Steps {
		all.WriteString(s.Uses + "\n" + s.Run + "\n" + s.Dir + "\n")
		for k, v := range s.With {
			all.WriteString(k + ": " + v + "\n")
		}
		for k, v := range s.Env {
			all.WriteString(k + ": " + v + "\n")
		}
		if s.Run == `bash "$MPGATE_SOURCE_DIR/scripts/action/install.sh"` && s.ID == "install" {
			install = true
		}
		if s.Run == `bash "$MPGATE_SOURCE_DIR/scripts/action/install.sh" build` && s.ID == "build" {
			build = true
		}
		if s.ID != "check" {
			if strings.Contains(s.Run, "${{") {
				t.Errorf("step %q splices an expression into its script; pass it through env", s.Run)
			}
			continue
		}
		check = true
		if !strings.Contains(s.Run, `"$MPGATE_BIN" "${args[@]}" .`) || !strings.Contains(s.Run, "args=(check --post)") {
			t.Errorf("the check step does not run mpgate check --post:\n%s", s.Run)
		}
		if strings.Contains(s.Run, "${{") {
			t.Error("the check step splices an expression into its script; pass it through env")
		}
		for k := range s.Env {
			read := map[string]bool{"GITHUB_TOKEN": true, "MPGATE_COVERAGE": true, "MPGATE_COMMENT": true, "MPGATE_CACHE_DIR": true}
			if !read[k] && !strings.Contains(s.Run, "$"+k) {
				t.Errorf("env %s is neither read by mpgate nor used by the script", k)
			}
		}
	}
	if !check || !install || !build {
		t.Fatalf("steps: check --post %v, install %v, build from the action's source %v", check, install, build)
	}
	if !strings.Contains(all.String(), "actions/setup-go@") || !strings.Contains(all.String(), "go-version-file: ${{ github.action_path }}/go.mod") {
		t.Error("Go is not set up from the action's go.mod")
	}
	for _, cache := range []string{"actions/cache/restore@v4", "actions/cache/save@v4", "key: mpgate-${{ runner.os }}-${{ github.sha }}",
		"restore-keys: mpgate-${{ runner.os }}-", "MPGATE_CACHE_DIR: ${{ runner.temp }}/mpgate-cache"} {
		if !strings.Contains(all.String(), cache) {
			t.Errorf("the analysis cache is not kept in the runner's cache: no %q", cache)
		}
	}
	if a.Inputs["version"].Default == nil || *a.Inputs["version"].Default != "${{ github.action_ref }}" {
		t.Errorf("version default %v, want the action's own ref", a.Inputs["version"].Default)
	}
	want := []string{"config", "base", "token", "coverage", "fail-on", "comment", "working-directory", "go-version", "version", "build-from-source", "args", "cache"}
	for _, in := range want {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("no input %q", in)
		}
	}
	for name, in := range a.Inputs {
		t.Run("input "+name, func(t *testing.T) {
			if in.Description == "" || in.Default == nil {
				t.Errorf("input %s: description %q, default %v", name, in.Description, in.Default)
			}
			if !strings.Contains(all.String(), "${{ inputs."+name+" }}") {
				t.Errorf("input %s is never used", name)
			}
		})
	}
	if tok := a.Inputs["token"]; tok.Default == nil || *tok.Default != "${{ github.token }}" {
		t.Errorf("token default %v", tok.Default)
	}
	written := map[string]bool{outputVerdict: true, outputReport: true, outputCommentBody: true}
	if len(a.Outputs) != len(written) {
		t.Errorf("%d outputs, mpgate writes %d", len(a.Outputs), len(written))
	}
	for name, out := range a.Outputs {
		if !written[name] || out.Value != "${{ steps.check.outputs."+name+" }}" || out.Description == "" {
			t.Errorf("output %s: value %q (mpgate writes it: %v)", name, out.Value, written[name])
		}
	}
}

// TestActionScript runs the check step's script with a stand-in mpgate:
// the inputs become flags, and fail-on decides what the exit code means.
func TestActionScript(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionYAML
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	script := ""
	for _, s := range a.Runs.Steps {
		if s.ID == "check" {
			script = s.Run
		}
	}
	tests := []struct {
		name     string
		env      map[string]string
		exit     int
		wantCode int
		wantArgs string // the arguments mpgate got, joined by "|"
	}{
		{"pass", map[string]string{"MPGATE_INPUT_FAIL_ON": "error"}, 0, 0, "check|--post|."},
		{"fail", map[string]string{"MPGATE_INPUT_FAIL_ON": "error"}, 1, 1, "check|--post|."},
		{"fail, never", map[string]string{"MPGATE_INPUT_FAIL_ON": "never"}, 1, 0, "check|--post|."},
		{"cannot run, never", map[string]string{"MPGATE_INPUT_FAIL_ON": "never"}, 2, 2, "check|--post|."},
		{"bad fail-on", map[string]string{"MPGATE_INPUT_FAIL_ON": "warning"}, 0, 2, ""},
		{"inputs", map[string]string{"MPGATE_INPUT_FAIL_ON": "error", "MPGATE_INPUT_CONFIG": "ci/my config.yml",
			"MPGATE_INPUT_BASE": "origin/main", "MPGATE_INPUT_PROJECT": "shop; rm -rf /"}, 0, 0,
			"check|--post|--config|ci/my config.yml|--base|origin/main|--project|shop; rm -rf /|."},
		{"args", map[string]string{"MPGATE_INPUT_FAIL_ON": "error", "MPGATE_INPUT_ARGS": ` --platform wechat  --baseline "a b.json" '$(touch pwned)' `}, 0, 0,
			"check|--post|--platform|wechat|--baseline|a b.json|$(touch pwned)|."},
		{"blank args", map[string]string{"MPGATE_INPUT_FAIL_ON": "error", "MPGATE_INPUT_ARGS": "  "}, 0, 0, "check|--post|."},
		{"unclosed quote", map[string]string{"MPGATE_INPUT_FAIL_ON": "error", "MPGATE_INPUT_ARGS": `--config "x`}, 0, 2, ""},
		{"no cache", map[string]string{"MPGATE_INPUT_FAIL_ON": "error", "MPGATE_INPUT_CACHE": "false"}, 0, 0, "check|--post|--no-cache|."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			argsFile := filepath.Join(tmp, "args")
			writeFile(t, filepath.Join(tmp, "mpgate"), fmt.Sprintf("#!%s\nIFS='|'; echo \"$*\" > %q\nexit %d\n", bash, argsFile, tt.exit))
			if err := os.Chmod(filepath.Join(tmp, "mpgate"), 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bash, "-e", "-c", script)
			cmd.Dir = tmp
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "RUNNER_TEMP=" + tmp, "MPGATE_BIN=" + filepath.Join(tmp, "mpgate")}
			for k, v := range tt.env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s", code, tt.wantCode, out)
			}
			got, _ := os.ReadFile(argsFile)
			if tt.wantArgs != "" && strings.TrimSpace(string(got)) != tt.wantArgs {
				t.Errorf("mpgate got %q, want %q (arguments joined by |)", strings.TrimSpace(string(got)), tt.wantArgs)
			}
		})
	}
}

// TestActionDocs checks the workflows of docs/github-action.md: valid YAML,
// only inputs the action has, full history checked out, the permissions
// posting needs, and the fork-safe pair.
func TestActionDocs(t *testing.T) {
	doc, err := os.ReadFile("../../docs/github-action.md")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionYAML
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	type step struct {
		Uses string            `yaml:"uses"`
		Run  string            `yaml:"run"`
		With map[string]any    `yaml:"with"`
		Env  map[string]string `yaml:"env"`
	}
	type workflow struct {
		On          any               `yaml:"on"`
		Permissions map[string]string `yaml:"permissions"`
		Jobs        map[string]struct {
			Steps []step `yaml:"steps"`
		} `yaml:"jobs"`
	}
	blocks := strings.Split(string(doc), "```yaml\n")[1:]
	workflows, reportPost := 0, false
	for i, b := range blocks {
		b, _, _ = strings.Cut(b, "```")
		t.Run(fmt.Sprint("block ", i), func(t *testing.T) {
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(b), &n); err != nil {
				t.Fatalf("not YAML: %v\n%s", err, b)
			}
			var w workflow
			if len(n.Content) == 1 && n.Content[0].Kind == yaml.MappingNode {
				if err := n.Decode(&w); err != nil {
					t.Fatalf("not a workflow or config: %v\n%s", err, b)
				}
			}
			if strings.HasPrefix(b, "# .mpgate.yml") {
				if _, err := config.Parse([]byte(b), ".mpgate.yml"); err != nil {
					t.Errorf("the config is invalid: %v\n%s", err, b)
				}
				return
			}
			if len(w.Jobs) == 0 {
				return // a fragment
			}
			workflows++
			if w.Permissions["checks"] != "write" || w.Permissions["pull-requests"] != "write" {
				t.Errorf("permissions %v: checks and pull-requests must be write", w.Permissions)
			}
			for _, j := range w.Jobs {
				for _, s := range j.Steps {
					switch {
					case strings.HasPrefix(s.Uses, "actions/checkout@"):
						if fmt.Sprint(s.With["fetch-depth"]) != "0" {
							t.Errorf("checkout without fetch-depth: 0")
						}
					case strings.HasPrefix(s.Uses, "mpgate/mpgate@"):
						for k := range s.With {
							if _, ok := a.Inputs[k]; !ok {
								t.Errorf("the action has no input %q", k)
							}
						}
					case strings.Contains(s.Run, "report post --report"):
						reportPost = true
						if s.Env["GITHUB_TOKEN"] == "" {
							t.Error("report post without GITHUB_TOKEN")
						}
					}
				}
			}
		})
	}
	if workflows < 5 || !reportPost {
		t.Errorf("%d workflows (want native, Taro, monorepo and the fork-safe pair), report post shown: %v", workflows, reportPost)
	}
	for in := range a.Inputs {
		if !strings.Contains(string(doc), "| `"+in+"` |") {
			t.Errorf("docs/github-action.md does not document input %s", in)
		}
	}
	for out := range a.Outputs {
		if !strings.Contains(string(doc), "| `"+out+"` |") {
			t.Errorf("docs/github-action.md does not document output %s", out)
		}
	}
}

// FuzzEventPayload: any event file is read without a panic, and what the
// run is about comes from it or from GITHUB_SHA.
func FuzzEventPayload(f *testing.F) {
	for _, name := range []string{"pull_request.opened.json", "push.json", "workflow_run.completed.json", "workflow_run.completed.with-pull-requests.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "github", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "pull_request")
	}
	f.Add([]byte(`{"pull_request":null,"before":"0000"}`), "push")
	f.Add([]byte(`{"pull_request":{"head":{"repo":null}}}`), "pull_request_target")
	f.Add([]byte(`[]`), "push")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, event string) {
		path := filepath.Join(dir, "event.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r", "GITHUB_EVENT_PATH": path,
			"GITHUB_SHA": "abc", "GITHUB_TOKEN": "t", "GITHUB_EVENT_NAME": event}
		e, err := readGitHubEnv(func(k string) string { return env[k] }, "", "check --post")
		if err != nil {
			if exitCode(err) != exitUsage {
				t.Fatalf("error %v is not a usage error", err)
			}
			return
		}
		pr, head, _ := e.eventTarget()
		if head == "" && (e.event.PullRequest == nil || e.event.PullRequest.Head.SHA == "") {
			t.Fatalf("no head although GITHUB_SHA is set")
		}
		if e.event.PullRequest == nil && pr != 0 {
			t.Fatalf("pull request %d without a pull_request", pr)
		}
	})
}

// FuzzResultArtifact: the result file report post reads comes from a fork's
// workflow; any content is refused or rendered, never a panic.
func FuzzResultArtifact(f *testing.F) {
	f.Add([]byte(`{"schema":"mpgate.result/v1","projects":[{"project":"a","head":null,"newDiagnostics":[{"rule":"MP102","severity":"error","file":"app.json","line":-3}]}],"github":{"headSha":"x","pullRequest":-1}}`))
	f.Add([]byte(`{"schema":"mpgate.result/v1","projects":[null],"gates":[{"id":"","status":"fail"}],"lint":[{"file":"../../x","line":0}]}`))
	f.Add([]byte(`{"schema":"mpgate.result/v1","projects":[{"packages":[{"name":"__APP__","head":-1,"base":9223372036854775807}]}]}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "result.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var a resultArtifact
		if err := readJSONFile(path, &a); err != nil || a.Schema != "mpgate.result/v1" {
			return
		}
		res := artifactResult(&a)
		var b strings.Builder
		if err := render.ResultMarkdown(&b, res, render.ResultOptions{Marker: bot.StickyMarker(""), MaxBytes: github.MaxCommentChars}); err != nil {
			return
		}
		if len(b.String()) > github.MaxCommentChars {
			t.Fatalf("comment of %d bytes", len(b.String()))
		}
		cr := render.ResultCheckRun(res, render.ResultOptions{})
		var w strings.Builder
		if err := printWorkflowAnnotations(&w, cr.Annotations, nil); err != nil {
			t.Fatal(err)
		}
	})
}

// --project gives the project its own check run, comment and result file.
func TestPostProject(t *testing.T) {
	fastRetries(t)
	f := newFake(t)
	dir, base, _ := miniRepo(t, 2)
	writeFile(t, filepath.Join(dir, ".mpgate.yml"), "projects:\n  - {name: shop, platform: wechat, root: .}\n  - {name: admin, platform: wechat, root: .}\n")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "config")
	head := gitRun(t, dir, "rev-parse", "HEAD")
	for _, project := range []string{"shop", "admin"} {
		r := prRunner(t, f, base, head, false)
		if res := runArgs(t, r.env, "check", "--post", "--project", project, dir); res.code != exitFail {
			t.Fatalf("%s: exit %d\n%s", project, res.code, res.stderr)
		}
		if got := parseOutputs(t, r.output)["report"]; got != filepath.Join(r.tmp, "mpgate-result-"+project+".json") {
			t.Errorf("%s: report %q", project, got)
		}
	}
	var names []string
	for _, cr := range f.CheckRuns(testRepo) {
		names = append(names, cr.Name+":"+cr.Conclusion)
	}
	if fmt.Sprint(names) != "[mpgate (shop):failure mpgate (admin):failure]" {
		t.Errorf("check runs %v", names)
	}
	for _, key := range []string{"shop", "admin"} {
		if n := len(stickyComments(f, 2, key)); n != 1 {
			t.Errorf("%d comments for %s", n, key)
		}
	}
	if n := len(f.Comments(testRepo, 2)); n != 2 {
		t.Errorf("%d comments, want one per project", n)
	}
}

// When the gate cannot run at all the check run does not stay in progress.
func TestPostGateError(t *testing.T) {
	fastRetries(t)
	f := newFake(t)
	dir, base, head := miniRepo(t, 1)
	r := prRunner(t, f, base, head, false)
	res := runArgs(t, r.env, "check", "--post", "--project", "nope", dir)
	if res.code != exitUsage {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	runs := f.CheckRuns(testRepo)
	if len(runs) != 1 || runs[0].Status != "completed" || runs[0].Conclusion != "failure" || runs[0].Title != "mpgate could not run" ||
		!strings.Contains(runs[0].Summary, "nope") {
		t.Fatalf("check runs %+v", runs)
	}
}
