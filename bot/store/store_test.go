package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store"
	"github.com/mpgate/mpgate/bot/store/storetest"
)

func open(t *testing.T, b storetest.Backend) *store.Store {
	t.Helper()
	db := storetest.OpenDB(t, b)
	s, err := store.Open(context.Background(), db, b.Dialect)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// forEachBackend runs f on SQLite and, when configured, PostgreSQL.
func forEachBackend(t *testing.T, f func(t *testing.T, s *store.Store)) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) { f(t, open(t, b)) })
	}
}

func TestMigrateTwice(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := storetest.OpenDB(t, b)
			ctx := context.Background()
			for i := range 2 {
				if _, err := store.Open(ctx, db, b.Dialect); err != nil {
					t.Fatalf("open %d: %v", i, err)
				}
			}
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM mpgate_migrations`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != store.SchemaVersion() {
				t.Errorf("migrations recorded = %d, want %d", n, store.SchemaVersion())
			}
			// A database from a newer mpgate is refused.
			if _, err := db.ExecContext(ctx, `INSERT INTO mpgate_migrations (version, applied_at) VALUES (999, 0)`); err != nil {
				t.Fatal(err)
			}
			if _, err := store.Open(ctx, db, b.Dialect); err == nil {
				t.Error("open of a newer schema succeeded")
			}
		})
	}
}

func TestReports(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		repo := store.RepoKey(bot.Repo{Forge: bot.ForgeGitHub, Owner: "octo", Name: "shop"})
		if repo != "github:octo/shop" {
			t.Errorf("RepoKey = %q", repo)
		}
		tests := []struct {
			name, sha, project string
			report             string
		}{
			{"root project", "aaa", "", `{"schema":"mpgate.report/v1"}`},
			{"sub project", "aaa", "miniprogram", `{"schema":"mpgate.report/v1","x":1}`},
			{"other sha", "bbb", "", `{"y":"中文"}`},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if err := s.PutReport(ctx, repo, tc.sha, tc.project, []byte(tc.report)); err != nil {
					t.Fatal(err)
				}
				got, err := s.Report(ctx, repo, tc.sha, tc.project)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != tc.report {
					t.Errorf("report = %s, want %s", got, tc.report)
				}
			})
		}
		t.Run("replace", func(t *testing.T) {
			if err := s.PutReport(ctx, repo, "aaa", "", []byte(`{"v":2}`)); err != nil {
				t.Fatal(err)
			}
			got, err := s.Report(ctx, repo, "aaa", "")
			if err != nil || string(got) != `{"v":2}` {
				t.Errorf("after replace: %s, %v", got, err)
			}
		})
		t.Run("missing", func(t *testing.T) {
			if _, err := s.Report(ctx, repo, "ccc", ""); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
			for _, bad := range []string{"", "{", "{\"a\":\"\xff\"}", "not json"} {
				if err := s.PutReport(ctx, repo, "x", "", []byte(bad)); err == nil {
					t.Errorf("report %q accepted", bad)
				}
			}
			if err := s.PutReport(ctx, "", "x", "", []byte("{}")); err == nil {
				t.Error("empty repo accepted")
			}
		})
	})
}

func TestHeads(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		key := store.PRKey{Repo: "github:octo/shop", Number: 7}
		other := store.PRKey{Repo: "github:octo/shop", Number: 8}
		if _, err := s.LatestHead(ctx, key); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("LatestHead before any = %v", err)
		}
		steps := []struct {
			name     string
			sha      string
			jobID    int64
			wantPrev store.Head
		}{
			{"first head", "h1", 10, store.Head{}},
			{"same head again keeps the job", "h1", 0, store.Head{SHA: "h1", JobID: 10}},
			{"newer head", "h2", 20, store.Head{SHA: "h1", JobID: 10}},
			{"back to an old sha is a new head", "h1", 30, store.Head{SHA: "h2", JobID: 20}},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				prev, err := s.SetHead(ctx, key, st.sha)
				if err != nil {
					t.Fatal(err)
				}
				if prev.SHA != st.wantPrev.SHA || prev.JobID != st.wantPrev.JobID {
					t.Errorf("prev = %+v, want %+v", prev, st.wantPrev)
				}
				if st.jobID != 0 {
					ok, err := s.SetHeadJob(ctx, key, st.sha, st.jobID)
					if err != nil || !ok {
						t.Fatalf("SetHeadJob = %v, %v", ok, err)
					}
				}
			})
		}
		t.Run("stale job id is refused", func(t *testing.T) {
			ok, err := s.SetHeadJob(ctx, key, "h2", 99)
			if err != nil || ok {
				t.Errorf("SetHeadJob(stale) = %v, %v", ok, err)
			}
			h, err := s.LatestHead(ctx, key)
			if err != nil || h.SHA != "h1" || h.JobID != 30 {
				t.Errorf("LatestHead = %+v, %v", h, err)
			}
			if h.UpdatedAt.IsZero() {
				t.Error("UpdatedAt is zero")
			}
		})
		t.Run("keys are separate", func(t *testing.T) {
			if _, err := s.SetHead(ctx, other, "o1"); err != nil {
				t.Fatal(err)
			}
			h, _ := s.LatestHead(ctx, key)
			if h.SHA != "h1" {
				t.Errorf("other PR changed this one: %+v", h)
			}
		})
		t.Run("delete", func(t *testing.T) {
			if err := s.DeleteHead(ctx, key); err != nil {
				t.Fatal(err)
			}
			if _, err := s.LatestHead(ctx, key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("after delete: %v", err)
			}
		})
	})
}

func TestCheckRuns(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		runs := []store.CheckRun{
			{Repo: "github:o/r", SHA: "s1", Name: "mpgate", RunID: 1, PR: 3},
			{Repo: "github:o/r", SHA: "s1", Name: "mpgate (sub)", RunID: 2, PR: 3},
			{Repo: "github:o/r", SHA: "s2", Name: "mpgate", RunID: 3},
		}
		for _, r := range runs {
			if err := s.PutCheckRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CompleteCheckRun(ctx, "github:o/r", "s1", "mpgate"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name      string
			olderThan time.Duration
			want      []int64
		}{
			{"all in progress", 0, []int64{2, 3}},
			{"none old enough", time.Hour, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.PendingChecks(ctx, tc.olderThan)
				if err != nil {
					t.Fatal(err)
				}
				var ids []int64
				for _, c := range got {
					if c.Status != store.CheckInProgress {
						t.Errorf("pending run %d has status %q", c.RunID, c.Status)
					}
					ids = append(ids, c.RunID)
				}
				if !slices.Equal(ids, tc.want) {
					t.Errorf("pending = %v, want %v (oldest first)", ids, tc.want)
				}
			})
		}
		t.Run("by commit", func(t *testing.T) {
			got, err := s.CheckRuns(ctx, "github:o/r", "s1")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].Name != "mpgate" || got[0].Status != store.CheckCompleted || got[1].RunID != 2 || got[1].PR != 3 {
				t.Errorf("CheckRuns = %+v", got)
			}
		})
		t.Run("delivery kept by an update without one", func(t *testing.T) {
			for _, c := range []store.CheckRun{
				{Repo: "github:o/r", SHA: "s3", Name: "mpgate", RunID: 4, Delivery: "d-1"},
				{Repo: "github:o/r", SHA: "s3", Name: "mpgate", RunID: 4, Status: store.CheckCompleted},
			} {
				if err := s.PutCheckRun(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.CheckRuns(ctx, "github:o/r", "s3")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Delivery != "d-1" || got[0].Status != store.CheckCompleted {
				t.Errorf("CheckRuns = %+v, want the completed run of delivery d-1", got)
			}
			if err := s.PutCheckRun(ctx, store.CheckRun{Repo: "github:o/r", SHA: "s3", Name: "mpgate", RunID: 5, Delivery: "d-2"}); err != nil {
				t.Fatal(err)
			}
			if got, err = s.CheckRuns(ctx, "github:o/r", "s3"); err != nil || len(got) != 1 || got[0].Delivery != "d-2" {
				t.Errorf("CheckRuns = %+v, %v; want delivery d-2", got, err)
			}
		})
		t.Run("invalid", func(t *testing.T) {
			if err := s.PutCheckRun(ctx, store.CheckRun{Repo: "x"}); err == nil {
				t.Error("check run without sha accepted")
			}
		})
	})
}

func TestApprovals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		key := store.PRKey{Repo: "gitlab:grp/sub/app", Number: 12}
		tests := []struct {
			name string
			a    store.Approval
		}{
			{"size", store.Approval{Key: key, HeadSHA: "h1", Kind: store.ApproveSize, By: "alice", Reason: "new icons"}},
			{"build", store.Approval{Key: key, HeadSHA: "h1", Kind: store.ApproveBuild, By: "bob"}},
			{"size again replaces", store.Approval{Key: key, HeadSHA: "h1", Kind: store.ApproveSize, By: "carol", Reason: "really"}},
			{"free text is made storable", store.Approval{Key: key, HeadSHA: "h1", Kind: store.ApproveSize, By: "dave", Reason: "a\x00b\xffc"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if err := s.Approve(ctx, tc.a); err != nil {
					t.Fatal(err)
				}
				got, err := s.Approval(ctx, key, "h1", tc.a.Kind)
				if err != nil {
					t.Fatal(err)
				}
				wantReason := strings.ReplaceAll(strings.ToValidUTF8(tc.a.Reason, "\uFFFD"), "\x00", "\uFFFD")
				if got.By != tc.a.By || got.Reason != wantReason || got.CreatedAt.IsZero() {
					t.Errorf("Approval = %+v, want %+v", got, tc.a)
				}
			})
		}
		t.Run("other head is not approved", func(t *testing.T) {
			if _, err := s.Approval(ctx, key, "h2", store.ApproveSize); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("err = %v", err)
			}
		})
		t.Run("revoke", func(t *testing.T) {
			if err := s.Revoke(ctx, key, "h1", store.ApproveBuild); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Approval(ctx, key, "h1", store.ApproveBuild); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("after revoke: %v", err)
			}
			if _, err := s.Approval(ctx, key, "h1", store.ApproveSize); err != nil {
				t.Errorf("revoke removed the other kind: %v", err)
			}
		})
		t.Run("invalid", func(t *testing.T) {
			if err := s.Approve(ctx, store.Approval{Key: key, HeadSHA: "h1", Kind: store.ApproveSize}); err == nil {
				t.Error("approval without approver accepted")
			}
		})
	})
}

// Several servers starting at once on one database migrate it once.
func TestMigrateConcurrently(t *testing.T) {
	for _, b := range storetest.Backends() {
		if b.Dialect != store.Postgres {
			continue // one SQLite connection per process: nothing concurrent to test in-process
		}
		t.Run(b.Name, func(t *testing.T) {
			db := storetest.OpenDB(t, b)
			errs := make(chan error, 4)
			for range 4 {
				go func() {
					_, err := store.Open(context.Background(), db, b.Dialect)
					errs <- err
				}()
			}
			for range 4 {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
			var n int
			if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM mpgate_migrations`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != store.SchemaVersion() {
				t.Errorf("migrations recorded = %d, want %d", n, store.SchemaVersion())
			}
		})
	}
}
