package actions

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/checks/render"
	"github.com/mpgate/mpgate/internal/fakegithub"
	"github.com/mpgate/mpgate/internal/posttest"
	"github.com/mpgate/mpgate/publish"
)

const (
	testRepo  = "Codertocat/Hello-World" // the payloads' repository
	testToken = "ghs_actions_test_token"
	testLogin = "github-actions[bot]"
)

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
	posttest.WriteFile(t, evPath, string(out))
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

// A second run after a push updates the one sticky comment, found on the
// second page of more than 100 comments; a re-run with the same result
// leaves it alone; nothing is duplicated.
func TestPostUpdatesStickyComment(t *testing.T) {
	fastRetries(t)
	f := newFake(t)
	for i := range 150 {
		f.AddComment(testRepo, 2, "someone", fmt.Sprintf("comment %d", i))
	}
	dir, base, head := posttest.MiniRepo(t, 3)
	r := prRunner(t, f, base, head, false)
	if res := post(t, r.env, dir, CheckOptions{}); res.code != exitFail {
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
	if res := post(t, r.env, dir, CheckOptions{}); res.code != exitFail {
		t.Fatalf("re-run: exit %d\n%s", res.code, res.stderr)
	}
	if n := f.Count("issues/update-comment"); n != 0 {
		t.Errorf("an unchanged result edited the comment %d times", n)
	}

	// A push: the comment is edited in place.
	posttest.WriteFile(t, filepath.Join(dir, "pages/index/index.wxss"), ".a{color:red}\n")
	posttest.Git(t, dir, "add", "-A")
	posttest.Git(t, dir, "commit", "-q", "-m", "style")
	head2 := posttest.Git(t, dir, "rev-parse", "HEAD")
	r2 := prRunner(t, f, base, head2, false)
	if res := post(t, r2.env, dir, CheckOptions{}); res.code != exitFail {
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
	dir, base, head := posttest.MiniRepo(t, 1500)
	r := prRunner(t, f, base, head, false)
	posttest.WriteFile(t, r.summary, strings.Repeat("x", SummaryLimit-20000)+"\n")

	if res := post(t, r.env, dir, CheckOptions{}); res.code != exitFail {
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
	if st.Size() > SummaryLimit || st.Size() <= SummaryLimit-20000 {
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
			dir, base, head := posttest.MiniRepo(t, tt.missing)
			r := prRunner(t, f, base, head, true)
			res := post(t, r.env, dir, CheckOptions{})
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
			if outs := posttest.ParseOutputs(t, r.output); outs["verdict"] == "" || outs["report"] == "" {
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
	dir, base, head := posttest.MiniRepo(t, 60)
	r := prRunner(t, f, base, head, false)
	res := post(t, r.env, dir, CheckOptions{})
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
	dir, base, head := posttest.MiniRepo(t, 2)
	r := prRunner(t, f, base, head, false)
	res := post(t, r.env, dir, CheckOptions{})
	if res.code != exitUsage || !strings.Contains(res.stderr, "rate limit (retry at ") {
		t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
	}
	if _, err := os.Stat(r.summary); err != nil {
		t.Errorf("no job summary: %v", err)
	}
	if outs := posttest.ParseOutputs(t, r.output); outs["verdict"] != "fail" {
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
	dir, base, head := posttest.MiniRepo(t, 4)
	r := newRunner(t, f, "push", "push.json", func(ev map[string]any) {
		ev["before"], ev["after"] = base, head
	})
	r.env["GITHUB_SHA"] = head
	res := post(t, r.env, dir, CheckOptions{})
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

// MPGATE_COMMENT=false skips the comment; the comment body is still an
// output.
func TestPostNoComment(t *testing.T) {
	fastRetries(t)
	f := newFake(t)
	dir, base, head := posttest.MiniRepo(t, 1)
	r := prRunner(t, f, base, head, false)
	r.env["MPGATE_COMMENT"] = "false"
	if res := post(t, r.env, dir, CheckOptions{}); res.code != exitFail {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if n := len(f.Comments(testRepo, 2)); n != 0 {
		t.Errorf("%d comments", n)
	}
	if outs := posttest.ParseOutputs(t, r.output); !strings.Contains(outs["comment-body"], bot.StickyMarker("")) {
		t.Errorf("comment-body output: %q", outs["comment-body"])
	}
}

// --project gives the project its own check run, comment and result file.
func TestPostProject(t *testing.T) {
	fastRetries(t)
	f := newFake(t)
	dir, base, _ := posttest.MiniRepo(t, 2)
	posttest.WriteFile(t, filepath.Join(dir, ".mpgate.yml"), "projects:\n  - {name: shop, platform: wechat, root: .}\n  - {name: admin, platform: wechat, root: .}\n")
	posttest.Git(t, dir, "add", "-A")
	posttest.Git(t, dir, "commit", "-q", "-m", "config")
	head := posttest.Git(t, dir, "rev-parse", "HEAD")
	for _, project := range []string{"shop", "admin"} {
		r := prRunner(t, f, base, head, false)
		if res := post(t, r.env, dir, CheckOptions{Project: project}); res.code != exitFail {
			t.Fatalf("%s: exit %d\n%s", project, res.code, res.stderr)
		}
		if got := posttest.ParseOutputs(t, r.output)["report"]; got != filepath.Join(r.tmp, "mpgate-result-"+project+".json") {
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
	dir, base, head := posttest.MiniRepo(t, 1)
	r := prRunner(t, f, base, head, false)
	res := post(t, r.env, dir, CheckOptions{Project: "nope"})
	if res.code != exitUsage {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	runs := f.CheckRuns(testRepo)
	if len(runs) != 1 || runs[0].Status != "completed" || runs[0].Conclusion != "failure" || runs[0].Title != "mpgate could not run" ||
		!strings.Contains(runs[0].Summary, "nope") {
		t.Fatalf("check runs %+v", runs)
	}
}

func TestPostUsage(t *testing.T) {
	dir, base, head := posttest.MiniRepo(t, 1)
	tests := []struct {
		name string
		env  func(r *runner)
		args []string
		want string
	}{
		{"no CI", func(r *runner) { r.env = map[string]string{} }, nil, "missing GITHUB_ACTIONS=true, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_SHA, GITHUB_TOKEN"},
		{"GitLab", func(r *runner) { r.env = map[string]string{"GITLAB_CI": "true"} }, nil, "on GitLab CI, mpgate check --post posts the result itself"},
		{"no token", func(r *runner) { delete(r.env, "GITHUB_TOKEN") }, nil, "GITHUB_TOKEN (or --token-file) are not set"},
		{"empty token file", func(r *runner) { posttest.WriteFile(t, filepath.Join(r.tmp, "tok"), "\n") }, []string{"--token-file"}, "is empty"},
		{"bad repository", func(r *runner) { r.env["GITHUB_REPOSITORY"] = "nope" }, nil, "is not owner/name"},
		{"bad comment", func(r *runner) { r.env["MPGATE_COMMENT"] = "maybe" }, nil, "MPGATE_COMMENT"},
		{"base not fetched", func(r *runner) {}, []string{"--base", strings.Repeat("ab", 20)}, "fetch-depth: 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			r := prRunner(t, f, base, head, false)
			tt.env(r)
			var opt CheckOptions
			var tokenFile []string
			switch {
			case len(tt.args) == 1 && tt.args[0] == "--token-file":
				tokenFile = append(tokenFile, filepath.Join(r.tmp, "tok"))
			case len(tt.args) == 2 && tt.args[0] == "--base":
				opt.Base = tt.args[1]
			}
			res := post(t, r.env, dir, opt, tokenFile...)
			if res.code != exitUsage || !strings.Contains(res.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", res.code, res.stderr, exitUsage, tt.want)
			}
			if len(f.Requests()) != 0 {
				t.Errorf("%d requests to GitHub on a usage error", len(f.Requests()))
			}
		})
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
			if got := Annotation(tt.in); got != tt.want {
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
			if err := PrintAnnotations(&b, tt.anns, tt.notices); err != nil {
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
	posttest.WriteFile(t, path, "earlier=1\n")
	body := "line one\nghadelimiter_x\n\nlast"
	if err := AppendOutputs(path, []Output{{"verdict", "pass"}, {"comment-body", body}, {"empty", ""}}); err != nil {
		t.Fatal(err)
	}
	got := posttest.ParseOutputs(t, path)
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
		cmd := Annotation(render.Annotation{Path: path, StartLine: line, EndLine: line, StartCol: col, Level: "failure", Title: title, Message: msg})
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
		e, err := ReadEnv(func(k string) string { return env[k] }, "", "check --post")
		if err != nil {
			if !errors.Is(err, publish.ErrUsage) {
				t.Fatalf("error %v is not a usage error", err)
			}
			return
		}
		pr, head, _ := e.EventTarget()
		if head == "" && (e.Event.PullRequest == nil || e.Event.PullRequest.Head.SHA == "") {
			t.Fatalf("no head although GITHUB_SHA is set")
		}
		if e.Event.PullRequest == nil && pr != 0 {
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
		var a Artifact
		if err := ReadJSONFile(path, &a); err != nil || a.Schema != "mpgate.result/v1" {
			return
		}
		res := ArtifactResult(&a)
		var b strings.Builder
		if err := render.ResultMarkdown(&b, res, render.ResultOptions{Marker: bot.StickyMarker(""), MaxBytes: github.MaxCommentChars}); err != nil {
			return
		}
		if len(b.String()) > github.MaxCommentChars {
			t.Fatalf("comment of %d bytes", len(b.String()))
		}
		cr := render.ResultCheckRun(res, render.ResultOptions{})
		var w strings.Builder
		if err := PrintAnnotations(&w, cr.Annotations, nil); err != nil {
			t.Fatal(err)
		}
	})
}

// TestMergeGroupTarget: a merge queue's run (merge_group) compares the
// group's head with its base, as a pull request would; without them every
// package was "new" and the patch gate could not be evaluated.
func TestMergeGroupTarget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, []byte(`{"action":"checks_requested","merge_group":{"head_sha":"`+
		"1111111111111111111111111111111111111111"+`","head_ref":"refs/heads/gh-readonly-queue/main/pr-5-abc","base_sha":"`+
		"2222222222222222222222222222222222222222"+`","base_ref":"refs/heads/main"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r", "GITHUB_EVENT_PATH": path,
		"GITHUB_SHA": "1111111111111111111111111111111111111111", "GITHUB_TOKEN": "t", "GITHUB_EVENT_NAME": "merge_group"}
	e, err := ReadEnv(func(k string) string { return env[k] }, "", "check --post")
	if err != nil {
		t.Fatal(err)
	}
	pr, head, base := e.EventTarget()
	if pr != 0 || head != "1111111111111111111111111111111111111111" || base != "2222222222222222222222222222222222222222" {
		t.Errorf("merge_group target: pr %d, head %s, base %s", pr, head, base)
	}
}
