package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

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
	e, err := readGitHubEnv(func(k string) string { return env[k] }, "", "check --post")
	if err != nil {
		t.Fatal(err)
	}
	pr, head, base := e.eventTarget()
	if pr != 0 || head != "1111111111111111111111111111111111111111" || base != "2222222222222222222222222222222222222222" {
		t.Errorf("merge_group target: pr %d, head %s, base %s", pr, head, base)
	}
}

// TestMergeTrainBase: a GitLab merge train car is compared with the train
// before it (its merge commit's first parent), not with the request's diff
// base, which would count the cars ahead as this request's change.
func TestMergeTrainBase(t *testing.T) {
	dir, diffBase, mrHead := miniRepo(t, 1)
	// Another request merged ahead in the train, then this car's merge.
	gitRun(t, dir, "checkout", "-q", "-b", "train", diffBase)
	writeFile(t, filepath.Join(dir, "ahead.js"), "module.exports = 1\n")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "car ahead")
	ahead := gitRun(t, dir, "rev-parse", "HEAD")
	gitRun(t, dir, "merge", "-q", "--no-ff", "-m", "car", mrHead)
	car := gitRun(t, dir, "rev-parse", "HEAD")
	env := map[string]string{"CI_API_V4_URL": "https://gitlab.example.com/api/v4", "CI_PROJECT_ID": "42", "CI_COMMIT_SHA": car,
		"CI_JOB_TOKEN": "x", "CI_MERGE_REQUEST_IID": "5", "CI_MERGE_REQUEST_DIFF_BASE_SHA": diffBase,
		"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_MERGE_REQUEST_EVENT_TYPE": "merge_train",
		"CI_MERGE_REQUEST_TARGET_BRANCH_SHA": diffBase, "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA": mrHead}
	for _, tc := range []struct {
		name, eventType, want string
	}{{"merge train", "merge_train", ahead}, {"merged results", "merged_result", diffBase}} {
		t.Run(tc.name, func(t *testing.T) {
			env["CI_MERGE_REQUEST_EVENT_TYPE"] = tc.eventType
			e, err := readGitLabEnv(func(k string) string { return env[k] }, "", "check --post")
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.resolveBase(context.Background(), dir)
			if err != nil || got != tc.want {
				t.Errorf("base %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}
