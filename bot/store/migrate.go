package store

import (
	"context"
	"fmt"
)

// migration is one schema step. Steps are append-only: a released step is
// never edited, a change is a new step. SQL is written for both dialects;
// where they differ, postgres holds PostgreSQL's version.
type migration struct {
	version  int
	sqlite   []string
	postgres []string // nil: same as sqlite
}

var migrations = []migration{
	{
		version: 1,
		sqlite: []string{
			`CREATE TABLE mpgate_reports (
  repo TEXT NOT NULL, sha TEXT NOT NULL, project TEXT NOT NULL,
  report TEXT NOT NULL, created_at BIGINT NOT NULL,
  PRIMARY KEY (repo, sha, project))`,
			`CREATE TABLE mpgate_pr_heads (
  repo TEXT NOT NULL, number INTEGER NOT NULL, head_sha TEXT NOT NULL,
  job_id BIGINT NOT NULL DEFAULT 0, updated_at BIGINT NOT NULL,
  PRIMARY KEY (repo, number))`,
			`CREATE TABLE mpgate_check_runs (
  repo TEXT NOT NULL, sha TEXT NOT NULL, name TEXT NOT NULL,
  run_id BIGINT NOT NULL, status TEXT NOT NULL, pr INTEGER NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (repo, sha, name))`,
			`CREATE INDEX mpgate_check_runs_pending ON mpgate_check_runs (status, updated_at)`,
			`CREATE TABLE mpgate_approvals (
  repo TEXT NOT NULL, number INTEGER NOT NULL, head_sha TEXT NOT NULL, kind TEXT NOT NULL,
  approver TEXT NOT NULL, reason TEXT NOT NULL, created_at BIGINT NOT NULL,
  PRIMARY KEY (repo, number, head_sha, kind))`,
		},
	},
	{
		// Repositories: the forge identity behind a RepoKey (GitLab's
		// project id included) and the installation that reaches it, so a
		// check run left in progress by a crash can be concluded.
		version: 2,
		sqlite: []string{
			`CREATE TABLE mpgate_repos (
  repo TEXT PRIMARY KEY, forge TEXT NOT NULL, owner TEXT NOT NULL, name TEXT NOT NULL,
  repo_id BIGINT NOT NULL DEFAULT 0, installation_id BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL)`,
		},
	},
	{
		// Runs: every finished evaluation (a request's head, or a push to
		// the default branch with pr 0) with its conclusion, gates,
		// coverage and package sizes, for the server's pages and the
		// health report. Gates and packages are JSON (bot.GateRecord,
		// bot.PackageRecord): they are read whole, never queried into.
		version: 3,
		sqlite: []string{
			`CREATE TABLE mpgate_runs (
  repo TEXT NOT NULL, sha TEXT NOT NULL, pr INTEGER NOT NULL,
  conclusion TEXT NOT NULL, coverage DOUBLE PRECISION, build_failed INTEGER NOT NULL DEFAULT 0,
  gates TEXT NOT NULL, packages TEXT NOT NULL, finished_at BIGINT NOT NULL,
  PRIMARY KEY (repo, sha, pr))`,
			`CREATE INDEX mpgate_runs_repo_finished ON mpgate_runs (repo, finished_at)`,
			`CREATE INDEX mpgate_runs_finished ON mpgate_runs (finished_at)`,
		},
	},
	{
		// The delivery that created a check run, so that an event job run
		// again after its work was done (a crash before the queue recorded
		// its completion) does not evaluate the same delivery twice.
		version: 4,
		sqlite: []string{
			`ALTER TABLE mpgate_check_runs ADD COLUMN delivery TEXT NOT NULL DEFAULT ''`,
		},
	},
}

// SchemaVersion is the store schema version this build migrates to.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

// migrationLock is the PostgreSQL advisory lock key that serialises
// migrations of several servers starting at once ("mpgate" in ASCII).
const migrationLock = 0x6d7067617465

// migrate applies the missing steps in one transaction (DDL is
// transactional in both databases). On PostgreSQL an advisory lock makes
// concurrent starts wait; on SQLite the immediate transaction does.
func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if s.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS mpgate_migrations (
  version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("create mpgate_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM mpgate_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read version: %w", err)
	}
	if current > SchemaVersion() {
		return fmt.Errorf("database schema version %d is newer than this mpgate (%d)", current, SchemaVersion())
	}
	for _, m := range migrations {
		if m.version <= current {
			continue
		}
		stmts := m.sqlite
		if s.dialect == Postgres && m.postgres != nil {
			stmts = m.postgres
		}
		for i, q := range stmts {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("migration %d statement %d: %w", m.version, i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mpgate_migrations (version, applied_at) VALUES ($1, $2)`,
			m.version, s.millis(s.now())); err != nil {
			return fmt.Errorf("migration %d: record: %w", m.version, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
