package health_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/health"
	"github.com/mpgate/mpgate/bot/store"
	"github.com/mpgate/mpgate/bot/store/storetest"
	"github.com/mpgate/mpgate/internal/golden"
)

// seed records, for two repositories, a default branch that measured its
// packages twice, a request that failed (a build failure, then the size
// gate) and turned green 3 hours after its first failure, and a request
// still failing.
func seed(t *testing.T, s *store.Store, t0 time.Time) {
	t.Helper()
	ctx := context.Background()
	rec := s.ForBot()
	shop := bot.Repo{Forge: bot.ForgeGitHub, Owner: "octo", Name: "shop"}
	blog := bot.Repo{Forge: bot.ForgeGitLab, Owner: "grp", Name: "blog", ID: 9}
	c1, c2, c3 := 70.0, 72.5, 75.0
	pkgs := func(main int64) []bot.PackageRecord {
		return []bot.PackageRecord{
			{Name: "__APP__", Bytes: main, UploadBytes: main * 3 / 4, Limit: 2 << 20, Basis: "uploadBytes"},
			{Name: "pkgA", Bytes: 300 << 10, UploadBytes: 200 << 10, Limit: 2 << 20, Basis: "uploadBytes"},
		}
	}
	size := func(status string) []bot.GateRecord {
		return []bot.GateRecord{{Name: "size", Status: status}, {Name: "coverage", Status: "pass", Informational: true}}
	}
	runs := []bot.RunRecord{
		{Repo: shop, SHA: "m1", Conclusion: "success", Packages: pkgs(1 << 20), FinishedAt: t0},
		{Repo: shop, SHA: "h1", PR: 5, Conclusion: "failure", BuildFailed: true, FinishedAt: t0.Add(time.Hour)},
		{Repo: shop, SHA: "h2", PR: 5, Conclusion: "failure", Gates: size("fail"), Coverage: &c1, FinishedAt: t0.Add(2 * time.Hour)},
		{Repo: shop, SHA: "h3", PR: 5, Conclusion: "success", Gates: size("pass"), Coverage: &c2, FinishedAt: t0.Add(4 * time.Hour)},
		{Repo: shop, SHA: "m2", Conclusion: "success", Packages: pkgs(1600 << 10), FinishedAt: t0.Add(5 * time.Hour)},
		{Repo: blog, SHA: "b1", PR: 1, Conclusion: "failure", Gates: size("error"), Coverage: &c3, FinishedAt: t0.Add(6 * time.Hour)},
		// Before the period: not counted.
		{Repo: blog, SHA: "old", PR: 1, Conclusion: "failure", FinishedAt: t0.Add(-48 * time.Hour)},
	}
	for _, r := range runs {
		if err := rec.RecordRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReport(t *testing.T) {
	t0 := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, storetest.OpenDB(t, b), b.Dialect)
			if err != nil {
				t.Fatal(err)
			}
			seed(t, s, t0)
			rep, err := health.Build(ctx, s, t0.Add(-24*time.Hour), t0.Add(24*time.Hour), nil)
			if err != nil {
				t.Fatal(err)
			}
			shop := rep.Repositories[0]
			if shop.FullName != "octo/shop" || shop.Runs != 5 || shop.Failed != 2 || shop.BuildFailures != 1 {
				t.Errorf("shop = %+v", shop.Stats)
			}
			if ttg := shop.TimeToGreen; ttg.Count != 1 || ttg.MedianSeconds != 3*3600 || ttg.Open != 0 {
				t.Errorf("shop time to green = %+v, want one of 3h", ttg)
			}
			if p := shop.Packages[0]; p.Bytes != 1600<<10 || p.UsedPercent != 58.59375 {
				t.Errorf("shop main package = %+v, want the latest push's", p)
			}
			if rep.Total.TimeToGreen.Open != 1 {
				t.Errorf("open failures = %d, want 1 (blog's request)", rep.Total.TimeToGreen.Open)
			}
			var md, js bytes.Buffer
			if err := health.WriteMarkdown(&md, rep); err != nil {
				t.Fatal(err)
			}
			if err := health.WriteJSON(&js, rep); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "health.md", md.Bytes())
			checkGolden(t, "health.json", js.Bytes())

			only, err := health.Build(ctx, s, t0.Add(-24*time.Hour), t0.Add(24*time.Hour), func(e store.RepoEntry) bool { return e.Repo.Forge == bot.ForgeGitLab })
			if err != nil {
				t.Fatal(err)
			}
			if len(only.Repositories) != 1 || only.Total.Runs != 1 {
				t.Errorf("filtered report has %d repositories and %d runs, want blog's 1", len(only.Repositories), only.Total.Runs)
			}
		})
	}
}

// checkGolden compares got with testdata/name (go test -update rewrites it).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

func TestDuration(t *testing.T) {
	for sec, want := range map[int64]string{45: "45s", 720: "12m", 3*3600 + 300: "3h05m", 2*86400 + 4*3600: "2d04h"} {
		if got := health.Duration(sec); got != want {
			t.Errorf("Duration(%d) = %q, want %q", sec, got, want)
		}
	}
}
