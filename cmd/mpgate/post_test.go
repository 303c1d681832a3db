package main

import (
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
	"github.com/mpgate/mpgate/internal/fakegithub"
	"github.com/mpgate/mpgate/publish/actions"
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
	var art actions.Artifact
	if err := actions.ReadJSONFile(outs["report"], &art); err != nil {
		t.Fatal(err)
	}
	if art.GitHub == nil || art.GitHub.PullRequest != 2 || art.GitHub.HeadSHA != head || art.GitHub.BaseSHA != base ||
		art.GitHub.Repository != testRepo || art.Verdict != "fail" || len(art.Projects) != 1 || art.BaseRev != base {
		t.Errorf("JSON result: %+v %+v", art.GitHub, art.Result)
	}
}

// TestPostUsage: check --post's wiring of the environment; the adapter's
// own cases are publish/actions' TestPostUsage.
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
	for _, cache := range []string{"actions/cache/restore@", "actions/cache/save@", "key: mpgate-${{ runner.os }}-${{ github.sha }}",
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
	// The HTML report check --html writes is the file uploaded, and the upload's link reaches the summary.
	for _, want := range []string{`args+=(--html "$RUNNER_TEMP/mpgate-report.html")`, "path: ${{ runner.temp }}/mpgate-report.html",
		"MPGATE_REPORT_URL: ${{ steps.html-report.outputs.artifact-url }}", `>>"$GITHUB_STEP_SUMMARY"`} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("action.yml: the HTML report is not written, uploaded and linked: no %q", want)
		}
	}
	if tok := a.Inputs["token"]; tok.Default == nil || *tok.Default != "${{ github.token }}" {
		t.Errorf("token default %v", tok.Default)
	}
	written := map[string]bool{actions.OutputVerdict: true, actions.OutputReport: true, actions.OutputCommentBody: true}
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
		{"html report", map[string]string{"MPGATE_INPUT_FAIL_ON": "error", "MPGATE_INPUT_HTML": "true"}, 0, 0, "check|--post|--html|$RUNNER_TEMP/mpgate-report.html|."},
		{"no html report", map[string]string{"MPGATE_INPUT_FAIL_ON": "error", "MPGATE_INPUT_HTML": "false"}, 0, 0, "check|--post|."},
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
			tt.wantArgs = strings.ReplaceAll(tt.wantArgs, "$RUNNER_TEMP", tmp)
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

// TestPostHTMLReport: check --post --html on GitHub Actions writes the report (links to the files at the
// head commit) and the sticky comment points to the run, whose artifacts the Action uploads it to.
func TestPostHTMLReport(t *testing.T) {
	fastRetries(t)
	f := newFake(t)
	dir, base, head := miniRepo(t, 1)
	r := prRunner(t, f, base, head, false)
	file := filepath.Join(r.tmp, "mpgate-report.html")
	res := runArgs(t, r.env, "check", "--post", "--html", file, dir)
	if res.code != exitFail {
		t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if want := `href="https://github.com/` + testRepo + `/blob/` + head + `/`; !strings.Contains(string(data), want) {
		t.Errorf("the HTML report does not link the files at the head (%s)", want)
	}
	comments := stickyComments(f, 2, "")
	if len(comments) != 1 {
		t.Fatalf("%d sticky comments, want 1", len(comments))
	}
	if want := "(https://github.com/" + testRepo + "/actions/runs/4242)"; !strings.Contains(comments[0].Body, "HTML report]"+want) {
		t.Errorf("the comment does not link the run holding the HTML report:\n%s", comments[0].Body)
	}
}
