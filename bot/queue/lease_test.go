package queue

import (
	"context"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store/storetest"
)

// A running job's lease is renewed while its handler runs: River's rescuer
// takes back only jobs whose attempted_at is older than the lease, so a
// job running longer than the lease in a live process is not run twice.
func TestHeartbeatRenewsLease(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t, func(c *Config) { c.Lease = time.Second })
		started, release := make(chan struct{}, 1), make(chan struct{})
		h := &fakeHandler{event: func(ctx context.Context, _ bot.Event, _ int) error {
			started <- struct{}{}
			<-release
			return nil
		}}
		start(t, q, h)
		if _, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, "long")); err != nil {
			t.Fatal(err)
		}
		receive(t, started, "the job to start")
		js := jobs(t, q)
		first := attemptedAt(t, q, js[0].id)
		// Poll until the heartbeat moved attempted_at past the first
		// lease (no timed assertion: the deadline is generous).
		end := time.Now().Add(deadline)
		for {
			at := attemptedAt(t, q, js[0].id)
			if at.Sub(first) > time.Second {
				break
			}
			if time.Now().After(end) {
				t.Fatalf("attempted_at stayed at %s (first %s): no heartbeat", at, first)
			}
			time.Sleep(50 * time.Millisecond)
		}
		close(release)
		waitStates(t, q, "completed")
		if events, _ := h.calls(); len(events) != 1 {
			t.Errorf("handled %v, want once", events)
		}
	})
}

func attemptedAt(t *testing.T, q *Queue, id int64) time.Time {
	t.Helper()
	row, err := q.client.JobGet(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if row.AttemptedAt == nil {
		t.Fatal("job not attempted")
	}
	return *row.AttemptedAt
}

func TestLeaseTooShort(t *testing.T) {
	d := newTestDB(t, storetest.Backends()[0])
	cfg := d.config()
	cfg.Lease = 100 * time.Millisecond
	if q, err := Open(context.Background(), cfg); err == nil {
		_ = q.Close()
		t.Fatal("a 100 ms lease was accepted")
	}
}
