package github

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"
)

func TestRateLimitRecognition(t *testing.T) {
	now := time.Date(2026, 11, 21, 5, 0, 0, 0, time.UTC)
	tr := &retryTransport{cfg: defaultConfig()}
	tr.cfg.now = func() time.Time { return now }
	tests := []struct {
		name      string
		status    int
		header    map[string]string
		msg       string
		want      bool
		secondary bool
		retryAt   time.Time
	}{
		{"retry-after seconds", 403, map[string]string{"Retry-After": "30"}, "", true, true, now.Add(30 * time.Second)},
		{"retry-after date", 429, map[string]string{"Retry-After": now.Add(2 * time.Minute).Format(http.TimeFormat)}, "", true, true, now.Add(2 * time.Minute)},
		{"secondary message only", 403, nil, "You have exceeded a secondary rate limit.", true, true, now.Add(time.Minute)},
		{"bare 429", 429, nil, "", true, true, now.Add(time.Minute)},
		{"primary", 403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": fmt.Sprint(now.Add(10 * time.Minute).Unix())}, "API rate limit exceeded", true, false, now.Add(10 * time.Minute)},
		{"primary without reset", 403, map[string]string{"X-RateLimit-Remaining": "0"}, "", true, false, now.Add(time.Minute)},
		{"fork token", 403, map[string]string{"X-RateLimit-Remaining": "4999"}, "Resource not accessible by integration", false, false, time.Time{}},
		{"plain forbidden", 403, nil, "Must have admin rights to Repository.", false, false, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Header: http.Header{}}
			for k, v := range tt.header {
				resp.Header.Set(k, v)
			}
			rl := tr.rateLimit(resp, tt.msg)
			if (rl != nil) != tt.want {
				t.Fatalf("got %v, want limit=%v", rl, tt.want)
			}
			if rl == nil {
				return
			}
			if rl.Secondary != tt.secondary || !rl.RetryAt.Equal(tt.retryAt) {
				t.Errorf("%+v, want secondary=%v at %s", rl, tt.secondary, tt.retryAt)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	reset := time.Now().Add(time.Hour).Truncate(time.Second)
	after := 5 * time.Second
	other := errors.New("boom")
	tests := []struct {
		name      string
		err       error
		secondary bool
		passes    bool
	}{
		{"go-github primary", fmt.Errorf("x: %w", &gh.RateLimitError{Rate: gh.Rate{Reset: gh.Timestamp{Time: reset}}, Message: "m"}), false, false},
		{"go-github secondary", &gh.AbuseRateLimitError{RetryAfter: &after, Message: "m"}, true, false},
		{"other", other, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.err)
			if tt.passes {
				if got != tt.err {
					t.Errorf("changed: %v", got)
				}
				return
			}
			var rl *RateLimitError
			if !errors.As(got, &rl) || rl.Secondary != tt.secondary {
				t.Fatalf("%v", got)
			}
			if !tt.secondary && !rl.RetryAt.Equal(reset) {
				t.Errorf("retry at %s, want %s", rl.RetryAt, reset)
			}
		})
	}
}

// roundTripFunc lets a test be the network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The ETag cache never serves one credential's answer to another.
func TestETagCacheIsPerCredential(t *testing.T) {
	var seen []string
	net := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.Header.Get("Authorization")+" "+r.Header.Get("If-None-Match"))
		h := http.Header{}
		h.Set("ETag", `"v1"`)
		status, body := 200, "secret of "+r.Header.Get("Authorization")
		if r.Header.Get("If-None-Match") == `"v1"` {
			status, body = 304, ""
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	})
	tr := &retryTransport{next: net, cfg: defaultConfig()}
	get := func(auth string) string {
		req, _ := http.NewRequest("GET", "https://api.example/repos/o/r", nil)
		req.Header.Set("Authorization", auth)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		return string(b)
	}
	steps := []struct{ auth, want, sent string }{
		{"token A", "secret of token A", "token A "},
		{"token A", "secret of token A", `token A "v1"`},
		{"token B", "secret of token B", "token B "},
	}
	for i, s := range steps {
		if got := get(s.auth); got != s.want {
			t.Errorf("step %d: %q, want %q", i, got, s.want)
		}
		if seen[i] != s.sent {
			t.Errorf("step %d sent %q, want %q", i, seen[i], s.sent)
		}
	}
}

func TestTransportOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		method    string
		wantErr   error
		wantTries int
		wantCode  int
	}{
		{"fork token", 403, `{"message":"Resource not accessible by integration"}`, "POST", ErrForbidden, 1, 0},
		{"fine-grained PAT", 403, `{"message":"Resource not accessible by personal access token"}`, "PATCH", ErrForbidden, 1, 0},
		{"other 403 passes up", 403, `{"message":"Must have admin rights"}`, "GET", nil, 1, 403},
		{"503 retried", 503, `{}`, "POST", nil, 3, 503},
		{"501 not retried", 501, `{}`, "GET", nil, 1, 501},
		{"422 not retried", 422, `{"message":"Validation Failed"}`, "POST", nil, 1, 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tries := 0
			rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				tries++
				if r.Method == "POST" {
					if b, _ := io.ReadAll(r.Body); string(b) != `{"x":1}` {
						t.Errorf("try %d sent body %q", tries, b)
					}
				}
				return &http.Response{StatusCode: tt.status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(tt.body)), Request: r}, nil
			})
			tr := &retryTransport{next: rt, cfg: defaultConfig()}
			tr.cfg.attempts, tr.cfg.backoff = 3, 0
			var body io.Reader
			if tt.method == "POST" {
				body = strings.NewReader(`{"x":1}`)
			}
			req, _ := http.NewRequest(tt.method, "https://api.example/repos/o/r/x", body)
			resp, err := tr.RoundTrip(req)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if tries != tt.wantTries {
				t.Errorf("%d tries, want %d", tries, tt.wantTries)
			}
			if resp != nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tt.wantCode || string(b) != tt.body {
					t.Errorf("passed up %d %q", resp.StatusCode, b)
				}
			} else if tt.wantCode != 0 {
				t.Errorf("no response, want %d", tt.wantCode)
			}
		})
	}
}
