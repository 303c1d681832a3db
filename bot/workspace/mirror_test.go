package workspace

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io/fs"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// upstream is a bare repository with main, feature, a tag, a GitHub pull
// ref and a GitLab merge request ref.
type upstream struct {
	bare, work string
	main, feat string
}

func newUpstream(t *testing.T) upstream {
	t.Helper()
	u := upstream{work: newRepo(t)}
	u.main = commit(t, u.work, "c1", map[string]string{"app.json": "{}\n"})
	tgit(t, u.work, "checkout", "--quiet", "-b", "feature")
	u.feat = commit(t, u.work, "f1", map[string]string{"pages/a.js": "a\n"})
	tgit(t, u.work, "checkout", "--quiet", "main")
	tgit(t, u.work, "tag", "v1.0.0")
	u.bare = filepath.Join(t.TempDir(), "upstream.git")
	tgit(t, u.work, "clone", "--quiet", "--bare", u.work, u.bare)
	tgit(t, u.bare, "update-ref", "refs/pull/7/head", u.feat)
	tgit(t, u.bare, "update-ref", "refs/merge-requests/3/head", u.feat)
	return u
}

// push makes a commit on branch in the work repo and pushes it.
func (u upstream) push(t *testing.T, branch, msg string, files map[string]string) string {
	t.Helper()
	tgit(t, u.work, "checkout", "--quiet", branch)
	sha := commit(t, u.work, msg, files)
	tgit(t, u.work, "push", "--quiet", u.bare, branch)
	return sha
}

func refs(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := tgit(t, dir, "for-each-ref", "--format=%(refname) %(objectname)")
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if name, sha, ok := strings.Cut(line, " "); ok {
			m[name] = sha
		}
	}
	return m
}

func TestMirrorCloneThenFetch(t *testing.T) {
	u := newUpstream(t)
	ctx := ctxT(t)
	cache := t.TempDir()
	url := "file://" + u.bare

	m, err := OpenMirror(ctx, cache, url, Auth{})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(m.Dir) != cache {
		t.Errorf("mirror %s not directly under the cache %s", m.Dir, cache)
	}
	got := refs(t, m.Dir)
	for ref, want := range map[string]string{
		"refs/heads/main":            u.main,
		"refs/heads/feature":         u.feat,
		"refs/tags/v1.0.0":           u.main,
		"refs/pull/7/head":           u.feat,
		"refs/merge-requests/3/head": u.feat,
	} {
		t.Run("clone "+ref, func(t *testing.T) {
			if got[ref] != want {
				t.Errorf("%s = %q, want %s", ref, got[ref], want)
			}
		})
	}
	if isBare := tgit(t, m.Dir, "rev-parse", "--is-bare-repository"); isBare != "true" {
		t.Errorf("mirror is not bare")
	}

	// Upstream moves: a new commit, a new pull ref, a deleted branch.
	c2 := u.push(t, "main", "c2", map[string]string{"app.json": "{\"pages\":[]}\n"})
	tgit(t, u.bare, "update-ref", "refs/pull/8/head", c2)
	tgit(t, u.bare, "update-ref", "-d", "refs/heads/feature")
	// A marker proves the second open fetched into the same repository
	// instead of cloning again.
	marker := filepath.Join(m.Dir, "mpgate-test-marker")
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	m2, err := OpenMirror(ctx, cache, url, Auth{})
	if err != nil {
		t.Fatal(err)
	}
	if m2.Dir != m.Dir {
		t.Fatalf("second open uses %s, first %s", m2.Dir, m.Dir)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("mirror was re-cloned: %v", err)
	}
	got = refs(t, m.Dir)
	if got["refs/heads/main"] != c2 {
		t.Errorf("main = %s after fetch, want %s", got["refs/heads/main"], c2)
	}
	if got["refs/pull/8/head"] != c2 {
		t.Errorf("new pull ref not fetched: %v", got)
	}
	if _, ok := got["refs/heads/feature"]; ok {
		t.Errorf("deleted branch not pruned")
	}

	// Worktrees from the mirror, and a merge base computed in it.
	wt, err := m.Worktree(ctx, filepath.Join(t.TempDir(), "head"), "refs/pull/7/head")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := wt.Remove(ctx); err != nil {
			t.Error(err)
		}
	}()
	if _, err := os.Stat(filepath.Join(wt.Dir, "pages/a.js")); err != nil {
		t.Errorf("worktree of the pull ref lacks its file: %v", err)
	}
	mb, err := MergeBase(ctx, m.Dir, "main", "refs/pull/7/head")
	if err != nil || mb != u.main {
		t.Errorf("merge base in mirror = %s, %v; want %s", mb, err, u.main)
	}
}

func TestMirrorFetchRef(t *testing.T) {
	u := newUpstream(t)
	ctx := ctxT(t)
	m, err := OpenMirror(ctx, t.TempDir(), u.bare, Auth{}) // a plain local path
	if err != nil {
		t.Fatal(err)
	}
	// A commit only reachable from a ref outside the mirrored namespaces.
	tgit(t, u.work, "checkout", "--quiet", "--detach", "main")
	hidden := commit(t, u.work, "hidden", map[string]string{"h.js": "h\n"})
	tgit(t, u.work, "push", "--quiet", u.bare, hidden+":refs/pull/9/merge")
	// And one only reachable from a ref FetchRef is never asked for.
	byName := commit(t, u.work, "by name", map[string]string{"n.js": "n\n"})
	tgit(t, u.work, "push", "--quiet", u.bare, byName+":refs/keep/x")

	tests := []struct {
		name, ref string
		check     func(t *testing.T)
		wantErr   string
	}{
		{name: "full ref", ref: "refs/pull/9/merge", check: func(t *testing.T) {
			if got := refs(t, m.Dir)["refs/pull/9/merge"]; got != hidden {
				t.Errorf("refs/pull/9/merge = %q, want %s", got, hidden)
			}
		}},
		{name: "object name", ref: byName, check: func(t *testing.T) {
			if got, err := RevParse(ctx, m.Dir, byName); err != nil || got != byName {
				t.Errorf("commit not present after fetch: %v", err)
			}
			if got := refs(t, m.Dir)[fetchedRefPrefix+byName]; got != byName {
				t.Errorf("commit fetched by name not kept under %s: %v", fetchedRefPrefix, refs(t, m.Dir))
			}
		}},
		{name: "present object is not fetched again", ref: u.main},
		{name: "branch name", ref: "main"},
		{name: "unknown ref", ref: "refs/pull/404/head", wantErr: "couldn't find remote ref"},
		{name: "option", ref: "--upload-pack=evil", wantErr: "starts with '-'"},
		{name: "refspec", ref: "a:b", wantErr: "not a ref name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := m.FetchRef(ctx, tt.ref)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t)
			}
		})
	}
	if err := m.Update(ctx); err != nil {
		t.Fatalf("Update: %v", err)
	}
	// Update prunes only the mirrored namespaces: a commit fetched by name
	// stays reachable.
	if _, err := RevParse(ctx, m.Dir, byName); err != nil {
		t.Errorf("fetched commit lost after Update: %v", err)
	}
}

func TestMirrorConcurrentOpen(t *testing.T) {
	u := newUpstream(t)
	ctx := ctxT(t)
	cache := t.TempDir()
	const n = 4
	dirs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := OpenMirror(ctx, cache, "file://"+u.bare, Auth{})
			errs[i] = err
			if err == nil {
				dirs[i] = m.Dir
			}
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("open %d: %v", i, errs[i])
		}
		if dirs[i] != dirs[0] {
			t.Errorf("open %d used %s, open 0 %s", i, dirs[i], dirs[0])
		}
	}
	entries, err := os.ReadDir(cache)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("leftover temporary clone %s", e.Name())
		}
	}
}

func TestMirrorCloneFailureLeavesNothing(t *testing.T) {
	cache := t.TempDir()
	_, err := OpenMirror(ctxT(t), cache, "file://"+filepath.Join(t.TempDir(), "missing.git"), Auth{})
	var ge *GitError
	if !errors.As(err, &ge) {
		t.Fatalf("err = %v, want a GitError", err)
	}
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lock") {
			t.Errorf("failed clone left %s", e.Name())
		}
	}
}

func TestLockDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "m.git")
	unlock, err := lockDir(ctxT(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("held in process", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctxT(t), 100*time.Millisecond)
		defer cancel()
		if _, err := lockDir(ctx, dir); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want DeadlineExceeded", err)
		}
	})
	t.Run("held by another process", func(t *testing.T) {
		// flock(1) holds the same lock file from another process while we
		// hold nothing in this process.
		if _, err := exec.LookPath("flock"); err != nil {
			t.Skip("flock(1) not installed")
		}
		other := filepath.Join(t.TempDir(), "o.git")
		ready := filepath.Join(t.TempDir(), "ready")
		cmd := exec.Command("flock", other+".lock", "sh", "-c", "touch "+ready+"; sleep 30")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
		for i := 0; ; i++ {
			if _, err := os.Stat(ready); err == nil {
				break
			}
			if i > 500 {
				t.Fatal("flock helper never started")
			}
			time.Sleep(10 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(ctxT(t), 200*time.Millisecond)
		defer cancel()
		if _, err := lockDir(ctx, other); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "another process") {
			t.Fatalf("err = %v, want DeadlineExceeded waiting for another process", err)
		}
	})
	unlock()
	unlock2, err := lockDir(ctxT(t), dir)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
}

// gitHTTPServer serves the bare repositories under root with git
// http-backend and accepts only the given basic credentials. It records
// every Authorization header it sees.
type gitHTTPServer struct {
	*httptest.Server
	mu      sync.Mutex
	headers []string
	ok      atomic.Int32
}

func newGitHTTPServer(t *testing.T, root, user, token string) *gitHTTPServer {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		t.Skipf("git-http-backend not available: %v", err)
	}
	cgiH := &cgi.Handler{
		Path: backend,
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull},
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+token))
	s := &gitHTTPServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		s.mu.Lock()
		s.headers = append(s.headers, h)
		s.mu.Unlock()
		if h != want {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "unauthorised", http.StatusUnauthorized)
			return
		}
		s.ok.Add(1)
		cgiH.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// fileContains reports the files under dir that contain any of needles.
func filesContaining(t *testing.T, dir string, needles ...string) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) {
				hits = append(hits, p)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

func TestMirrorAuthOverHTTP(t *testing.T) {
	u := newUpstream(t)
	const token = "ghs_s3cretTOKENvalue"
	root := filepath.Dir(u.bare)
	srv := newGitHTTPServer(t, root, "x-access-token", token)
	url := srv.URL + "/" + filepath.Base(u.bare)
	basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + token))

	// Every git invocation is logged by a wrapper on PATH: the token must
	// never be in any argv.
	bin := t.TempDir()
	argvLog := filepath.Join(t.TempDir(), "argv.log")
	realGit, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	write(t, bin, map[string]string{"git": "#!/bin/sh\nprintf '%s\\n' \"$*\" >> " + argvLog + "\nexec " + realGit + " \"$@\"\n"})
	if err := os.Chmod(filepath.Join(bin, "git"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	ctx := ctxT(t)
	cache := t.TempDir()
	m, err := OpenMirror(ctx, cache, url, Auth{Token: token})
	if err != nil {
		t.Fatalf("OpenMirror with token: %v", err)
	}
	if got := refs(t, m.Dir)["refs/pull/7/head"]; got != u.feat {
		t.Errorf("refs/pull/7/head = %q over HTTP, want %s", got, u.feat)
	}
	if srv.ok.Load() == 0 {
		t.Fatalf("server never saw the token; headers: %q", srv.headers)
	}
	if err := m.Update(ctx); err != nil {
		t.Fatalf("Update with token: %v", err)
	}

	t.Run("token not on disk", func(t *testing.T) {
		if hits := filesContaining(t, cache, token, basic); len(hits) > 0 {
			t.Errorf("token written to %v", hits)
		}
		if cfg := tgit(t, m.Dir, "config", "--get", "remote.origin.url"); cfg != url {
			t.Errorf("stored URL %q, want %q", cfg, url)
		}
	})
	t.Run("token not in argv", func(t *testing.T) {
		log, err := os.ReadFile(argvLog)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(log, []byte("fetch")) {
			t.Fatalf("wrapper did not see the fetch: %s", log)
		}
		if bytes.Contains(log, []byte(token)) || bytes.Contains(log, []byte(basic)) {
			t.Errorf("token on a command line:\n%s", log)
		}
	})
	t.Run("wrong token fails without echoing it", func(t *testing.T) {
		const wrong = "ghs_WRONGtokenXYZ"
		_, err := OpenMirror(ctx, t.TempDir(), url, Auth{Token: wrong})
		if err == nil {
			t.Fatal("clone with a wrong token succeeded")
		}
		wrongBasic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + wrong))
		t.Logf("error: %v", err)
		if !strings.Contains(err.Error(), "token was refused") {
			t.Errorf("error does not say the token was refused: %v", err)
		}
		if msg := err.Error(); strings.Contains(msg, wrong) || strings.Contains(msg, wrongBasic) {
			t.Errorf("error shows the token: %s", msg)
		}
	})
	t.Run("no token is refused", func(t *testing.T) {
		_, err := OpenMirror(ctx, t.TempDir(), url, Auth{})
		if err == nil || !strings.Contains(err.Error(), "needs credentials") {
			t.Fatalf("anonymous clone of a private repository: err = %v, want one saying it needs credentials", err)
		}
	})
	t.Run("GitLab username", func(t *testing.T) {
		gl := newGitHTTPServer(t, root, "oauth2", token)
		if _, err := OpenMirror(ctx, t.TempDir(), gl.URL+"/"+filepath.Base(u.bare), Auth{Username: "oauth2", Token: token}); err != nil {
			t.Fatalf("clone as oauth2: %v", err)
		}
	})
}

func TestNormaliseURL(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in, want string
		wantErr  string
		secret   string
	}{
		{in: "https://github.com/o/r.git", want: "https://github.com/o/r.git"},
		{in: " https://github.com/o/r/ ", want: "https://github.com/o/r"},
		{in: "git@github.com:o/r.git", want: "git@github.com:o/r.git"},
		{in: "ssh://git@gitlab.example.com:2222/g/sub/r.git", want: "ssh://git@gitlab.example.com:2222/g/sub/r.git"},
		{in: "file:///srv/git/r.git", want: "file:///srv/git/r.git"},
		{in: "repos/r.git", want: filepath.Join(cwd, "repos/r.git")},
		{in: "https://x-access-token:ghs_abc123@github.com/o/r", wantErr: "carries a password", secret: "ghs_abc123"},
		{in: "https://bob@github.com/o/r", wantErr: "Auth.Username"},
		{in: "-uhttps://x", wantErr: "starts with '-'"},
		{in: "", wantErr: "empty"},
		{in: "ext::sh -c touch% /tmp/pwned", wantErr: "unsupported scheme"},
		{in: "https:///nohost", wantErr: "no host"},
		{in: "file:://", wantErr: "remote helpers"},
		{in: "https://[::1]:8080/o/r.git", want: "https://[::1]:8080/o/r.git"},
		{in: "file:///", want: "file:///"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := normaliseURL(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
					t.Errorf("error shows the secret: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("normaliseURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestMirrorName(t *testing.T) {
	urls := []string{
		"https://github.com/o/r.git",
		"https://github.com/o/r",
		"https://github.com/O/r",
		"git@github.com:o/r.git",
		"file:///../../etc/passwd",
		"/srv/../../x",
		"https://example.com/" + strings.Repeat("long/", 100),
		"https://例子.测试/仓库",
		"",
	}
	seen := map[string]string{}
	for _, u := range urls {
		t.Run(u, func(t *testing.T) {
			name := MirrorName(u)
			if name != MirrorName(u) {
				t.Fatal("not stable")
			}
			if strings.ContainsAny(name, "/\\\x00") || strings.HasPrefix(name, ".") || name == "" {
				t.Errorf("unsafe name %q", name)
			}
			if filepath.Base(name) != name || filepath.Clean(name) != name {
				t.Errorf("name %q is not one path element", name)
			}
			if len(name) > 120 {
				t.Errorf("name %q too long", name)
			}
			if prev, ok := seen[name]; ok {
				t.Errorf("%q and %q share the name %q", u, prev, name)
			}
			seen[name] = u
		})
	}
	if got := MirrorName("https://github.com/o/r.git"); !strings.HasPrefix(got, "github_com_o_r-") {
		t.Errorf("name %q does not start with the readable part", got)
	}
}

func FuzzNormaliseURL(f *testing.F) {
	for _, s := range []string{"https://github.com/o/r.git", "git@h:o/r", "file:///x", "https://u:p@h/x", "ext::sh", "../x", "ssh://h:22/x", "ssh://[::1]/x", "file:///a::b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		u, err := normaliseURL(in)
		if err != nil {
			return
		}
		if gitRemoteHelper(u) {
			t.Fatalf("remote helper syntax accepted: %q", u)
		}
		name := MirrorName(u)
		if name == "" || strings.ContainsAny(name, "/\\\x00") || strings.HasPrefix(name, ".") || filepath.Base(name) != name {
			t.Fatalf("unsafe mirror name %q for %q", name, u)
		}
	})
}

// gitRemoteHelper is git's own test for "<transport>::<address>"
// (transport.c, transport_get): URL scheme characters from the start, then
// "::".
func gitRemoteHelper(u string) bool {
	i := 0
	for i < len(u) {
		c := u[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '.' || c == '-') {
			i++
			continue
		}
		break
	}
	return i > 0 && strings.HasPrefix(u[i:], "::")
}

func TestMirrorFollowsDefaultBranch(t *testing.T) {
	u := newUpstream(t)
	ctx := ctxT(t)
	// The remote's default branch is not the name git init would pick.
	tgit(t, u.bare, "symbolic-ref", "HEAD", "refs/heads/feature")
	m, err := OpenMirror(ctx, t.TempDir(), "file://"+u.bare, Auth{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := m.DefaultBranch(ctx); err != nil || got != "feature" {
		t.Fatalf("DefaultBranch = %q, %v; want feature", got, err)
	}
	if got, err := RevParse(ctx, m.Dir, "HEAD"); err != nil || got != u.feat {
		t.Fatalf("HEAD = %q, %v; want %s", got, err, u.feat)
	}
	// Renamed upstream: the old default branch is deleted.
	tgit(t, u.bare, "symbolic-ref", "HEAD", "refs/heads/main")
	tgit(t, u.bare, "update-ref", "-d", "refs/heads/feature")
	if err := m.Update(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := m.DefaultBranch(ctx); err != nil || got != "main" {
		t.Fatalf("DefaultBranch after the rename = %q, %v; want main", got, err)
	}
}

func TestParseSymref(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ref: refs/heads/dev\tHEAD\n0123abcd\tHEAD\n", "refs/heads/dev"},
		{"0123abcd\tHEAD\n", ""},
		{"ref: refs/tags/v1\tHEAD\n", ""},
		{"ref: refs/heads/x\tOTHER\n", ""},
		{"ref: -bad\tHEAD\n", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseSymref(tt.in); got != tt.want {
				t.Errorf("parseSymref(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// Git fails when a fetch or a worktree addition meets a worktree another
// goroutine is half way through adding; the mirror serialises them.
func TestMirrorWorktreesWhileFetching(t *testing.T) {
	u := newUpstream(t)
	ctx := ctxT(t)
	m, err := OpenMirror(ctx, t.TempDir(), "file://"+u.bare, Auth{})
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 6 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			rev := []string{"main", "feature", "refs/pull/7/head"}[i%3]
			wt, err := m.Worktree(ctx, filepath.Join(base, "w"+string(rune('a'+i))), rev)
			if err != nil {
				errs <- err
				return
			}
			if err := wt.Remove(ctx); err != nil {
				errs <- err
			}
		}()
		go func() {
			defer wg.Done()
			if err := m.Update(ctx); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
