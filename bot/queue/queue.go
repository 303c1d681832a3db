// Package queue is mpgate serve's durable job queue: River on SQLite (one
// file in the data directory, the zero-setup default) or on PostgreSQL
// (--database-url postgres://…), with the same job kinds and workers on both.
//
// Two job kinds:
//
//   - mpgate.event: one webhook delivery (a bot.Event). Enqueue commits the
//     job before it returns, so the webhook handler answers 2xx only for
//     deliveries that survive a crash. Deliveries are unique by (forge,
//     delivery id) in every state but cancelled and discarded, for as long
//     as finished jobs are kept (Config.DedupeRetention, 7 days by default;
//     GitHub offers redelivery of the past 3 days), so a redelivery of a
//     delivery that is queued, running, retrying or done is reported
//     duplicate and not run again, while one whose job finally failed can be
//     redelivered by hand.
//   - mpgate.evaluate: "evaluate this pull request head", keyed by (repo,
//     number). EnqueueEvaluation records the head as the PR's latest in the
//     store, inserts the job and cancels the job of the previous head
//     (River's JobCancel: a pending job never runs; a running one has its
//     context cancelled). Because River's remote cancellation is only
//     prompt on PostgreSQL (LISTEN/NOTIFY), the worker also checks the
//     store itself: before calling the handler, and every
//     Config.SupersedePoll while it runs, cancelling the handler's context
//     with ErrSuperseded when a newer head was recorded. Handlers may call
//     Current between steps too.
//
// Failed jobs are retried with River's default backoff (attempt⁴ seconds
// plus jitter) up to Config.MaxAttempts; a handler returns *SnoozeError,
// or a forge's rate-limit error (bot.RateLimited, which says when to retry),
// to wait without spending an attempt, or Permanent(err) to give up at once.
//
// Crashes and shutdowns. A running job holds a lease: when it starts and
// every Config.Lease/4 after, the process running it sets the job's
// attempted_at (a heartbeat) to now minus (JobTimeout − Lease). River's
// rescuer, which runs every 30 s on the elected leader among the processes
// sharing the database, takes back a running job once now − attempted_at
// reaches the job's timeout (the workers' Timeout, Config.JobTimeout; since
// River 0.40 a job without a timeout is never rescued), that is Lease after
// its last heartbeat, and runs it again, so the jobs of a process killed
// with SIGKILL are reclaimed within Lease + 30 s (plus River's leader lease
// of 15 s when the dead process was the leader), not after the job timeout.
// The job timeout is applied both by River (the workers' Timeout) and by
// the queue's workers (the context that Stop hands back). Stop lets running jobs finish until its context is
// done, then hands the others back: their contexts are cancelled with
// ErrHandedBack and they are made available again at once, without spending
// an attempt, for the next process.
package queue

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store"
)

// Queue names: webhook events and pull request evaluations (builds) run
// in River queues of their own, each with its own worker limit, so an
// event never waits behind a build.
const (
	QueueEvents = "events"
	QueueBuilds = "builds"
)

// Defaults.
const (
	// DefaultWorkers is how many evaluations (builds) run at once.
	DefaultWorkers = 2
	// DefaultEventWorkers is how many webhook events are handled at once:
	// they mostly wait on the forge's API.
	DefaultEventWorkers    = 32
	DefaultMaxAttempts     = 10
	DefaultJobTimeout      = 30 * time.Minute
	DefaultDedupeRetention = 7 * 24 * time.Hour
	DefaultSupersedePoll   = 2 * time.Second
	// DefaultLease is how long a running job's heartbeat may be silent
	// before the job is taken back (see the package comment).
	DefaultLease = 20 * time.Second
	// minLease keeps the heartbeat (a quarter of the lease) at least
	// 250 ms apart.
	minLease = time.Second
	// eventFetchCooldown is the least time between two fetches of the
	// events queue: with a backlog, each fetch takes up to EventWorkers
	// jobs, so it bounds event throughput at EventWorkers/cooldown
	// (River's default of 100 ms would cap 32 workers at 320 jobs/s).
	eventFetchCooldown = 10 * time.Millisecond
	// DefaultFinishWait: see Config.FinishWait. River's completer marks
	// finished jobs in batches, moments after their handlers return.
	DefaultFinishWait = 10 * time.Second
	finishPoll        = 50 * time.Millisecond
	// hardStopTimeout bounds Stop's wait for cancelled jobs to return.
	hardStopTimeout = 30 * time.Second
)

// DBFile is the SQLite database's name in the data directory.
const DBFile = "mpgate.db"

// Config configures the queue.
type Config struct {
	// DataDir holds the SQLite database (DataDir/mpgate.db). Unused with a
	// PostgreSQL DatabaseURL.
	DataDir string
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or
	// postgresql://. Empty means SQLite in DataDir.
	DatabaseURL string
	// Workers bounds how many evaluations (builds) run at once (default 2).
	Workers int
	// EventWorkers bounds how many webhook events are handled at once
	// (default 32). Events and builds have separate queues: a busy build
	// queue never delays an event.
	EventWorkers int
	// MaxAttempts is how many times a failing job runs before it is
	// discarded (default 10: with River's attempt⁴ backoff, about 5 hours).
	MaxAttempts int
	// JobTimeout cancels a job's context after this long (default 30 min).
	JobTimeout time.Duration
	// Lease is how long a running job may go without a heartbeat from its
	// process before another process (or the next start) takes it back
	// (default 20 s, at least 1 s). Heartbeats are sent every Lease/4.
	Lease time.Duration
	// DedupeRetention is how long finished jobs, and so their delivery ids,
	// are kept for duplicate detection (default 7 days).
	DedupeRetention time.Duration
	// SupersedePoll is how often a running evaluation checks whether a newer
	// head arrived (default 2 s).
	SupersedePoll time.Duration
	// SpoolDir receives deliveries the database refuses (it is down,
	// unreachable or read-only): each is fsynced there and Enqueue
	// succeeds; they are replayed into the queue every SpoolRetry
	// (default 5 s) and at Open. Default DataDir/spool; without a
	// DataDir, no spool: Enqueue fails when the database does.
	SpoolDir   string
	SpoolRetry time.Duration
	// FinishWait is how long EnqueueEvaluation waits for a running
	// evaluation of the same head to be marked done before it treats the
	// request as a duplicate of that running build (default 10 s; see
	// Queue.finished).
	FinishWait time.Duration
	Logger     *slog.Logger
	// JobStarted, when set, is told each job's kind ("mpgate.event",
	// "mpgate.evaluate") and how long it waited past its scheduled time, as it
	// starts; JobDone its run time as it ends (/metrics' histograms).
	JobStarted func(kind string, wait time.Duration)
	JobDone    func(kind string, run time.Duration)

	// Test knobs.
	fetchPoll time.Duration
	clientID  string
}

// Handler does the work. The bot implements it; the queue calls it.
type Handler interface {
	// HandleEvent processes one webhook delivery.
	HandleEvent(ctx context.Context, ev bot.Event) error
	// HandleEvaluation evaluates one pull request head. ctx is cancelled
	// with cause ErrSuperseded when a newer head arrives.
	HandleEvaluation(ctx context.Context, ev Evaluation) error
}

// PRKey identifies a pull request: store.RepoKey(repo) and the number.
type PRKey = store.PRKey

// Evaluation is an "evaluate this PR head" job.
type Evaluation struct {
	Key     PRKey
	HeadSHA string
	// Payload is what EnqueueEvaluation was given (the bot's own data).
	Payload []byte
	// JobID and Attempt (1 on the first run) identify the run.
	JobID   int64
	Attempt int
}

// ErrSuperseded is the cancellation cause of an evaluation whose head is no
// longer the pull request's latest (or whose pull request was forgotten).
// It is bot.ErrSuperseded (errors.Is), which the bot looks for.
var ErrSuperseded = fmt.Errorf("queue: %w", bot.ErrSuperseded)

// SnoozeError asks the queue to run the job again After from now without
// counting an attempt (a rate limit's Retry-After).
type SnoozeError struct {
	After time.Duration
	// Err is the cause, for logs.
	Err error
}

func (e *SnoozeError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("snooze %s: %v", e.After, e.Err)
	}
	return fmt.Sprintf("snooze %s", e.After)
}

func (e *SnoozeError) Unwrap() error { return e.Err }

type permanentError struct{ err error }

func (e *permanentError) Error() string { return "permanent: " + e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying: the job is cancelled at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// riverClient is what the queue uses of a river.Client, whatever its
// driver's transaction type.
type riverClient interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	JobCancel(ctx context.Context, jobID int64) (*rivertype.JobRow, error)
	JobGet(ctx context.Context, jobID int64) (*rivertype.JobRow, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
}

// Queue is the durable queue. Enqueue works from Open on; jobs run between
// Start and Stop.
type Queue struct {
	cfg     Config
	log     *slog.Logger
	client  riverClient
	store   *store.Store
	db      *sql.DB
	closers []func()
	intake  *intake

	mu      sync.Mutex
	handler Handler
	started bool
	// running maps the jobs this process runs to their cancellation (the
	// heartbeat keeps their leases; Stop hands them back).
	running map[int64]context.CancelCauseFunc
	// fresh holds the jobs started since the heartbeat last took leases;
	// leaseKick wakes the heartbeat to take theirs.
	fresh     []int64
	leaseKick chan struct{}
	// leased is closed when the leases of fresh have been taken.
	leased   chan struct{}
	beatStop context.CancelFunc
	beatDone chan struct{}

	counters counters
}

// Open opens (creating and migrating as needed) the queue's database.
func Open(ctx context.Context, cfg Config) (*Queue, error) {
	cfg.Workers = cmp.Or(cfg.Workers, DefaultWorkers)
	cfg.EventWorkers = cmp.Or(cfg.EventWorkers, DefaultEventWorkers)
	cfg.MaxAttempts = cmp.Or(cfg.MaxAttempts, DefaultMaxAttempts)
	cfg.JobTimeout = cmp.Or(cfg.JobTimeout, DefaultJobTimeout)
	cfg.DedupeRetention = cmp.Or(cfg.DedupeRetention, DefaultDedupeRetention)
	cfg.SupersedePoll = cmp.Or(cfg.SupersedePoll, DefaultSupersedePoll)
	cfg.Lease = cmp.Or(cfg.Lease, DefaultLease)
	cfg.SpoolRetry = cmp.Or(cfg.SpoolRetry, DefaultSpoolRetry)
	cfg.FinishWait = cmp.Or(cfg.FinishWait, DefaultFinishWait)
	if cfg.SpoolDir == "" && cfg.DataDir != "" {
		cfg.SpoolDir = filepath.Join(cfg.DataDir, SpoolSubdir)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Workers < 0 || cfg.EventWorkers < 0 || cfg.MaxAttempts < 0 || cfg.JobTimeout < 0 || cfg.DedupeRetention < 0 || cfg.SupersedePoll < 0 || cfg.Lease < 0 || cfg.SpoolRetry < 0 || cfg.FinishWait < 0 {
		return nil, errors.New("queue: negative Workers, MaxAttempts or duration in config")
	}
	if cfg.Lease < minLease {
		return nil, fmt.Errorf("queue: lease %s is shorter than %s", cfg.Lease, minLease)
	}
	q := &Queue{cfg: cfg, log: cfg.Logger, running: map[int64]context.CancelCauseFunc{}, leaseKick: make(chan struct{}, 1), leased: make(chan struct{})}
	q.counters.started, q.counters.finished = cfg.JobStarted, cfg.JobDone

	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &eventWorker{q: q}); err != nil {
		return nil, fmt.Errorf("queue: register event worker: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &evaluateWorker{q: q}); err != nil {
		return nil, fmt.Errorf("queue: register evaluate worker: %w", err)
	}
	rc := &river.Config{
		CompletedJobRetentionPeriod: cfg.DedupeRetention,
		ID:                          cfg.clientID,
		FetchPollInterval:           cfg.fetchPoll,
		// The workers apply cfg.JobTimeout themselves: River requires
		// RescueStuckJobsAfter ≥ JobTimeout, and the lease must be short.
		JobTimeout:  -1,
		Logger:      cfg.Logger,
		MaxAttempts: cfg.MaxAttempts,
		Queues: map[string]river.QueueConfig{
			QueueEvents: {MaxWorkers: cfg.EventWorkers, FetchCooldown: eventFetchCooldown},
			QueueBuilds: {MaxWorkers: cfg.Workers},
			// Jobs queued by a version without separate queues.
			river.QueueDefault: {MaxWorkers: 1},
		},
		RescueStuckJobsAfter: cfg.Lease,
		Workers:              workers,
	}
	if cfg.fetchPoll > 0 && cfg.fetchPoll < river.FetchCooldownDefault {
		rc.FetchCooldown = cfg.fetchPoll
	}
	if cfg.fetchPoll > 0 && cfg.fetchPoll < eventFetchCooldown {
		qc := rc.Queues[QueueEvents]
		qc.FetchCooldown = cfg.fetchPoll
		rc.Queues[QueueEvents] = qc
	}

	var dialect store.Dialect
	var err error
	if IsPostgresURL(cfg.DatabaseURL) {
		dialect = store.Postgres
		err = q.openPostgres(ctx, rc)
	} else {
		if cfg.DatabaseURL != "" {
			return nil, fmt.Errorf("queue: database URL %q: only postgres:// or postgresql:// URLs are supported (leave it empty for SQLite in the data directory)", redact(cfg.DatabaseURL))
		}
		dialect = store.SQLite
		err = q.openSQLite(ctx, rc)
	}
	if err != nil {
		q.closeAll()
		return nil, err
	}
	st, err := store.Open(ctx, q.db, dialect)
	if err != nil {
		q.closeAll()
		return nil, fmt.Errorf("queue: %w", err)
	}
	q.store = st
	committers := 1 // SQLite has one writer
	if dialect == store.Postgres {
		committers = 4
	}
	q.startIntake(ctx, committers)
	return q, nil
}

// IsPostgresURL says whether a --database-url selects PostgreSQL.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// redact drops a URL's user information (a password) for messages.
func redact(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	host, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host, tail = rest[:i], rest[i:]
	}
	if at := strings.LastIndex(host, "@"); at >= 0 {
		host = "…@" + host[at+1:]
	}
	rest = host + tail
	return scheme + "://" + rest
}

func (q *Queue) openSQLite(ctx context.Context, rc *river.Config) error {
	if q.cfg.DataDir == "" {
		return errors.New("queue: no data directory for the SQLite database")
	}
	if err := os.MkdirAll(q.cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("queue: data directory: %w", err)
	}
	path := filepath.Join(q.cfg.DataDir, DBFile)
	// Its connections keep their prepared statements (stmtcache.go).
	connector, err := newStmtCacheConnector(SQLiteDSN(path))
	if err != nil {
		return fmt.Errorf("queue: open %s: %w", path, err)
	}
	db := sql.OpenDB(connector)
	// One connection: SQLite has one writer, and River's SQLite driver
	// requires it.
	db.SetMaxOpenConns(1)
	q.closers = append(q.closers, func() { _ = db.Close() })
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("queue: open %s: %w", path, err)
	}
	q.db = db
	client, err := newClient(ctx, riversqlite.New(db), rc)
	if err != nil {
		return fmt.Errorf("queue: sqlite %s: %w", path, err)
	}
	q.client = client
	return nil
}

// SQLiteDSN is how the SQLite file is opened: WAL journal (readers do not
// block the writer), a 10 s busy timeout, immediate transactions, and
// synchronous=FULL: every commit is synced, so a delivery answered 2xx
// survives a power loss or a kernel crash too, not only the process being
// killed (NORMAL syncs the WAL only at checkpoints). The group commit pays
// one sync per batch of deliveries.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_txlock=immediate"
}

func (q *Queue) openPostgres(ctx context.Context, rc *river.Config) error {
	pool, err := pgxpool.New(ctx, q.cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("queue: postgres %s: %w", redact(q.cfg.DatabaseURL), err)
	}
	q.closers = append(q.closers, pool.Close)
	if err := pool.Ping(ctx); err != nil {
		return fmt.Errorf("queue: postgres %s: %w", redact(q.cfg.DatabaseURL), err)
	}
	// The store shares the pool through database/sql.
	db := stdlib.OpenDBFromPool(pool)
	q.closers = append(q.closers, func() { _ = db.Close() })
	q.db = db
	client, err := newClient(ctx, riverpgxv5.New(pool), rc)
	if err != nil {
		return fmt.Errorf("queue: postgres %s: %w", redact(q.cfg.DatabaseURL), err)
	}
	q.client = client
	return nil
}

// newClient migrates River's tables up and makes a client.
func newClient[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], rc *river.Config) (riverClient, error) {
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: rc.Logger})
	if err != nil {
		return nil, fmt.Errorf("river migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("river migrate: %w", err)
	}
	client, err := river.NewClient(driver, rc)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return client, nil
}

func (q *Queue) closeAll() {
	for i := len(q.closers) - 1; i >= 0; i-- {
		q.closers[i]()
	}
	q.closers = nil
}

// Store is the bot's store on the queue's database.
func (q *Queue) Store() *store.Store { return q.store }

// Close closes the database. Stop the workers first.
func (q *Queue) Close() error {
	if q.intake != nil {
		q.intake.shutdown()
	}
	q.closeAll()
	return nil
}

// ---- Enqueue -----------------------------------------------------------

type eventArgs struct {
	Forge      string    `json:"forge" river:"unique"`
	DeliveryID string    `json:"delivery_id" river:"unique"`
	Event      bot.Event `json:"event"`
}

func (eventArgs) Kind() string { return "mpgate.event" }

type evaluateArgs struct {
	Repo    string `json:"repo" river:"unique"`
	Number  int    `json:"number" river:"unique"`
	HeadSHA string `json:"head_sha" river:"unique"`
	Payload []byte `json:"payload,omitempty"`
}

func (evaluateArgs) Kind() string { return "mpgate.evaluate" }

// Enqueue durably queues a webhook delivery. It returns after the insert
// committed (deliveries arriving together are committed together, see
// intake.go) or, when the database refused it, after the delivery was
// written to the spool. duplicate is true when a job for the same (forge, delivery id)
// is queued, running, retrying or finished successfully within
// DedupeRetention: nothing new was queued. A delivery without an id cannot
// be deduplicated and is always queued.
func (q *Queue) Enqueue(ctx context.Context, ev bot.Event) (duplicate bool, err error) {
	return q.intake.enqueue(ctx, storable(ev))
}

// storable returns a copy of ev whose strings hold no NUL character (each
// becomes U+FFFD): PostgreSQL's jsonb, where River keeps job args, refuses
// \u0000, and a comment body may well contain one. The caller's event is
// not modified.
func storable(ev bot.Event) bot.Event {
	clean(reflect.ValueOf(&ev).Elem())
	return ev
}

func clean(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if strings.Contains(v.String(), "\x00") {
			v.SetString(strings.ReplaceAll(v.String(), "\x00", "\uFFFD"))
		}
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		c := reflect.New(v.Elem().Type())
		c.Elem().Set(v.Elem())
		clean(c.Elem())
		v.Set(c)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				clean(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		for i := range c.Len() {
			clean(c.Index(i))
		}
		v.Set(c)
	}
}

// EnqueueEvaluation queues the evaluation of headSHA, the newest head of
// pull request key, and cancels the evaluation of the previous head (pending
// or running). payload is handed back in Evaluation.Payload. duplicate is
// true when an evaluation of this very head is already queued or running.
//
// Order matters for a crash between steps: the head is recorded first, so
// an older evaluation that starts meanwhile cancels itself; if the process
// dies before the insert, Enqueue of the delivery that led here has not
// returned, the delivery job is retried and calls EnqueueEvaluation again.
func (q *Queue) EnqueueEvaluation(ctx context.Context, key PRKey, headSHA string, payload []byte) (duplicate bool, err error) {
	if key.Repo == "" || headSHA == "" {
		return false, errors.New("queue: enqueue evaluation: empty repo or head")
	}
	prev, err := q.store.SetHead(ctx, key, headSHA)
	if err != nil {
		return false, fmt.Errorf("queue: enqueue evaluation %s@%s: %w", key, headSHA, err)
	}
	insert := func() (*rivertype.JobInsertResult, error) {
		return q.client.Insert(ctx, evaluateArgs{Repo: key.Repo, Number: key.Number, HeadSHA: headSHA, Payload: payload},
			&river.InsertOpts{Queue: QueueBuilds, UniqueOpts: river.UniqueOpts{
				ByArgs: true,
				// Not completed: evaluating a head again (a re-run) is allowed.
				ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
					rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled},
			}})
	}
	res, err := insert()
	if err == nil && res.UniqueSkippedAsDuplicate && res.Job.State == rivertype.JobStateRunning && q.finished(ctx, res.Job.ID) {
		// The evaluation it duplicates had already ended (its check run
		// concluded) but River had not yet marked its job completed: this
		// request (a /rebuild, a re-run) asks for a new run.
		res, err = insert()
	}
	if err != nil {
		return false, fmt.Errorf("queue: enqueue evaluation %s@%s: %w", key, headSHA, err)
	}
	current, err := q.store.SetHeadJob(ctx, key, headSHA, res.Job.ID)
	if err != nil {
		return false, fmt.Errorf("queue: enqueue evaluation %s@%s: %w", key, headSHA, err)
	}
	if !current {
		// A newer head was recorded meanwhile; its enqueuer could not know
		// this job's id. The worker would cancel it; do it now.
		q.cancel(ctx, res.Job.ID)
	}
	if prev.SHA != "" && prev.SHA != headSHA && prev.JobID != 0 && prev.JobID != res.Job.ID {
		q.cancel(ctx, prev.JobID)
	}
	return res.UniqueSkippedAsDuplicate, nil
}

// finished waits up to Config.FinishWait for running job id to leave the
// running state and says whether it did. A request for a head whose
// evaluation is running is a duplicate of it, but a request arriving in the
// instant between the end of the evaluation's handler and River marking its
// job completed (River completes jobs in batches, shortly after) would be
// dropped with it: its own check run was created after the evaluation
// concluded the previous one, so nothing would ever run it. Such a job is
// done within moments; a job still running after FinishWait is a build at
// work, which the request joins (it found that build's check run in flight).
func (q *Queue) finished(ctx context.Context, id int64) bool {
	t := time.NewTicker(finishPoll)
	defer t.Stop()
	end := time.Now().Add(q.cfg.FinishWait)
	for {
		j, err := q.client.JobGet(ctx, id)
		if err != nil {
			// Gone (or unreadable): the insert, tried again, decides.
			return true
		}
		if j.State != rivertype.JobStateRunning {
			return true
		}
		if time.Now().After(end) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
}

// Forget cancels the evaluation of key's latest head, pending or running,
// and forgets the pull request (it was closed or merged).
func (q *Queue) Forget(ctx context.Context, key PRKey) error {
	h, err := q.store.LatestHead(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("queue: forget %s: %w", key, err)
	}
	if err := q.store.DeleteHead(ctx, key); err != nil {
		return fmt.Errorf("queue: forget %s: %w", key, err)
	}
	if h.JobID != 0 {
		q.cancel(ctx, h.JobID)
	}
	return nil
}

// cancel cancels a superseded job. A failure only delays the cancellation
// (the worker checks the store), so it is logged, not returned.
func (q *Queue) cancel(ctx context.Context, jobID int64) {
	if _, err := q.client.JobCancel(ctx, jobID); err != nil && !errors.Is(err, river.ErrNotFound) {
		q.log.WarnContext(ctx, "queue: cancel superseded job", "job_id", jobID, "error", err)
	}
}

// Current says whether headSHA is still the latest head of key: handlers
// call it between steps to stop early.
func (q *Queue) Current(ctx context.Context, key PRKey, headSHA string) (bool, error) {
	h, err := q.store.LatestHead(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("queue: %w", err)
	}
	return h.SHA == headSHA, nil
}

// JobState returns the state of a job ("available", "running",
// "completed", …), for diagnostics and tests.
func (q *Queue) JobState(ctx context.Context, jobID int64) (string, error) {
	j, err := q.client.JobGet(ctx, jobID)
	if err != nil {
		return "", fmt.Errorf("queue: job %d: %w", jobID, err)
	}
	return string(j.State), nil
}

// ---- Workers -----------------------------------------------------------

// Start runs jobs with handler until Stop. Jobs left running by a dead
// process are rescued (see the package comment).
func (q *Queue) Start(ctx context.Context, handler Handler) error {
	if handler == nil {
		return errors.New("queue: start: nil handler")
	}
	q.mu.Lock()
	if q.started {
		q.mu.Unlock()
		return errors.New("queue: already started")
	}
	q.handler = handler
	q.started = true
	beatCtx, beatStop := context.WithCancel(context.WithoutCancel(ctx))
	q.beatStop, q.beatDone = beatStop, make(chan struct{})
	q.mu.Unlock()
	go q.heartbeat(beatCtx, q.beatDone)
	// Not ctx itself: River cancels running jobs at once when the context
	// given to Start is cancelled (a SIGTERM); Stop drains them instead.
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		beatStop()
		<-q.beatDone
		return fmt.Errorf("queue: start: %w", err)
	}
	return nil
}

// ErrHandedBack is the cancellation cause of a job still running when Stop's
// context ended: the job is made available again at once, without spending
// an attempt, and the next process (or another one sharing the database)
// runs it.
var ErrHandedBack = errors.New("queue: shutting down: job handed back to the queue")

// Stop stops fetching jobs and lets running ones finish until ctx is done;
// then it hands the others back (their contexts are cancelled with
// ErrHandedBack; they are available again for the next process) and waits
// up to 30 s more for them to return. Their leases are kept by the
// heartbeat until they return. It returns ctx's error when jobs had to be
// handed back.
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	started := q.started
	q.started = false
	q.mu.Unlock()
	if !started {
		return nil
	}
	defer func() {
		q.beatStop()
		<-q.beatDone
	}()
	err := q.client.Stop(ctx)
	if err == nil {
		return nil
	}
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("queue: stop: %w", err)
	}
	n := q.handBack()
	q.log.Warn("queue: shutdown deadline reached: handing running jobs back", "jobs", n)
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), hardStopTimeout)
	defer cancel()
	if err2 := q.client.StopAndCancel(hard); err2 != nil {
		return fmt.Errorf("queue: stop: jobs did not return after cancellation: %w", err2)
	}
	return fmt.Errorf("queue: stop: %d running jobs handed back: %w", n, err)
}

// handBack cancels every running job with ErrHandedBack.
func (q *Queue) handBack() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, cancel := range q.running {
		cancel(ErrHandedBack)
	}
	return len(q.running)
}

// track registers a job as running in this process (its lease is kept)
// and returns its context: cancelled with ErrHandedBack by Stop, with
// context.DeadlineExceeded after the job timeout. Call done when the
// handler returned.
func (q *Queue) track(ctx context.Context, jobID int64) (jctx context.Context, done func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	tctx, cancelTimeout := context.WithTimeout(ctx, q.cfg.JobTimeout)
	q.mu.Lock()
	q.running[jobID] = cancel
	// The lease starts now, not at the first heartbeat: the heartbeat
	// goroutine takes the leases of the jobs started meanwhile in one
	// statement, at once. Not each worker for its own job: on SQLite's one
	// connection a write per job start queued behind the intake's commits
	// and lengthened them (a third of the time webhook requests waited),
	// and on PostgreSQL workers renewing overlapping rows at once deadlocked.
	// The job waits for that statement (a group commit of leases), so a
	// handler never runs without its lease.
	q.fresh = append(q.fresh, jobID)
	leased := q.leased
	q.mu.Unlock()
	select {
	case q.leaseKick <- struct{}{}:
	default:
	}
	wait := time.NewTimer(q.cfg.Lease / 4)
	select {
	case <-leased:
	case <-ctx.Done():
	case <-wait.C:
		q.log.WarnContext(ctx, "queue: the lease of a starting job was not taken in time", "job", jobID)
	}
	wait.Stop()
	return tctx, func() {
		q.mu.Lock()
		delete(q.running, jobID)
		q.mu.Unlock()
		cancelTimeout()
		cancel(nil)
	}
}

// heartbeat takes the leases of jobs as they start, and renews the leases
// of the jobs this process runs every Lease/4, until ctx is done. It is the
// only writer of leases in the process, and writes the rows of one
// statement in id order: two statements never lock the same rows in
// different orders.
func (q *Queue) heartbeat(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(q.cfg.Lease / 4)
	defer t.Stop()
	for {
		var only []int64
		var leased chan struct{}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			q.mu.Lock()
			q.fresh = q.fresh[:0] // renewed with the others
			leased, q.leased = q.leased, make(chan struct{})
			q.mu.Unlock()
		case <-q.leaseKick:
			q.mu.Lock()
			for _, id := range q.fresh {
				if _, ok := q.running[id]; ok {
					only = append(only, id)
				}
			}
			q.fresh = q.fresh[:0]
			leased, q.leased = q.leased, make(chan struct{})
			q.mu.Unlock()
			if len(only) == 0 {
				close(leased)
				continue
			}
			slices.Sort(only)
		}
		if err := q.renewLeases(ctx, only...); err != nil && ctx.Err() == nil {
			q.log.WarnContext(ctx, "queue: heartbeat: taking or renewing the leases of running jobs", "jobs", len(only), "error", err)
		}
		close(leased)
		if only == nil {
			if err := q.reclaimUnleased(ctx); err != nil && ctx.Err() == nil {
				q.log.WarnContext(ctx, "queue: heartbeat: reclaiming jobs fetched by a dead process", "error", err)
			}
		}
	}
}

// renewLeases sets attempted_at on the jobs this process runs to now minus
// (JobTimeout − Lease): River's rescuer takes back a running job once
// now − attempted_at reaches its timeout (JobTimeout), that is Lease after
// the last renewal.
//
// With only, just those jobs; else every job this process runs.
func (q *Queue) renewLeases(ctx context.Context, only ...int64) error {
	running := only
	if len(running) == 0 {
		q.mu.Lock()
		for id := range q.running {
			running = append(running, id)
		}
		q.mu.Unlock()
		slices.Sort(running)
	}
	ids := make([]any, len(running))
	for i, id := range running {
		ids[i] = id
	}
	if len(ids) == 0 {
		return nil
	}
	back := max(q.cfg.JobTimeout-q.cfg.Lease, 0).Milliseconds()
	now := fmt.Sprintf("now() - interval '%d milliseconds'", back)
	if q.store.Dialect() == store.SQLite {
		// The format River's SQLite driver stores and compares.
		now = fmt.Sprintf("datetime('now', 'subsec', '-%d.%03d seconds')", back/1000, back%1000)
	}
	marks := make([]string, len(ids))
	for i := range ids {
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	ctx, cancel := context.WithTimeout(ctx, q.cfg.Lease/4)
	defer cancel()
	_, err := q.db.ExecContext(ctx, `UPDATE river_job SET attempted_at = `+now+
		` WHERE state = 'running' AND id IN (`+strings.Join(marks, ", ")+`)`, ids...)
	return err
}

// reclaimUnleased makes River's rescuer take back running jobs whose lease
// was never taken: River sets attempted_at to the fetch time, and a live
// process takes the lease (attempted_at = now − (JobTimeout − Lease), at
// most that) moments later. A running job whose attempted_at is still a
// fetch time more than Lease old was fetched by a process that died before
// taking its lease; without this it would wait for the whole job timeout
// (30 min) to be rescued. Needs JobTimeout > 3 × Lease to tell the two
// apart; otherwise nothing is done.
func (q *Queue) reclaimUnleased(ctx context.Context) error {
	jt, l := q.cfg.JobTimeout, q.cfg.Lease
	if jt <= 3*l {
		return nil
	}
	at := func(back time.Duration) string {
		ms := back.Milliseconds()
		if q.store.Dialect() == store.SQLite {
			return fmt.Sprintf("datetime('now', 'subsec', '-%d.%03d seconds')", ms/1000, ms%1000)
		}
		return fmt.Sprintf("now() - interval '%d milliseconds'", ms)
	}
	ctx, cancel := context.WithTimeout(ctx, l/4)
	defer cancel()
	// Leased jobs have attempted_at ≤ now − (JobTimeout − Lease), below the
	// window's floor of now − (JobTimeout − 2 × Lease).
	_, err := q.db.ExecContext(ctx, `UPDATE river_job SET attempted_at = `+at(jt+time.Second)+
		` WHERE state = 'running' AND attempted_at < `+at(l)+` AND attempted_at > `+at(jt-2*l))
	return err
}

func (q *Queue) currentHandler() Handler {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.handler
}

// outcome turns a handler's error into River's.
func (q *Queue) outcome(err error) error {
	if err == nil {
		return nil
	}
	if se, ok := errors.AsType[*SnoozeError](err); ok {
		q.counters.snoozed.Add(1)
		return river.JobSnooze(max(se.After, time.Second))
	}
	if rl, ok := errors.AsType[bot.RateLimited](err); ok {
		// A forge's rate limit: run again once it lifts, without spending
		// an attempt.
		q.counters.snoozed.Add(1)
		return river.JobSnooze(max(rl.RetryAfter(time.Now()), time.Second))
	}
	if _, ok := errors.AsType[*permanentError](err); ok {
		q.counters.failed.Add(1)
		return river.JobCancel(err)
	}
	q.counters.failed.Add(1)
	return err
}

type eventWorker struct {
	river.WorkerDefaults[eventArgs]
	q *Queue
}

// Timeout is the job timeout: River rescues a running job only once its
// attempted_at is this old (see renewLeases).
func (w *eventWorker) Timeout(*river.Job[eventArgs]) time.Duration { return w.q.cfg.JobTimeout }

func (w *eventWorker) Work(ctx context.Context, job *river.Job[eventArgs]) error {
	h := w.q.currentHandler()
	if h == nil {
		return errors.New("queue: no handler")
	}
	ctx, untrack := w.q.track(ctx, job.ID)
	defer untrack()
	done := w.q.counters.begin(job.JobRow)
	err := h.HandleEvent(ctx, job.Args.Event)
	done(err)
	if err != nil && handedBack(ctx) {
		return river.JobSnooze(0)
	}
	return w.q.outcome(err)
}

// handedBack says whether Stop handed the job of ctx back.
func handedBack(ctx context.Context) bool {
	return ctx.Err() != nil && errors.Is(context.Cause(ctx), ErrHandedBack)
}

type evaluateWorker struct {
	river.WorkerDefaults[evaluateArgs]
	q *Queue
}

// Timeout: see eventWorker.Timeout.
func (w *evaluateWorker) Timeout(*river.Job[evaluateArgs]) time.Duration { return w.q.cfg.JobTimeout }

func (w *evaluateWorker) Work(ctx context.Context, job *river.Job[evaluateArgs]) error {
	q := w.q
	h := q.currentHandler()
	if h == nil {
		return errors.New("queue: no handler")
	}
	key := PRKey{Repo: job.Args.Repo, Number: job.Args.Number}
	ctx, untrack := q.track(ctx, job.ID)
	defer untrack()
	cur, err := q.Current(ctx, key, job.Args.HeadSHA)
	if handedBack(ctx) {
		return river.JobSnooze(0)
	}
	if err != nil {
		return err
	}
	if !cur {
		q.counters.superseded.Add(1)
		return river.JobCancel(fmt.Errorf("%s@%s: %w", key, job.Args.HeadSHA, ErrSuperseded))
	}
	jobCtx := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		q.watchHead(ctx, cancel, key, job.Args.HeadSHA)
	}()
	done := q.counters.begin(job.JobRow)
	err = h.HandleEvaluation(ctx, Evaluation{Key: key, HeadSHA: job.Args.HeadSHA, Payload: job.Args.Payload, JobID: job.ID, Attempt: job.Attempt})
	cancel(nil)
	<-watchDone
	if err != nil && handedBack(ctx) {
		done(nil)
		return river.JobSnooze(0)
	}
	if errors.Is(context.Cause(ctx), ErrSuperseded) || jobCtx.Err() != nil && q.superseded(jobCtx, key, job.Args.HeadSHA) {
		done(nil)
		q.counters.superseded.Add(1)
		return river.JobCancel(fmt.Errorf("%s@%s: %w", key, job.Args.HeadSHA, ErrSuperseded))
	}
	done(err)
	return q.outcome(err)
}

// superseded reports whether a job cancelled from outside (a closed
// request cancels its running evaluations through River before watchHead's
// next poll) was cancelled because head is no longer key's latest: such a
// job is superseded, like one watchHead stopped.
func (q *Queue) superseded(jobCtx context.Context, key PRKey, head string) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(jobCtx), 10*time.Second)
	defer cancel()
	cur, err := q.Current(ctx, key, head)
	return err == nil && !cur
}

// watchHead cancels ctx with ErrSuperseded when head stops being key's
// latest; it returns when ctx is done.
func (q *Queue) watchHead(ctx context.Context, cancel context.CancelCauseFunc, key PRKey, head string) {
	t := time.NewTicker(q.cfg.SupersedePoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cur, err := q.Current(ctx, key, head)
		if err != nil {
			if ctx.Err() == nil {
				q.log.WarnContext(ctx, "queue: check for a newer head", "pr", key.String(), "error", err)
			}
			continue
		}
		if !cur {
			cancel(ErrSuperseded)
			return
		}
	}
}

// ---- Stats -------------------------------------------------------------

type counters struct {
	succeeded, failed, snoozed, superseded atomic.Int64
	spooled, replayed                      atomic.Int64
	runs, runNanos, waitNanos              atomic.Int64
	// Config.JobStarted and Config.JobDone.
	started  func(kind string, wait time.Duration)
	finished func(kind string, run time.Duration)
}

// begin records a job's queue wait and returns the function recording its
// end.
func (c *counters) begin(job *rivertype.JobRow) func(error) {
	start := time.Now()
	var wait time.Duration
	if !job.ScheduledAt.IsZero() && start.After(job.ScheduledAt) {
		wait = start.Sub(job.ScheduledAt)
		c.waitNanos.Add(int64(wait))
	}
	if c.started != nil {
		c.started(job.Kind, wait)
	}
	return func(err error) {
		run := time.Since(start)
		c.runs.Add(1)
		c.runNanos.Add(int64(run))
		if err == nil {
			c.succeeded.Add(1)
		}
		if c.finished != nil {
			c.finished(job.Kind, run)
		}
	}
}

// Depth is the number of jobs of one kind in one River state.
type Depth struct {
	Kind  string
	State string
	Count int64
}

// Stats is what /metrics reports about the queue.
type Stats struct {
	// Depth counts the jobs in the database by kind and state, sorted.
	Depth []Depth
	// Handler outcomes since Open: runs (handler calls), successes,
	// failures (retried or given up), snoozes and superseded evaluations.
	Runs, Succeeded, Failed, Snoozed, Superseded int64
	// Spooled counts deliveries the database refused that went to the
	// spool, Replayed those moved from the spool into the queue.
	Spooled, Replayed int64
	// RunTime is the total time spent in handlers, QueueWait the total
	// time jobs waited past their scheduled time before running: divide by
	// Runs for averages.
	RunTime, QueueWait time.Duration
}

// Stats reads the queue's counters and job counts.
func (q *Queue) Stats(ctx context.Context) (Stats, error) {
	s := Stats{
		Runs:       q.counters.runs.Load(),
		Succeeded:  q.counters.succeeded.Load(),
		Failed:     q.counters.failed.Load(),
		Snoozed:    q.counters.snoozed.Load(),
		Superseded: q.counters.superseded.Load(),
		Spooled:    q.counters.spooled.Load(),
		Replayed:   q.counters.replayed.Load(),
		RunTime:    time.Duration(q.counters.runNanos.Load()),
		QueueWait:  time.Duration(q.counters.waitNanos.Load()),
	}
	rows, err := q.db.QueryContext(ctx, `SELECT kind, state, COUNT(*) FROM river_job GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return s, fmt.Errorf("queue: stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d Depth
		if err := rows.Scan(&d.Kind, &d.State, &d.Count); err != nil {
			return s, fmt.Errorf("queue: stats: %w", err)
		}
		s.Depth = append(s.Depth, d)
	}
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("queue: stats: %w", err)
	}
	return s, nil
}
