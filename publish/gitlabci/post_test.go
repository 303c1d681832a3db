package gitlabci

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/internal/fakegitlab"
	"github.com/mpgate/mpgate/internal/posttest"
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
		TokenVar: glToken,
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

// A second run after a push updates the one sticky note in place, found
// on the second page of notes; nothing is duplicated; the new commit gets
// its own status.
func TestGitLabPostUpdatesStickyNote(t *testing.T) {
	fastGitLabRetries(t)
	dir, base, head := posttest.MiniRepo(t, 3)
	f := newGitLabFake(t, base, head)
	for i := range 150 {
		f.AddNote(glProjectID, glMR, 8, fmt.Sprintf("note %d", i))
	}
	if res := post(t, glRunner(t, f, base, head, true), dir, CheckOptions{}); res.code != exitFail {
		t.Fatalf("first run: exit %d\n%s", res.code, res.stderr)
	}
	first := glStickyNotes(f, "")
	if len(first) != 1 {
		t.Fatalf("%d sticky notes after the first run", len(first))
	}

	posttest.WriteFile(t, filepath.Join(dir, "pages/index/index.wxss"), ".a{color:red}\n")
	posttest.Git(t, dir, "add", "-A")
	posttest.Git(t, dir, "commit", "-q", "-m", "style")
	head2 := posttest.Git(t, dir, "rev-parse", "HEAD")
	if res := post(t, glRunner(t, f, base, head2, true), dir, CheckOptions{}); res.code != exitFail {
		t.Fatalf("run after a push: exit %d\n%s", res.code, res.stderr)
	}
	second := glStickyNotes(f, "")
	if len(second) != 1 || second[0].ID != first[0].ID {
		t.Fatalf("sticky notes after the push: %d (the first was %d)", len(second), first[0].ID)
	}
	if second[0].Body == first[0].Body || !strings.Contains(second[0].Body, head2[:12]) {
		t.Errorf("the note was not updated for %s:\n%s", head2, second[0].Body)
	}
	if n := f.Count(notesRoute); n != 1 {
		t.Errorf("%d notes created, want 1", n)
	}
	if n := f.Count("PUT /projects/:id/merge_requests/:iid/notes/:note_id"); n != 1 {
		t.Errorf("%d note updates, want 1", n)
	}
	page2 := false
	for _, r := range f.Requests() {
		page2 = page2 || (r.Route == "GET /projects/:id/merge_requests/:iid/notes" && strings.Contains(r.Query, "page=2"))
	}
	if !page2 {
		t.Error("the second page of notes was never read")
	}
	if got := len(f.Notes(glProjectID, glMR)); got != 151 {
		t.Errorf("%d notes, want 151", got)
	}
	if sts := f.Statuses(glProjectID, head2); len(sts) != 1 || sts[0].State != gitlab.StateFailed {
		t.Errorf("statuses on the new commit: %+v", sts)
	}
}

// Only CI_JOB_TOKEN: GitLab refuses statuses and notes; the job writes the
// Code Quality report, prints the verdict and how to give a token, and
// exits by the verdict.
func TestGitLabPostJobToken(t *testing.T) {
	tests := []struct {
		name     string
		missing  int
		wantCode int
	}{
		{"failing", 4, exitFail},
		{"passing", 0, exitPass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fastGitLabRetries(t)
			dir, base, head := posttest.MiniRepo(t, tt.missing)
			f := newGitLabFake(t, base, head)
			env := glRunner(t, f, base, head, true)
			delete(env, TokenVar)
			cq := filepath.Join(t.TempDir(), "cq.json")
			env["MPGATE_CODEQUALITY"] = cq
			res := post(t, env, dir, CheckOptions{})
			if res.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstderr: %s", res.code, tt.wantCode, res.stderr)
			}
			if strings.Contains(res.stderr, "posting to GitLab") {
				t.Errorf("the refusal was reported as an error: %s", res.stderr)
			}
			for _, want := range []string{"project access token", "api scope", "MPGATE_GITLAB_TOKEN", cq, "mpgate: " + map[bool]string{true: "❌", false: "✅"}[tt.missing > 0]} {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("the notice does not say %q:\n%s", want, res.stderr)
				}
			}
			if strings.Contains(res.stdout+res.stderr, glJobToken) {
				t.Error("the job token was printed")
			}
			if n := len(f.Notes(glProjectID, glMR)); n != 0 {
				t.Errorf("%d notes", n)
			}
			if n := len(f.Statuses(glProjectID, head)); n != 0 {
				t.Errorf("%d statuses", n)
			}
			if n := f.Count(statusRoute); n != 1 {
				t.Errorf("%d status requests, want 1 (no retry after the refusal)", n)
			}
			if issues := readCodeQuality(t, cq); len(issues) != tt.missing {
				t.Errorf("%d Code Quality issues, want %d", len(issues), tt.missing)
			}
		})
	}
}

// 5xx answers are retried; a 429 is sat out for its Retry-After.
func TestGitLabPostTransientFaults(t *testing.T) {
	tests := []struct {
		name   string
		fault  func(f *fakegitlab.Fake)
		route  string
		wantAt int // requests of route at least
	}{
		{"5xx on the status", func(f *fakegitlab.Fake) { f.Fault(statusRoute, 2, fakegitlab.ServerError) }, statusRoute, 4},
		{"5xx on the note", func(f *fakegitlab.Fake) { f.Fault(notesRoute, 1, fakegitlab.ServerError) }, notesRoute, 2},
		{"429 on the note", func(f *fakegitlab.Fake) { f.RateLimit(notesRoute, 1, 1) }, notesRoute, 2},
		{"429 on the status", func(f *fakegitlab.Fake) { f.RateLimit(statusRoute, 1, 1) }, statusRoute, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fastGitLabRetries(t)
			dir, base, head := posttest.MiniRepo(t, 2)
			f := newGitLabFake(t, base, head)
			tt.fault(f)
			res := post(t, glRunner(t, f, base, head, true), dir, CheckOptions{})
			if res.code != exitFail {
				t.Fatalf("exit %d\n%s", res.code, res.stderr)
			}
			if strings.Contains(res.stderr, "posting to GitLab") || strings.Contains(res.stderr, "could not") {
				t.Errorf("a transient fault surfaced: %s", res.stderr)
			}
			if n := f.Count(tt.route); n < tt.wantAt {
				t.Errorf("%d requests of %s, want at least %d", n, tt.route, tt.wantAt)
			}
			if got := statusStates(t, f); fmt.Sprint(got) != "[running failed]" {
				t.Errorf("status states %v", got)
			}
			if n := len(glStickyNotes(f, "")); n != 1 {
				t.Errorf("%d sticky notes", n)
			}
		})
	}
}

// A branch pipeline: compared with the previous commit, a status and no
// note; a new branch (before = 000…0) has no base.
func TestGitLabPostBranchPipeline(t *testing.T) {
	tests := []struct {
		name     string
		before   func(base string) string
		wantBase bool
	}{
		{"after a push", func(base string) string { return base }, true},
		{"new branch", func(string) string { return strings.Repeat("0", 40) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fastGitLabRetries(t)
			dir, base, head := posttest.MiniRepo(t, 2)
			f := newGitLabFake(t, base, head)
			env := glRunner(t, f, base, head, false)
			env["CI_COMMIT_BEFORE_SHA"] = tt.before(base)
			res := post(t, env, dir, CheckOptions{})
			if res.code != exitFail {
				t.Fatalf("exit %d\n%s", res.code, res.stderr)
			}
			if got := res.res.BaseRev == base; got != tt.wantBase {
				t.Errorf("base %q, want the base commit %v", res.res.BaseRev, tt.wantBase)
			}
			sts := f.Statuses(glProjectID, head)
			if len(sts) != 1 || sts[0].State != gitlab.StateFailed || sts[0].Ref != "main" {
				t.Errorf("statuses %+v", sts)
			}
			for _, r := range f.Requests() {
				if strings.Contains(r.Route, "notes") || strings.Contains(r.Route, "/user") {
					t.Errorf("a branch pipeline called %s", r.Route)
				}
			}
		})
	}
}

// --project: its own status name and sticky note key, and its own Code
// Quality file.
func TestGitLabPostProject(t *testing.T) {
	fastGitLabRetries(t)
	dir, base, _ := posttest.MiniRepo(t, 1)
	posttest.WriteFile(t, filepath.Join(dir, ".mpgate.yml"), "projects:\n  - name: shop\n    root: .\n")
	posttest.Git(t, dir, "add", "-A")
	posttest.Git(t, dir, "commit", "-q", "-m", "config")
	head := posttest.Git(t, dir, "rev-parse", "HEAD")
	f := newGitLabFake(t, base, head)
	env := glRunner(t, f, base, head, true)
	res := post(t, env, dir, CheckOptions{Project: "shop"})
	if res.code != exitFail {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if sts := f.Statuses(glProjectID, head); len(sts) != 1 || sts[0].Name != "mpgate (shop)" {
		t.Errorf("statuses %+v", sts)
	}
	if n := len(glStickyNotes(f, "shop")); n != 1 {
		t.Errorf("%d sticky notes for shop", n)
	}
	if _, err := os.Stat(filepath.Join(env["CI_PROJECT_DIR"], "gl-code-quality-report-shop.json")); err != nil {
		t.Error(err)
	}
}

// A gate that cannot run fails the running status instead of leaving it.
func TestGitLabPostGateError(t *testing.T) {
	fastGitLabRetries(t)
	dir, base, head := posttest.MiniRepo(t, 1)
	f := newGitLabFake(t, base, head)
	res := post(t, glRunner(t, f, base, head, true), dir, CheckOptions{Project: "nope"})
	if res.code != exitUsage {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	sts := f.Statuses(glProjectID, head)
	if len(sts) != 1 || sts[0].State != gitlab.StateFailed || !strings.Contains(sts[0].Description, "nope") {
		t.Fatalf("statuses %+v", sts)
	}
}

// Missing or wrong variables are usage errors naming them, before any
// request.
func TestGitLabPostUsage(t *testing.T) {
	dir, base, head := posttest.MiniRepo(t, 1)
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
		{"no token", func(env map[string]string) { delete(env, TokenVar); delete(env, "CI_JOB_TOKEN") }, nil, []string{"MPGATE_GITLAB_TOKEN"}},
		{"blank token", func(env map[string]string) { env[TokenVar] = " \n"; delete(env, "CI_JOB_TOKEN") }, nil, []string{"MPGATE_GITLAB_TOKEN (or CI_JOB_TOKEN"}},
		{"bad project", func(env map[string]string) { env["CI_PROJECT_ID"] = "acme" }, nil, []string{"CI_PROJECT_ID"}},
		{"bad merge request", func(env map[string]string) { env["CI_MERGE_REQUEST_IID"] = "x" }, nil, []string{"CI_MERGE_REQUEST_IID"}},
		{"bad comment", func(env map[string]string) { env["MPGATE_COMMENT"] = "maybe" }, nil, []string{"MPGATE_COMMENT"}},
		{"diff base not fetched", func(env map[string]string) { env["CI_MERGE_REQUEST_DIFF_BASE_SHA"] = strings.Repeat("ab", 20) }, nil,
			[]string{"CI_MERGE_REQUEST_DIFF_BASE_SHA", "GIT_DEPTH: 0", "git fetch origin main"}},
		{"target not fetched", func(env map[string]string) {
			delete(env, "CI_MERGE_REQUEST_DIFF_BASE_SHA")
			env["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] = "release"
		}, nil, []string{"release", "git fetch origin release"}},
		{"empty token file", func(env map[string]string) {}, []string{"--token-file"}, []string{"is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newGitLabFake(t, base, head)
			env := glRunner(t, f, base, head, true)
			tt.env(env)
			var tokenFile []string
			if len(tt.args) > 0 {
				tok := filepath.Join(t.TempDir(), "tok")
				posttest.WriteFile(t, tok, "\n")
				tokenFile = append(tokenFile, tok)
			}
			res := post(t, env, dir, CheckOptions{}, tokenFile...)
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

// The target branch is the base when the diff base is not given (older
// GitLab): origin/<target> first.
func TestGitLabPostTargetBranchBase(t *testing.T) {
	fastGitLabRetries(t)
	dir, base, head := posttest.MiniRepo(t, 1)
	posttest.Git(t, dir, "update-ref", "refs/remotes/origin/main", base)
	f := newGitLabFake(t, base, head)
	env := glRunner(t, f, base, head, true)
	delete(env, "CI_MERGE_REQUEST_DIFF_BASE_SHA")
	res := post(t, env, dir, CheckOptions{})
	if res.code != exitFail {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if res.res.BaseRev != base {
		t.Errorf("base %q, want %s", res.res.BaseRev, base)
	}
}

func TestEscapeGitLabMarkdown(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"merge request", "see !123 now", `see \!123 now`},
		{"label and milestone", "~bug %v1.2 %\"big one\"", `\~bug \%v1.2 \%"big one"`},
		{"epic", "&12 and &amp; and &#33;", `\&12 and &amp; and &#33;`},
		{"maths", "costs $`x`$", "costs \\$`x`\\$"},
		{"percent after a number", "+7.2% (3 KiB)", "+7.2% (3 KiB)"},
		{"strike and image", "~~gone~~ ![x](a.png) !", "~~gone~~ ![x](a.png) !"},
		{"already escaped", `\!12 \~bug`, `\!12 \~bug`},
		{"code span", "`!12 ~bug` and ``a ` %b``", "`!12 ~bug` and ``a ` %b``"},
		{"unclosed code span", "`!12", "`\\!12"},
		{"fenced block", "```\n!12 ~bug\n```\n!12", "```\n!12 ~bug\n```\n\\!12"},
		{"tilde fence", "~~~~\n%m\n~~~~\n", "~~~~\n%m\n~~~~\n"},
		{"indented code", "    !12", "    !12"},
		{"link destination", "[a](https://x/%7Efoo!1) !1", `[a](https://x/%7Efoo!1) \!1`},
		{"html comment", "<!-- mpgate:sticky ~x --> ~y", "<!-- mpgate:sticky ~x --> ~\u200by"},
		{"html block until a blank line", "<details>\n!1\n\n!2", "<details>\n!\u200b1\n\n\\!2"},
		{"comment line ends its block", "<!-- m -->\n!1", "<!-- m -->\n\\!1"},
		{"html line", "<summary>!12 fixed</summary>", "<summary>!\u200b12 fixed</summary>"},
		{"empty", "", ""},
		{"trailing newline", "!1\n", "\\!1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := gitlab.EscapeMarkdown(tt.in); got != tt.want {
				t.Errorf("gitlab.EscapeMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// The escaping of a whole note, kept as a golden file.
func TestEscapeGitLabMarkdownGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "gitlab", "note.md"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("gitlab", "note.gitlab.md"), []byte(gitlab.EscapeMarkdown(string(in))))
}

// FuzzEscapeGitLabMarkdown: escaping only adds backslashes and zero-width
// spaces, keeps valid UTF-8 valid, and is idempotent.
func FuzzEscapeGitLabMarkdown(f *testing.F) {
	for _, s := range []string{"!1 ~a %b &2 $x", "```\n!1\n```", "<details><summary>!1</summary>", "[a](b!1) `~x`",
		"<!-- x", "\\", "`", "&amp;!1", "    ~x\n~y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := gitlab.EscapeMarkdown(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q: %q", s, out)
		}
		// out is s with insertions only.
		i := 0
		for j := 0; j < len(out); {
			if i < len(s) && out[j] == s[i] {
				i, j = i+1, j+1
				continue
			}
			switch {
			case out[j] == '\\':
				j++
			case strings.HasPrefix(out[j:], "\u200b"):
				j += len("\u200b")
			default:
				t.Fatalf("gitlab.EscapeMarkdown(%q) = %q: byte %d changed", s, out, j)
			}
		}
		if i != len(s) {
			t.Fatalf("gitlab.EscapeMarkdown(%q) = %q: input lost", s, out)
		}
		if again := gitlab.EscapeMarkdown(out); again != out && !strings.Contains(s, "\u200b") {
			t.Fatalf("not idempotent: %q → %q → %q", s, out, again)
		}
	})
}

// An access token GitLab refuses: without the role (403) it is the
// fallback with the notice; revoked (401) it is an error naming where the
// token came from. The Code Quality report is written either way.
func TestGitLabPostRefusedToken(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(f *fakegitlab.Fake)
		wantCode int
		want     string
	}{
		{"reporter role", func(f *fakegitlab.Fake) { f.SetMember(glProjectID, glBotID, 20) }, exitFail, "create a project access token"},
		{"revoked", func(f *fakegitlab.Fake) { f.Revoke(glToken) }, exitUsage, "GitLab refused the token from MPGATE_GITLAB_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fastGitLabRetries(t)
			dir, base, head := posttest.MiniRepo(t, 2)
			f := newGitLabFake(t, base, head)
			tt.setup(f)
			env := glRunner(t, f, base, head, true)
			res := post(t, env, dir, CheckOptions{})
			if res.code != tt.wantCode || !strings.Contains(res.stderr, tt.want) {
				t.Fatalf("exit %d, want %d and %q\nstderr: %s", res.code, tt.wantCode, tt.want, res.stderr)
			}
			if strings.Contains(res.stdout+res.stderr, glToken) {
				t.Error("the token was printed")
			}
			if n := len(f.Notes(glProjectID, glMR)); n != 0 {
				t.Errorf("%d notes", n)
			}
			if n := f.Count(notesRoute) + f.Count("GET /user"); n != 0 {
				t.Errorf("%d note or user requests after the status was refused", n)
			}
			if issues := readCodeQuality(t, filepath.Join(env["CI_PROJECT_DIR"], CodeQualityFile)); len(issues) != 2 {
				t.Errorf("%d Code Quality issues, want 2", len(issues))
			}
		})
	}
}

// TestMergeTrainBase: a GitLab merge train car is compared with the train
// before it (its merge commit's first parent), not with the request's diff
// base, which would count the cars ahead as this request's change.
func TestMergeTrainBase(t *testing.T) {
	dir, diffBase, mrHead := posttest.MiniRepo(t, 1)
	// Another request merged ahead in the train, then this car's merge.
	posttest.Git(t, dir, "checkout", "-q", "-b", "train", diffBase)
	posttest.WriteFile(t, filepath.Join(dir, "ahead.js"), "module.exports = 1\n")
	posttest.Git(t, dir, "add", "-A")
	posttest.Git(t, dir, "commit", "-q", "-m", "car ahead")
	ahead := posttest.Git(t, dir, "rev-parse", "HEAD")
	posttest.Git(t, dir, "merge", "-q", "--no-ff", "-m", "car", mrHead)
	car := posttest.Git(t, dir, "rev-parse", "HEAD")
	env := map[string]string{"CI_API_V4_URL": "https://gitlab.example.com/api/v4", "CI_PROJECT_ID": "42", "CI_COMMIT_SHA": car,
		"CI_JOB_TOKEN": "x", "CI_MERGE_REQUEST_IID": "5", "CI_MERGE_REQUEST_DIFF_BASE_SHA": diffBase,
		"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_MERGE_REQUEST_EVENT_TYPE": "merge_train",
		"CI_MERGE_REQUEST_TARGET_BRANCH_SHA": diffBase, "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA": mrHead}
	for _, tc := range []struct {
		name, eventType, want string
	}{{"merge train", "merge_train", ahead}, {"merged results", "merged_result", diffBase}} {
		t.Run(tc.name, func(t *testing.T) {
			env["CI_MERGE_REQUEST_EVENT_TYPE"] = tc.eventType
			e, err := ReadEnv(func(k string) string { return env[k] }, "", "check --post")
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.ResolveBase(context.Background(), dir)
			if err != nil || got != tc.want {
				t.Errorf("base %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}
