package gate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/internal/gittest"
)

// repo is a real git repository made in the test.
type repo = gittest.Repo

func newRepo(t *testing.T) *repo { return gittest.New(t) }

const appJSON = `{"pages": ["pages/index/index"], "subPackages": [{"root": "packageA", "pages": ["pages/a/a"]}]}`

// program is a mini-program under src/ with a build that copies it to dist/.
func program(extra map[string]string) map[string]string {
	files := map[string]string{
		"src/app.json":                 appJSON,
		"src/app.js":                   "App({})\n",
		"src/pages/index/index.js":     "Page({})\n",
		"src/pages/index/index.wxml":   "<view/>\n",
		"src/packageA/pages/a/a.js":    "Page({})\n",
		"src/packageA/pages/a/a.wxml":  "<view/>\n",
		"src/packageA/assets/logo.png": strings.Repeat("p", 10000),
		".mpgate.yml":                  "projects:\n  - name: shop\n    root: dist\n    build: rm -rf dist && cp -r src dist\ngates:\n  size: {max_growth: 5%}\n  coverage: {report: coverage/lcov.info, min: 50%, patch_min: 80%}\n",
		"coverage/lcov.info":           "SF:src/app.js\nDA:1,1\nend_of_record\n",
	}
	for k, v := range extra {
		files[k] = v
	}
	return files
}

func loadConfig(t *testing.T, dir string) *config.Config {
	t.Helper()
	cfg, err := config.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestRunComparesMergeBaseWithHead(t *testing.T) {
	r := newRepo(t)
	r.Commit("base", program(nil))
	r.Git("checkout", "-q", "-b", "feature")
	// The feature grows packageA by 20% and requires across packages.
	r.Commit("grow", map[string]string{
		"src/packageA/assets/big.png": strings.Repeat("q", 2000),
		"src/pages/index/index.js":    "require('../../packageA/util.js')\nPage({})\n",
		"src/packageA/util.js":        "module.exports = 1\n",
		"coverage/lcov.info":          "SF:src/app.js\nDA:1,1\nend_of_record\nSF:src/packageA/util.js\nDA:1,0\nend_of_record\n",
	})
	// main moves on after the fork: its new file must not count as the
	// feature's (the comparison is with the merge-base, not main's tip).
	r.Git("checkout", "-q", "main")
	r.Commit("main moves", map[string]string{"src/packageA/assets/other.png": strings.Repeat("o", 50000)})
	r.Git("checkout", "-q", "feature")

	var lines []string
	res, err := Run(context.Background(), Spec{RepoDir: r.Dir, BaseRef: "main", Config: loadConfig(t, r.Dir),
		Progress: func(s string) { lines = append(lines, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Projects) != 1 {
		t.Fatalf("projects: %d", len(res.Projects))
	}
	c := res.Projects[0]
	var a compare.PackageDiff
	for _, d := range c.Packages {
		if d.Name == "packageA" {
			a = d
		}
	}
	if a.BaseBytes != 10000+9+8 || a.Delta <= 0 { // logo.png, a.js, a.wxml at the merge-base
		t.Errorf("packageA against the merge-base: %+v", a)
	}
	gates := map[string]checks.Gate{}
	for _, g := range res.AllGates() {
		gates[g.Rule] = g
	}
	if g := gates[checks.GateSize]; g.Status != checks.GateFail || !strings.Contains(g.Summary, "packageA +") {
		t.Errorf("size gate: %+v", g)
	}
	if g := gates[checks.GatePatch]; g.Status != checks.GateFail {
		t.Errorf("patch gate: %+v (coverage %+v)", g, res.Coverage)
	}
	if g := gates[checks.GateCov]; g.Status != checks.GatePass {
		t.Errorf("coverage gate: %+v", g)
	}
	newRules := map[string]bool{}
	for _, d := range c.NewDiagnostics {
		newRules[d.Rule] = true
	}
	if !newRules[checks.MP202] {
		t.Errorf("the new cross-package require is not a new finding: %+v", c.NewDiagnostics)
	}
	if res.Verdict != checks.VerdictFail || c.PathPrefix != "dist/" {
		t.Errorf("verdict %s, prefix %q", res.Verdict, c.PathPrefix)
	}
	if len(lines) == 0 {
		t.Error("no progress reported")
	}
	// The base worktree is gone.
	if out := r.Git("worktree", "list"); strings.Count(out, "\n") != 0 {
		t.Errorf("worktrees left behind:\n%s", out)
	}
}

func TestRunBaseBuildFailsGateSaysSo(t *testing.T) {
	r := newRepo(t)
	files := program(nil)
	files[".mpgate.yml"] = "projects:\n  - name: shop\n    root: dist\n    build: test -f ok && rm -rf dist && cp -r src dist\n"
	r.Commit("base without the build's input", files)
	r.Git("checkout", "-q", "-b", "feature")
	r.Commit("head can build", map[string]string{"ok": "1\n"})
	res, err := Run(context.Background(), Spec{RepoDir: r.Dir, BaseRef: "main", Config: loadConfig(t, r.Dir)})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Projects[0]
	if c.BaseError == "" || c.Head == nil {
		t.Fatalf("base error %q, head %v", c.BaseError, c.Head != nil)
	}
	if g := c.Gates[0]; g.Status != checks.GateError || !strings.Contains(g.Summary, "base build") {
		t.Errorf("size gate: %+v", g)
	}
	if res.Verdict != checks.VerdictFail {
		t.Error("an unevaluable size gate passed")
	}
}

func TestRunHeadBuildFails(t *testing.T) {
	r := newRepo(t)
	files := program(nil)
	files[".mpgate.yml"] = "projects:\n  - name: shop\n    root: dist\n    build: \"echo compiling; echo 'error: missing module' >&2; exit 3\"\n"
	r.Commit("base", files)
	res, err := Run(context.Background(), Spec{RepoDir: r.Dir, Config: loadConfig(t, r.Dir)})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Projects[0]
	if c.Head != nil || !strings.Contains(c.HeadError, "missing module") || res.Verdict != checks.VerdictFail {
		t.Errorf("head failure not reported with the log tail: %+v", c)
	}
}

func TestRunStoredBaseReportSkipsBaseBuild(t *testing.T) {
	r := newRepo(t)
	files := program(nil)
	files[".mpgate.yml"] = "projects:\n  - name: shop\n    root: dist\n    build: rm -rf dist && cp -r src dist && echo built >> builds.log\n"
	r.Commit("base", files)
	r.Git("checkout", "-q", "-b", "feature")
	r.Commit("edit", map[string]string{"src/app.js": "App({onLaunch() {}})\n"})
	stored := &checks.Report{Schema: checks.Schema, SizeBasis: checks.BasisBytes,
		Packages: []checks.Package{{Name: "packageA", Bytes: 5}}}
	res, err := Run(context.Background(), Spec{RepoDir: r.Dir, BaseRef: "main", Config: loadConfig(t, r.Dir),
		BaseReports: map[string]*checks.Report{"shop": stored}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(r.Dir, "builds.log"))
	if strings.Count(string(b), "built") != 1 {
		t.Errorf("builds: %q, want the head's only", b)
	}
	if res.Projects[0].Base != stored {
		t.Error("stored base report not used")
	}
}

func TestRunUnknownRefIsUsageError(t *testing.T) {
	r := newRepo(t)
	r.Commit("base", program(nil))
	_, err := Run(context.Background(), Spec{RepoDir: r.Dir, BaseRef: "no-such-branch", Config: loadConfig(t, r.Dir)})
	if !errors.Is(err, ErrUsage) {
		t.Errorf("error %v is not a usage error", err)
	}
	_, err = Run(context.Background(), Spec{RepoDir: r.Dir, Config: loadConfig(t, r.Dir), Projects: []string{"nope"}})
	if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "shop") {
		t.Errorf("unknown project: %v", err)
	}
}

func TestRunCancelled(t *testing.T) {
	r := newRepo(t)
	files := program(nil)
	files[".mpgate.yml"] = "projects:\n  - name: shop\n    root: dist\n    build: sleep 30\n"
	r.Commit("base", files)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := Run(ctx, Spec{RepoDir: r.Dir, BaseRef: "main", Config: loadConfig(t, r.Dir)})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled run: %v", err)
	}
	if out := r.Git("worktree", "list"); strings.Count(out, "\n") != 0 {
		t.Errorf("worktrees left behind after cancel:\n%s", out)
	}
}

// BenchmarkParallelBuilds measures the wall time of a base-against-head run
// whose two builds each take a known time (2 s), as a ratio to the slower
// build alone. The aim (docs/benchmarks.md) is at most 1.2.
func BenchmarkParallelBuilds(b *testing.B) {
	const build = 2 * time.Second
	r := gittest.New(b)
	files := program(nil)
	files[".mpgate.yml"] = "projects:\n  - name: shop\n    root: dist\n    build: sleep 2 && rm -rf dist && cp -r src dist\n"
	r.Commit("base", files)
	r.Git("checkout", "-q", "-b", "feature")
	r.Commit("edit", map[string]string{"src/app.js": "App({a: 1})\n"})
	cfg, err := config.LoadDir(r.Dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := Run(context.Background(), Spec{RepoDir: r.Dir, BaseRef: "main", Config: cfg}); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(total)/float64(b.N)/float64(build), "wall/slowest-build")
}

func TestRunMonorepoProjects(t *testing.T) {
	r := newRepo(t)
	files := map[string]string{}
	for _, name := range []string{"shop", "admin"} {
		for k, v := range program(nil) {
			if strings.HasPrefix(k, "src/") {
				files["apps/"+name+"/"+k] = v
			}
		}
	}
	files[".mpgate.yml"] = `projects:
  - name: shop
    root: apps/shop/dist
    build: cd apps/shop && rm -rf dist && cp -r src dist
  - name: admin
    root: apps/admin/src
`
	r.Commit("two mini-programs", files)
	r.Git("checkout", "-q", "-b", "feature")
	r.Commit("admin grows", map[string]string{"apps/admin/src/packageA/assets/more.png": strings.Repeat("m", 3000)})
	res, err := Run(context.Background(), Spec{RepoDir: r.Dir, BaseRef: "main", Config: loadConfig(t, r.Dir)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Projects) != 2 {
		t.Fatalf("projects: %d", len(res.Projects))
	}
	byName := map[string]*compare.Comparison{}
	for _, c := range res.Projects {
		byName[c.Project] = c
	}
	if g := byName["shop"].Gates[0]; g.Status != checks.GatePass {
		t.Errorf("shop size gate: %+v", g)
	}
	if g := byName["admin"].Gates[0]; g.Status != checks.GateFail {
		t.Errorf("admin size gate: %+v", g)
	}
	if byName["shop"].PathPrefix != "apps/shop/dist/" || byName["admin"].PathPrefix != "apps/admin/src/" {
		t.Errorf("prefixes %q %q", byName["shop"].PathPrefix, byName["admin"].PathPrefix)
	}
}

func TestRunStoredHeadReportSkipsHeadBuild(t *testing.T) {
	r := newRepo(t)
	files := program(nil)
	files[".mpgate.yml"] = "projects:\n  - name: shop\n    root: dist\n    build: rm -rf dist && cp -r src dist && echo built >> builds.log\n"
	r.Commit("base", files)
	r.Git("checkout", "-q", "-b", "feature")
	r.Commit("edit", map[string]string{"src/app.js": "App({onLaunch() {}})\n"})
	base := &checks.Report{Schema: checks.Schema, SizeBasis: checks.BasisBytes,
		Packages: []checks.Package{{Name: "packageA", Bytes: 5}}}
	head := &checks.Report{Schema: checks.Schema, SizeBasis: checks.BasisBytes,
		Packages: []checks.Package{{Name: "packageA", Bytes: 6}}}
	tests := []struct {
		name       string
		heads      map[string]*checks.Report
		wantBuilds int
	}{
		{"stored head and base: nothing built", map[string]*checks.Report{"shop": head}, 0},
		{"no stored head: the head is built", nil, 1},
		{"a nil stored head: the head is built", map[string]*checks.Report{"shop": nil}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(filepath.Join(r.Dir, "builds.log"))
			res, err := Run(context.Background(), Spec{RepoDir: r.Dir, BaseRef: "main", Config: loadConfig(t, r.Dir),
				BaseReports: map[string]*checks.Report{"shop": base}, HeadReports: tt.heads})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(filepath.Join(r.Dir, "builds.log"))
			if got := strings.Count(string(b), "built"); got != tt.wantBuilds {
				t.Errorf("builds: %d, want %d", got, tt.wantBuilds)
			}
			if tt.wantBuilds == 0 && res.Projects[0].Head != head {
				t.Error("stored head report not used")
			}
			if res.Projects[0].Base != base {
				t.Error("stored base report not used")
			}
			if len(res.Gates) == 0 && len(res.Projects[0].Gates) == 0 {
				t.Error("no gates applied")
			}
		})
	}
}

// TestRunRootLinkedOutIsRefused: a project root that is a committed
// symlink to a host directory is not analysed, and the host's files and
// paths do not reach the result.
func TestRunRootLinkedOutIsRefused(t *testing.T) {
	host := t.TempDir()
	if err := os.WriteFile(filepath.Join(host, "app.json"), []byte(`{"pages":["hostpage"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newRepo(t)
	files := program(nil)
	files[".mpgate.yml"] = "projects:\n  - name: shop\n    root: linked\n"
	r.Write(files)
	if err := os.Symlink(host, filepath.Join(r.Dir, "linked")); err != nil {
		t.Fatal(err)
	}
	r.Git("add", "-A")
	r.Git("commit", "-q", "-m", "root linked out")
	res, err := Run(context.Background(), Spec{RepoDir: r.Dir, Config: loadConfig(t, r.Dir)})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Projects[0]
	if c.Head != nil || !strings.Contains(c.HeadError, "not a directory inside the checkout") {
		t.Errorf("root linked out of the checkout was analysed: %+v", c)
	}
	if strings.Contains(c.HeadError, host) || strings.Contains(fmt.Sprint(res), "hostpage") {
		t.Errorf("the result shows the host: %q", c.HeadError)
	}
}
