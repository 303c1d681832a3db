package github

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mpgate/mpgate/bot"
)

// ErrForbidden is GitHub's 403 "Resource not accessible by integration"
// (or "... by personal access token"): the token may not do this (a fork pull request's read-only token). The
// Action falls back to annotations and the job summary. It is
// bot.ErrForbidden (errors.Is) for the forge-neutral bot.
var ErrForbidden = fmt.Errorf("github: resource not accessible by integration: %w", bot.ErrForbidden)

// RateLimitError is a rate limit that was not waited out: the request may be
// retried at RetryAt (the server's queue re-queues the job for then).
type RateLimitError struct {
	RetryAt time.Time
	// Secondary is true for a secondary (abuse) limit, false for the
	// primary hourly budget.
	Secondary bool
	Message   string
}

// RetryAfter is how long from now the request may be sent again
// (bot.RateLimited: the server's queue snoozes the job that long).
func (e *RateLimitError) RetryAfter(now time.Time) time.Duration {
	return max(e.RetryAt.Sub(now), 0)
}

var _ bot.RateLimited = (*RateLimitError)(nil)

func (e *RateLimitError) Error() string {
	kind := "primary"
	if e.Secondary {
		kind = "secondary"
	}
	return fmt.Sprintf("github: %s rate limit (retry at %s): %s", kind, e.RetryAt.UTC().Format(time.RFC3339), e.Message)
}

// transportConfig bounds retries and waits.
type transportConfig struct {
	attempts   int           // total tries for 5xx and network errors
	backoff    time.Duration // first backoff; doubles, with jitter
	maxWait    time.Duration // longest single rate-limit wait
	rateWaits  int           // rate-limit waits per request
	userAgent  string
	cacheLimit int
	sleep      func(ctx context.Context, d time.Duration) error
	now        func() time.Time
}

func defaultConfig() transportConfig {
	return transportConfig{
		attempts:   4,
		backoff:    500 * time.Millisecond,
		maxWait:    time.Minute,
		rateWaits:  2,
		userAgent:  "mpgate",
		cacheLimit: 1024,
		sleep:      sleepCtx,
		now:        time.Now,
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryTransport is the one place where retries, rate limits, fork-token
// 403s and ETag caching are handled. It sits directly above the network,
// below whatever sets Authorization (a token, or ghinstallation).
type retryTransport struct {
	next http.RoundTripper
	cfg  transportConfig

	mu    sync.Mutex
	cache map[string]*cached
}

type cached struct {
	etag   string
	status int
	header http.Header
	body   []byte
}

// RoundTrip sends req with retries and waits. The answer's X-RateLimit-*
// headers are read here and then hidden from go-github, whose own limiter
// would otherwise refuse requests after seeing "Remaining: 0" on a
// success: rate limits are decided in this transport alone (go-github's
// Response.Rate stays zero).
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.roundTrip(req)
	if resp != nil {
		for k := range resp.Header {
			if strings.HasPrefix(k, "X-Ratelimit-") {
				resp.Header.Del(k)
			}
		}
	}
	return resp, err
}

func (t *retryTransport) roundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	body, err := bufferBody(req)
	if err != nil {
		return nil, err
	}
	key, hit := t.lookup(req)
	var tries tries
	for {
		resp, err := t.next.RoundTrip(t.prepare(req, body, hit))
		if err != nil {
			tries.failures++
			if ctx.Err() != nil || tries.failures >= t.cfg.attempts || !retryableNetErr(req.Method, err) {
				return nil, err
			}
			if err := t.cfg.sleep(ctx, t.backoffFor(tries.failures)); err != nil {
				return nil, err
			}
			continue
		}
		resp, again, err := t.answer(req, resp, key, hit, &tries)
		if again {
			continue
		}
		return resp, err
	}
}

// tries counts a request's sends: those that failed (a network error or a
// retryable status) and the waits for a rate limit.
type tries struct {
	failures, waits int
}

// bufferBody reads and closes req's body, so that it can be sent again;
// nil without a body.
func bufferBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	return b, nil
}

// lookup finds a conditional GET's cached answer: key is where its answer is
// cached ("" for a request that is not cached) and hit the answer cached
// there, if any.
func (t *retryTransport) lookup(req *http.Request) (key string, hit *cached) {
	if req.Method != http.MethodGet || req.Header.Get("If-None-Match") != "" {
		return "", nil
	}
	// Keyed by URL and a hash of the credentials: one token's view of a
	// resource is never served to another; the token is not kept.
	sum := sha256.Sum256([]byte(req.Header.Get("Authorization") + "\x00" + req.URL.String()))
	key = hex.EncodeToString(sum[:])
	t.mu.Lock()
	defer t.mu.Unlock()
	return key, t.cache[key]
}

// prepare clones req for one send (the caller's request is untouched: the
// RoundTripper contract) with the buffered body, the User-Agent and, for a
// cached answer, its ETag.
func (t *retryTransport) prepare(req *http.Request, body []byte, hit *cached) *http.Request {
	r := req.Clone(req.Context())
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	if r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", t.cfg.userAgent)
	}
	if hit != nil {
		r.Header.Set("If-None-Match", hit.etag)
	}
	return r
}

// answer decides what becomes of resp: the cached answer for a 304, a wait
// and another send (again) for a retryable status, a refusal read by
// refused, or resp itself, its body cached when it has an ETag.
func (t *retryTransport) answer(req *http.Request, resp *http.Response, key string, hit *cached, tries *tries) (_ *http.Response, again bool, _ error) {
	ctx := req.Context()
	switch {
	case resp.StatusCode == http.StatusNotModified && hit != nil:
		return hit.response(req, resp), false, nil
	case retryableStatus(resp.StatusCode) && ctx.Value(noStatusRetry{}) == nil:
		tries.failures++
		if tries.failures >= t.cfg.attempts {
			return resp, false, nil
		}
		drain(resp)
		if err := t.cfg.sleep(ctx, t.backoffFor(tries.failures)); err != nil {
			return nil, false, err
		}
		return nil, true, nil
	case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests:
		return t.refused(req, resp, tries)
	}
	if key != "" && resp.StatusCode == http.StatusOK && resp.Header.Get("ETag") != "" {
		raw, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return nil, false, fmt.Errorf("read %s: %w", req.URL.Path, err)
		}
		t.store(key, &cached{etag: resp.Header.Get("ETag"), status: resp.StatusCode, header: resp.Header.Clone(), body: raw})
		resp.Body = io.NopCloser(bytes.NewReader(raw))
	}
	return resp, false, nil
}

// refused reads a 403 or 429: a rate limit is waited out (again) when it
// ends soon enough and the waits are not used up, else it is the error; a
// token without the permission is ErrForbidden; any other refusal is
// returned as it came.
func (t *retryTransport) refused(req *http.Request, resp *http.Response, tries *tries) (_ *http.Response, again bool, _ error) {
	msg, raw := readMessage(resp)
	if rl := t.rateLimit(resp, msg); rl != nil {
		wait := rl.RetryAt.Sub(t.cfg.now())
		if tries.waits >= t.cfg.rateWaits || wait > t.cfg.maxWait {
			return nil, false, rl
		}
		tries.waits++
		if err := t.cfg.sleep(req.Context(), max(wait, 0)); err != nil {
			return nil, false, err
		}
		return nil, true, nil
	}
	// "... by integration" (GITHUB_TOKEN, App) or "... by personal
	// access token" (fine-grained PAT).
	if resp.StatusCode == http.StatusForbidden && strings.Contains(msg, "Resource not accessible by") {
		return nil, false, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, ErrForbidden)
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	return resp, false, nil
}

func (t *retryTransport) store(key string, c *cached) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cache == nil {
		t.cache = map[string]*cached{}
	}
	if len(t.cache) >= t.cfg.cacheLimit {
		for k := range t.cache { // evict an arbitrary entry
			delete(t.cache, k)
			break
		}
	}
	t.cache[key] = c
}

// response rebuilds the cached answer for a 304; X-From-Cache marks it.
func (c *cached) response(req *http.Request, notModified *http.Response) *http.Response {
	drain(notModified)
	h := c.header.Clone()
	h.Set("X-From-Cache", "1")
	return &http.Response{
		Status: strconv.Itoa(c.status) + " " + http.StatusText(c.status), StatusCode: c.status,
		Proto: notModified.Proto, ProtoMajor: notModified.ProtoMajor, ProtoMinor: notModified.ProtoMinor,
		Header: h, Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body)), Request: req,
	}
}

func (t *retryTransport) backoffFor(failures int) time.Duration {
	d := t.cfg.backoff << min(failures-1, 6)
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1) // jitter in [d/2, d]
}

// rateLimit recognises GitHub's rate-limit answers: secondary (429, or 403
// with Retry-After or the secondary-limit message) and primary
// (X-RateLimit-Remaining: 0).
func (t *retryTransport) rateLimit(resp *http.Response, msg string) *RateLimitError {
	now := t.cfg.now()
	retryAfter := resp.Header.Get("Retry-After")
	secondaryMsg := strings.Contains(strings.ToLower(msg), "secondary rate limit")
	if retryAfter != "" || secondaryMsg || (resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("X-RateLimit-Remaining") != "0") {
		wait := time.Minute // GitHub's advice when no Retry-After is given
		if s, err := strconv.Atoi(retryAfter); err == nil && s >= 0 {
			wait = time.Duration(s) * time.Second
		} else if at, err := http.ParseTime(retryAfter); err == nil {
			wait = at.Sub(now)
		}
		return &RateLimitError{RetryAt: now.Add(wait), Secondary: true, Message: msg}
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		at := now.Add(time.Minute)
		if s, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			at = time.Unix(s, 0)
		}
		return &RateLimitError{RetryAt: at, Message: msg}
	}
	return nil
}

// readMessage reads (at most 1 MiB of) an error answer and its "message".
func readMessage(resp *http.Response) (string, []byte) {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	var e struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(raw, &e)
	return e.Message, raw
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
}

// noStatusRetry is the context key of withoutStatusRetry.
type noStatusRetry struct{}

// withoutStatusRetry marks a request whose 5xx answer must not be sent
// again by the transport: a write GitHub may have done before failing to
// answer (creating a check run), which the caller checks before retrying.
func withoutStatusRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, noStatusRetry{}, true)
}

// retryableStatus: GitHub's transient server errors.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableNetErr: idempotent methods are retried on any network error;
// POST and PATCH (which may create a check run, or append annotations) only
// when the connection was never made.
func retryableNetErr(method string, err error) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// tokenTransport sets "Authorization: token T".
type tokenTransport struct {
	token string
	next  http.RoundTripper
}

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "token "+t.token)
	return t.next.RoundTrip(r)
}
