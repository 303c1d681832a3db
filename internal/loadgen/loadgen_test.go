package loadgen

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot/queue"
	"github.com/mpgate/mpgate/webhooks"
)

func validConfig() Config {
	return Config{URL: "http://127.0.0.1:1/webhooks/github", Secret: []byte("s"), Payload: Payloads()["comment"], Count: 10, Concurrency: 2}
}

func TestCheckRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   error // nil: accepted; errBad: refused without a sentinel
	}{
		{"valid", func(*Config) {}, nil},
		{"localhost", func(c *Config) { c.URL = "http://localhost:8080/webhooks/github" }, nil},
		{"ipv6 loopback", func(c *Config) { c.URL = "http://[::1]:8080/webhooks/github" }, nil},
		{"other 127 address", func(c *Config) { c.URL = "https://127.1.2.3/x" }, nil},
		{"private address", func(c *Config) { c.URL = "http://10.0.0.1:8080/webhooks/github" }, ErrNotLoopback},
		{"unspecified address", func(c *Config) { c.URL = "http://0.0.0.0:8080/" }, ErrNotLoopback},
		{"public name", func(c *Config) { c.URL = "http://example.com/webhooks/github" }, ErrNotLoopback},
		{"name ending in localhost", func(c *Config) { c.URL = "http://localhost.example.com/" }, ErrNotLoopback},
		{"mapped public address", func(c *Config) { c.URL = "http://[::ffff:8.8.8.8]/" }, ErrNotLoopback},
		{"scheme", func(c *Config) { c.URL = "ftp://127.0.0.1/" }, errBad},
		{"user info", func(c *Config) { c.URL = "http://u:p@127.0.0.1/" }, errBad},
		{"count zero", func(c *Config) { c.Count = 0 }, ErrBounds},
		{"count over", func(c *Config) { c.Count = MaxCount + 1 }, ErrBounds},
		{"count at bound", func(c *Config) { c.Count = MaxCount }, nil},
		{"concurrency zero", func(c *Config) { c.Concurrency = 0 }, ErrBounds},
		{"concurrency over", func(c *Config) { c.Concurrency = MaxConcurrency + 1 }, ErrBounds},
		{"duration over", func(c *Config) { c.Duration = MaxDuration + time.Second }, ErrBounds},
		{"duration negative", func(c *Config) { c.Duration = -time.Second }, ErrBounds},
		{"redeliver every one", func(c *Config) { c.RedeliverEvery = 1 }, ErrBounds},
		{"rate negative", func(c *Config) { c.Rate = -1 }, ErrBounds},
		{"rate over", func(c *Config) { c.Rate = MaxRate + 1 }, ErrBounds},
		{"rate at bound", func(c *Config) { c.Rate = MaxRate }, nil},
		{"no secret", func(c *Config) { c.Secret = nil }, errBad},
		{"no payload", func(c *Config) { c.Payload = Payload{} }, errBad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.change(&c)
			err := c.Check()
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want == errBad && err == nil, tt.want != nil && tt.want != errBad && !errors.Is(err, tt.want):
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			// Run refuses what Check refuses, before sending anything.
			if tt.want != nil {
				if _, err := Run(context.Background(), c); err == nil {
					t.Fatal("Run accepted a config Check refuses")
				}
			}
		})
	}
}

var errBad = errors.New("refused")

func TestDialRefusesNonLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:80": true, "127.9.9.9:1": true, "[::1]:443": true, "[::ffff:127.0.0.1]:80": true,
		"10.0.0.1:80": false, "192.168.1.1:80": false, "[2001:db8::1]:80": false, "8.8.8.8:53": false,
	} {
		err := loopbackOnly("tcp", addr, nil)
		if (err == nil) != ok {
			t.Errorf("%s: %v, want allowed=%v", addr, err, ok)
		}
		if err != nil && !errors.Is(err, ErrNotLoopback) {
			t.Errorf("%s: %v is not ErrNotLoopback", addr, err)
		}
	}
}

// TestRunAgainstRealIntake sends real signed deliveries to the real
// webhook handler over a real SQLite queue: every one is accepted but the
// redeliveries, which are duplicates; a wrong secret gets only errors.
func TestRunAgainstRealIntake(t *testing.T) {
	ctx := context.Background()
	q, err := queue.Open(ctx, queue.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	srv := httptest.NewServer(webhooks.NewGitHub(webhooks.GitHubConfig{Secret: []byte("s3cret"), Enqueuer: q}))
	t.Cleanup(srv.Close)

	for _, p := range []string{"comment", "pull_request"} {
		t.Run(p, func(t *testing.T) {
			cfg := Config{URL: srv.URL + "/webhooks/github", Secret: []byte("s3cret"), Payload: Payloads()[p],
				Count: 40, Concurrency: 8, RedeliverEvery: 4, IDPrefix: p + "-"}
			res, err := Run(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Sent != 40 || res.Errors != 0 || res.ExpectedDuplicates != 10 || res.Duplicates != 10 || res.Accepted != 30 {
				t.Fatalf("got %s", res)
			}
			if res.Percentile(0.5) <= 0 || res.Percentile(0.99) < res.Percentile(0.5) || res.Rate() <= 0 {
				t.Fatalf("figures: %s", res)
			}
			// The same ids again: every one is a duplicate, nothing is queued twice.
			cfg.RedeliverEvery = 0
			cfg.Count = 3
			again, err := Run(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if again.Duplicates != 3 || again.Accepted != 0 {
				t.Fatalf("second run: %s", again)
			}
		})
	}

	t.Run("open loop", func(t *testing.T) {
		// 20 deliveries due 10 ms apart: the run cannot end before the
		// last is due (190 ms), however fast the server answers.
		res, err := Run(ctx, Config{URL: srv.URL + "/webhooks/github", Secret: []byte("s3cret"), Payload: Payloads()["comment"],
			Count: 20, Concurrency: 4, Rate: 100, IDPrefix: "open-"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Sent != 20 || res.Accepted != 20 || res.Errors != 0 {
			t.Fatalf("got %s", res)
		}
		if res.Elapsed < 190*time.Millisecond {
			t.Fatalf("20 deliveries at 100/s took %s: not paced", res.Elapsed)
		}
	})

	t.Run("wrong secret", func(t *testing.T) {
		res, err := Run(ctx, Config{URL: srv.URL + "/webhooks/github", Secret: []byte("wrong"), Payload: Payloads()["comment"], Count: 5, Concurrency: 2})
		if err != nil {
			t.Fatal(err)
		}
		if res.Errors != 5 || res.Status[401] != 5 || len(res.FirstErrors) != 1 || !strings.Contains(res.FirstErrors[0], "signature") {
			t.Fatalf("got %s", res)
		}
	})

	t.Run("stopped", func(t *testing.T) {
		stopped, cancel := context.WithCancel(ctx)
		cancel()
		res, err := Run(stopped, Config{URL: srv.URL + "/webhooks/github", Secret: []byte("s3cret"), Payload: Payloads()["comment"], Count: MaxCount, Concurrency: 4})
		if err != nil {
			t.Fatal(err)
		}
		if res.Sent != 0 || res.Errors != 0 {
			t.Fatalf("a stopped run sent: %s", res)
		}
	})
}

func TestPercentile(t *testing.T) {
	r := Result{latencies: []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}
	for p, want := range map[float64]time.Duration{0.5: 5, 0.99: 10, 1: 10, 0.1: 1, 0: 1} {
		if got := r.Percentile(p); got != want {
			t.Errorf("p%v = %d, want %d", p, got, want)
		}
	}
	if (Result{}).Percentile(0.5) != 0 {
		t.Error("empty result has a percentile")
	}
}
