package queue

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store"
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

// A job fetched by a process that died before taking its lease (its
// attempted_at is still the fetch time) is made due for River's rescuer;
// a leased job and a job fetched just now are left alone.
func TestReclaimUnleased(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t, func(c *Config) { c.Lease = time.Second })
		ctx := context.Background()
		for _, id := range []string{"dead", "leased", "fresh"} {
			if _, err := q.Enqueue(ctx, event(bot.ForgeGitHub, id)); err != nil {
				t.Fatal(err)
			}
		}
		js := jobs(t, q)
		for _, j := range js {
			setJobState(t, q, j.id, "running")
		}
		// dead: fetched 5 s ago, no lease; leased: its lease just taken.
		back := func(id int64, d time.Duration) {
			ms := d.Milliseconds()
			at := fmt.Sprintf("now() - interval '%d milliseconds'", ms)
			if q.store.Dialect() == store.SQLite {
				at = fmt.Sprintf("datetime('now', 'subsec', '-%d.%03d seconds')", ms/1000, ms%1000)
			}
			if _, err := q.db.Exec(`UPDATE river_job SET attempted_at = `+at+` WHERE id = $1`, id); err != nil {
				t.Fatal(err)
			}
		}
		back(js[0].id, 5*time.Second)
		if err := q.renewLeases(ctx, js[1].id); err != nil {
			t.Fatal(err)
		}
		before := []time.Time{attemptedAt(t, q, js[0].id), attemptedAt(t, q, js[1].id), attemptedAt(t, q, js[2].id)}
		if err := q.reclaimUnleased(ctx); err != nil {
			t.Fatal(err)
		}
		dead := attemptedAt(t, q, js[0].id)
		if before[0].Sub(dead) < q.cfg.JobTimeout-time.Minute {
			t.Errorf("dead job's attempted_at %s (was %s): not made due for rescue", dead, before[0])
		}
		if got := attemptedAt(t, q, js[1].id); !got.Equal(before[1]) {
			t.Errorf("leased job's attempted_at moved from %s to %s", before[1], got)
		}
		if got := attemptedAt(t, q, js[2].id); !got.Equal(before[2]) {
			t.Errorf("fresh job's attempted_at moved from %s to %s", before[2], got)
		}
	})
}
