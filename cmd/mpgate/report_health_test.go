package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/health"
	"github.com/mpgate/mpgate/bot/queue"
	"github.com/mpgate/mpgate/bot/store"
)

// TestReportHealth runs `mpgate report health` on a server data directory
// holding runs, in both formats, and on the errors a user can make.
func TestReportHealth(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", queue.SQLiteDSN(filepath.Join(dir, queue.DBFile)))
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(context.Background(), db, store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	repo := bot.Repo{Forge: bot.ForgeGitHub, Owner: "octo", Name: "shop"}
	now := time.Now()
	for i, r := range []bot.RunRecord{
		{Repo: repo, SHA: "h1", PR: 2, Conclusion: bot.ConclusionFailure, FinishedAt: now.Add(-3 * time.Hour)},
		{Repo: repo, SHA: "h2", PR: 2, Conclusion: bot.ConclusionSuccess, FinishedAt: now.Add(-time.Hour)},
		{Repo: repo, SHA: "old", PR: 1, Conclusion: bot.ConclusionFailure, FinishedAt: now.Add(-100 * 24 * time.Hour)},
	} {
		if err := s.ForBot().RecordRun(context.Background(), r); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	_ = db.Close()

	got := runArgs(t, nil, "report", "health", "--data-dir", dir, "--format", "json")
	if got.code != 0 {
		t.Fatalf("code %d, stderr %q", got.code, got.stderr)
	}
	var rep health.Report
	if err := json.Unmarshal([]byte(got.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Schema != health.Schema || rep.Total.Runs != 2 || rep.Total.TimeToGreen.MedianSeconds != 7200 {
		t.Errorf("report = %+v, want the 2 runs of the last 90 days and 2h to green", rep.Total)
	}
	env := map[string]string{"MPGATE_DATA_DIR": dir}
	got = runArgs(t, env, "report", "health", "--since", "200d")
	if got.code != 0 || !strings.Contains(got.stdout, "| github:octo/shop | 3 | 1 | 2 |") {
		t.Errorf("markdown over 200 days (data dir from MPGATE_DATA_DIR): code %d\n%s%s", got.code, got.stdout, got.stderr)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--data-dir", t.TempDir()}, "no mpgate server database"},
		{[]string{"--data-dir", dir, "--since", "ninety"}, "--since"},
		{[]string{"--data-dir", dir, "--format", "html"}, "--format"},
		{[]string{"--database-url", "mysql://x"}, "postgres://"},
	} {
		got := runArgs(t, nil, append([]string{"report", "health"}, tc.args...)...)
		if got.code != 2 || !strings.Contains(got.stderr, tc.want) {
			t.Errorf("%v: code %d, stderr %q, want 2 and %q", tc.args, got.code, got.stderr, tc.want)
		}
	}
}
