// Package store is the small persistence the bot needs beside its queue:
// head reports of default-branch pushes (baselines), the latest head of each
// pull request (supersession), check runs in flight (crash recovery),
// size approvals (/approve-size) and fork build approvals (/ok-to-build).
//
// It lives in the queue's database: SQLite (one file, one connection) or
// PostgreSQL. Every statement is written once, in SQL both accept ($n
// placeholders, INSERT … ON CONFLICT … DO UPDATE, TEXT and BIGINT columns);
// times are stored as Unix milliseconds. Tables are prefixed mpgate_ so they
// sit beside River's river_* tables.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mpgate/mpgate/bot"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("store: not found")

// Dialect is the SQL database behind the store.
type Dialect int

// Dialects.
const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Store is the bot's persistence. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect Dialect
	now     func() time.Time
}

// Open runs the store's migrations on db and returns the store. db is shared
// with the queue; Open does not take ownership (Close is the caller's).
func Open(ctx context.Context, db *sql.DB, d Dialect) (*Store, error) {
	s := &Store{db: db, dialect: d, now: time.Now}
	if err := s.migrate(ctx); err != nil {
		return nil, fmt.Errorf("store: migrate %s: %w", d, err)
	}
	return s, nil
}

// DB is the database the store uses.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect is the store's SQL dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// RepoKey is the repository key the store uses: "forge:owner/name", so that
// the same name on two forges does not collide.
func RepoKey(r bot.Repo) string { return r.Forge + ":" + r.FullName() }

// PRKey identifies a pull/merge request.
type PRKey struct {
	// Repo is a RepoKey.
	Repo   string `json:"repo"`
	Number int    `json:"number"`
}

func (k PRKey) String() string { return fmt.Sprintf("%s#%d", k.Repo, k.Number) }

func (s *Store) millis(t time.Time) int64 { return t.UnixMilli() }

// ---- Reports -------------------------------------------------------------

// PutReport stores (or replaces) the JSON report of repo at sha for one
// project of the repository (a mini-program root; "" for the only one).
func (s *Store) PutReport(ctx context.Context, repo, sha, project string, report []byte) error {
	if repo == "" || sha == "" {
		return fmt.Errorf("store: put report: empty repo or sha")
	}
	// JSON in UTF-8 is what both databases' TEXT columns take (PostgreSQL
	// refuses invalid UTF-8 and NUL).
	if !utf8.Valid(report) || !json.Valid(report) {
		return fmt.Errorf("store: put report %s@%s %q: not valid UTF-8 JSON", repo, sha, project)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO mpgate_reports (repo, sha, project, report, created_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (repo, sha, project) DO UPDATE SET report = excluded.report, created_at = excluded.created_at`,
		repo, sha, project, string(report), s.millis(s.now()))
	if err != nil {
		return fmt.Errorf("store: put report %s@%s %q: %w", repo, sha, project, err)
	}
	return nil
}

// Report returns the stored report of repo at sha for project, or
// ErrNotFound.
func (s *Store) Report(ctx context.Context, repo, sha, project string) ([]byte, error) {
	var report string
	err := s.db.QueryRowContext(ctx, `SELECT report FROM mpgate_reports WHERE repo = $1 AND sha = $2 AND project = $3`,
		repo, sha, project).Scan(&report)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: report %s@%s %q: %w", repo, sha, project, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: report %s@%s %q: %w", repo, sha, project, err)
	}
	return []byte(report), nil
}

// ---- Pull request heads ----------------------------------------------------

// Head is the latest head of a pull request and the evaluation job for it.
type Head struct {
	SHA string
	// JobID is the queue's job evaluating SHA (0 until it is known).
	JobID     int64
	UpdatedAt time.Time
}

// SetHead records sha as the latest head of key and returns the previous
// record (zero Head when there was none). When sha equals the recorded head
// the job id is kept.
func (s *Store) SetHead(ctx context.Context, key PRKey, sha string) (prev Head, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Head{}, fmt.Errorf("store: set head %s: %w", key, err)
	}
	defer func() { _ = tx.Rollback() }()
	var updated int64
	err = tx.QueryRowContext(ctx, `SELECT head_sha, job_id, updated_at FROM mpgate_pr_heads WHERE repo = $1 AND number = $2`,
		key.Repo, key.Number).Scan(&prev.SHA, &prev.JobID, &updated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		prev = Head{}
	case err != nil:
		return Head{}, fmt.Errorf("store: set head %s: %w", key, err)
	default:
		prev.UpdatedAt = time.UnixMilli(updated)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO mpgate_pr_heads (repo, number, head_sha, job_id, updated_at)
VALUES ($1, $2, $3, 0, $4)
ON CONFLICT (repo, number) DO UPDATE SET
  job_id = CASE WHEN mpgate_pr_heads.head_sha = excluded.head_sha THEN mpgate_pr_heads.job_id ELSE 0 END,
  head_sha = excluded.head_sha, updated_at = excluded.updated_at`,
		key.Repo, key.Number, sha, s.millis(s.now()))
	if err != nil {
		return Head{}, fmt.Errorf("store: set head %s: %w", key, err)
	}
	if err := tx.Commit(); err != nil {
		return Head{}, fmt.Errorf("store: set head %s: commit: %w", key, err)
	}
	return prev, nil
}

// SetHeadJob records the job evaluating sha, if sha is still the latest head
// of key. It reports whether it was.
func (s *Store) SetHeadJob(ctx context.Context, key PRKey, sha string, jobID int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE mpgate_pr_heads SET job_id = $1 WHERE repo = $2 AND number = $3 AND head_sha = $4`,
		jobID, key.Repo, key.Number, sha)
	if err != nil {
		return false, fmt.Errorf("store: set head job %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: set head job %s: %w", key, err)
	}
	return n > 0, nil
}

// LatestHead returns the latest head of key, or ErrNotFound.
func (s *Store) LatestHead(ctx context.Context, key PRKey) (Head, error) {
	var h Head
	var updated int64
	err := s.db.QueryRowContext(ctx, `SELECT head_sha, job_id, updated_at FROM mpgate_pr_heads WHERE repo = $1 AND number = $2`,
		key.Repo, key.Number).Scan(&h.SHA, &h.JobID, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Head{}, fmt.Errorf("store: latest head %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return Head{}, fmt.Errorf("store: latest head %s: %w", key, err)
	}
	h.UpdatedAt = time.UnixMilli(updated)
	return h, nil
}

// DeleteHead forgets the pull request (closed or merged).
func (s *Store) DeleteHead(ctx context.Context, key PRKey) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM mpgate_pr_heads WHERE repo = $1 AND number = $2`, key.Repo, key.Number); err != nil {
		return fmt.Errorf("store: delete head %s: %w", key, err)
	}
	return nil
}

// ---- Check runs ------------------------------------------------------------

// Check-run statuses the store records.
const (
	CheckInProgress = "in_progress"
	CheckCompleted  = "completed"
)

// CheckRun is a check run (or commit status) the bot created on a commit.
type CheckRun struct {
	Repo string
	SHA  string
	// Name is the check's name (one per project: "mpgate", "mpgate (pkg-a)").
	Name   string
	RunID  int64
	Status string
	// PR is the pull request the run belongs to, 0 for a push.
	PR int
	// Delivery is the webhook delivery whose handling created the run;
	// kept when an update gives none.
	Delivery  string
	UpdatedAt time.Time
}

// PutCheckRun records or updates a check run (keyed by repo, sha, name).
func (s *Store) PutCheckRun(ctx context.Context, c CheckRun) error {
	if c.Repo == "" || c.SHA == "" || c.Name == "" {
		return fmt.Errorf("store: put check run: empty repo, sha or name")
	}
	if c.Status == "" {
		c.Status = CheckInProgress
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO mpgate_check_runs (repo, sha, name, run_id, status, pr, updated_at, delivery)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (repo, sha, name) DO UPDATE SET run_id = excluded.run_id, status = excluded.status,
  pr = excluded.pr, updated_at = excluded.updated_at,
  delivery = CASE WHEN excluded.delivery = '' THEN mpgate_check_runs.delivery ELSE excluded.delivery END`,
		c.Repo, c.SHA, c.Name, c.RunID, c.Status, c.PR, s.millis(s.now()), c.Delivery)
	if err != nil {
		return fmt.Errorf("store: put check run %s@%s %q: %w", c.Repo, c.SHA, c.Name, err)
	}
	return nil
}

// CompleteCheckRun marks a check run completed.
func (s *Store) CompleteCheckRun(ctx context.Context, repo, sha, name string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE mpgate_check_runs SET status = $1, updated_at = $2 WHERE repo = $3 AND sha = $4 AND name = $5`,
		CheckCompleted, s.millis(s.now()), repo, sha, name)
	if err != nil {
		return fmt.Errorf("store: complete check run %s@%s %q: %w", repo, sha, name, err)
	}
	return nil
}

// CheckRuns lists the check runs recorded on repo at sha, by name.
func (s *Store) CheckRuns(ctx context.Context, repo, sha string) ([]CheckRun, error) {
	return s.queryChecks(ctx, `WHERE repo = $1 AND sha = $2 ORDER BY name`, repo, sha)
}

// PendingChecks lists the check runs still in progress that were last
// updated more than olderThan ago, oldest first: those a crash left behind,
// for the server to conclude or re-queue.
func (s *Store) PendingChecks(ctx context.Context, olderThan time.Duration) ([]CheckRun, error) {
	return s.queryChecks(ctx, `WHERE status = $1 AND updated_at <= $2 ORDER BY updated_at, repo, sha, name`,
		CheckInProgress, s.millis(s.now().Add(-olderThan)))
}

func (s *Store) queryChecks(ctx context.Context, where string, args ...any) ([]CheckRun, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT repo, sha, name, run_id, status, pr, updated_at, delivery FROM mpgate_check_runs `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: check runs: %w", err)
	}
	defer rows.Close()
	var out []CheckRun
	for rows.Next() {
		var c CheckRun
		var updated int64
		if err := rows.Scan(&c.Repo, &c.SHA, &c.Name, &c.RunID, &c.Status, &c.PR, &updated, &c.Delivery); err != nil {
			return nil, fmt.Errorf("store: check runs: %w", err)
		}
		c.UpdatedAt = time.UnixMilli(updated)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: check runs: %w", err)
	}
	return out, nil
}

// ---- Approvals -------------------------------------------------------------

// ApprovalKind says what an approval allows.
type ApprovalKind string

// Approval kinds.
const (
	// ApproveSize: /approve-size — the size gates of this head are waived.
	ApproveSize ApprovalKind = "size"
	// ApproveBuild: /ok-to-build — a fork's head may be built.
	ApproveBuild ApprovalKind = "build"
)

// Approval is a maintainer's approval of one pull request head.
type Approval struct {
	Key       PRKey
	HeadSHA   string
	Kind      ApprovalKind
	By        string
	Reason    string
	CreatedAt time.Time
}

// Approve records an approval (a second one by anyone replaces the first).
func (s *Store) Approve(ctx context.Context, a Approval) error {
	if a.Key.Repo == "" || a.HeadSHA == "" || a.Kind == "" || a.By == "" {
		return fmt.Errorf("store: approve: empty repo, head, kind or approver")
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO mpgate_approvals (repo, number, head_sha, kind, approver, reason, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (repo, number, head_sha, kind) DO UPDATE SET approver = excluded.approver,
  reason = excluded.reason, created_at = excluded.created_at`,
		a.Key.Repo, a.Key.Number, a.HeadSHA, string(a.Kind), cleanText(a.By), cleanText(a.Reason), s.millis(s.now()))
	if err != nil {
		return fmt.Errorf("store: approve %s %s@%s: %w", a.Kind, a.Key, a.HeadSHA, err)
	}
	return nil
}

// Approval returns the approval of kind for the head, or ErrNotFound.
func (s *Store) Approval(ctx context.Context, key PRKey, headSHA string, kind ApprovalKind) (Approval, error) {
	a := Approval{Key: key, HeadSHA: headSHA, Kind: kind}
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT approver, reason, created_at FROM mpgate_approvals
WHERE repo = $1 AND number = $2 AND head_sha = $3 AND kind = $4`,
		key.Repo, key.Number, headSHA, string(kind)).Scan(&a.By, &a.Reason, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Approval{}, fmt.Errorf("store: approval %s %s@%s: %w", kind, key, headSHA, ErrNotFound)
	}
	if err != nil {
		return Approval{}, fmt.Errorf("store: approval %s %s@%s: %w", kind, key, headSHA, err)
	}
	a.CreatedAt = time.UnixMilli(created)
	return a, nil
}

// Revoke removes an approval; it is not an error if there was none.
func (s *Store) Revoke(ctx context.Context, key PRKey, headSHA string, kind ApprovalKind) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM mpgate_approvals WHERE repo = $1 AND number = $2 AND head_sha = $3 AND kind = $4`,
		key.Repo, key.Number, headSHA, string(kind))
	if err != nil {
		return fmt.Errorf("store: revoke %s %s@%s: %w", kind, key, headSHA, err)
	}
	return nil
}

// cleanText makes free text (from comments) storable in both databases:
// PostgreSQL's TEXT refuses NUL and invalid UTF-8.
func cleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
