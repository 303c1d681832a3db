package release

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/internal/golden"
)

// repo is a real git repository for a test, with deterministic commits.
type repo struct {
	t   *testing.T
	dir string
	n   int
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	r := &repo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *repo) env() []string {
	r.n++
	date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.n) * time.Minute).Format(time.RFC3339)
	return append(identity(ApplyOptions{Author: config.Identity{Name: "Test", Email: "test@example.com"}, Committer: config.Identity{Name: "Test", Email: "test@example.com"}}),
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	out, err := runGit(context.Background(), r.dir, r.env(), nil, args...)
	if err != nil {
		r.t.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(out)
}

func (r *repo) write(files map[string]string) {
	r.t.Helper()
	for p, c := range files {
		full := filepath.Join(r.dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// commit writes files and commits them all with msg; it returns the sha.
func (r *repo) commit(msg string, files map[string]string) string {
	r.t.Helper()
	r.write(files)
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// touch appends a line to each file, so every commit changes them.
func (r *repo) touch(msg string, paths ...string) string {
	r.t.Helper()
	files := map[string]string{}
	for _, p := range paths {
		old, _ := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(p)))
		files[p] = string(old) + "// " + strconv.Itoa(r.n) + "\n"
	}
	return r.commit(msg, files)
}

func (r *repo) read(p string) string {
	r.t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(p)))
	if err != nil {
		r.t.Fatal(err)
	}
	return string(b)
}

// miniProgram is a WeChat mini-program at the repository root with one
// subpackage, packagePay.
func miniProgram() map[string]string {
	return map[string]string{
		"project.config.json":           `{"appid": "touristappid", "compileType": "miniprogram"}`,
		"app.json":                      `{"pages": ["pages/index/index"], "subPackages": [{"root": "packagePay", "pages": ["pages/pay/pay"]}]}`,
		"app.js":                        "App({})\n",
		"pages/index/index.js":          "Page({})\n",
		"pages/index/index.wxml":        "<view/>\n",
		"packagePay/pages/pay/pay.js":   "Page({})\n",
		"packagePay/pages/pay/pay.wxml": "<view/>\n",
	}
}

// checkGolden compares got with testdata/name (go test -update rewrites it).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), []byte(got))
}

var testDate = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
