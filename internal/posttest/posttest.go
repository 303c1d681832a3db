// Package posttest holds what the tests of check --post share, in
// cmd/mpgate and in the publish adapters: real git repositories holding a
// mini-program, and the parsing of GitHub step outputs.
package posttest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Git runs git in dir and returns its trimmed output.
func Git(t testing.TB, dir string, args ...string) string {
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

// WriteFile writes content to path, making its directories.
func WriteFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// MiniRepo makes a git repository holding a WeChat mini-program: the base
// commit has one page; the request's commit declares missing more pages,
// each a new MP102 error on its line of app.json. HEAD is the request's
// commit, on branch "changes".
func MiniRepo(t testing.TB, missing int) (dir, base, head string) {
	t.Helper()
	dir = t.TempDir()
	Git(t, dir, "init", "-q")
	WriteFile(t, filepath.Join(dir, "app.js"), "App({})\n")
	WriteFile(t, filepath.Join(dir, "pages/index/index.js"), "Page({})\n")
	WriteFile(t, filepath.Join(dir, "pages/index/index.wxml"), "<view>hi</view>\n")
	appJSON := func(n int) string {
		pages := []string{`    "pages/index/index"`}
		for i := range n {
			pages = append(pages, fmt.Sprintf(`    "pages/p%d/p%d"`, i, i))
		}
		return "{\n  \"pages\": [\n" + strings.Join(pages, ",\n") + "\n  ]\n}\n"
	}
	WriteFile(t, filepath.Join(dir, "app.json"), appJSON(0))
	Git(t, dir, "add", "-A")
	Git(t, dir, "commit", "-q", "-m", "base")
	base = Git(t, dir, "rev-parse", "HEAD")
	Git(t, dir, "checkout", "-q", "-b", "changes")
	WriteFile(t, filepath.Join(dir, "app.json"), appJSON(missing))
	Git(t, dir, "commit", "-q", "--allow-empty", "-am", "pages")
	head = Git(t, dir, "rev-parse", "HEAD")
	return dir, base, head
}

// ParseOutputs reads $GITHUB_OUTPUT (name=value and name<<DELIM blocks),
// failing the test on a block whose delimiter never closes or is in its
// value.
func ParseOutputs(t testing.TB, path string) map[string]string {
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
