package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCILogBuildGroups(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "shop-head.log")
	// A build may print workflow commands: inside the group they must not
	// be obeyed.
	writeFile(t, logPath, "npm ci\n::add-mask::secret\n::error::forged\nbuild failed")
	at := time.Unix(1700000000, 0)
	tests := []struct {
		name string
		env  map[string]string
		keep bool
		want string
	}{
		{"github", map[string]string{"GITHUB_ACTIONS": "true"}, true,
			"::group::mpgate: build of shop%25 (head): exit 2 after 3s\n::stop-commands::TOKEN\n" +
				"npm ci\n::add-mask::secret\n::error::forged\nbuild failed\n::TOKEN::\n::endgroup::\n" +
				"mpgate: build of shop% (head): exit 2 after 3s; full log: " + logPath + "\n"},
		{"gitlab", map[string]string{"GITLAB_CI": "true"}, false,
			"\x1b[0Ksection_start:1700000000:mpgate_build_1[collapsed=true]\r\x1b[0Kmpgate: build of shop% (head): exit 2 after 3s\n" +
				"npm ci\n::add-mask::secret\n::error::forged\nbuild failed\n" +
				"\x1b[0Ksection_end:1700000000:mpgate_build_1\r\x1b[0K\n"},
		{"plain, kept", nil, true, "mpgate: build of shop% (head): exit 2 after 3s; full log: " + logPath + "\n"},
		{"plain", nil, false, "mpgate: build of shop% (head): exit 2 after 3s\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			l := newCILog(&b, func(k string) string { return tt.env[k] }, tt.keep)
			l.now = func() time.Time { return at }
			l.token = func() string { return "TOKEN" }
			l.build("build of shop% (head):\nexit 2 after 3s", logPath)
			if b.String() != tt.want {
				t.Errorf("got\n%q\nwant\n%q", b.String(), tt.want)
			}
		})
	}
}

func TestCILogLongLogShowsItsEnd(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "big.log")
	var big strings.Builder
	for i := 0; big.Len() <= maxGroupBytes+1000; i++ {
		fmt.Fprintf(&big, "line %d\n", i)
	}
	big.WriteString("the end")
	writeFile(t, logPath, big.String())
	var b bytes.Buffer
	l := newCILog(&b, func(k string) string { return map[string]string{"GITHUB_ACTIONS": "true"}[k] }, false)
	l.build("build", logPath)
	out := b.String()
	if !strings.Contains(out, "\nthe end\n") || !strings.Contains(out, "bytes are only in "+logPath) {
		t.Errorf("the end of the log or the note is missing: %q … %q", out[:200], out[len(out)-200:])
	}
	if len(out) > maxGroupBytes+1000 {
		t.Errorf("%d bytes shown, more than the cap of %d", len(out), maxGroupBytes)
	}
}

func TestDefaultBuildLogDir(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"GITHUB_ACTIONS": "true", "RUNNER_TEMP": "/r/tmp"}, "/r/tmp/mpgate-build-logs"},
		{map[string]string{"GITLAB_CI": "true", "CI_PROJECT_DIR": "/builds/g/p"}, "/builds/g/p/mpgate-build-logs"},
		{map[string]string{"GITHUB_ACTIONS": "true"}, ""},
		{map[string]string{"CI": "true"}, ""},
	} {
		if got := defaultBuildLogDir(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.env, got, tt.want)
		}
	}
}

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
