package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckBaseBuildLogs: `check --base` on GitHub Actions prints a line
// per phase, folds each build's output into a group, keeps the logs in
// --build-log and quotes the last 50 lines of a failed build.
func TestCheckBaseBuildLogs(t *testing.T) {
	dir, base, _ := miniRepo(t, 0)
	script := `i=1; while [ $i -le 80 ]; do echo "step $i"; i=$((i+1)); done; ` +
		`if [ -f broken ]; then echo "ERROR: broken" >&2; exit 3; fi; mkdir -p dist; cp -r app.js app.json pages dist/`
	writeFile(t, filepath.Join(dir, ".mpgate.yml"), "projects:\n  - name: shop\n    root: dist\n    build: '"+script+"'\n")
	writeFile(t, filepath.Join(dir, ".gitignore"), "dist/\n")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "build")
	logs := filepath.Join(t.TempDir(), "logs")
	env := map[string]string{"GITHUB_ACTIONS": "true"}

	res := runArgs(t, env, "check", "--base", base, "--build-log", logs, dir)
	if res.code != exitPass {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	for _, want := range []string{
		"mpgate: building shop (head): ",
		"mpgate: building shop (base): ",
		"mpgate: analysing shop (head)",
		"::group::mpgate: build of shop (head): ok after ",
		"step 80\n::",
		"::endgroup::\n",
		"full log: " + filepath.Join(logs, "shop-head.log"),
	} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	if strings.Count(res.stderr, "::group::") != 2 || strings.Count(res.stderr, "::endgroup::") != 2 {
		t.Errorf("want two groups (base and head):\n%s", res.stderr)
	}

	writeFile(t, filepath.Join(dir, "broken"), "")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "break")
	res = runArgs(t, env, "check", "--base", base, "--build-log", logs, "--format", "json", dir)
	if res.code == exitPass {
		t.Fatalf("a failed build passed:\n%s", res.stderr)
	}
	head := filepath.Join(logs, "shop-head.log")
	data, err := os.ReadFile(head)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "step 1\n") || !strings.Contains(string(data), "ERROR: broken") {
		t.Errorf("the kept log is not the whole output:\n%s", data)
	}
	var out struct {
		Projects []struct {
			HeadError string `json:"headError"`
		} `json:"projects"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil || len(out.Projects) != 1 {
		t.Fatalf("JSON result: %v\n%s", err, res.stdout)
	}
	msg := out.Projects[0].HeadError
	for _, want := range []string{"(full log: " + head + ")", "step 32\n", "step 80", "ERROR: broken"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the failure lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "step 31\n") {
		t.Errorf("the failure quotes more than the last 50 lines:\n%s", msg)
	}
}
