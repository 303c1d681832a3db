package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/internal/fakegithub"
)

// forkArtifact runs check --post as a fork's pull request (403 on the check
// run) and returns the JSON result it wrote.
func forkArtifact(t *testing.T, f *fakegithub.Fake, missing int) (path, head string) {
	t.Helper()
	dir, base, head := miniRepo(t, missing)
	f.Fault("checks/create", 1, fakegithub.ForbiddenIntegration)
	r := prRunner(t, f, base, head, true)
	if res := runArgs(t, r.env, "check", "--post", dir); res.code != exitFail {
		t.Fatalf("check --post: exit %d\n%s", res.code, res.stderr)
	}
	path = parseOutputs(t, r.output)["report"]
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no JSON result: %v", err)
	}
	return path, head
}

// workflowRun is the runner of the workflow_run workflow for headSHA.
func workflowRun(t *testing.T, f *fakegithub.Fake, payload, headSHA string, prHead string) *runner {
	t.Helper()
	r := newRunner(t, f, "workflow_run", payload, func(ev map[string]any) {
		wr := ev["workflow_run"].(map[string]any)
		wr["head_sha"] = headSHA
		for _, p := range wr["pull_requests"].([]any) {
			p.(map[string]any)["head"].(map[string]any)["sha"] = prHead
		}
	})
	r.env["GITHUB_SHA"] = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e" // the default branch's head
	return r
}

func TestReportPost(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		// setup runs before report post; head is the artifact's commit.
		setup    func(f *fakegithub.Fake, head string) (eventHead string)
		wantCode int
		wantErr  string
		// wantPR is the pull request commented on (0: none).
		wantPR int
		lookup int // commits/{sha}/pulls calls
	}{
		{"fork: the pull request found by its head commit", "workflow_run.completed.json", func(f *fakegithub.Fake, head string) string {
			f.SetPull(testRepo, fakegithub.Pull{Number: 2, HeadSHA: head, HeadRef: "changes", HeadRepo: "forker/Hello-World", BaseRef: "master"})
			return head
		}, exitPass, "", 2, 1},
		{"pull request named by the event", "workflow_run.completed.with-pull-requests.json", func(f *fakegithub.Fake, head string) string {
			return head
		}, exitPass, "", 2, 0},
		{"no pull request: the check run only", "workflow_run.completed.json", func(f *fakegithub.Fake, head string) string {
			return head
		}, exitPass, "", 0, 1},
		{"pushed again since", "workflow_run.completed.json", func(f *fakegithub.Fake, head string) string {
			f.SetPull(testRepo, fakegithub.Pull{Number: 2, HeadSHA: strings.Repeat("c", 40), HeadRef: "changes", HeadRepo: "forker/Hello-World", BaseRef: "master"})
			return head
		}, exitUsage, "pushed again since", 0, 1},
		{"artifact of another commit", "workflow_run.completed.json", func(f *fakegithub.Fake, head string) string {
			return strings.Repeat("d", 40)
		}, exitUsage, "the result is for commit", 0, 0},
		{"read-only token", "workflow_run.completed.with-pull-requests.json", func(f *fakegithub.Fake, head string) string {
			f.Fault("checks/create", 1, fakegithub.ForbiddenIntegration)
			return head
		}, exitUsage, "checks: write, pull-requests: write", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fastRetries(t)
			f := newFake(t)
			art, head := forkArtifact(t, f, 12)
			before := len(f.Requests())
			eventHead := tt.setup(f, head)
			r := workflowRun(t, f, tt.payload, eventHead, head)
			res := runArgs(t, r.env, "report", "post", "--report", art)
			if res.code != tt.wantCode || !strings.Contains(res.stderr, tt.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", res.code, res.stderr, tt.wantCode, tt.wantErr)
			}
			lookups := 0
			for _, q := range f.Requests()[before:] {
				if q.Operation == "repos/list-pull-requests-associated-with-commit" {
					lookups++
				}
			}
			if lookups != tt.lookup {
				t.Errorf("%d pull-request lookups by commit, want %d", lookups, tt.lookup)
			}
			comments := stickyComments(f, 2, "")
			if tt.wantPR == 0 && len(comments) != 0 || tt.wantPR == 2 && len(comments) != 1 {
				t.Errorf("%d sticky comments on #2", len(comments))
			}
			runs := f.CheckRuns(testRepo)
			if tt.wantCode != exitPass {
				if len(runs) != 0 && runs[0].Status == "completed" {
					t.Errorf("a check run was completed: %+v", runs[0])
				}
				return
			}
			if len(runs) != 1 {
				t.Fatalf("%d check runs, want 1", len(runs))
			}
			cr := runs[0]
			if cr.HeadSHA != head || cr.Conclusion != "failure" || len(cr.Annotations) != 12 {
				t.Errorf("check run on %s: %s, %d annotations", cr.HeadSHA, cr.Conclusion, len(cr.Annotations))
			}
			if cr.DetailsURL != "https://github.com/octo-org/octo-repo/actions/runs/289782451" {
				t.Errorf("details URL %q (want the first workflow's run)", cr.DetailsURL)
			}
			if outs := parseOutputs(t, r.output); outs["verdict"] != "fail" || outs["report"] != art {
				t.Errorf("outputs %v", outs)
			}
		})
	}
}

func TestReportUsage(t *testing.T) {
	dir := t.TempDir()
	notResult := filepath.Join(dir, "report.json")
	writeFile(t, notResult, `{"schema":"mpgate.report/v1"}`)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", []string{"report"}, exitUsage, "the subcommands are post"},
		{"unknown subcommand", []string{"report", "get"}, exitUsage, `unknown subcommand "get"`},
		{"help", []string{"report", "post", "-h"}, exitPass, "Usage: mpgate report post"},
		{"help command", []string{"help", "report"}, exitPass, "workflow_run"},
		{"no --report", []string{"report", "post"}, exitUsage, "--report FILE is required"},
		{"stray argument", []string{"report", "post", "--report", notResult, "x"}, exitUsage, "unexpected arguments x"},
		{"not a result", []string{"report", "post", "--report", notResult}, exitUsage, `schema "mpgate.report/v1"`},
		{"missing file", []string{"report", "post", "--report", filepath.Join(dir, "nope.json")}, exitUsage, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			r := workflowRun(t, f, "workflow_run.completed.json", strings.Repeat("a", 40), "")
			res := runArgs(t, r.env, tt.args...)
			if res.code != tt.code || !strings.Contains(res.stdout+res.stderr, tt.want) {
				t.Errorf("exit %d\nstdout %s\nstderr %s\nwant %d and %q", res.code, res.stdout, res.stderr, tt.code, tt.want)
			}
			if len(f.Requests()) != 0 {
				t.Errorf("%d requests to GitHub", len(f.Requests()))
			}
		})
	}
}

// A result file claiming "pass" over its own errors is judged again.
func TestReportPostRecomputesVerdict(t *testing.T) {
	fastRetries(t)
	f := newFake(t)
	art, head := forkArtifact(t, f, 3)
	data, err := os.ReadFile(art)
	if err != nil {
		t.Fatal(err)
	}
	forged := strings.ReplaceAll(string(data), `"verdict": "fail"`, `"verdict": "pass"`)
	if forged == string(data) {
		t.Fatal("no verdict to forge in the result")
	}
	forged = strings.Replace(forged, `"projects": [`, `"projects": [null, `, 1)
	writeFile(t, art, forged)
	r := workflowRun(t, f, "workflow_run.completed.with-pull-requests.json", head, head)
	if res := runArgs(t, r.env, "report", "post", "--report", art); res.code != exitPass {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	runs := f.CheckRuns(testRepo)
	if len(runs) != 1 || runs[0].Conclusion != "failure" {
		t.Fatalf("check runs %+v, want one failure", runs)
	}
	if outs := parseOutputs(t, r.output); outs["verdict"] != "fail" {
		t.Errorf("verdict output %q", outs["verdict"])
	}
}
