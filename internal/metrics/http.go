package metrics

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// APITransport counts the forge API requests sent through it (retries
// included) by HTTP status, and on GitHub the rate-limit headroom the
// responses report. The registry may be attached after the client is made
// (Attach); requests before that are not counted.
type APITransport struct {
	forge string
	next  http.RoundTripper
	reg   atomic.Pointer[Registry]
}

// NewAPITransport counts the requests to forge ("github", "gitlab") that
// next sends, into reg (nil: once attached).
func NewAPITransport(forge string, reg *Registry, next http.RoundTripper) *APITransport {
	a := &APITransport{forge: forge, next: next}
	if reg != nil {
		a.reg.Store(reg)
	}
	return a
}

// Attach starts counting into reg.
func (a *APITransport) Attach(reg *Registry) { a.reg.Store(reg) }

// RoundTrip sends r through the next transport and counts it.
func (a *APITransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := a.next.RoundTrip(r)
	reg := a.reg.Load()
	if reg == nil {
		return resp, err
	}
	status := "error"
	if err == nil {
		status = strconv.Itoa(resp.StatusCode)
		if a.forge == "github" {
			if n, perr := strconv.ParseInt(resp.Header.Get("X-RateLimit-Remaining"), 10, 64); perr == nil {
				reg.GitHubRateLimit(n)
			}
		}
	}
	reg.APICall(a.forge, status)
	return resp, err
}

// CountDeliveries records the webhook deliveries next answers: their count
// by forge, event (the request's eventHeader) and status, and the time to
// answer.
func (r *Registry) CountDeliveries(forge, eventHeader string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, req)
		r.Delivery(forge, req.Header.Get(eventHeader), rec.status, time.Since(start))
	})
}

// statusRecorder remembers the status code of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}
