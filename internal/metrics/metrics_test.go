package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// get scrapes the registry's handler over a loopback HTTP server.
func get(t *testing.T, r *Registry) string {
	t.Helper()
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	return string(body)
}

func TestRegistry(t *testing.T) {
	tests := []struct {
		name    string
		do      func(r *Registry)
		want    []string
		notWant []string
	}{
		{
			name: "build info",
			do:   func(*Registry) {},
			want: []string{`mpgate_build_info{commit="abc",date="2026-12-05T20:00:00Z",goversion="go`, `version="v1.2.3"} 1`, "go_goroutines ", "process_"},
			// No rate limit before GitHub reported one.
			notWant: []string{"mpgate_github_rate_limit_remaining"},
		},
		{
			name: "deliveries: odd event headers are one label value",
			do: func(r *Registry) {
				r.Delivery("github", "", 202, time.Millisecond)
				r.Delivery("github", strings.Repeat("x", 41), 400, 2*time.Millisecond)
				r.Delivery("gitlab", "Push Hook", 202, 3*time.Millisecond)
			},
			want: []string{
				`mpgate_deliveries_total{event="unknown",forge="github",status="202"} 1`,
				`mpgate_deliveries_total{event="unknown",forge="github",status="400"} 1`,
				`mpgate_deliveries_total{event="Push Hook",forge="gitlab",status="202"} 1`,
				`mpgate_webhook_duration_seconds_count{forge="github"} 2`,
				`mpgate_webhook_duration_seconds_bucket{forge="github",le="0.001"} 1`,
				`mpgate_webhook_duration_seconds_bucket{forge="github",le="0.0025"} 2`,
				`mpgate_webhook_duration_seconds_sum{forge="gitlab"} 0.003`,
			},
		},
		{
			name: "jobs, builds and evaluations",
			do: func(r *Registry) {
				r.JobStarted("mpgate.evaluate", 100*time.Millisecond)
				r.JobDone("mpgate.evaluate", 5*time.Second)
				r.Build(4*time.Second, "ok")
				r.Build(time.Minute, "timed_out")
				r.Evaluation(5*time.Second, "failure")
			},
			want: []string{
				`mpgate_queue_wait_seconds_bucket{kind="mpgate.evaluate",le="0.05"} 0`,
				`mpgate_queue_wait_seconds_bucket{kind="mpgate.evaluate",le="0.2"} 1`,
				`mpgate_job_duration_seconds_count{kind="mpgate.evaluate"} 1`,
				`mpgate_build_duration_seconds_count{outcome="ok"} 1`,
				`mpgate_build_duration_seconds_count{outcome="timed_out"} 1`,
				`mpgate_evaluation_duration_seconds_sum{conclusion="failure"} 5`,
			},
		},
		{
			name: "API calls of known forges, and the rate limit once reported",
			do: func(r *Registry) {
				r.APICall("github", "201")
				r.APICall("github", "201")
				r.APICall("gitlab", "error")
				r.APICall("bitbucket", "200")
				r.GitHubRateLimit(4999)
				r.GitHubRateLimit(4998)
			},
			want:    []string{`mpgate_github_api_calls_total{status="201"} 2`, `mpgate_gitlab_api_calls_total{status="error"} 1`, "mpgate_github_rate_limit_remaining 4998"},
			notWant: []string{"bitbucket"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(Build{Version: "v1.2.3", Commit: "abc", Date: "2026-12-05T20:00:00Z"})
			tt.do(r)
			out := get(t, r)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("%q in\n%s", w, out)
				}
			}
		})
	}
}

// TestCollectQueue: the queue is read at each scrape; when it cannot be
// read (the database is down) /metrics still answers, without the queue.
func TestCollectQueue(t *testing.T) {
	r := New(Build{Version: "devel"})
	var fail bool
	r.CollectQueue(func(ctx context.Context) (QueueStats, error) {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("the queue is read without a deadline")
		}
		if fail {
			return QueueStats{}, errors.New("database down")
		}
		return QueueStats{Depth: []QueueDepth{{Kind: "mpgate.event", State: "available", Count: 3}},
			Outcomes: map[string]int64{"run": 7, "failed": 1}}, nil
	})
	out := get(t, r)
	for _, w := range []string{`mpgate_queue_jobs{kind="mpgate.event",state="available"} 3`, `mpgate_jobs_total{outcome="run"} 7`, `mpgate_jobs_total{outcome="failed"} 1`} {
		if !strings.Contains(out, w) {
			t.Errorf("no %q in\n%s", w, out)
		}
	}
	fail = true
	if out := get(t, r); strings.Contains(out, "mpgate_queue_jobs{") || !strings.Contains(out, "mpgate_build_info") {
		t.Errorf("with the database down:\n%s", out)
	}
}
