// Package loadgen sends signed GitHub webhook deliveries to an mpgate server
// on this machine and measures how it takes them: intake rate, latency
// percentiles, errors and duplicates.
//
// It is bounded by construction: a run sends at most MaxCount deliveries,
// from at most MaxConcurrency connections, for at most MaxDuration, and only
// to a loopback address (127.0.0.0/8, ::1 or localhost): the target URL is
// checked before anything is sent, and every connection's remote address is
// checked again when it is dialled, so a name that resolves elsewhere is
// refused too.
package loadgen

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Bounds of one run.
const (
	MaxCount       = 100_000
	MaxConcurrency = 1024
	// MaxRate bounds an open-loop run's deliveries per second.
	MaxRate     = 100_000
	MaxDuration = 10 * time.Minute
)

// ErrNotLoopback is returned for a target that is not on this machine.
var ErrNotLoopback = errors.New("loadgen: target is not a loopback address")

// ErrBounds is returned for a count, concurrency or duration out of bounds.
var ErrBounds = errors.New("loadgen: out of bounds")

//go:embed payloads/*.json
var payloads embed.FS

// Payload is a real GitHub delivery body and its event name.
type Payload struct {
	Event string
	Body  []byte
}

// Payloads are the embedded real deliveries by short name (see
// payloads/ORIGINS.md): "comment" (an issue_comment on a pull request
// without an installation: queued, then dropped at once by the bot) and
// "pull_request" (a pull request opened).
func Payloads() map[string]Payload {
	read := func(name string) []byte {
		b, err := payloads.ReadFile("payloads/" + name)
		if err != nil {
			panic(err) // embedded at build time
		}
		return b
	}
	return map[string]Payload{
		"comment":      {Event: "issue_comment", Body: read("pull-request-issue-comment.json")},
		"pull_request": {Event: "pull_request", Body: read("pull-request.json")},
	}
}

// Config is one run.
type Config struct {
	// URL is the webhook endpoint, e.g. http://127.0.0.1:8080/webhooks/github.
	URL string
	// Secret is the webhook secret the server checks signatures with.
	Secret  []byte
	Payload Payload
	// Count is how many deliveries are sent (1..MaxCount), redeliveries
	// included.
	Count int
	// Concurrency is how many deliveries are in flight at once
	// (1..MaxConcurrency).
	Concurrency int
	// Rate, when positive, sends open-loop: the i-th delivery is due at
	// start + i/Rate seconds, whatever the answers before it, with at most
	// Concurrency in flight; its latency counts from when it was due, so
	// waiting for a free connection is counted too (no coordinated
	// omission). 0: closed loop, each of the Concurrency senders sends its
	// next delivery as soon as the previous one is answered, as fast as the
	// server goes (latency then follows from the rate: Concurrency / rate
	// on average). At most MaxRate.
	Rate float64
	// Duration stops the run early (0: MaxDuration; at most MaxDuration).
	Duration time.Duration
	// RedeliverEvery makes every n-th delivery repeat the id of the one
	// before it, as GitHub's redelivery does (0: every id is new); the
	// server must answer those as duplicates.
	RedeliverEvery int
	// IDPrefix starts every delivery id (default "load-" and the start
	// time), so runs against one database do not collide.
	IDPrefix string
}

// Check validates c: bounds and a loopback target.
func (c Config) Check() error {
	if c.Count < 1 || c.Count > MaxCount {
		return fmt.Errorf("%w: count %d (1..%d)", ErrBounds, c.Count, MaxCount)
	}
	if c.Concurrency < 1 || c.Concurrency > MaxConcurrency {
		return fmt.Errorf("%w: concurrency %d (1..%d)", ErrBounds, c.Concurrency, MaxConcurrency)
	}
	if c.Duration < 0 || c.Duration > MaxDuration {
		return fmt.Errorf("%w: duration %s (0..%s)", ErrBounds, c.Duration, MaxDuration)
	}
	if c.Rate < 0 || c.Rate > MaxRate {
		return fmt.Errorf("%w: rate %g per second (0: as fast as answered, else at most %d)", ErrBounds, c.Rate, MaxRate)
	}
	if c.RedeliverEvery < 0 || c.RedeliverEvery == 1 {
		return fmt.Errorf("%w: redeliver every %d (0: never, else at least 2)", ErrBounds, c.RedeliverEvery)
	}
	if len(c.Secret) == 0 {
		return errors.New("loadgen: no webhook secret: the server refuses unsigned deliveries")
	}
	if c.Payload.Event == "" || len(c.Payload.Body) == 0 {
		return errors.New("loadgen: no payload")
	}
	return CheckTarget(c.URL)
}

// CheckTarget accepts an http or https URL whose host is a loopback IP
// address or "localhost".
func CheckTarget(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("loadgen: target %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("loadgen: target %q: scheme must be http or https", raw)
	}
	if u.User != nil {
		return fmt.Errorf("loadgen: target %q: no user information allowed", raw)
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: %q (use 127.0.0.1, ::1 or localhost)", ErrNotLoopback, host)
	}
	return nil
}

// loopbackOnly refuses, at dial time, a connection to anything but a
// loopback address (a "localhost" that resolves elsewhere).
func loopbackOnly(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !ap.Addr().Unmap().IsLoopback() {
		return fmt.Errorf("%w: dialling %s", ErrNotLoopback, address)
	}
	return nil
}

// Result is what a run measured.
type Result struct {
	Sent int
	// Accepted are 2xx answers that queued the delivery ("accepted …").
	Accepted int
	// Duplicates are 2xx answers saying the delivery id was seen before.
	Duplicates int
	// ExpectedDuplicates is how many redeliveries were sent.
	ExpectedDuplicates int
	// Ignored are 2xx answers for deliveries the server does not act on.
	Ignored int
	// Errors are transport errors and non-2xx answers.
	Errors int
	// Status counts answers by HTTP status (0: transport error).
	Status map[int]int
	// FirstErrors holds up to five distinct error descriptions.
	FirstErrors []string
	Elapsed     time.Duration
	// latencies of every answered delivery, sorted.
	latencies []time.Duration
}

// Rate is the deliveries answered with 2xx per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Accepted+r.Duplicates+r.Ignored) / r.Elapsed.Seconds()
}

// Percentile is the latency below which p (0..1) of the answered
// deliveries fall (nearest rank).
func (r Result) Percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(p*float64(len(r.latencies))+0.999999) - 1
	return r.latencies[min(max(i, 0), len(r.latencies)-1)]
}

// String is the report: one line of figures.
func (r Result) String() string {
	s := fmt.Sprintf("sent %d in %.2fs: %.0f/s; accepted %d, duplicates %d (expected %d), ignored %d, errors %d; latency p50 %s p99 %s max %s",
		r.Sent, r.Elapsed.Seconds(), r.Rate(), r.Accepted, r.Duplicates, r.ExpectedDuplicates, r.Ignored, r.Errors,
		ms(r.Percentile(0.5)), ms(r.Percentile(0.99)), ms(r.Percentile(1)))
	if len(r.FirstErrors) > 0 {
		s += "; first errors: " + strings.Join(r.FirstErrors, "; ")
	}
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// Sign is GitHub's X-Hub-Signature-256 of body under secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Run sends cfg.Count deliveries, cfg.Concurrency at a time, and measures
// the answers. It stops early when ctx ends or cfg.Duration passes (the
// result then counts what was sent). Its workers are its own: it waits for
// every one before it returns.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.Check(); err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, cmp.Or(cfg.Duration, MaxDuration))
	defer cancel()
	if cfg.IDPrefix == "" {
		cfg.IDPrefix = fmt.Sprintf("load-%d-", time.Now().UnixNano())
	}
	client := newClient(cfg.Concurrency)
	defer client.CloseIdleConnections()
	s := &sender{cfg: cfg, client: client, sig: Sign(cfg.Secret, cfg.Payload.Body)}
	s.tally.res.Status = map[int]int{}
	s.start = time.Now()
	var wg sync.WaitGroup
	for range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.work(ctx)
		}()
	}
	wg.Wait()
	res := s.tally.res // every worker is done: no lock needed
	res.Elapsed = time.Since(s.start)
	slices.Sort(res.latencies)
	return res, nil
}

// newClient is the HTTP client of a run: connections only to this machine,
// at most conns idle ones kept, no proxy and no redirects followed.
func newClient(conns int) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: loopbackOnly}
	tr := &http.Transport{
		DialContext:         dialer.DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     30 * time.Second,
		// No proxy: the target is this machine.
		Proxy: nil,
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// sender is what the workers of one run share: what they send, the counter
// they claim deliveries from, and the tally they record answers in.
type sender struct {
	cfg    Config
	client *http.Client
	sig    string
	start  time.Time // set before the workers start; read-only after
	next   atomic.Int64
	tally  tally
}

// work is one worker: it claims and sends deliveries until none are left or
// ctx ends.
func (s *sender) work(ctx context.Context) {
	cfg := s.cfg
	for ctx.Err() == nil {
		i := int(s.next.Add(1)) - 1
		if i >= cfg.Count {
			return
		}
		id, redelivery := i, cfg.RedeliverEvery > 0 && i%cfg.RedeliverEvery == cfg.RedeliverEvery-1
		if redelivery {
			id = i - 1
		}
		due, ok := s.wait(ctx, i)
		if !ok {
			return
		}
		status, lat, kind, errText := deliver(ctx, s.client, cfg, s.sig, fmt.Sprintf("%s%d", cfg.IDPrefix, id), due)
		if status == 0 && ctx.Err() != nil {
			return // stopped: not a server error
		}
		s.tally.record(redelivery, status, lat, kind, errText)
	}
}

// wait holds delivery i until its due time when cfg.Rate paces the run, and
// returns that time (zero when unpaced). It reports false when ctx ended
// while waiting.
func (s *sender) wait(ctx context.Context, i int) (time.Time, bool) {
	if s.cfg.Rate <= 0 {
		return time.Time{}, true
	}
	due := s.start.Add(time.Duration(float64(i) / s.cfg.Rate * float64(time.Second)))
	if wait := time.Until(due); wait > 0 {
		select {
		case <-ctx.Done():
			return due, false
		case <-time.After(wait):
		}
	}
	return due, true
}

// tally is the Result the workers record into, one answer at a time.
type tally struct {
	mu  sync.Mutex
	res Result
}

// record counts one answer: its status, its kind, its latency when the
// server answered, and the first few distinct errors.
func (t *tally) record(redelivery bool, status int, lat time.Duration, kind, errText string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	res := &t.res
	res.Sent++
	if redelivery {
		res.ExpectedDuplicates++
	}
	res.Status[status]++
	switch kind {
	case "accepted":
		res.Accepted++
	case "duplicate":
		res.Duplicates++
	case "ignored":
		res.Ignored++
	default:
		res.Errors++
		if len(res.FirstErrors) < 5 && !slices.Contains(res.FirstErrors, errText) {
			res.FirstErrors = append(res.FirstErrors, errText)
		}
	}
	if status != 0 {
		res.latencies = append(res.latencies, lat)
	}
}

// deliver sends one delivery and classifies the answer by status and the
// server's one-line message. The latency counts from due, or from the
// sending when due is zero.
func deliver(ctx context.Context, c *http.Client, cfg Config, sig, id string, due time.Time) (status int, lat time.Duration, kind, errText string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL, bytes.NewReader(cfg.Payload.Body))
	if err != nil {
		return 0, 0, "", err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "mpgate-load")
	req.Header.Set("X-GitHub-Event", cfg.Payload.Event)
	req.Header.Set("X-GitHub-Delivery", id)
	req.Header.Set("X-Hub-Signature-256", sig)
	t := due
	if t.IsZero() {
		t = time.Now()
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0, "", err.Error()
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	resp.Body.Close()
	lat = time.Since(t)
	line := strings.TrimSpace(string(msg))
	switch {
	case resp.StatusCode/100 != 2:
		return resp.StatusCode, lat, "", fmt.Sprintf("%d %s", resp.StatusCode, line)
	case line == "duplicate":
		return resp.StatusCode, lat, "duplicate", ""
	case strings.HasPrefix(line, "ignored"):
		return resp.StatusCode, lat, "ignored", ""
	default:
		return resp.StatusCode, lat, "accepted", ""
	}
}
