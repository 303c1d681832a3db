package queue

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store/storetest"
)

// countHandler does nothing but count events.
type countHandler struct {
	n    atomic.Int64
	want int64
	done chan struct{}
}

func (h *countHandler) HandleEvent(context.Context, bot.Event) error {
	if h.n.Add(1) == h.want {
		close(h.done)
	}
	return nil
}

func (h *countHandler) HandleEvaluation(context.Context, Evaluation) error { return nil }

// BenchmarkEventDrain measures how fast queued webhook events are handled
// when handling does nothing: b.N events are queued, then the workers
// start and the time until the last one is handled is measured (jobs/s).
// Run with -benchtime=2000x or more: a drain is what is measured.
func BenchmarkEventDrain(b *testing.B) {
	forEachBackendB(b, func(b *testing.B, d testDB) {
		q := d.open(b, func(c *Config) { c.fetchPoll = 0 })
		ctx := context.Background()
		for i := range b.N {
			if _, err := q.Enqueue(ctx, event(bot.ForgeGitHub, fmt.Sprintf("b-%d", i))); err != nil {
				b.Fatal(err)
			}
		}
		h := &countHandler{want: int64(b.N), done: make(chan struct{})}
		b.ResetTimer()
		start := time.Now()
		if err := q.Start(ctx, h); err != nil {
			b.Fatal(err)
		}
		select {
		case <-h.done:
		case <-time.After(10 * time.Minute):
			b.Fatalf("%d of %d events handled", h.n.Load(), b.N)
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
	})
}

// BenchmarkEnqueueParallel measures intake at the queue: many goroutines
// (64 × GOMAXPROCS) each enqueueing distinct
// deliveries, every call returning after its commit.
func BenchmarkEnqueueParallel(b *testing.B) {
	forEachBackendB(b, func(b *testing.B, d testDB) {
		q := d.open(b)
		var seq atomic.Int64
		b.SetParallelism(64)
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, fmt.Sprintf("p-%d", seq.Add(1)))); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "deliveries/s")
	})
}

func forEachBackendB(b *testing.B, f func(b *testing.B, d testDB)) {
	for _, be := range storetest.Backends() {
		b.Run(be.Name, func(b *testing.B) { f(b, newTestDB(b, be)) })
	}
}
