package fakegitlab

import (
	"net/http"
	"strconv"
	"time"
)

// FaultKind is a failure GitLab (or its proxy) produces.
type FaultKind int

const (
	// ServerError answers 502 Bad Gateway (GitLab's usual transient 5xx,
	// from Workhorse or the load balancer).
	ServerError FaultKind = iota
	// RateLimited answers 429 with Retry-After: 1 and GitLab's
	// RateLimit-* headers.
	RateLimited
	// Forbidden answers 403 {"message":"403 Forbidden"}: the token's user
	// lacks the role (a Reporter posting a commit status).
	Forbidden
)

type fault struct {
	route string
	kind  FaultKind
	left  int
	after int // Retry-After seconds for RateLimited
}

// Fault makes the next n requests for route ("POST
// /projects/:id/statuses/:sha", or "" for any) fail with kind. Requests are
// still checked and logged.
func (f *Fake) Fault(route string, n int, kind FaultKind) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &fault{route: route, kind: kind, left: n, after: 1})
}

// RateLimit makes the next n requests for route answer 429 with
// Retry-After: seconds.
func (f *Fake) RateLimit(route string, n, seconds int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &fault{route: route, kind: RateLimited, left: n, after: seconds})
}

// injectFault answers with a programmed fault if one applies; f.mu is held.
func (f *Fake) injectFault(w *recorder, route string) bool {
	for _, ft := range f.faults {
		if ft.left <= 0 || (ft.route != "" && ft.route != route) {
			continue
		}
		ft.left--
		switch ft.kind {
		case ServerError:
			w.header.Set("Content-Type", "text/html")
			w.status = http.StatusBadGateway
			w.body = []byte("<html><body><h1>502 Bad Gateway</h1></body></html>\n")
		case RateLimited:
			reset := f.now().Add(time.Duration(ft.after) * time.Second)
			w.header.Set("Retry-After", strconv.Itoa(ft.after))
			w.header.Set("RateLimit-Name", "throttle_authenticated_api")
			w.header.Set("RateLimit-Limit", "60")
			w.header.Set("RateLimit-Observed", "61")
			w.header.Set("RateLimit-Remaining", "0")
			w.header.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
			w.header.Set("RateLimit-ResetTime", reset.UTC().Format(http.TimeFormat))
			w.header.Set("Content-Type", "text/plain")
			w.status = http.StatusTooManyRequests
			w.body = []byte("Retry later\n")
		case Forbidden:
			w.json(http.StatusForbidden, map[string]any{"message": "403 Forbidden"})
		}
		return true
	}
	return false
}

type barrier struct {
	n       int
	arrived int
	release chan struct{}
}

// Barrier holds the next n requests for route until all n have arrived
// (so n concurrent clients are known to have read the same state before
// any writes). A request held longer than ten seconds is let go and the
// wait recorded as an error.
func (f *Fake) Barrier(route string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.barriers[route] = &barrier{n: n, release: make(chan struct{})}
}

// wait blocks at route's barrier, if any; f.mu is not held.
func (f *Fake) wait(route string) {
	f.mu.Lock()
	b := f.barriers[route]
	if b == nil || b.arrived >= b.n {
		f.mu.Unlock()
		return
	}
	b.arrived++
	if b.arrived == b.n {
		close(b.release)
	}
	f.mu.Unlock()
	select {
	case <-b.release:
	case <-time.After(10 * time.Second):
		f.mu.Lock()
		f.errorf("barrier %s: only %d of %d requests arrived", route, b.arrived, b.n)
		f.mu.Unlock()
	}
}
