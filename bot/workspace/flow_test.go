package workspace_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mpgate/mpgate/bot/build"
	"github.com/mpgate/mpgate/bot/workspace"
)

// TestBaseAgainstHead is the flow of `mpgate check --base REF`: the merge
// base and the head checked out side by side, built at the same time, and
// the lines the request changed.
func TestBaseAgainstHead(t *testing.T) {
	repo := filepath.Join(t.TempDir(), "repo")
	run := func(args ...string) string {
		t.Helper()
		c := exec.Command("git", append([]string{"-c", "init.defaultBranch=main"}, args...)...)
		c.Dir = repo
		c.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
			"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	writeFile := func(name, content string) {
		t.Helper()
		p := filepath.Join(repo, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	run("init", "--quiet")
	writeFile("build.sh", "mkdir -p dist && cat src/*.js > dist/app.js\n")
	writeFile("src/a.js", "var a = 1;\n")
	run("add", "-A")
	run("commit", "--quiet", "-m", "base")
	fork := run("rev-parse", "HEAD")
	run("checkout", "--quiet", "-b", "feature")
	writeFile("src/b.js", "var b = 2;\nvar c = 3;\n")
	run("add", "-A")
	run("commit", "--quiet", "-m", "head")
	run("checkout", "--quiet", "main")
	writeFile("src/later.js", "// main moved on\n")
	run("add", "-A")
	run("commit", "--quiet", "-m", "main moves")

	ctx := context.Background()
	mb, err := workspace.MergeBase(ctx, repo, "main", "feature")
	if err != nil {
		t.Fatal(err)
	}
	if mb != fork {
		t.Fatalf("merge base %s, want the fork point %s", mb, fork)
	}
	jobs := t.TempDir()
	sides := map[string]string{"base": mb, "head": "feature"}
	trees := map[string]*workspace.Worktree{}
	for side, rev := range sides {
		wt, err := workspace.AddWorktree(ctx, repo, filepath.Join(jobs, side), rev)
		if err != nil {
			t.Fatal(err)
		}
		trees[side] = wt
		defer func() {
			if err := wt.Remove(ctx); err != nil {
				t.Error(err)
			}
		}()
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	built := map[string]string{}
	for side, wt := range trees {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := build.Run(ctx, build.Spec{Dir: wt.Dir, Command: "sh build.sh", LogPath: filepath.Join(jobs, side+".log")})
			if err != nil {
				t.Errorf("%s build: %v", side, err)
				return
			}
			out, err := os.ReadFile(filepath.Join(wt.Dir, "dist/app.js"))
			if err != nil {
				t.Errorf("%s output: %v", side, err)
				return
			}
			mu.Lock()
			built[side] = string(out)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if want := "var a = 1;\n"; built["base"] != want {
		t.Errorf("base built %q, want %q (the fork point, not main's tip)", built["base"], want)
	}
	if want := "var a = 1;\nvar b = 2;\nvar c = 3;\n"; built["head"] != want {
		t.Errorf("head built %q, want %q", built["head"], want)
	}

	lines, err := workspace.ChangedLines(ctx, repo, mb, "feature")
	if err != nil {
		t.Fatal(err)
	}
	if got := lines["src/b.js"]; len(got) != 2 || got[0] != 1 || got[1] != 2 || len(lines) != 1 {
		t.Errorf("changed lines %v, want src/b.js 1-2 only", lines)
	}
}
