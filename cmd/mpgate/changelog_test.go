package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/publish/actions"
)

// changelogRepo is miniRepo with gates.changelog on and the size gate off
// (so the changelog gate alone decides): the request base..head changes the
// app module.
func changelogRepo(t *testing.T) (dir, base, head string) {
	t.Helper()
	dir, base, _ = miniRepo(t, 0)
	gitRun(t, dir, "checkout", "-q", base)
	writeFile(t, filepath.Join(dir, ".mpgate.yml"), "gates:\n  size: {max_growth: null}\n  changelog: {enabled: true}\n")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "config")
	base = gitRun(t, dir, "rev-parse", "HEAD")
	gitRun(t, dir, "checkout", "-q", "-B", "changes")
	writeFile(t, filepath.Join(dir, "pages/index/index.js"), "Page({data: {}})\n")
	gitRun(t, dir, "commit", "-q", "-am", "wip")
	head = gitRun(t, dir, "rev-parse", "HEAD")
	return dir, base, head
}

func changelogGateOf(t *testing.T, res *compare.Result) checks.Gate {
	t.Helper()
	for _, g := range res.Gates {
		if g.Rule == checks.GateChangelog {
			return g
		}
	}
	t.Fatalf("no changelog gate in %+v", res.Gates)
	return checks.Gate{}
}

// TestCheckChangelogFlags: check --base with --title/--body/--labels feeds
// the changelog gate.
func TestCheckChangelogFlags(t *testing.T) {
	dir, base, _ := changelogRepo(t)
	tests := []struct {
		name  string
		flags []string
		want  string
		code  int
	}{
		{"no description", nil, checks.GateFail, exitFail},
		{"conventional title", []string{"--title", "fix: empty data"}, checks.GatePass, exitPass},
		{"changelog block", []string{"--title", "Update", "--body", "```changelog\napp: feat: data\n```"}, checks.GatePass, exitPass},
		{"label", []string{"--labels", "ui, no-changelog"}, checks.GatePass, exitPass},
		{"other labels", []string{"--labels", "ui,,docs"}, checks.GateFail, exitFail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"check", "--base", base, "--format", "json"}, tc.flags...)
			res := runArgs(t, map[string]string{}, append(args, dir)...)
			if res.code != tc.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", res.code, tc.code, res.stderr)
			}
			var r compare.Result
			if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
				t.Fatalf("%v\n%s", err, res.stdout)
			}
			if g := changelogGateOf(t, &r); g.Status != tc.want {
				t.Errorf("changelog gate %+v, want %s", g, tc.want)
			}
		})
	}
}

// TestPostChangelogFromPayload: check --post on GitHub reads the pull
// request's title, body and labels from the event payload; flags win.
func TestPostChangelogFromPayload(t *testing.T) {
	fastRetries(t)
	dir, base, head := changelogRepo(t)
	tests := []struct {
		name   string
		title  string
		labels []string
		flags  []string
		want   string
	}{
		{"payload title without an entry", "Update the page", nil, nil, checks.GateFail},
		{"payload conventional title", "fix(app): empty data", nil, nil, checks.GatePass},
		{"payload label", "Update the page", []string{"bug", "no-changelog"}, nil, checks.GatePass},
		{"flags win over the payload", "fix(app): empty data", nil, []string{"--title", "Update the page"}, checks.GateFail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			r := newRunner(t, f, "pull_request", "pull_request.opened.json", func(ev map[string]any) {
				pr := ev["pull_request"].(map[string]any)
				pr["head"].(map[string]any)["sha"] = head
				pr["base"].(map[string]any)["sha"] = base
				pr["title"] = tc.title
				var labels []any
				for _, l := range tc.labels {
					labels = append(labels, map[string]any{"name": l})
				}
				pr["labels"] = labels
			})
			r.env["GITHUB_SHA"] = head
			args := append([]string{"check", "--post"}, tc.flags...)
			res := runArgs(t, r.env, append(args, dir)...)
			if res.code != exitPass && res.code != exitFail {
				t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
			}
			var art actions.Artifact
			if err := actions.ReadJSONFile(parseOutputs(t, r.output)["report"], &art); err != nil {
				t.Fatal(err)
			}
			if g := changelogGateOf(t, &art.Result); g.Status != tc.want {
				t.Errorf("changelog gate %+v, want %s", g, tc.want)
			}
		})
	}
}

// TestGitLabPostChangelogFromVariables: check --post in a GitLab merge
// request pipeline reads the request's title, description and labels from
// the CI_MERGE_REQUEST_* variables.
func TestGitLabPostChangelogFromVariables(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		code int
	}{
		{"title without an entry", map[string]string{"CI_MERGE_REQUEST_TITLE": "pages"}, exitFail},
		{"conventional title", map[string]string{"CI_MERGE_REQUEST_TITLE": "fix(app): empty data"}, exitPass},
		{"changelog block", map[string]string{"CI_MERGE_REQUEST_TITLE": "pages", "CI_MERGE_REQUEST_DESCRIPTION": "```changelog\napp: fix: data\n```"}, exitPass},
		{"label", map[string]string{"CI_MERGE_REQUEST_TITLE": "pages", "CI_MERGE_REQUEST_LABELS": "ui,no-changelog"}, exitPass},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fastGitLabRetries(t)
			dir, base, head := changelogRepo(t)
			f := newGitLabFake(t, base, head)
			env := glRunner(t, f, base, head, true)
			for k, v := range tc.vars {
				env[k] = v
			}
			if res := runArgs(t, env, "check", "--post", dir); res.code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", res.code, tc.code, res.stdout, res.stderr)
			}
		})
	}
}
