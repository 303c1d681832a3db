package gitlab

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	gl "gitlab.com/gitlab-org/api/client-go"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name         string
		after, reset string
		want         time.Duration
	}{
		{"seconds", "3", "", 3 * time.Second},
		{"zero", "0", "", 0},
		{"HTTP date", now.Add(90 * time.Second).Format(http.TimeFormat), "", 90 * time.Second},
		{"past date", now.Add(-time.Hour).Format(http.TimeFormat), "", 0},
		{"RateLimit-Reset", "", "1767323105", 60 * time.Second}, // now + 60 s
		{"garbage", "soon", "", time.Second},
		{"huge", "2001700000000", "", 24 * time.Hour},
		{"negative", "-5", "", time.Second},
		{"none", "", "", time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.after != "" {
				h.Set("Retry-After", tc.after)
			}
			if tc.reset != "" {
				h.Set("RateLimit-Reset", tc.reset)
			}
			if got := retryAfter(&http.Response{Header: h}, now); got != tc.want {
				t.Errorf("retryAfter = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBackoffHonoursRetryAfter(t *testing.T) {
	p := policy{maxWait: 10 * time.Second}
	for _, tc := range []struct {
		name  string
		after string
		want  time.Duration
		retry bool
	}{
		{"small", "2", 2 * time.Second, true},
		{"capped", "3600", 10 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {tc.after}}}
			if got := p.backoff(time.Millisecond, 2*time.Millisecond, 1, resp); got != tc.want {
				t.Errorf("backoff = %v, want %v", got, tc.want)
			}
			retry, err := p.check(t.Context(), resp, nil)
			if err != nil || retry != tc.retry {
				t.Errorf("check = %v, %v; want %v", retry, err, tc.retry)
			}
		})
	}
	for code, want := range map[int]bool{500: true, 502: true, 503: true, 501: false, 400: false, 404: false, 200: false} {
		retry, _ := p.check(t.Context(), &http.Response{StatusCode: code}, nil)
		if retry != want {
			t.Errorf("check(%d) = %v, want %v", code, retry, want)
		}
	}
}

func errResp(code int, body string) *gl.ErrorResponse {
	req := &http.Request{Method: "POST", URL: &url.URL{Scheme: "https", Host: "gitlab.example.com", Path: "/api/v4/x"}}
	return &gl.ErrorResponse{Body: []byte(body), Response: &http.Response{StatusCode: code, Status: http.StatusText(code), Request: req}}
}

func TestSameState(t *testing.T) {
	for _, tc := range []struct {
		name  string
		code  int
		body  string
		state string
		want  bool
	}{
		{"running→running", 400, `{"message":"Cannot transition status via :run from :running (Reason(s): Status cannot transition via \"run\")"}`, "running", true},
		{"pending→pending", 400, `{"message":"Cannot transition status via :enqueue from :pending (Reason(s): Status cannot transition via \"enqueue\")"}`, "pending", true},
		{"running→pending", 400, `{"message":"Cannot transition status via :enqueue from :running (Reason(s): …)"}`, "pending", false},
		{"other 400", 400, `{"message":"state is invalid"}`, "running", false},
		{"not 400", 500, `{"message":"Cannot transition status via :run from :running"}`, "running", false},
		{"not JSON", 400, `Cannot transition status via :run from :running`, "running", false},
		{"cut short", 400, `{"message":"Cannot transition status via :run"}`, "running", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sameState(errResp(tc.code, tc.body), tc.state); got != tc.want {
				t.Errorf("sameState = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMessage(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"message":"403 Forbidden"}`, "403 Forbidden"},
		{`{"error":"state is missing"}`, "state is missing"},
		{`{"message":{"note":["is too long"]}}`, `{"note":["is too long"]}`},
		{`<html>`, "Bad Request"},
		{`{}`, "Bad Request"},
	} {
		t.Run(tc.body, func(t *testing.T) {
			if got := message(errResp(400, tc.body)); got != tc.want {
				t.Errorf("message = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTruncateLines(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		limit    int
		want     string
	}{
		{"fits", "a\nb", 10, "a\nb"},
		{"line boundary", "aaaa\nbbbb\ncccc", 12, "aaaa\nbbbb…"},
		{"no newline", "abcdefghij", 6, "abcde…"},
		{"tiny limit", "abcdef", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := truncateLines(tc.in, tc.limit, "…"); got != tc.want {
				t.Errorf("= %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzRetryAfter(f *testing.F) {
	f.Add("3", "")
	f.Add("Wed, 21 Oct 2015 07:28:00 GMT", "")
	f.Add("", "1767323105")
	f.Add("-1", "-1")
	f.Fuzz(func(t *testing.T, after, reset string) {
		h := http.Header{}
		h.Set("Retry-After", after)
		h.Set("RateLimit-Reset", reset)
		if d := retryAfter(&http.Response{Header: h}, time.Now()); d < 0 {
			t.Fatalf("negative wait %v", d)
		}
	})
}

func FuzzSameState(f *testing.F) {
	f.Add(`{"message":"Cannot transition status via :run from :running (x)"}`, "running")
	f.Add(`{"message":{"a":["b"]}}`, "pending")
	f.Add(`{"error":"x"}`, "")
	f.Fuzz(func(t *testing.T, body, state string) {
		er := errResp(400, body)
		got := sameState(er, state)
		if got && !strings.Contains(message(er), "from :"+state) {
			t.Fatalf("sameState true without %q in %q", state, message(er))
		}
	})
}

func FuzzTruncateLines(f *testing.F) {
	f.Add("aaaa\nbbbb\ncccc", 12, "…")
	f.Add("", 0, "")
	f.Add("é\nü", 2, "\n_(cut)_")
	f.Fuzz(func(t *testing.T, s string, limit int, note string) {
		if limit < 0 || limit > 1<<16 || !utf8.ValidString(s) || !utf8.ValidString(note) {
			return
		}
		got := truncateLines(s, limit, note)
		if utf8.RuneCountInString(got) > limit && utf8.RuneCountInString(s) > limit {
			t.Fatalf("%d runes > limit %d", utf8.RuneCountInString(got), limit)
		}
		if utf8.RuneCountInString(s) <= limit && got != s {
			t.Fatal("a fitting string was changed")
		}
		if utf8.RuneCountInString(s) > limit && utf8.RuneCountInString(note) < limit && !bytes.HasSuffix([]byte(got), []byte(note)) {
			t.Fatal("note missing")
		}
	})
}
