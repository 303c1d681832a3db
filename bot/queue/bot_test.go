package queue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/bot/gitlab"
)

// fakeBot has *worker.Worker's handler signature.
type fakeBot struct {
	mu    sync.Mutex
	calls []string
	done  chan struct{}
}

func (f *fakeBot) HandleEvent(_ context.Context, ev bot.Event) error {
	f.mu.Lock()
	f.calls = append(f.calls, "event "+ev.DeliveryID)
	f.mu.Unlock()
	return nil
}

func (f *fakeBot) HandleEvaluation(_ context.Context, headSHA string, payload []byte, jobID int64, attempt int) error {
	f.mu.Lock()
	f.calls = append(f.calls, fmt.Sprintf("eval %s %s job>0=%v attempt %d", headSHA, payload, jobID > 0, attempt))
	f.mu.Unlock()
	f.done <- struct{}{}
	return nil
}

func TestForBot(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t, func(c *Config) {
			c.MaxAttempts = 4
		})
		if q.MaxAttempts() != 4 {
			t.Errorf("MaxAttempts = %d", q.MaxAttempts())
		}
		ctx := context.Background()
		repo := bot.Repo{Forge: bot.ForgeGitLab, Owner: "grp/sub", Name: "app", ID: 77}
		f := &fakeBot{done: make(chan struct{}, 1)}
		start(t, q, HandlerFor(f))
		if dup, err := q.ForBot().EnqueueEvaluation(ctx, repo, 3, "h1", []byte("p")); err != nil || dup {
			t.Fatalf("EnqueueEvaluation = %v, %v", dup, err)
		}
		receive(t, f.done, "the evaluation")
		if _, err := q.Enqueue(ctx, event(bot.ForgeGitLab, "d")); err != nil {
			t.Fatal(err)
		}
		waitStates(t, q, "completed", "completed")
		f.mu.Lock()
		got := fmt.Sprint(f.calls)
		f.mu.Unlock()
		if got != "[eval h1 p job>0=true attempt 1 event d]" {
			t.Errorf("calls = %s", got)
		}
		if r, _, err := q.Store().Repo(ctx, "gitlab:grp/sub/app"); err != nil || r != repo {
			t.Errorf("stored repo = %+v, %v", r, err)
		}
		if cur, err := q.Current(ctx, PRKey{Repo: "gitlab:grp/sub/app", Number: 3}, "h1"); err != nil || !cur {
			t.Errorf("Current = %v, %v", cur, err)
		}
	})
}

// TestRateLimitSnoozes: each forge's rate-limit error, however wrapped,
// makes the queue run the job again when the limit lifts, without spending
// an attempt.
func TestRateLimitSnoozes(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  func(at time.Time) error
	}{
		{"github", func(at time.Time) error {
			return &github.RateLimitError{RetryAt: at, Message: "API rate limit exceeded"}
		}},
		{"github secondary", func(at time.Time) error { return &github.RateLimitError{RetryAt: at, Secondary: true} }},
		{"gitlab", func(at time.Time) error { return &gitlab.RateLimitError{RetryAt: at, Message: "Retry later"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, d testDB) {
				q := d.open(t)
				h := &fakeHandler{event: func(_ context.Context, _ bot.Event, call int) error {
					if call == 1 {
						return fmt.Errorf("list files: %w", tc.err(time.Now().Add(time.Second)))
					}
					return nil
				}}
				start(t, q, h)
				if _, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, "rl")); err != nil {
					t.Fatal(err)
				}
				js := waitStates(t, q, "completed")
				if js[0].attempt != 1 || js[0].errors != 0 {
					t.Errorf("job = %+v, want a snooze, not a failed attempt", js[0])
				}
				if st, _ := q.Stats(context.Background()); st.Snoozed != 1 || st.Failed != 0 {
					t.Errorf("stats = %+v", st)
				}
			})
		})
	}
}

// TestErrSuperseded: the queue's cancellation cause is the bot's sentinel.
func TestErrSuperseded(t *testing.T) {
	if !errors.Is(ErrSuperseded, bot.ErrSuperseded) {
		t.Errorf("queue.ErrSuperseded %v is not bot.ErrSuperseded", ErrSuperseded)
	}
}

// The bot's handler fits the adapter.
