package worker

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/analyze"
	"github.com/mpgate/mpgate/checks/filecache"
	"github.com/mpgate/mpgate/checks/render"
	"github.com/mpgate/mpgate/internal/gittest"
)

// countingAnalyze runs the engine and counts the analyses of base
// checkouts (the gate checks the merge-base out under WorkDir/base).
type countingAnalyze struct {
	mu    sync.Mutex
	bases int
}

func (c *countingAnalyze) run(ctx context.Context, dir string, opt analyze.Options) (*checks.Report, error) {
	if strings.Contains(filepath.ToSlash(dir), "/base/") {
		c.mu.Lock()
		c.bases++
		c.mu.Unlock()
	}
	return analyze.Run(ctx, dir, opt)
}

// miniProgramRepo makes a repository whose main holds a mini-program under mp/ and
// whose branch feature changes it; it returns the directory and the head.
func miniProgramRepo(t *testing.T) (dir, head string) {
	t.Helper()
	r := gittest.New(t)
	ids := r.Commits(
		gittest.Commit{Message: "base", Files: gittest.Files{
			"mp/app.json":               `{"pages": ["pages/index/index"]}`,
			"mp/app.js":                 "App({})\n",
			"mp/pages/index/index.js":   "Page({})\n",
			"mp/pages/index/index.wxml": "<view/>\n",
		}},
		gittest.Commit{Branch: "feature", Message: "grow", Files: gittest.Files{"mp/pages/index/index.js": "Page({ data: { grown: true } })\n"}},
	)
	r.Git("update-ref", "refs/pull/8/head", ids[1])
	return r.Dir, ids[1]
}

// A second evaluation on the same merge-base takes the base's report from
// the cache: the base is neither checked out nor analysed again, and the
// result is the same. /rebuild analyses it again.
func TestEvaluationBaseReportCache(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir, head := miniProgramRepo(t)
	f := newFakeForge()
	f.config = "projects:\n  - name: shop\n    root: mp\n"
	pr := bot.PullRequest{Number: 8, HeadSHA: head, BaseRef: "main"}
	ev := prEvent(pr)
	ev.CloneURL = dir
	counter := &countingAnalyze{}
	b, err := New(Config{
		Installations: InstallationsFunc(func(context.Context, string, int64) (Forge, error) { return f, nil }),
		// fakeStore keeps no reports: only the cache can spare the base.
		Queue: &fakeQueue{}, Store: newFakeStore(), DataDir: t.TempDir(), BotLogin: "mpgate[bot]",
		Analyze: counter.run, BaseCache: filecache.Memory(),
	})
	if err != nil {
		t.Fatal(err)
	}
	var results []string
	for i, step := range []struct {
		job       evalJob
		wantBases int
	}{
		{evalJob{Event: ev, PullRequest: pr}, 1},                // analysed and cached
		{evalJob{Event: ev, PullRequest: pr}, 1},                // from the cache
		{evalJob{Event: ev, PullRequest: pr, Rebuild: true}, 2}, // /rebuild: analysed again
	} {
		res, _, err := b.evaluate(context.Background(), f, step.job, head, int64(i+1), b.log)
		if err != nil {
			t.Fatalf("evaluation %d: %v", i+1, err)
		}
		if counter.bases != step.wantBases {
			t.Errorf("evaluation %d: %d base analyses in all, want %d", i+1, counter.bases, step.wantBases)
		}
		if len(res.Projects) != 1 || res.Projects[0].Base == nil || res.Projects[0].BaseError != "" {
			t.Fatalf("evaluation %d: no base report: %+v", i+1, res.Projects)
		}
		var out bytes.Buffer
		if err := render.ResultJSON(&out, res); err != nil {
			t.Fatal(err)
		}
		results = append(results, out.String())
	}
	for i := 1; i < len(results); i++ {
		if results[i] != results[0] {
			t.Errorf("evaluation %d differs from the first:\n%s\nwant\n%s", i+1, results[i], results[0])
		}
	}
}
