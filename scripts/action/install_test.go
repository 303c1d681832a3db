// Package action holds the tests of the GitHub Action's install script
// (install.sh), run with bash and curl against releases served on loopback.
package action

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// release is what one tag of the fake release server holds: asset name to
// bytes.
type release map[string][]byte

// releaseServer serves GitHub's release downloads
// (/download/TAG/ASSET) and the releases list of the REST API
// (/repos/OWNER/NAME/releases), and records every request.
type releaseServer struct {
	*httptest.Server
	repo     string
	releases map[string]release
	mu       sync.Mutex
	requests []string
	auth     []string // the Authorization header of each releases list request
}

func newReleaseServer(t *testing.T, repo string, releases map[string]release) *releaseServer {
	t.Helper()
	s := &releaseServer{repo: repo, releases: releases}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *releaseServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.Path)
	s.mu.Unlock()
	if r.Method != http.MethodGet {
		http.Error(w, "method", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path == "/repos/"+s.repo+"/releases" {
		s.mu.Lock()
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		s.mu.Unlock()
		if r.URL.Query().Get("per_page") == "" {
			http.Error(w, "want per_page", http.StatusBadRequest)
			return
		}
		type rel struct {
			TagName    string `json:"tag_name"`
			Prerelease bool   `json:"prerelease"`
		}
		var list []rel
		for tag := range s.releases {
			list = append(list, rel{TagName: tag, Prerelease: strings.Contains(tag, "-")})
		}
		w.Header().Set("Content-Type", "application/json")
		// Indented as GitHub answers ("tag_name": "v1.2.3").
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(list)
		return
	}
	tag, asset, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/download/"), "/")
	if !ok || !strings.HasPrefix(r.URL.Path, "/download/") {
		http.NotFound(w, r)
		return
	}
	data, ok := s.releases[tag][asset]
	if !ok {
		http.NotFound(w, r)
		return
	}
	_, _ = w.Write(data)
}

func (s *releaseServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// buildMpgate builds cmd/mpgate of this module (without -trimpath, as the
// tests build it: the build cache has it, and the release flags change
// nothing the install sees).
func buildMpgate(t *testing.T, dir string) []byte {
	t.Helper()
	out := filepath.Join(dir, "mpgate")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/mpgate")
	cmd.Dir = moduleRoot(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	return root
}

// tarGz packs files (name to bytes, mode 0755) as GoReleaser's archives
// are: the binary at the root.
func tarGz(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, data := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// checksums writes checksums.txt as sha256sum (and GoReleaser) do.
func checksums(files map[string][]byte) []byte {
	var b strings.Builder
	for name, data := range files {
		fmt.Fprintf(&b, "%s  %s\n", sum(data), name)
	}
	return []byte(b.String())
}

// newRelease is a release of the binary for this machine, with another
// platform's asset beside it (so the script must pick its own line).
func newRelease(t *testing.T, version string, bin []byte) release {
	t.Helper()
	asset := fmt.Sprintf("mpgate_%s_%s_%s.tar.gz", version, runtime.GOOS, runtime.GOARCH)
	assets := map[string][]byte{
		asset: tarGz(t, map[string][]byte{"mpgate": bin, "LICENSE": []byte("license\n")}),
		"mpgate_" + version + "_plan9_mips64.tar.gz": tarGz(t, map[string][]byte{"mpgate": []byte("not this one")}),
	}
	r := release{"checksums.txt": checksums(assets)}
	for k, v := range assets {
		r[k] = v
	}
	return r
}

// run is one run of install.sh: its exit code, output and step outputs.
type run struct {
	code    int
	out     string
	outputs map[string]string
}

type runner struct {
	t      *testing.T
	script string
	srv    *releaseServer
	tools  string // RUNNER_TOOL_CACHE
	temp   string // RUNNER_TEMP
}

func (r *runner) run(env map[string]string, args ...string) run {
	t := r.t
	t.Helper()
	outFile := filepath.Join(t.TempDir(), "output")
	pathFile := filepath.Join(t.TempDir(), "path")
	cmd := exec.Command("bash", append([]string{r.script}, args...)...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"GOCACHE=" + goEnv(t, "GOCACHE"),
		"GOMODCACHE=" + goEnv(t, "GOMODCACHE"),
		"GOTOOLCHAIN=local",
		"RUNNER_OS=" + map[string]string{"linux": "Linux", "darwin": "macOS"}[runtime.GOOS],
		"RUNNER_ARCH=" + map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH],
		"RUNNER_TOOL_CACHE=" + r.tools,
		"RUNNER_TEMP=" + r.temp,
		"GITHUB_OUTPUT=" + outFile,
		"GITHUB_PATH=" + pathFile,
		"MPGATE_REPOSITORY=mpgate/mpgate",
		"MPGATE_RELEASES_URL=" + r.srv.URL + "/download",
		"MPGATE_API_URL=" + r.srv.URL,
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	res := run{out: string(out), outputs: map[string]string{}}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(outFile)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			res.outputs[k] = v
		}
	}
	if p, _ := os.ReadFile(pathFile); len(p) > 0 {
		t.Errorf("install.sh changed the job's PATH: %q", p)
	}
	return res
}

var goEnvs sync.Map

func goEnv(t *testing.T, name string) string {
	t.Helper()
	if v, ok := goEnvs.Load(name); ok {
		return v.(string)
	}
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	v := strings.TrimSpace(string(out))
	goEnvs.Store(name, v)
	return v
}

// runBinary runs `mpgate version` with the installed binary.
func runBinary(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command(path, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s version: %v\n%s", path, err, out)
	}
	return string(out)
}

func TestInstall(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("the releases for this test are tar.gz archives of linux and darwin")
	}
	for _, tool := range []string{"bash", "curl", "go", "tar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s", tool)
		}
	}
	tmp := t.TempDir()
	bin := buildMpgate(t, tmp)
	tampered := newRelease(t, "1.2.4", bin)
	// The archive is replaced after checksums.txt was written.
	tampered[fmt.Sprintf("mpgate_1.2.4_%s_%s.tar.gz", runtime.GOOS, runtime.GOARCH)] = tarGz(t, map[string][]byte{"mpgate": []byte("#!/bin/sh\necho pwned\n")})
	noChecksumLine := newRelease(t, "1.2.5", bin)
	noChecksumLine["checksums.txt"] = []byte(sum([]byte("x")) + "  mpgate_1.2.5_plan9_mips64.tar.gz\n")
	srv := newReleaseServer(t, "mpgate/mpgate", map[string]release{
		"v1.2.3":        newRelease(t, "1.2.3", bin),
		"v1.2.4":        tampered,
		"v1.2.5":        noChecksumLine,
		"v1.10.0":       newRelease(t, "1.10.0", bin),
		"v1.11.0-rc.1":  newRelease(t, "1.11.0-rc.1", bin),
		"v2.0.0":        newRelease(t, "2.0.0", bin),
		"v3.0.0-beta.1": newRelease(t, "3.0.0-beta.1", bin),
	})
	r := &runner{t: t, script: mustAbs(t, "install.sh"), srv: srv, tools: filepath.Join(tmp, "tools"), temp: filepath.Join(tmp, "temp")}
	if err := os.MkdirAll(r.temp, 0o755); err != nil {
		t.Fatal(err)
	}
	goSum, err := os.ReadFile(filepath.Join(moduleRoot(t), "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	cached := func(version string) string {
		return filepath.Join(r.tools, "mpgate", version, runtime.GOARCH, "mpgate")
	}

	t.Run("release", func(t *testing.T) {
		before := srv.count()
		res := r.run(map[string]string{"MPGATE_VERSION": "v1.2.3"})
		if res.code != 0 {
			t.Fatalf("exit %d\n%s", res.code, res.out)
		}
		if res.outputs["path"] != cached("1.2.3") || res.outputs["source"] != "false" || res.outputs["version"] != "v1.2.3" {
			t.Errorf("outputs %v, want path %s", res.outputs, cached("1.2.3"))
		}
		got, err := os.ReadFile(cached("1.2.3"))
		if err != nil || sum(got) != sum(bin) {
			t.Fatalf("the tool cache holds another binary (%v)", err)
		}
		if _, err := os.Stat(filepath.Dir(cached("1.2.3")) + ".complete"); err != nil {
			t.Errorf("no .complete marker: %v", err)
		}
		if !strings.Contains(runBinary(t, res.outputs["path"]), "mpgate") {
			t.Error("the installed binary does not say it is mpgate")
		}
		if n := srv.count() - before; n != 2 {
			t.Errorf("%d requests, want 2 (checksums.txt and the archive): %v", n, srv.requests)
		}
	})

	t.Run("tool cache", func(t *testing.T) {
		before := srv.count()
		res := r.run(map[string]string{"MPGATE_VERSION": "v1.2.3"})
		if res.code != 0 || res.outputs["path"] != cached("1.2.3") {
			t.Fatalf("exit %d, outputs %v\n%s", res.code, res.outputs, res.out)
		}
		if n := srv.count() - before; n != 0 {
			t.Errorf("%d requests with the binary in the tool cache", n)
		}
		if !strings.Contains(res.out, "from the tool cache") {
			t.Errorf("output does not say the tool cache served it:\n%s", res.out)
		}
	})

	t.Run("version from the action's directory", func(t *testing.T) {
		// github.action_ref is empty in composite actions: the ref is
		// the last element of _actions/OWNER/NAME/REF.
		before := srv.count()
		res := r.run(map[string]string{"MPGATE_SOURCE_DIR": "/home/runner/work/_actions/mpgate/mpgate/v1.2.3"})
		if res.code != 0 || res.outputs["version"] != "v1.2.3" {
			t.Fatalf("exit %d, outputs %v\n%s", res.code, res.outputs, res.out)
		}
		if n := srv.count() - before; n != 0 {
			t.Errorf("%d requests with the binary in the tool cache", n)
		}
	})

	t.Run("major tag", func(t *testing.T) {
		// v1 is the newest v1.x.y without a prerelease: 1.10.0 (by
		// version, not by text), neither 1.11.0-rc.1 nor 2.0.0.
		// The job's token goes to the API only when that is the job's own.
		res := r.run(map[string]string{"MPGATE_VERSION": "v1", "MPGATE_TOKEN": "job-token", "GITHUB_API_URL": "https://ghe.example.com/api/v3"})
		if res.code != 0 || res.outputs["version"] != "v1.10.0" || res.outputs["path"] != cached("1.10.0") {
			t.Fatalf("exit %d, outputs %v\n%s", res.code, res.outputs, res.out)
		}
		res = r.run(map[string]string{"MPGATE_VERSION": "v1", "MPGATE_TOKEN": "job-token", "GITHUB_API_URL": srv.URL + "/"})
		if res.code != 0 || res.outputs["version"] != "v1.10.0" {
			t.Fatalf("exit %d, outputs %v\n%s", res.code, res.outputs, res.out)
		}
		srv.mu.Lock()
		auth := append([]string(nil), srv.auth...)
		srv.mu.Unlock()
		if len(auth) != 2 || auth[0] != "" || auth[1] != "Bearer job-token" {
			t.Errorf("Authorization of the two listings %q, want none to another GitHub, then the token", auth)
		}
		res = r.run(map[string]string{"MPGATE_VERSION": "v1.2"})
		if res.code != 1 || !strings.Contains(res.out, "v1.2 is v1.2.5") || !strings.Contains(res.out, "no line for mpgate_1.2.5") {
			t.Errorf("v1.2 is v1.2.5, whose checksums.txt lacks the asset: exit %d\n%s", res.code, res.out)
		}
	})

	t.Run("tampered archive", func(t *testing.T) {
		res := r.run(map[string]string{"MPGATE_VERSION": "v1.2.4"})
		if res.code != 1 {
			t.Fatalf("exit %d, want 1\n%s", res.code, res.out)
		}
		want := fmt.Sprintf("::error title=mpgate install::mpgate_1.2.4_%s_%s.tar.gz of v1.2.4 does not match checksums.txt", runtime.GOOS, runtime.GOARCH)
		if !strings.Contains(res.out, want) || !strings.Contains(res.out, "refusing to install it") {
			t.Errorf("output lacks %q:\n%s", want, res.out)
		}
		if _, err := os.Stat(filepath.Dir(cached("1.2.4"))); !os.IsNotExist(err) {
			t.Errorf("the tampered release reached the tool cache: %v", err)
		}
		if res.outputs["path"] != "" {
			t.Errorf("path %q for a refused binary", res.outputs["path"])
		}
	})

	t.Run("no checksum line", func(t *testing.T) {
		res := r.run(map[string]string{"MPGATE_VERSION": "v1.2.5"})
		want := fmt.Sprintf("checksums.txt of v1.2.5 has no line for mpgate_1.2.5_%s_%s.tar.gz; refusing an unverified binary", runtime.GOOS, runtime.GOARCH)
		if res.code != 1 || !strings.Contains(res.out, want) {
			t.Errorf("exit %d, want 1 and %q\n%s", res.code, want, res.out)
		}
	})

	noHTTP := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"branch", map[string]string{"MPGATE_VERSION": "main"}, "'main' is not a released version"},
		{"commit", map[string]string{"MPGATE_VERSION": "0123456789abcdef0123456789abcdef01234567"}, "is not a released version"},
		{"asked", map[string]string{"MPGATE_VERSION": "v1.2.3", "MPGATE_BUILD_FROM_SOURCE": "true"}, "build-from-source is true"},
	}
	for _, tt := range noHTTP {
		t.Run("source: "+tt.name, func(t *testing.T) {
			before := srv.count()
			tt.env["MPGATE_SOURCE_DIR"] = moduleRoot(t)
			res := r.run(tt.env)
			if res.code != 0 || res.outputs["source"] != "true" || res.outputs["path"] != "" {
				t.Fatalf("exit %d, outputs %v\n%s", res.code, res.outputs, res.out)
			}
			if !strings.Contains(res.out, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, res.out)
			}
			if res.outputs["go-sum"] != sum(goSum) || res.outputs["has-go"] != "true" {
				t.Errorf("go-sum %q (want %s), has-go %q", res.outputs["go-sum"], sum(goSum), res.outputs["has-go"])
			}
			if n := srv.count() - before; n != 0 {
				t.Errorf("%d requests for a version that has no release", n)
			}
		})
	}

	t.Run("missing release falls back", func(t *testing.T) {
		res := r.run(map[string]string{"MPGATE_VERSION": "v9.9.9", "MPGATE_SOURCE_DIR": moduleRoot(t)})
		if res.code != 0 || res.outputs["source"] != "true" || !strings.Contains(res.out, "has no release v9.9.9") {
			t.Fatalf("exit %d, outputs %v\n%s", res.code, res.outputs, res.out)
		}
		res = r.run(map[string]string{"MPGATE_VERSION": "v9", "MPGATE_SOURCE_DIR": moduleRoot(t)})
		if res.code != 0 || res.outputs["source"] != "true" || !strings.Contains(res.out, "has no release under v9") {
			t.Fatalf("exit %d, outputs %v\n%s", res.code, res.outputs, res.out)
		}
	})

	t.Run("missing release, no fallback", func(t *testing.T) {
		res := r.run(map[string]string{"MPGATE_VERSION": "v9.9.9", "MPGATE_BUILD_FROM_SOURCE": "false"})
		want := "::error title=mpgate install::mpgate/mpgate has no release v9.9.9"
		if res.code != 1 || !strings.Contains(res.out, want) || !strings.Contains(res.out, "build-from-source is false") {
			t.Errorf("exit %d, want 1 and %q\n%s", res.code, want, res.out)
		}
		if res.outputs["source"] != "" {
			t.Errorf("source %q with the fallback off", res.outputs["source"])
		}
	})

	t.Run("bad input", func(t *testing.T) {
		res := r.run(map[string]string{"MPGATE_VERSION": "v1.2.3", "MPGATE_BUILD_FROM_SOURCE": "yes"})
		if res.code != 1 || !strings.Contains(res.out, "build-from-source is 'yes'; want auto, true or false") {
			t.Errorf("exit %d\n%s", res.code, res.out)
		}
	})

	t.Run("build", func(t *testing.T) {
		res := r.run(map[string]string{"MPGATE_SOURCE_DIR": moduleRoot(t)}, "build")
		if res.code != 0 {
			t.Fatalf("exit %d\n%s", res.code, res.out)
		}
		want := filepath.Join(r.temp, "mpgate-source", runtime.GOOS+"-"+runtime.GOARCH, "mpgate")
		if res.outputs["path"] != want {
			t.Errorf("path %q, want %q", res.outputs["path"], want)
		}
		if !strings.Contains(runBinary(t, want), "mpgate") {
			t.Error("the built binary does not say it is mpgate")
		}
	})
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
