package queue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store"
	"github.com/mpgate/mpgate/bot/store/storetest"
)

// deadline bounds every wait; it is a guard against hangs, never a
// measurement.
const deadline = 2 * time.Minute

// testDB is where a test's queue lives; reopening the same testDB is a
// restart.
type testDB struct {
	backend storetest.Backend
	dir     string
	url     string
}

func newTestDB(t testing.TB, b storetest.Backend) testDB {
	t.Helper()
	d := testDB{backend: b, dir: t.TempDir()}
	if b.Dialect == store.Postgres {
		d.url = storetest.PostgresURL(t)
	}
	return d
}

func (d testDB) config() Config {
	return Config{
		DataDir:       d.dir,
		DatabaseURL:   d.url,
		Workers:       2,
		SupersedePoll: 50 * time.Millisecond,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		fetchPoll:     50 * time.Millisecond,
	}
}

// open opens the queue and stops and closes it when the test ends.
func (d testDB) open(t testing.TB, mod ...func(*Config)) *Queue {
	t.Helper()
	cfg := d.config()
	for _, m := range mod {
		m(&cfg)
	}
	q, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
		_ = q.Close()
	})
	return q
}

// forEachBackend runs f on SQLite and, when configured, on PostgreSQL.
func forEachBackend(t *testing.T, f func(t *testing.T, d testDB)) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) { f(t, newTestDB(t, b)) })
	}
}

// fakeHandler records calls and delegates to optional functions.
type fakeHandler struct {
	mu     sync.Mutex
	events []string // delivery ids, in call order
	evals  []string // head SHAs, in call order
	event  func(ctx context.Context, ev bot.Event, call int) error
	eval   func(ctx context.Context, ev Evaluation) error
}

func (h *fakeHandler) HandleEvent(ctx context.Context, ev bot.Event) error {
	h.mu.Lock()
	h.events = append(h.events, ev.DeliveryID)
	call := len(h.events)
	h.mu.Unlock()
	if h.event != nil {
		return h.event(ctx, ev, call)
	}
	return nil
}

func (h *fakeHandler) HandleEvaluation(ctx context.Context, ev Evaluation) error {
	h.mu.Lock()
	h.evals = append(h.evals, ev.HeadSHA)
	h.mu.Unlock()
	if h.eval != nil {
		return h.eval(ctx, ev)
	}
	return nil
}

func (h *fakeHandler) calls() (events, evals []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.events...), append([]string(nil), h.evals...)
}

type jobRow struct {
	id      int64
	kind    string
	state   string
	attempt int
	errors  int
}

// jobs lists the jobs in the database, oldest first.
func jobs(t *testing.T, q *Queue) []jobRow {
	t.Helper()
	rows, err := q.db.QueryContext(context.Background(), `SELECT id, kind, state, attempt FROM river_job ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []jobRow
	for rows.Next() {
		var j jobRow
		if err := rows.Scan(&j.id, &j.kind, &j.state, &j.attempt); err != nil {
			t.Fatal(err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	_ = rows.Close() // SQLite has one connection: free it for JobGet
	for i := range out {
		row, err := q.client.JobGet(context.Background(), out[i].id)
		if err != nil {
			t.Fatal(err)
		}
		out[i].errors = len(row.Errors)
	}
	return out
}

// waitStates waits until the jobs' states are want, in id order.
func waitStates(t *testing.T, q *Queue, want ...string) []jobRow {
	t.Helper()
	end := time.Now().Add(deadline)
	for {
		js := jobs(t, q)
		var got []string
		for _, j := range js {
			got = append(got, j.state)
		}
		if fmt.Sprint(got) == fmt.Sprint(want) {
			return js
		}
		if time.Now().After(end) {
			t.Fatalf("job states = %v, want %v", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(deadline):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func event(forge, id string) bot.Event {
	return bot.Event{Forge: forge, DeliveryID: id, Kind: bot.KindPush,
		Repo: bot.Repo{Forge: forge, Owner: "octo", Name: "shop"}, Push: &bot.Push{Ref: "refs/heads/main", After: "abc"}}
}

func start(t *testing.T, q *Queue, h Handler) {
	t.Helper()
	if err := q.Start(context.Background(), h); err != nil {
		t.Fatal(err)
	}
}

func TestEnqueueRunsOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t)
		h := &fakeHandler{}
		start(t, q, h)
		ev := event(bot.ForgeGitHub, "d-1")
		ev.PullRequest = &bot.PullRequest{Number: 3, HeadSHA: "h", Labels: []string{"x"}}
		dup, err := q.Enqueue(context.Background(), ev)
		if err != nil || dup {
			t.Fatalf("Enqueue = %v, %v", dup, err)
		}
		waitStates(t, q, "completed")
		events, _ := h.calls()
		if fmt.Sprint(events) != "[d-1]" {
			t.Errorf("handled %v, want [d-1]", events)
		}
		st, err := q.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Runs != 1 || st.Succeeded != 1 || st.Failed != 0 {
			t.Errorf("stats = %+v", st)
		}
		if len(st.Depth) != 1 || st.Depth[0] != (Depth{Kind: "mpgate.event", State: "completed", Count: 1}) {
			t.Errorf("depth = %+v", st.Depth)
		}
	})
}

func TestEventRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t)
		got := make(chan bot.Event, 1)
		start(t, q, &fakeHandler{event: func(_ context.Context, ev bot.Event, _ int) error { got <- ev; return nil }})
		ev := event(bot.ForgeGitLab, "uuid-7")
		ev.Comment = &bot.Comment{ID: 9, Body: "/approve-size 因为图标", Author: "alice"}
		ev.InstallationID = 42
		if _, err := q.Enqueue(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		back := receive(t, got, "the event")
		if back.Comment == nil || back.Comment.Body != ev.Comment.Body || back.InstallationID != 42 || back.Push.After != "abc" || back.Repo != ev.Repo {
			t.Errorf("event changed in the queue: %+v", back)
		}
	})
}

func TestDuplicateDelivery(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t)
		ctx := context.Background()
		steps := []struct {
			name    string
			ev      bot.Event
			wantDup bool
		}{
			{"first", event(bot.ForgeGitHub, "d-1"), false},
			{"redelivered while queued", event(bot.ForgeGitHub, "d-1"), true},
			{"same id on another forge", event(bot.ForgeGitLab, "d-1"), false},
			{"another id", event(bot.ForgeGitHub, "d-2"), false},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				dup, err := q.Enqueue(ctx, st.ev)
				if err != nil {
					t.Fatal(err)
				}
				if dup != st.wantDup {
					t.Errorf("duplicate = %v, want %v", dup, st.wantDup)
				}
			})
		}
		h := &fakeHandler{}
		start(t, q, h)
		waitStates(t, q, "completed", "completed", "completed")
		t.Run("redelivered after completion", func(t *testing.T) {
			dup, err := q.Enqueue(ctx, event(bot.ForgeGitHub, "d-1"))
			if err != nil || !dup {
				t.Errorf("Enqueue = %v, %v; want duplicate", dup, err)
			}
		})
		events, _ := h.calls()
		if len(events) != 3 {
			t.Errorf("handled %v, want three deliveries once each", events)
		}
		t.Run("no delivery id is never a duplicate", func(t *testing.T) {
			for range 2 {
				if dup, err := q.Enqueue(ctx, event(bot.ForgeGitHub, "")); err != nil || dup {
					t.Errorf("Enqueue = %v, %v", dup, err)
				}
			}
		})
	})
}

func TestRetryThenSucceed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t)
		h := &fakeHandler{event: func(_ context.Context, _ bot.Event, call int) error {
			if call == 1 {
				return errors.New("forge unavailable")
			}
			return nil
		}}
		start(t, q, h)
		if _, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, "d-r")); err != nil {
			t.Fatal(err)
		}
		js := waitStates(t, q, "completed")
		if js[0].attempt != 2 || js[0].errors != 1 {
			t.Errorf("job = %+v, want attempt 2 with one recorded error", js[0])
		}
		st, _ := q.Stats(context.Background())
		if st.Runs != 2 || st.Failed != 1 || st.Succeeded != 1 {
			t.Errorf("stats = %+v", st)
		}
	})
}

func TestSnoozeAndPermanent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t)
		h := &fakeHandler{event: func(_ context.Context, ev bot.Event, call int) error {
			switch {
			case ev.DeliveryID == "snooze" && call == 1:
				return &SnoozeError{After: time.Second, Err: errors.New("secondary rate limit")}
			case ev.DeliveryID == "bad":
				return Permanent(errors.New("no mini-program here"))
			}
			return nil
		}}
		start(t, q, h)
		if _, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, "snooze")); err != nil {
			t.Fatal(err)
		}
		js := waitStates(t, q, "completed")
		if js[0].attempt != 1 || js[0].errors != 0 {
			t.Errorf("snoozed job = %+v, want attempt 1 and no error (a snooze is not an attempt)", js[0])
		}
		if _, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, "bad")); err != nil {
			t.Fatal(err)
		}
		waitStates(t, q, "completed", "cancelled")
		events, _ := h.calls()
		if fmt.Sprint(events) != "[snooze snooze bad]" {
			t.Errorf("handled %v", events)
		}
		st, _ := q.Stats(context.Background())
		if st.Snoozed != 1 || st.Failed != 1 || st.Succeeded != 1 {
			t.Errorf("stats = %+v", st)
		}
		t.Run("a permanently failed delivery may be redelivered", func(t *testing.T) {
			if dup, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, "bad")); err != nil || dup {
				t.Errorf("Enqueue = %v, %v", dup, err)
			}
		})
	})
}

func TestSupersedePending(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t)
		ctx := context.Background()
		key := PRKey{Repo: "github:octo/shop", Number: 5}
		other := PRKey{Repo: "github:octo/shop", Number: 6}
		for _, e := range []struct {
			key     PRKey
			head    string
			wantDup bool
		}{
			{key, "h1", false},
			{key, "h1", true},
			{other, "o1", false},
			{key, "h2", false},
		} {
			dup, err := q.EnqueueEvaluation(ctx, e.key, e.head, []byte(`{"p":"`+e.head+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			if dup != e.wantDup {
				t.Errorf("EnqueueEvaluation(%s, %s) duplicate = %v, want %v", e.key, e.head, dup, e.wantDup)
			}
		}
		payloads := make(chan string, 4)
		h := &fakeHandler{eval: func(_ context.Context, ev Evaluation) error {
			payloads <- ev.Key.String() + " " + string(ev.Payload)
			return nil
		}}
		start(t, q, h)
		// h1 was cancelled before it ran; o1 and h2 ran.
		waitStates(t, q, "cancelled", "completed", "completed")
		_, evals := h.calls()
		if len(evals) != 2 || (evals[0] != "o1" && evals[1] != "o1") || (evals[0] != "h2" && evals[1] != "h2") {
			t.Errorf("evaluated %v, want o1 and h2", evals)
		}
		got := map[string]bool{receive(t, payloads, "payload"): true, receive(t, payloads, "payload"): true}
		if !got[`github:octo/shop#5 {"p":"h2"}`] || !got[`github:octo/shop#6 {"p":"o1"}`] {
			t.Errorf("payloads = %v", got)
		}
		t.Run("the same head again after completion runs again", func(t *testing.T) {
			dup, err := q.EnqueueEvaluation(ctx, key, "h2", nil)
			if err != nil || dup {
				t.Fatalf("EnqueueEvaluation = %v, %v", dup, err)
			}
			waitStates(t, q, "cancelled", "completed", "completed", "completed")
		})
	})
}

func TestSupersedeRunning(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t)
		ctx := context.Background()
		key := PRKey{Repo: "gitlab:grp/app", Number: 9}
		started := make(chan struct{}, 1)
		causes := make(chan error, 1)
		h := &fakeHandler{eval: func(ctx context.Context, ev Evaluation) error {
			if ev.HeadSHA != "h1" {
				return nil
			}
			started <- struct{}{}
			<-ctx.Done()
			causes <- context.Cause(ctx)
			return ctx.Err()
		}}
		start(t, q, h)
		if _, err := q.EnqueueEvaluation(ctx, key, "h1", nil); err != nil {
			t.Fatal(err)
		}
		receive(t, started, "h1 to start")
		if cur, err := q.Current(ctx, key, "h1"); err != nil || !cur {
			t.Errorf("Current(h1) = %v, %v", cur, err)
		}
		if _, err := q.EnqueueEvaluation(ctx, key, "h2", nil); err != nil {
			t.Fatal(err)
		}
		cause := receive(t, causes, "h1 to be cancelled")
		if cause == nil {
			t.Error("h1's context ended without a cause")
		}
		waitStates(t, q, "cancelled", "completed")
		if cur, err := q.Current(ctx, key, "h1"); err != nil || cur {
			t.Errorf("Current(h1) after h2 = %v, %v", cur, err)
		}
		_, evals := h.calls()
		if fmt.Sprint(evals) != "[h1 h2]" {
			t.Errorf("evaluated %v", evals)
		}
	})
}

func TestSupersededBeforeStartByStore(t *testing.T) {
	// The head moved on without the queue's help (a crash between steps, or
	// a closed PR): the worker cancels the job before calling the handler.
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t)
		ctx := context.Background()
		key := PRKey{Repo: "github:o/r", Number: 1}
		if _, err := q.EnqueueEvaluation(ctx, key, "h1", nil); err != nil {
			t.Fatal(err)
		}
		if err := q.Store().DeleteHead(ctx, key); err != nil {
			t.Fatal(err)
		}
		h := &fakeHandler{}
		start(t, q, h)
		waitStates(t, q, "cancelled")
		if _, evals := h.calls(); len(evals) != 0 {
			t.Errorf("evaluated %v, want nothing", evals)
		}
		if st, _ := q.Stats(ctx); st.Superseded != 1 {
			t.Errorf("superseded = %d, want 1", st.Superseded)
		}
	})
}

func TestGracefulStop(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		t.Run("running job finishes", func(t *testing.T) {
			d := newTestDB(t, d.backend)
			q := d.open(t)
			started, release := make(chan struct{}, 1), make(chan struct{})
			start(t, q, &fakeHandler{event: func(context.Context, bot.Event, int) error {
				started <- struct{}{}
				<-release
				return nil
			}})
			if _, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, "g")); err != nil {
				t.Fatal(err)
			}
			receive(t, started, "the job to start")
			stopped := make(chan error, 1)
			go func() { stopped <- q.Stop(context.Background()) }()
			close(release)
			if err := receive(t, stopped, "Stop"); err != nil {
				t.Errorf("Stop = %v", err)
			}
			waitStates(t, q, "completed")
		})
		t.Run("cancelling Start's context does not cancel running jobs", func(t *testing.T) {
			d := newTestDB(t, d.backend)
			q := d.open(t)
			started, release, jobErr := make(chan struct{}, 1), make(chan struct{}), make(chan error, 1)
			h := &fakeHandler{event: func(ctx context.Context, _ bot.Event, _ int) error {
				started <- struct{}{}
				<-release
				jobErr <- ctx.Err()
				return nil
			}}
			sig, cancelSig := context.WithCancel(context.Background()) // SIGTERM
			if err := q.Start(sig, h); err != nil {
				t.Fatal(err)
			}
			if _, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, "g3")); err != nil {
				t.Fatal(err)
			}
			receive(t, started, "the job to start")
			cancelSig()
			stopped := make(chan error, 1)
			go func() { stopped <- q.Stop(context.Background()) }()
			close(release)
			if err := receive(t, jobErr, "the job to end"); err != nil {
				t.Errorf("the running job's context was cancelled (%v) instead of drained", err)
			}
			if err := receive(t, stopped, "Stop"); err != nil {
				t.Errorf("Stop = %v", err)
			}
			waitStates(t, q, "completed")
		})
		t.Run("a job still running at the deadline is cancelled and retried after restart", func(t *testing.T) {
			d := newTestDB(t, d.backend)
			q := d.open(t)
			started, cause := make(chan struct{}, 1), make(chan error, 1)
			start(t, q, &fakeHandler{event: func(ctx context.Context, _ bot.Event, _ int) error {
				started <- struct{}{}
				<-ctx.Done()
				cause <- context.Cause(ctx)
				return ctx.Err()
			}})
			if _, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, "g2")); err != nil {
				t.Fatal(err)
			}
			receive(t, started, "the job to start")
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := q.Stop(ctx); err == nil {
				t.Error("Stop with an expired context = nil, want the cancellation reported")
			}
			if c := receive(t, cause, "the job's cancellation"); !errors.Is(c, ErrHandedBack) {
				t.Errorf("the job was cancelled with %v, want ErrHandedBack", c)
			}
			// Handed back: available at once, no attempt spent, no error.
			js := jobs(t, q)
			if len(js) != 1 || js[0].state != "available" || js[0].attempt != 0 || js[0].errors != 0 {
				t.Fatalf("after hard stop: %+v, want the job available again with no attempt spent", js)
			}
			if err := q.Close(); err != nil {
				t.Fatal(err)
			}
			q2 := d.open(t)
			h := &fakeHandler{}
			start(t, q2, h)
			waitStates(t, q2, "completed")
			if events, _ := h.calls(); fmt.Sprint(events) != "[g2]" {
				t.Errorf("after restart handled %v", events)
			}
		})
	})
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no data dir", Config{}},
		{"unsupported URL", Config{DataDir: t.TempDir(), DatabaseURL: "mysql://u:secret@h/db"}},
		{"negative workers", Config{DataDir: t.TempDir(), Workers: -1}},
		{"unreachable postgres", Config{DatabaseURL: "postgres://u:secret@127.0.0.1:1/db?connect_timeout=2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			q, err := Open(context.Background(), tc.cfg)
			if err == nil {
				_ = q.Close()
				t.Fatal("Open succeeded")
			}
			if msg := err.Error(); strings.Contains(msg, "secret") {
				t.Errorf("error leaks the password: %s", msg)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://u:pw@host:5432/db", "postgres://…@host:5432/db"},
		{"postgres://host/db", "postgres://host/db"},
		{"postgresql://u@h/db?x=a@b", "postgresql://…@h/db?x=a@b"},
		{"plain", "plain"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := redact(tc.in); got != tc.want {
				t.Errorf("redact(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestStartErrors(t *testing.T) {
	d := newTestDB(t, storetest.Backend{Name: "sqlite", Dialect: store.SQLite})
	q := d.open(t)
	if err := q.Start(context.Background(), nil); err == nil {
		t.Error("Start(nil) succeeded")
	}
	start(t, q, &fakeHandler{})
	if err := q.Start(context.Background(), &fakeHandler{}); err == nil {
		t.Error("second Start succeeded")
	}
	if _, err := q.EnqueueEvaluation(context.Background(), PRKey{}, "h", nil); err == nil {
		t.Error("EnqueueEvaluation without a repo succeeded")
	}
}

func TestForget(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t)
		ctx := context.Background()
		key := PRKey{Repo: "github:o/r", Number: 2}
		if err := q.Forget(ctx, key); err != nil {
			t.Fatalf("Forget of an unknown PR: %v", err)
		}
		if _, err := q.EnqueueEvaluation(ctx, key, "h1", nil); err != nil {
			t.Fatal(err)
		}
		if err := q.Forget(ctx, key); err != nil {
			t.Fatal(err)
		}
		// Cancelled before any worker ran.
		waitStates(t, q, "cancelled")
		if cur, err := q.Current(ctx, key, "h1"); err != nil || cur {
			t.Errorf("Current after Forget = %v, %v", cur, err)
		}
		h := &fakeHandler{}
		start(t, q, h)
		if _, err := q.Enqueue(ctx, event(bot.ForgeGitHub, "after")); err != nil {
			t.Fatal(err)
		}
		waitStates(t, q, "cancelled", "completed")
		if _, evals := h.calls(); len(evals) != 0 {
			t.Errorf("evaluated %v after Forget", evals)
		}
	})
}

// setJobState moves job id to state as River would (finalized_at is set
// for a final state).
func setJobState(t *testing.T, q *Queue, id int64, state string) {
	t.Helper()
	if err := updateJobState(q, id, state); err != nil {
		t.Fatal(err)
	}
}

func updateJobState(q *Queue, id int64, state string) error {
	now := "now()"
	if q.store.Dialect() == store.SQLite {
		now = "datetime('now', 'subsec')"
	}
	fin := "NULL"
	if state == "completed" {
		fin = now
	}
	_, err := q.db.Exec(`UPDATE river_job SET state = $1, attempted_at = `+now+`, finalized_at = `+fin+` WHERE id = $2`, state, id)
	return err
}

// A request for a head (a /rebuild) arriving after the evaluation of that
// head ended but before River marked its job completed starts a new run;
// one arriving while the evaluation is still at work joins it.
func TestRequestWhileEvaluationFinishes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		ctx := context.Background()
		key := PRKey{Repo: "github:octo/shop", Number: 7}
		t.Run("ended, not yet marked completed", func(t *testing.T) {
			q := d.open(t)
			if _, err := q.EnqueueEvaluation(ctx, key, "h1", []byte("first")); err != nil {
				t.Fatal(err)
			}
			first := jobs(t, q)[0].id
			// The handler returned; River's completer has not run yet.
			setJobState(t, q, first, "running")
			marked := make(chan struct{})
			go func() {
				defer close(marked)
				time.Sleep(100 * time.Millisecond)
				if err := updateJobState(q, first, "completed"); err != nil {
					t.Error(err)
				}
			}()
			dup, err := q.EnqueueEvaluation(ctx, key, "h1", []byte("rebuild"))
			<-marked
			if err != nil || dup {
				t.Fatalf("EnqueueEvaluation while the previous run finishes = %v, %v; want a new job", dup, err)
			}
			js := jobs(t, q)
			if len(js) != 2 || js[1].state != "available" {
				t.Fatalf("jobs %+v, want the completed one and a new available one", js)
			}
		})
		t.Run("still at work", func(t *testing.T) {
			d := newTestDB(t, d.backend)
			q := d.open(t, func(c *Config) { c.FinishWait = 200 * time.Millisecond })
			if _, err := q.EnqueueEvaluation(ctx, key, "h1", nil); err != nil {
				t.Fatal(err)
			}
			first := jobs(t, q)[0].id
			setJobState(t, q, first, "running")
			dup, err := q.EnqueueEvaluation(ctx, key, "h1", nil)
			if err != nil || !dup {
				t.Fatalf("EnqueueEvaluation while the head is being evaluated = %v, %v; want duplicate", dup, err)
			}
			if js := jobs(t, q); len(js) != 1 {
				t.Fatalf("jobs %+v, want only the running one", js)
			}
		})
	})
}
