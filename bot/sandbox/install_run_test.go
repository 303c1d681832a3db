//go:build linux

package sandbox

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mpgate/mpgate/bot/build"
)

// fakeRegistry serves one real npm package tarball over HTTP on loopback,
// the way registry.npmjs.org does: the packument at /<name>, the tarball at
// /<name>/-/<name>-<version>.tgz. It counts tarball downloads.
type fakeRegistry struct {
	srv       *httptest.Server
	tarballs  atomic.Int64
	integrity string
}

const regPkg, regVersion = "mp-pad", "1.0.0"

func newFakeRegistry(t *testing.T) *fakeRegistry {
	t.Helper()
	tgz := npmTarball(t, map[string]string{
		"package/package.json": fmt.Sprintf(`{"name":%q,"version":%q,"main":"index.js"}`, regPkg, regVersion),
		"package/index.js":     `module.exports = s => "[" + s + "]";` + "\n",
	})
	sum512 := sha512.Sum512(tgz)
	sum1 := sha1.Sum(tgz)
	r := &fakeRegistry{integrity: "sha512-" + base64.StdEncoding.EncodeToString(sum512[:])}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /"+regPkg, func(w http.ResponseWriter, q *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"name": regPkg, "dist-tags": map[string]string{"latest": regVersion},
			"versions": map[string]any{regVersion: map[string]any{
				"name": regPkg, "version": regVersion,
				"dist": map[string]string{"tarball": r.tarballURL(), "integrity": r.integrity, "shasum": hex.EncodeToString(sum1[:])},
			}},
		})
	})
	mux.HandleFunc("GET /"+regPkg+"/-/"+regPkg+"-"+regVersion+".tgz", func(w http.ResponseWriter, q *http.Request) {
		r.tarballs.Add(1)
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(tgz)
	})
	r.srv = httptest.NewServer(mux) // 127.0.0.1
	t.Cleanup(r.srv.Close)
	return r
}

func (r *fakeRegistry) tarballURL() string {
	return r.srv.URL + "/" + regPkg + "/-/" + regPkg + "-" + regVersion + ".tgz"
}

func npmTarball(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range []string{"package/package.json", "package/index.js"} {
		body := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// mirrorWithWorktrees makes a bare mirror of a repository holding files, as
// the bot keeps them, and n linked worktrees of its head.
func mirrorWithWorktrees(t *testing.T, files map[string]string, n int) (mirror string, wts []string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	root := t.TempDir()
	src := filepath.Join(root, "src")
	mirror = filepath.Join(root, "mirrors", "shop.git")
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	for name, content := range files {
		write(t, filepath.Join(src, name), content)
	}
	git(src, "init", "-q", "-b", "main")
	git(src, "add", ".")
	git(src, "commit", "-q", "-m", "first")
	head := git(src, "rev-parse", "HEAD")
	git(root, "clone", "-q", "--bare", src, mirror)
	for i := range n {
		wt := filepath.Join(root, "jobs", fmt.Sprint(i), "head")
		git(mirror, "worktree", "add", "-q", "--detach", wt, head)
		wts = append(wts, wt)
	}
	return mirror, wts
}

// TestBwrapInstallFromRegistry builds a project whose install step (npm ci,
// chosen from the lockfile) fetches a real package from a registry served
// on loopback, under each network policy: the install step reaches the
// registry unless the policy is none, the build step only when it is all,
// and a second worktree of the same repository installs from the
// repository's persistent cache.
func TestBwrapInstallFromRegistry(t *testing.T) {
	b := requireBwrap(t)
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm not installed (.ci/run installs it)")
	}
	reg := newFakeRegistry(t)
	lock := map[string]any{
		"name": "shop", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
		"packages": map[string]any{
			"":                       map[string]any{"name": "shop", "version": "1.0.0", "dependencies": map[string]string{regPkg: regVersion}},
			"node_modules/" + regPkg: map[string]any{"version": regVersion, "resolved": reg.tarballURL(), "integrity": reg.integrity},
		},
	}
	lockJSON, err := json.Marshal(lock)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"package.json":      fmt.Sprintf(`{"name":"shop","version":"1.0.0","private":true,"dependencies":{%q:%q}}`, regPkg, regVersion),
		"package-lock.json": string(lockJSON),
		// The build uses the dependency, then tries the registry itself.
		"build.js": fmt.Sprintf(`const pad = require(%q), fs = require("fs"), http = require("http");
fs.mkdirSync("dist", {recursive: true});
fs.writeFileSync("dist/app.js", pad("built") + "\n");
http.get(%q, r => { console.log("build-network: online " + r.statusCode); r.resume(); })
  .on("error", e => console.log("build-network: offline (" + e.code + ")"));
`, regPkg, reg.srv.URL+"/"+regPkg),
	}

	// No retries: under the policy none npm would retry for a minute.
	npmEnv := []string{"npm_config_registry=" + reg.srv.URL + "/", "npm_config_fetch_retries=0", "npm_config_audit=false", "npm_config_fund=false", "npm_config_update_notifier=false"}
	tests := []struct {
		policy      NetworkPolicy
		installs    bool   // the install step reaches the registry
		buildOnline string // what the build says about the network
	}{
		{NetworkInstall, true, "build-network: offline"},
		{NetworkAll, true, "build-network: online 200"},
		{NetworkNone, false, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.policy), func(t *testing.T) {
			_, wts := mirrorWithWorktrees(t, files, 2)
			cache := filepath.Join(t.TempDir(), "build-cache")
			w, err := Configure(b, Options{Network: tt.policy, CacheDir: cache, Limits: DefaultOptions().Limits})
			if err != nil {
				t.Fatal(err)
			}
			before := reg.tarballs.Load()
			res, err := build.Run(t.Context(), build.Spec{Dir: wts[0], Install: build.InstallAuto, Command: "node build.js", Sandbox: w,
				Env: npmEnv})
			if !tt.installs {
				var e *build.Error
				if !errors.As(err, &e) || e.Step != build.StepInstall || !errors.Is(err, build.ErrFailed) {
					t.Fatalf("policy none: Run = %v; want the install step to fail without the network", err)
				}
				if got := reg.tarballs.Load() - before; got != 0 {
					t.Fatalf("policy none: the registry served %d tarballs", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			if got := reg.tarballs.Load() - before; got != 1 {
				t.Errorf("the registry served %d tarballs, want 1", got)
			}
			if !strings.Contains(res.Tail, "$ npm ci") || !strings.Contains(res.Tail, tt.buildOnline) {
				t.Errorf("output %q: want the install step and %q", res.Tail, tt.buildOnline)
			}
			if got, err := os.ReadFile(filepath.Join(wts[0], "dist", "app.js")); err != nil || string(got) != "[built]\n" {
				t.Errorf("dist/app.js = %q, %v; want the dependency used", got, err)
			}
			caches, _ := filepath.Glob(filepath.Join(cache, "shop-*", "npm", "_cacache"))
			if len(caches) != 1 {
				t.Fatalf("npm caches under %s: %q, want the repository's one", cache, caches)
			}
			// Another worktree of the same repository (the base of the
			// request) installs from the repository's cache.
			res, err = build.Run(t.Context(), build.Spec{Dir: wts[1], Install: build.InstallAuto, Command: "node build.js", Sandbox: w,
				Env: npmEnv})
			if err != nil {
				t.Fatalf("second build: %v", err)
			}
			if !strings.Contains(res.Tail, "$ npm ci") {
				t.Errorf("second build output %q: want the install step", res.Tail)
			}
			if got := reg.tarballs.Load() - before; got != 1 {
				t.Errorf("after the second build the registry served %d tarballs, want 1 (the second from the cache)", got)
			}
		})
	}
}
