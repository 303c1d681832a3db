package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAPITransportAndDeliveries: the forge API requests are counted by
// status (GitHub's also record the rate-limit headroom), none before a
// registry is attached; deliveries are counted by forge, event and the
// status the handler answered.
func TestAPITransportAndDeliveries(t *testing.T) {
	forge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Remaining", "4321")
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
		}
	}))
	defer forge.Close()
	r := New(Build{Version: "devel"})
	later := NewAPITransport("gitlab", nil, http.DefaultTransport)
	for _, c := range []struct {
		tr   http.RoundTripper
		path string
	}{
		{NewAPITransport("github", r, http.DefaultTransport), "/ok"},
		{NewAPITransport("github", r, http.DefaultTransport), "/missing"},
		{later, "/before-attach"},
	} {
		resp, err := (&http.Client{Transport: c.tr}).Get(forge.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	later.Attach(r)
	if resp, err := (&http.Client{Transport: later}).Get(forge.URL + "/missing"); err == nil {
		resp.Body.Close()
	}
	hook := r.CountDeliveries("gitlab", "X-Gitlab-Event", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	req := httptest.NewRequest("POST", "/webhooks/gitlab", nil)
	req.Header.Set("X-Gitlab-Event", "Push Hook")
	hook.ServeHTTP(httptest.NewRecorder(), req)
	out := get(t, r)
	for _, want := range []string{
		`mpgate_github_api_calls_total{status="200"} 1`,
		`mpgate_github_api_calls_total{status="404"} 1`,
		`mpgate_github_rate_limit_remaining 4321`,
		`mpgate_gitlab_api_calls_total{status="404"} 1`,
		`mpgate_deliveries_total{event="Push Hook",forge="gitlab",status="202"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in:\n%s", want, out)
		}
	}
	if strings.Contains(out, `mpgate_gitlab_api_calls_total{status="200"}`) {
		t.Error("a request before the registry was attached was counted")
	}
}
