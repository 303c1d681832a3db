package store_test

import (
	"context"
	"testing"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store"
)

func TestForBot(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		b := s.ForBot()
		gl := bot.Repo{Forge: bot.ForgeGitLab, Owner: "grp/sub", Name: "app", ID: 77}
		gh := bot.Repo{Forge: bot.ForgeGitHub, Owner: "octo", Name: "shop"}

		t.Run("installations", func(t *testing.T) {
			if _, ok, err := b.Installation(ctx, gh); err != nil || ok {
				t.Fatalf("Installation before any = %v, %v", ok, err)
			}
			for _, id := range []int64{5, 6} {
				if err := b.PutInstallation(ctx, gh, id); err != nil {
					t.Fatal(err)
				}
				if got, ok, err := b.Installation(ctx, gh); err != nil || !ok || got != id {
					t.Errorf("Installation = %d, %v, %v; want %d", got, ok, err, id)
				}
			}
		})
		t.Run("check runs carry the whole repository", func(t *testing.T) {
			for _, c := range []bot.CheckRecord{
				{Repo: gl, SHA: "s1", Name: "mpgate", RunID: 1, PR: 4},
				{Repo: gh, SHA: "s2", Name: "mpgate", RunID: 2},
				{Repo: gh, SHA: "s3", Name: "mpgate", RunID: 3, Completed: true},
			} {
				if err := b.PutCheckRun(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			pending, err := b.PendingChecks(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			byID := map[int64]bot.CheckRecord{}
			for _, c := range pending {
				byID[c.RunID] = c
			}
			if len(pending) != 2 || byID[1].Repo != gl || byID[1].PR != 4 || byID[2].Repo != gh || byID[2].Completed {
				t.Errorf("PendingChecks = %+v", pending)
			}
			if err := b.CompleteCheckRun(ctx, gl, "s1", "mpgate"); err != nil {
				t.Fatal(err)
			}
			runs, err := b.CheckRuns(ctx, gl, "s1")
			if err != nil || len(runs) != 1 || !runs[0].Completed || runs[0].Repo.ID != 77 {
				t.Errorf("CheckRuns = %+v, %v", runs, err)
			}
			// Recording a check run keeps the installation.
			if id, ok, _ := b.Installation(ctx, gh); !ok || id != 6 {
				t.Errorf("installation after PutCheckRun = %d, %v", id, ok)
			}
		})
		t.Run("reports", func(t *testing.T) {
			if _, ok, err := b.Report(ctx, gh, "s2", ""); err != nil || ok {
				t.Fatalf("Report before any = %v, %v", ok, err)
			}
			if err := b.PutReport(ctx, gh, "s2", "", []byte(`{"a":1}`)); err != nil {
				t.Fatal(err)
			}
			if r, ok, err := b.Report(ctx, gh, "s2", ""); err != nil || !ok || string(r) != `{"a":1}` {
				t.Errorf("Report = %s, %v, %v", r, ok, err)
			}
		})
		t.Run("approvals", func(t *testing.T) {
			if _, _, ok, err := b.Approval(ctx, gh, 3, "h", bot.ApproveSize); err != nil || ok {
				t.Fatalf("Approval before any = %v, %v", ok, err)
			}
			if err := b.Approve(ctx, gh, 3, "h", bot.ApproveSize, "alice", "icons"); err != nil {
				t.Fatal(err)
			}
			by, reason, ok, err := b.Approval(ctx, gh, 3, "h", bot.ApproveSize)
			if err != nil || !ok || by != "alice" || reason != "icons" {
				t.Errorf("Approval = %q, %q, %v, %v", by, reason, ok, err)
			}
			if _, _, ok, _ := b.Approval(ctx, gh, 3, "h", bot.ApproveBuild); ok {
				t.Error("a size approval approved the build")
			}
		})
	})
}

func TestParseRepoKey(t *testing.T) {
	tests := []struct {
		key  string
		want bot.Repo
		ok   bool
	}{
		{"github:octo/shop", bot.Repo{Forge: "github", Owner: "octo", Name: "shop"}, true},
		{"gitlab:grp/sub/app", bot.Repo{Forge: "gitlab", Owner: "grp/sub", Name: "app"}, true},
		{"github:noslash", bot.Repo{}, false},
		{"noforge", bot.Repo{}, false},
		{"github:/x", bot.Repo{}, false},
		{"github:x/", bot.Repo{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			got, ok := store.ParseRepoKey(tc.key)
			if got != tc.want || ok != tc.ok {
				t.Errorf("ParseRepoKey = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
			if ok && store.RepoKey(got) != tc.key {
				t.Errorf("RepoKey(ParseRepoKey(%q)) = %q", tc.key, store.RepoKey(got))
			}
		})
	}
}
