// Package gittest makes real git repositories for tests: a repository on
// branch main, files written and committed from a map, so that a test can
// lay out a history as a table of commits. Every git command runs without
// the machine's configuration (system and global) and with a fixed
// identity, so the tests behave the same on every machine.
package gittest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Identity is the author and committer of the commits made here; it is
// also the repository's user.name and user.email, for the commits the code
// under test makes.
const (
	Name  = "Dev"
	Email = "dev@example.com"
)

// env is the environment of every git command run here.
var env = []string{
	"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull,
	"GIT_AUTHOR_NAME=" + Name, "GIT_AUTHOR_EMAIL=" + Email,
	"GIT_COMMITTER_NAME=" + Name, "GIT_COMMITTER_EMAIL=" + Email,
}

// Files are the files of a commit: slash-separated path → content. An
// empty content deletes the file.
type Files map[string]string

// Commit is one commit of a history laid out as a table.
type Commit struct {
	// Branch, when set, is checked out (made from the current commit when
	// it does not exist) before the commit is made.
	Branch  string
	Message string
	Files   Files
}

// Repo is a git repository made by New.
type Repo struct {
	t   testing.TB
	Dir string
	env []string
}

// Option changes how New makes a repository.
type Option func(*Repo)

// At fixes the author and committer date of every commit, so that the
// same history gets the same commit ids.
func At(date time.Time) Option {
	d := date.UTC().Format(time.RFC3339)
	return func(r *Repo) { r.env = append(r.env, "GIT_AUTHOR_DATE="+d, "GIT_COMMITTER_DATE="+d) }
}

// New makes an empty repository, on branch main, in a new temporary
// directory of t.
func New(t testing.TB, opts ...Option) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: t.TempDir(), env: env}
	for _, o := range opts {
		o(r)
	}
	r.Git("init", "-q", "-b", "main")
	r.Git("config", "user.name", Name)
	r.Git("config", "user.email", Email)
	return r
}

// Git runs git in the repository and returns its output, trimmed; it fails
// the test on an error, with git's standard error.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	return run(r.t, r.Dir, r.env, args...)
}

// Git runs git in dir as Repo.Git does, for a directory New did not make
// (a clone, a worktree).
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	return run(t, dir, env, args...)
}

func run(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s in %s: %v\n%s%s", strings.Join(args, " "), dir, err, out.Bytes(), errb.Bytes())
	}
	return strings.TrimSpace(out.String())
}

// Write writes files in the work tree (without staging them); an empty
// content deletes the file.
func (r *Repo) Write(files Files) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.Dir, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(p); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// Commit writes files, stages everything and commits with msg (an empty
// commit when nothing changed); it returns the commit's id.
func (r *Repo) Commit(msg string, files Files) string {
	r.t.Helper()
	r.Write(files)
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "-m", msg)
	return r.Head()
}

// Commits makes the commits in order, each on its Branch (or the current
// one), and returns their ids.
func (r *Repo) Commits(cs ...Commit) []string {
	r.t.Helper()
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		if c.Branch != "" {
			r.Checkout(c.Branch)
		}
		ids = append(ids, r.Commit(c.Message, c.Files))
	}
	return ids
}

// Checkout checks branch out, making it from the current commit when it
// does not exist.
func (r *Repo) Checkout(branch string) {
	r.t.Helper()
	if r.exists("refs/heads/" + branch) {
		r.Git("checkout", "-q", branch)
		return
	}
	r.Git("checkout", "-q", "-b", branch)
}

func (r *Repo) exists(ref string) bool {
	cmd := exec.Command("git", "show-ref", "--verify", "--quiet", ref)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(), r.env...)
	return cmd.Run() == nil
}

// Head is the id of the commit checked out.
func (r *Repo) Head() string {
	r.t.Helper()
	return r.Git("rev-parse", "HEAD")
}
