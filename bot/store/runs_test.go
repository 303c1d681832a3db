package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store"
)

func TestRuns(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		shop := bot.Repo{Forge: bot.ForgeGitHub, Owner: "octo", Name: "shop", ID: 7}
		blog := bot.Repo{Forge: bot.ForgeGitLab, Owner: "grp/sub", Name: "blog", ID: 42}
		t0 := time.UnixMilli(1_700_000_000_000)
		cov := 81.5
		var rec bot.RunRecorder = s.ForBot()
		runs := []bot.RunRecord{
			{Repo: shop, SHA: "a1", Conclusion: bot.ConclusionSuccess, FinishedAt: t0,
				Packages: []bot.PackageRecord{{Name: "__APP__", Bytes: 1000, UploadBytes: 800, Limit: 2 << 20, Basis: "uploadBytes"}}},
			{Repo: shop, SHA: "p1", PR: 3, Conclusion: bot.ConclusionFailure, BuildFailed: true, FinishedAt: t0.Add(time.Hour),
				Gates: []bot.GateRecord{{Project: "", Name: "coverage", Status: "fail", Summary: "70% < 80%"}}},
			{Repo: shop, SHA: "p2", PR: 3, Conclusion: bot.ConclusionSuccess, Coverage: &cov, FinishedAt: t0.Add(2 * time.Hour)},
			{Repo: blog, SHA: "b1", Conclusion: bot.ConclusionSuccess, FinishedAt: t0.Add(30 * time.Minute)},
		}
		for _, r := range runs {
			if err := rec.RecordRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		// A retried evaluation replaces its run.
		runs[1].Conclusion = bot.ConclusionFailure
		if err := rec.RecordRun(ctx, runs[1]); err != nil {
			t.Fatal(err)
		}

		all, err := s.Runs(ctx, store.RunQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range all {
			got = append(got, r.Repo+"@"+r.SHA)
		}
		if wantAll := []string{"github:octo/shop@a1", "github:octo/shop@p1", "github:octo/shop@p2", "gitlab:grp/sub/blog@b1"}; !reflect.DeepEqual(got, wantAll) {
			t.Errorf("all runs = %v, want %v", got, wantAll)
		}
		a1 := all[0]
		if a1.PR != 0 || a1.Conclusion != "success" || a1.Coverage != nil || a1.BuildFailed || !a1.FinishedAt.Equal(t0) ||
			!reflect.DeepEqual(a1.Packages, runs[0].Packages) || len(a1.Gates) != 0 {
			t.Errorf("a1 = %+v", a1)
		}
		p1, p2 := all[1], all[2]
		if !p1.BuildFailed || !reflect.DeepEqual(p1.Gates, runs[1].Gates) || p1.PR != 3 {
			t.Errorf("p1 = %+v", p1)
		}
		if p2.Coverage == nil || *p2.Coverage != cov {
			t.Errorf("p2 coverage = %v", p2.Coverage)
		}

		tests := []struct {
			name string
			q    store.RunQuery
			want []string
		}{
			{"one repo since", store.RunQuery{Repo: "github:octo/shop", Since: t0.Add(time.Minute)}, []string{"p1", "p2"}},
			{"branch only", store.RunQuery{Repo: "github:octo/shop", BranchOnly: true}, []string{"a1"}},
			{"latest two of all", store.RunQuery{Latest: true, Limit: 2}, []string{"p2", "p1"}},
			{"since later than all", store.RunQuery{Since: t0.Add(24 * time.Hour)}, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				rs, err := s.Runs(ctx, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range rs {
					got = append(got, r.SHA)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			})
		}

		repos, err := s.RunRepos(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantRepos := []store.RepoEntry{{Key: "github:octo/shop", Repo: shop}, {Key: "gitlab:grp/sub/blog", Repo: blog}}
		if !reflect.DeepEqual(repos, wantRepos) {
			t.Errorf("RunRepos = %+v, want %+v", repos, wantRepos)
		}

		if err := s.PutRun(ctx, store.Run{Repo: "x", SHA: ""}); err == nil {
			t.Error("a run without sha was stored")
		}
	})
}
