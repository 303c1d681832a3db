package fakegithub

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind is a failure GitHub produces.
type FaultKind int

const (
	// ServerError answers 502 Bad Gateway (GitHub's usual transient 5xx).
	ServerError FaultKind = iota
	// ForbiddenIntegration answers 403 "Resource not accessible by
	// integration": a read-only token, such as a fork pull request's.
	ForbiddenIntegration
	// SecondaryRateLimit answers 403 with Retry-After: 1 and GitHub's
	// secondary-limit message.
	SecondaryRateLimit
	// SecondaryRateLimit429 answers 429 with Retry-After: 1.
	SecondaryRateLimit429
	// PrimaryRateLimit answers 403 with X-RateLimit-Remaining: 0 and
	// X-RateLimit-Reset one second ahead.
	PrimaryRateLimit
	// DropConnection closes the connection without an answer (a network
	// error for the client).
	DropConnection
	// ServerErrorAfter lets the request take effect (a check run or a
	// comment is created) and then answers 502 Bad Gateway: GitHub's
	// front end timing out on a write that went through. A client that
	// retries the write blindly makes a second object.
	ServerErrorAfter
	// DropAfter lets the request take effect, then closes the connection
	// without an answer.
	DropAfter
)

type fault struct {
	operation string
	kind      FaultKind
	left      int
}

// Fault makes the next n requests for operation (an operationId such as
// "checks/create", a route such as "POST /repos/{owner}/{repo}/check-runs",
// or "" for any) fail with kind. Requests are still
// validated and logged.
func (f *Fake) Fault(operation string, n int, kind FaultKind) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &fault{operation: operation, kind: kind, left: n})
}

func (f *Fake) injectFault(w *recorder, r *http.Request, op *operation) bool {
	for _, ft := range f.faults {
		if ft.left <= 0 || (ft.operation != "" && ft.operation != op.id && ft.operation != op.method+" "+op.template) {
			continue
		}
		if ft.kind == ServerErrorAfter || ft.kind == DropAfter {
			continue // applied by faultAfter once the handler ran
		}
		ft.left--
		switch ft.kind {
		case ServerError:
			f.reply(w, r, http.StatusBadGateway, ghError("Server Error"))
		case ForbiddenIntegration:
			f.reply(w, r, http.StatusForbidden, map[string]any{
				"message":           "Resource not accessible by integration",
				"documentation_url": "https://docs.github.com/rest/checks/runs#create-a-check-run",
				"status":            "403",
			})
		case SecondaryRateLimit, SecondaryRateLimit429:
			status := http.StatusForbidden
			if ft.kind == SecondaryRateLimit429 {
				status = http.StatusTooManyRequests
			}
			f.reply(w, r, status, map[string]any{
				"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
				"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
			})
			w.header.Set("Retry-After", "1")
		case PrimaryRateLimit:
			f.reply(w, r, http.StatusForbidden, map[string]any{
				"message":           "API rate limit exceeded for installation ID 1.",
				"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
			})
			w.header.Set("X-RateLimit-Remaining", "0")
			w.header.Set("X-RateLimit-Reset", strconv.FormatInt(f.now().Add(time.Second).Unix()+1, 10))
		case DropConnection:
			w.status = http.StatusBadGateway
			w.drop = true
		}
		return true
	}
	return false
}

// faultAfter replaces the answer of a request that took effect with a
// ServerErrorAfter or DropAfter fault, if one is pending for op.
func (f *Fake) faultAfter(w *recorder, r *http.Request, op *operation) {
	for _, ft := range f.faults {
		if ft.left <= 0 || (ft.kind != ServerErrorAfter && ft.kind != DropAfter) ||
			(ft.operation != "" && ft.operation != op.id && ft.operation != op.method+" "+op.template) {
			continue
		}
		ft.left--
		w.header = http.Header{}
		w.body.Reset()
		if ft.kind == DropAfter {
			w.status = http.StatusBadGateway
			w.drop = true
			return
		}
		f.reply(w, r, http.StatusBadGateway, ghError("Server Error"))
		return
	}
}

type barrier struct {
	want, got int
	open      chan struct{}
}

// Barrier holds the next n requests for operation until all n have
// arrived, then lets them through together: it makes a race (two runs
// creating the same comment) happen every time instead of sometimes. A
// held request is released after 10 s regardless, so a test cannot hang.
func (f *Fake) Barrier(operation string, n int) {
	f.barrierMu.Lock()
	defer f.barrierMu.Unlock()
	if f.barriers == nil {
		f.barriers = map[string]*barrier{}
	}
	f.barriers[operation] = &barrier{want: n, open: make(chan struct{})}
}

func (f *Fake) await(r *http.Request) {
	f.barrierMu.Lock()
	if len(f.barriers) == 0 {
		f.barrierMu.Unlock()
		return
	}
	segs := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	op, _ := f.spec.match(r.Method, segs)
	var b *barrier
	if op != nil {
		b = f.barriers[op.id]
	}
	if b == nil || b.got >= b.want {
		f.barrierMu.Unlock()
		return
	}
	b.got++
	if b.got == b.want {
		close(b.open)
	}
	f.barrierMu.Unlock()
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case <-b.open:
	case <-t.C:
	case <-r.Context().Done():
	}
}

// Hold makes the next request for operation (an operationId) take effect
// and then wait, unanswered, until release is called (or the client goes
// away): a test kills the client while its write is under way. arrived is
// closed once the request took effect.
func (f *Fake) Hold(operation string) (arrived <-chan struct{}, release func()) {
	h := &hold{arrived: make(chan struct{}), release: make(chan struct{})}
	f.barrierMu.Lock()
	f.holds = append(f.holds, &heldOp{operation: operation, h: h})
	f.barrierMu.Unlock()
	var once sync.Once
	return h.arrived, func() { once.Do(func() { close(h.release) }) }
}

type hold struct{ arrived, release chan struct{} }

type heldOp struct {
	operation string
	h         *hold
	used      bool
}

// holdAnswer waits for the release of a Hold on operation, if one is
// pending.
func (f *Fake) holdAnswer(r *http.Request, operation string) {
	f.barrierMu.Lock()
	var h *hold
	for _, ho := range f.holds {
		if !ho.used && ho.operation == operation {
			ho.used = true
			h = ho.h
			break
		}
	}
	f.barrierMu.Unlock()
	if h == nil {
		return
	}
	close(h.arrived)
	select {
	case <-h.release:
	case <-r.Context().Done():
	}
}
