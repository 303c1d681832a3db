package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mpgate/mpgate/bot"
)

// Run is one finished evaluation as the store keeps it (see
// bot.RunRecord): Repo is a RepoKey, PR 0 a push to the default branch.
type Run struct {
	Repo        string
	SHA         string
	PR          int
	Conclusion  string
	Coverage    *float64
	BuildFailed bool
	Gates       []bot.GateRecord
	Packages    []bot.PackageRecord
	FinishedAt  time.Time
}

// PutRun records (or replaces: a retried evaluation) the run of repo at sha
// for pull request pr.
func (s *Store) PutRun(ctx context.Context, r Run) error {
	if r.Repo == "" || r.SHA == "" || r.Conclusion == "" {
		return fmt.Errorf("store: put run: empty repo, sha or conclusion")
	}
	gates, err := json.Marshal(nonNil(r.Gates))
	if err != nil {
		return fmt.Errorf("store: put run %s@%s: %w", r.Repo, r.SHA, err)
	}
	pkgs, err := json.Marshal(nonNil(r.Packages))
	if err != nil {
		return fmt.Errorf("store: put run %s@%s: %w", r.Repo, r.SHA, err)
	}
	var cov sql.NullFloat64
	if r.Coverage != nil {
		cov = sql.NullFloat64{Float64: *r.Coverage, Valid: true}
	}
	at := r.FinishedAt
	if at.IsZero() {
		at = s.now()
	}
	failed := 0
	if r.BuildFailed {
		failed = 1
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO mpgate_runs (repo, sha, pr, conclusion, coverage, build_failed, gates, packages, finished_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (repo, sha, pr) DO UPDATE SET conclusion = excluded.conclusion, coverage = excluded.coverage,
  build_failed = excluded.build_failed, gates = excluded.gates, packages = excluded.packages,
  finished_at = excluded.finished_at`,
		r.Repo, r.SHA, r.PR, cleanText(r.Conclusion), cov, failed, cleanText(string(gates)), cleanText(string(pkgs)), s.millis(at))
	if err != nil {
		return fmt.Errorf("store: put run %s@%s #%d: %w", r.Repo, r.SHA, r.PR, err)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// RunQuery selects runs. The zero value selects every run of every
// repository.
type RunQuery struct {
	// Repo is a RepoKey; "" is every repository.
	Repo string
	// Since excludes runs finished before it (zero: none excluded).
	Since time.Time
	// BranchOnly keeps the pushes to the default branch (PR 0).
	BranchOnly bool
	// Latest returns the newest Limit runs, newest first; otherwise runs
	// come oldest first (by repository, then time).
	Latest bool
	// Limit caps the number of runs (0: no cap).
	Limit int
}

// Runs returns the runs q selects.
func (s *Store) Runs(ctx context.Context, q RunQuery) ([]Run, error) {
	where, args := "WHERE finished_at >= $1", []any{s.millis(q.Since)}
	if q.Since.IsZero() {
		args[0] = int64(-1 << 62)
	}
	if q.Repo != "" {
		args = append(args, q.Repo)
		where += fmt.Sprintf(" AND repo = $%d", len(args))
	}
	if q.BranchOnly {
		where += " AND pr = 0"
	}
	order := " ORDER BY repo, finished_at, sha, pr"
	if q.Latest {
		order = " ORDER BY finished_at DESC, repo, sha, pr"
	}
	limit := ""
	if q.Limit > 0 {
		args = append(args, q.Limit)
		limit = fmt.Sprintf(" LIMIT $%d", len(args))
	}
	rows, err := s.db.QueryContext(ctx, `SELECT repo, sha, pr, conclusion, coverage, build_failed, gates, packages, finished_at
FROM mpgate_runs `+where+order+limit, args...)
	if err != nil {
		return nil, fmt.Errorf("store: runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var cov sql.NullFloat64
		var failed int
		var gates, pkgs string
		var at int64
		if err := rows.Scan(&r.Repo, &r.SHA, &r.PR, &r.Conclusion, &cov, &failed, &gates, &pkgs, &at); err != nil {
			return nil, fmt.Errorf("store: runs: %w", err)
		}
		if cov.Valid {
			c := cov.Float64
			r.Coverage = &c
		}
		r.BuildFailed = failed != 0
		if err := json.Unmarshal([]byte(gates), &r.Gates); err != nil {
			return nil, fmt.Errorf("store: runs: gates of %s@%s: %w", r.Repo, r.SHA, err)
		}
		if err := json.Unmarshal([]byte(pkgs), &r.Packages); err != nil {
			return nil, fmt.Errorf("store: runs: packages of %s@%s: %w", r.Repo, r.SHA, err)
		}
		r.FinishedAt = time.UnixMilli(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: runs: %w", err)
	}
	return out, nil
}

// RepoEntry is a repository the store knows: its key and forge identity.
type RepoEntry struct {
	Key  string
	Repo bot.Repo
}

// RunRepos lists the repositories with at least one run, by key; the forge
// identity comes from the repositories table when recorded, else from the
// key.
func (s *Store) RunRepos(ctx context.Context) ([]RepoEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT r.repo, COALESCE(p.forge, ''), COALESCE(p.owner, ''), COALESCE(p.name, ''), COALESCE(p.repo_id, 0)
FROM mpgate_runs r LEFT JOIN mpgate_repos p ON p.repo = r.repo ORDER BY r.repo`)
	if err != nil {
		return nil, fmt.Errorf("store: run repos: %w", err)
	}
	defer rows.Close()
	var out []RepoEntry
	for rows.Next() {
		var e RepoEntry
		if err := rows.Scan(&e.Key, &e.Repo.Forge, &e.Repo.Owner, &e.Repo.Name, &e.Repo.ID); err != nil {
			return nil, fmt.Errorf("store: run repos: %w", err)
		}
		if e.Repo.Forge == "" {
			r, ok := ParseRepoKey(e.Key)
			if !ok {
				continue
			}
			e.Repo = r
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: run repos: %w", err)
	}
	return out, nil
}

// RecordRun is the bot's bot.RunRecorder: the repository's identity and
// the run.
func (b BotStore) RecordRun(ctx context.Context, r bot.RunRecord) error {
	if err := b.s.PutRepo(ctx, r.Repo); err != nil {
		return err
	}
	return b.s.PutRun(ctx, Run{Repo: RepoKey(r.Repo), SHA: r.SHA, PR: r.PR, Conclusion: r.Conclusion,
		Coverage: r.Coverage, BuildFailed: r.BuildFailed, Gates: r.Gates, Packages: r.Packages, FinishedAt: r.FinishedAt})
}
