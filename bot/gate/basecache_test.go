package gate

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/analyze"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/filecache"
	"github.com/mpgate/mpgate/checks/render"
)

// cacheRepo is a repository whose mini-program (under mp/) has what a
// checkout writes in its own ways: links inside the root, out of the root
// into the repository and out of the repository, an executable file, a Git
// LFS pointer, a submodule's gitlink, and files outside the project root.
func cacheRepo(t *testing.T) *repo {
	t.Helper()
	r := newRepo(t)
	r.Write(map[string]string{
		".mpgate.yml":                 "projects:\n  - name: shop\n    root: mp\ngates:\n  size: {max_growth: 5%}\n",
		".gitattributes":              "*.png filter=lfs diff=lfs merge=lfs -text\n",
		"README.md":                   "outside the project\n",
		"shared/util.js":              "module.exports = 2\n",
		"mp/app.json":                 appJSON,
		"mp/app.js":                   "require('./utils/alias.js')\nrequire('./up.js')\nApp({})\n",
		"mp/utils/real.js":            "module.exports = 1\n",
		"mp/pages/index/index.js":     "Page({})\n",
		"mp/pages/index/index.wxml":   "<view/>\n",
		"mp/packageA/pages/a/a.js":    "Page({})\n",
		"mp/packageA/pages/a/a.wxml":  "<view/>\n",
		"mp/packageA/assets/logo.png": "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n",
		"mp/tools/run.js":             "#!/usr/bin/env node\n",
	})
	for link, target := range map[string]string{
		"mp/utils/alias.js": "real.js",
		"mp/up.js":          "../shared/util.js",
		"mp/host":           "../../../../../../../etc",
		"mp/gone.js":        "nowhere.js",
	} {
		if err := os.Symlink(target, filepath.Join(r.Dir, filepath.FromSlash(link))); err != nil {
			t.Skipf("symbolic links: %v", err)
		}
	}
	if err := os.Chmod(filepath.Join(r.Dir, "mp", "tools", "run.js"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.Git("add", "-A")
	r.Git("commit", "-q", "-m", "first")
	// A submodule's gitlink (its commit need not be here: a checkout
	// writes an empty directory).
	r.Git("update-index", "--add", "--cacheinfo", "160000,"+r.Git("rev-parse", "HEAD")+",mp/vendor/sub")
	r.Git("commit", "-q", "-m", "base")
	r.Git("checkout", "-q", "-b", "feature")
	r.Commit("grow", map[string]string{"mp/pages/index/index.js": "Page({ data: { grown: true } })\n"})
	return r
}

// runCached runs the gate against main with cache (nil: none) and returns
// the JSON result and the progress lines.
func runCached(t *testing.T, r *repo, cache ReportCache) (string, []string) {
	t.Helper()
	var lines []string
	spec := Spec{RepoDir: r.Dir, BaseRef: "main", Config: loadConfig(t, r.Dir),
		Progress: func(s string) { lines = append(lines, s) }}
	if cache != nil {
		spec.BaseCache = cache
	}
	res, err := Run(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := render.ResultJSON(&b, res); err != nil {
		t.Fatal(err)
	}
	return b.String(), lines
}

func checkedOut(lines []string) bool {
	return slices.ContainsFunc(lines, func(s string) bool { return strings.Contains(s, "checking out the merge-base") })
}

func TestBaseReportCacheSameAsCheckout(t *testing.T) {
	r := cacheRepo(t)
	plain, lines := runCached(t, r, nil)
	if !checkedOut(lines) {
		t.Fatalf("no checkout without a cache: %q", lines)
	}
	c := filecache.Memory()
	// The report the checkout gives is the one cached, byte for byte.
	var fromCheckout []byte
	spec := Spec{RepoDir: r.Dir, BaseRef: "main", Config: loadConfig(t, r.Dir), BaseCache: c,
		Analyze: func(ctx context.Context, dir string, opt analyze.Options) (*checks.Report, error) {
			rep, err := analyze.Run(ctx, dir, opt)
			if err == nil && strings.Contains(filepath.ToSlash(dir), "/base/") {
				rep.Project = "shop" // as runSide sets it
				fromCheckout, _ = json.Marshal(rep)
			}
			return rep, err
		}}
	if _, err := Run(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	k, _, err := baseKey(context.Background(), spec, spec.Config, spec.Config.Projects[0], r.Git("rev-parse", "main"))
	if err != nil {
		t.Fatal(err)
	}
	val, ok := c.Get(k)
	if !ok {
		t.Fatal("the base report was not cached")
	}
	cached, err := decodeReport(val)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(cached); !bytes.Equal(got, fromCheckout) {
		t.Errorf("cached report differs from the checkout's:\n%s\n%s", got, fromCheckout)
	}
	// The fixture is what it claims: the base's checkout has the links,
	// the executable, the pointer and the gitlink's directory in it.
	for _, want := range []string{"up.js", "host", "gone.js", "tools/run.js", "assets/logo.png", "utils/alias.js"} {
		if !bytes.Contains(fromCheckout, []byte(want)) {
			t.Errorf("the base report does not mention %s: %s", want, fromCheckout)
		}
	}
	c = filecache.Memory()
	first, lines := runCached(t, r, c)
	if !checkedOut(lines) {
		t.Fatalf("an empty cache skipped the checkout: %q", lines)
	}
	second, lines := runCached(t, r, c)
	if checkedOut(lines) || !slices.ContainsFunc(lines, func(s string) bool { return strings.Contains(s, "(base) from the cache") }) {
		t.Fatalf("the second run did not take the base from the cache: %q", lines)
	}
	if first != plain || second != plain {
		t.Errorf("results differ:\nno cache:\n%s\nfirst:\n%s\nfrom the cache:\n%s", plain, first, second)
	}
	// The base report saw what the checkout holds (the comparison names
	// the base's files and findings): not an empty or a head's report.
	if !strings.Contains(plain, `"baseBytes"`) || strings.Contains(plain, `"baseError"`) {
		t.Errorf("no base in the result:\n%s", plain)
	}
}

func TestBaseReportCacheKey(t *testing.T) {
	ctx := context.Background()
	r := cacheRepo(t)
	cfg := loadConfig(t, r.Dir)
	p := cfg.Projects[0]
	base := r.Git("rev-parse", "main")
	key := func(s Spec, cfg *config.Config, p config.Project) ([32]byte, bool) {
		t.Helper()
		k, ok, err := baseKey(ctx, s, cfg, p, base)
		if err != nil {
			t.Fatal(err)
		}
		return k, ok
	}
	s := Spec{RepoDir: r.Dir}
	k0, ok := key(s, cfg, p)
	if !ok {
		t.Fatal("no key for a project without a build")
	}
	if k, _ := key(s, cfg, p); k != k0 {
		t.Error("the key is not stable")
	}
	differ := map[string]func() [32]byte{
		"another salt":   func() [32]byte { k, _ := key(Spec{RepoDir: r.Dir, BaseCacheSalt: "brotli"}, cfg, p); return k },
		"another subdir": func() [32]byte { k, _ := key(Spec{RepoDir: r.Dir, Subdir: "x"}, cfg, p); return k },
		"another limit": func() [32]byte {
			q := p
			q.Limits.Total = 1
			k, _ := key(s, cfg, q)
			return k
		},
		"another platform": func() [32]byte {
			q := p
			q.Platform = "alipay"
			k, _ := key(s, cfg, q)
			return k
		},
		"module boundaries": func() [32]byte {
			b := *cfg
			b.Boundaries.PlatformAPI.Adapters = []string{"adapters/**"}
			k, _ := key(s, &b, p)
			return k
		},
		"another tree": func() [32]byte {
			k, _, err := baseKey(ctx, s, cfg, p, r.Git("rev-parse", "feature"))
			if err != nil {
				t.Fatal(err)
			}
			return k
		},
		"repository attributes": func() [32]byte {
			if err := os.WriteFile(filepath.Join(r.Dir, ".git", "info", "attributes"), []byte("*.js eol=crlf\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(filepath.Join(r.Dir, ".git", "info", "attributes"))
			k, _ := key(s, cfg, p)
			return k
		},
		"core.autocrlf": func() [32]byte {
			r.Git("config", "core.autocrlf", "true")
			defer r.Git("config", "--unset", "core.autocrlf")
			k, _ := key(s, cfg, p)
			return k
		},
	}
	for name, f := range differ {
		if f() == k0 {
			t.Errorf("%s: same key", name)
		}
	}
	if k, _ := key(s, cfg, p); k != k0 {
		t.Error("the key did not come back after the changes were undone")
	}
	// Not cached: a build, a coverage report read from the base checkout,
	// a checkout filter (its output is a program's).
	built := p
	built.Build = "npm run build"
	if _, ok := key(s, cfg, built); ok {
		t.Error("a project with a build is cached")
	}
	cov := *cfg
	cov.Gates.Coverage.Report = "coverage/lcov.info"
	if _, ok := key(s, &cov, p); ok {
		t.Error("a base whose coverage report is read is cached")
	}
	r.Git("config", "filter.lfs.smudge", "git-lfs smudge -- %f")
	if _, ok := key(s, cfg, p); ok {
		t.Error("a checkout through a filter is cached")
	}
}

func TestBaseReportCacheCorruptEntryRewritten(t *testing.T) {
	r := cacheRepo(t)
	cfg := loadConfig(t, r.Dir)
	want, _ := runCached(t, r, nil)
	k, ok, err := baseKey(context.Background(), Spec{RepoDir: r.Dir}, cfg, cfg.Projects[0], r.Git("rev-parse", "main"))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	c := filecache.Memory()
	for _, bad := range [][]byte{[]byte("not gzip"), mustGzip(t, `{"schema":"other"}`), mustGzip(t, `{"schema":"mpgate.report/v1","verdict":"pass","extra":1}`)} {
		c.Put(k, bad)
		got, lines := runCached(t, r, c)
		if !checkedOut(lines) {
			t.Errorf("entry %q was trusted", bad)
		}
		if got != want {
			t.Errorf("entry %q changed the result", bad)
		}
		val, _ := c.Get(k)
		if _, err := decodeReport(val); err != nil {
			t.Errorf("entry %q not rewritten: %v", bad, err)
		}
	}
}

func mustGzip(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzipWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

func gzipWriter(w *bytes.Buffer) *gzip.Writer { return gzip.NewWriter(w) }
