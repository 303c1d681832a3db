package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store"
	"github.com/mpgate/mpgate/bot/store/storetest"
	"modernc.org/sqlite"
)

// readOnlyDBs holds the SQLite files that refuse writes: every connection
// opened to one of them is made query-only, as every connection to a file
// the server cannot write would fail. (A PRAGMA on the current connection
// alone is not an outage: database/sql replaces a connection the driver
// finds unusable after a failed write, and the new one writes again.)
var readOnlyDBs sync.Map

func init() {
	sqlite.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, dsn string) error {
		for path := range readOnlyDBs.Range {
			if dsn == SQLiteDSN(path.(string)) {
				_, err := c.ExecContext(context.Background(), `PRAGMA query_only = ON`, nil)
				return err
			}
		}
		return nil
	})
}

// makeReadOnly makes q's SQLite database refuse writes on every connection
// until the returned function is called.
func makeReadOnly(t *testing.T, q *Queue) func() {
	t.Helper()
	path := filepath.Join(q.cfg.DataDir, DBFile)
	readOnlyDBs.Store(path, true)
	if _, err := q.db.Exec(`PRAGMA query_only = ON`); err != nil {
		t.Fatal(err)
	}
	return func() {
		readOnlyDBs.Delete(path)
		if _, err := q.db.Exec(`PRAGMA query_only = OFF`); err != nil {
			t.Fatal(err)
		}
	}
}

// Events have a queue of their own: with every build worker busy, events
// are still handled at once.
func TestEventsNotBehindBuilds(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t, func(c *Config) { c.Workers = 2; c.EventWorkers = 4 })
		release := make(chan struct{})
		building := make(chan string, 4)
		handled := make(chan string, 16)
		h := &fakeHandler{
			eval: func(ctx context.Context, ev Evaluation) error {
				building <- ev.HeadSHA
				<-release
				return nil
			},
			event: func(ctx context.Context, ev bot.Event, _ int) error {
				handled <- ev.DeliveryID
				return nil
			},
		}
		start(t, q, h)
		defer close(release)
		ctx := context.Background()
		for i := range 3 { // two run, one waits: the build queue is full
			if _, err := q.EnqueueEvaluation(ctx, PRKey{Repo: "github.com/octo/shop", Number: i + 1}, fmt.Sprintf("%040d", i), nil); err != nil {
				t.Fatal(err)
			}
		}
		receive(t, building, "first build")
		receive(t, building, "second build")
		for i := range 5 {
			if _, err := q.Enqueue(ctx, event(bot.ForgeGitHub, fmt.Sprintf("e-%d", i))); err != nil {
				t.Fatal(err)
			}
		}
		got := map[string]bool{}
		for range 5 {
			got[receive(t, handled, "an event while both build workers are busy")] = true
		}
		if len(got) != 5 {
			t.Fatalf("events handled = %v, want 5 distinct", got)
		}
		select {
		case sha := <-building:
			t.Fatalf("a third build %s started with 2 build workers", sha)
		default:
		}
	})
}

// Many concurrent deliveries, each sent twice (a redelivery racing the
// original): every delivery is queued once and handled once; exactly one
// of its two Enqueue calls reports it new.
func TestConcurrentEnqueueOnceEach(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t)
		const n = 150
		var fresh [n]atomic.Int32
		var wg sync.WaitGroup
		errs := make(chan error, 2*n)
		for i := range 2 * n {
			wg.Go(func() {
				dup, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, fmt.Sprintf("c-%d", i%n)))
				if err != nil {
					errs <- err
					return
				}
				if !dup {
					fresh[i%n].Add(1)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for i := range n {
			if got := fresh[i].Load(); got != 1 {
				t.Errorf("delivery c-%d: %d Enqueue calls reported it new, want 1", i, got)
			}
		}
		if js := jobs(t, q); len(js) != n {
			t.Fatalf("%d jobs in the database, want %d", len(js), n)
		}
		h := &fakeHandler{}
		start(t, q, h)
		waitHandled(t, h, n)
		evs, _ := h.calls()
		seen := map[string]int{}
		for _, id := range evs {
			seen[id]++
		}
		for id, c := range seen {
			if c != 1 {
				t.Errorf("delivery %s handled %d times", id, c)
			}
		}
	})
}

func waitHandled(t *testing.T, h *fakeHandler, n int) {
	t.Helper()
	end := time.Now().Add(deadline)
	for {
		evs, _ := h.calls()
		if len(evs) >= n {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("%d events handled, want %d", len(evs), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// outage makes the queue's database refuse writes until the returned
// function is called.
type outage func(t *testing.T, q *Queue) (recover func())

// A delivery arriving while the database refuses writes is accepted into
// the spool, and handled once the database is back.
func TestSpoolDuringOutage(t *testing.T) {
	t.Run("sqlite read-only", func(t *testing.T) {
		d := testDB{dir: t.TempDir()}
		// Every write fails as it does on a read-only file ("attempt to
		// write a readonly database").
		testSpool(t, d, makeReadOnly)
	})
	t.Run("postgres unreachable", func(t *testing.T) {
		d := newTestDB(t, pgBackend(t))
		p := newCutProxy(t, d.url)
		d.url = p.url
		testSpool(t, d, func(t *testing.T, q *Queue) func() {
			p.cut(true)
			return func() { p.cut(false) }
		})
	})
}

func pgBackend(t *testing.T) storetest.Backend {
	if os.Getenv(storetest.EnvDatabaseURL) == "" {
		t.Skipf("%s not set", storetest.EnvDatabaseURL)
	}
	return storetest.Backend{Name: "postgres", Dialect: store.Postgres}
}

func testSpool(t *testing.T, d testDB, down outage) {
	// One event worker: deliveries are handled in the order they are
	// queued, so the replay's oldest-first order shows.
	q := d.open(t, func(c *Config) { c.SpoolRetry = 100 * time.Millisecond; c.EventWorkers = 1 })
	h := &fakeHandler{}
	start(t, q, h)
	ctx := context.Background()
	if _, err := q.Enqueue(ctx, event(bot.ForgeGitHub, "before")); err != nil {
		t.Fatal(err)
	}
	waitHandled(t, h, 1)
	up := down(t, q)
	for _, id := range []string{"during-1", "during-2"} {
		dup, err := q.Enqueue(ctx, event(bot.ForgeGitHub, id))
		if err != nil || dup {
			t.Fatalf("Enqueue %s during the outage = %v, %v; want accepted into the spool", id, dup, err)
		}
	}
	spooled, err := filepath.Glob(filepath.Join(d.dir, SpoolSubdir, "*"+spoolExt))
	if err != nil || len(spooled) != 2 {
		t.Fatalf("spool holds %v (%v), want 2 deliveries", spooled, err)
	}
	up()
	waitHandled(t, h, 3)
	evs, _ := h.calls()
	if fmt.Sprint(evs) != "[before during-1 during-2]" {
		t.Fatalf("handled %v, want [before during-1 during-2]", evs)
	}
	if left, _ := filepath.Glob(filepath.Join(d.dir, SpoolSubdir, "*")); len(left) != 0 {
		t.Fatalf("spool still holds %v after the replay", left)
	}
	st, err := q.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Spooled != 2 || st.Replayed != 2 {
		t.Fatalf("stats spooled %d replayed %d, want 2 and 2", st.Spooled, st.Replayed)
	}
	// A redelivery of a replayed delivery is a duplicate: nothing doubled.
	if dup, err := q.Enqueue(ctx, event(bot.ForgeGitHub, "during-1")); err != nil || !dup {
		t.Fatalf("redelivery of during-1 = %v, %v; want duplicate", dup, err)
	}
}

// A spool left by a process that died is replayed at the next Open.
func TestSpoolReplayedAtOpen(t *testing.T) {
	d := testDB{dir: t.TempDir()}
	if err := writeSpool(filepath.Join(d.dir, SpoolSubdir), event(bot.ForgeGitLab, "left-behind")); err != nil {
		t.Fatal(err)
	}
	q := d.open(t)
	h := &fakeHandler{}
	start(t, q, h)
	waitHandled(t, h, 1)
	if evs, _ := h.calls(); evs[0] != "left-behind" {
		t.Fatalf("handled %v, want [left-behind]", evs)
	}
}

// Without a spool directory a refused delivery is an error, for the
// webhook to answer 5xx.
func TestNoSpoolFails(t *testing.T) {
	d := testDB{dir: t.TempDir()}
	q := d.open(t)
	q.cfg.SpoolDir = ""
	defer makeReadOnly(t, q)()
	if _, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, "x")); err == nil {
		t.Fatal("Enqueue on a read-only database without a spool succeeded")
	}
}

// After Close, Enqueue fails with ErrClosed instead of hanging.
func TestEnqueueAfterClose(t *testing.T) {
	d := testDB{dir: t.TempDir()}
	q, err := Open(context.Background(), d.config())
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, "late")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Enqueue after Close = %v, want ErrClosed", err)
	}
}

// cutProxy forwards TCP to PostgreSQL; cut(true) drops every connection
// and refuses new ones, as an unreachable server does.
type cutProxy struct {
	url    string
	target string
	ln     net.Listener

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func newCutProxy(t *testing.T, dbURL string) *cutProxy {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{target: u.Host, ln: ln, conns: map[net.Conn]struct{}{}}
	if u.Port() == "" {
		p.target = net.JoinHostPort(u.Hostname(), "5432")
	}
	u.Host = ln.Addr().String()
	p.url = u.String()
	p.wg.Go(p.serve)
	t.Cleanup(func() {
		_ = ln.Close()
		p.cut(true)
		p.wg.Wait()
	})
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.conns[c], p.conns[s] = struct{}{}, struct{}{}
		p.mu.Unlock()
		p.wg.Go(func() { _, _ = io.Copy(s, c); _ = s.Close() })
		p.wg.Go(func() { _, _ = io.Copy(c, s); _ = c.Close() })
	}
}

func (p *cutProxy) cut(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			_ = c.Close()
		}
		clear(p.conns)
	}
}

// enqueueAll calls Enqueue for every id at once (released together, so the
// committer gathers them into batches) and returns each call's outcome.
func enqueueAll(q *Queue, ids []string) (dups []bool, errs []error) {
	dups, errs = make([]bool, len(ids)), make([]error, len(ids))
	var wg sync.WaitGroup
	release := make(chan struct{})
	for i, id := range ids {
		wg.Go(func() {
			<-release
			dups[i], errs[i] = q.Enqueue(context.Background(), event(bot.ForgeGitHub, id))
		})
	}
	close(release)
	wg.Wait()
	return dups, errs
}

// When the database refuses a batch and there is no spool, every delivery
// waiting on it is answered with the error: none is acknowledged.
func TestBatchFailureAnswersEveryDelivery(t *testing.T) {
	d := testDB{dir: t.TempDir()}
	q := d.open(t)
	q.cfg.SpoolDir = ""
	up := makeReadOnly(t, q)
	ids := make([]string, 64)
	for i := range ids {
		ids[i] = fmt.Sprintf("refused-%d", i%48) // some twice in a batch
	}
	dups, errs := enqueueAll(q, ids)
	for i := range ids {
		if errs[i] == nil {
			t.Errorf("delivery %s acknowledged (duplicate %v) while the database refused it", ids[i], dups[i])
		}
	}
	up()
	if js := jobs(t, q); len(js) != 0 {
		t.Fatalf("%d jobs after a refused batch, want none", len(js))
	}
	// The same deliveries, redelivered once the database is back, are
	// queued: a refused delivery was not remembered as seen.
	dups, errs = enqueueAll(q, ids[:48])
	for i := range dups {
		if errs[i] != nil || dups[i] {
			t.Fatalf("redelivery of %s = %v, %v; want queued", ids[i], dups[i], errs[i])
		}
	}
}

// A delivery id is queued once whether its copies arrive in one batch or
// in batches apart.
func TestDedupeInsideAndAcrossBatches(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t)
		var ids []string
		for i := range 100 {
			ids = append(ids, fmt.Sprintf("b-%d", i), fmt.Sprintf("b-%d", i)) // twice at once
		}
		dups, errs := enqueueAll(q, ids)
		fresh := map[string]int{}
		for i, id := range ids {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if !dups[i] {
				fresh[id]++
			}
		}
		for i := range 100 {
			if id := fmt.Sprintf("b-%d", i); fresh[id] != 1 {
				t.Errorf("%s reported new %d times in one round, want once", id, fresh[id])
			}
		}
		// Later batches: every copy is a duplicate.
		dups, errs = enqueueAll(q, ids)
		for i, id := range ids {
			if errs[i] != nil || !dups[i] {
				t.Errorf("%s in a later batch = %v, %v; want duplicate", id, dups[i], errs[i])
			}
		}
		if js := jobs(t, q); len(js) != 100 {
			t.Fatalf("%d jobs, want 100", len(js))
		}
	})
}

// Close while deliveries are being enqueued: every call returns, and every
// delivery acknowledged is in the database (the committers finish the
// batches they took before Close returns).
func TestCloseDrainsIntake(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q, err := Open(context.Background(), d.config())
		if err != nil {
			t.Fatal(err)
		}
		const n = 300
		acked := make([]bool, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, fmt.Sprintf("close-%d", i)))
				switch {
				case err == nil:
					acked[i] = true
				case !errors.Is(err, ErrClosed):
					t.Errorf("Enqueue during Close: %v", err)
				}
			})
		}
		if err := q.Close(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		q2 := d.open(t)
		in := map[string]bool{}
		col := "args"
		if q2.store.Dialect() == store.SQLite {
			col = "json(args)" // stored as JSONB
		}
		rows, err := q2.db.Query(`SELECT ` + col + ` FROM river_job`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var args string
			if err := rows.Scan(&args); err != nil {
				t.Fatal(err)
			}
			for i := range n {
				if strings.Contains(args, fmt.Sprintf(`"close-%d"`, i)) {
					in[fmt.Sprintf("close-%d", i)] = true
				}
			}
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		nAcked := 0
		for i := range n {
			if acked[i] {
				nAcked++
				if !in[fmt.Sprintf("close-%d", i)] {
					t.Errorf("close-%d acknowledged but not in the database", i)
				}
			}
		}
		t.Logf("%d of %d acknowledged before Close", nAcked, n)
	})
}

// TestSQLiteSyncsEveryCommit: the SQLite file is opened with
// synchronous=FULL, so a delivery answered 2xx survives a power loss.
func TestSQLiteSyncsEveryCommit(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("sqlite", SQLiteDSN(filepath.Join(t.TempDir(), "q.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode int
	if err := db.QueryRow("PRAGMA synchronous").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != 2 { // 2 = FULL
		t.Errorf("PRAGMA synchronous = %d, want 2 (FULL)", mode)
	}
}
