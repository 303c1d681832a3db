// Package gitlab is mpgate's GitLab adapter (gitlab.com and self-managed):
// commit statuses, one sticky note per merge request, discussion replies,
// inherited member access levels, merge requests, raw files, tags,
// releases and release merge requests, behind the same forge-neutral types
// as bot/github. It uses gitlab.com/gitlab-org/api/client-go; retries (5xx,
// 429 with Retry-After) are configured in one place, New, on client-go's
// retryablehttp client.
//
// Markdown: GitLab renders <details>/<summary>, tables and HTML comments
// (the sticky marker stays hidden) as GitHub does, with a blank line needed
// after </summary> for Markdown inside. Differences the renderer must
// adjust for: GitLab turns "!123" into a merge-request link, "~word" into a
// label reference when such a label exists and "%word" into a milestone
// reference, and renders $`…`$ and ```math as maths, so escape those in
// file names and messages ("\!", "\~", "\%", "\$"); GitHub's alert syntax
// ("> [!NOTE]") is rendered as alerts only by recent GitLab versions
// (older self-managed instances show a plain quote, so the renderer should
// not rely on it); a note may hold 1,000,000 characters
// (GitHub's comment: 65,536).
package gitlab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	retryablehttp "github.com/hashicorp/go-retryablehttp"
	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/mpgate/mpgate/bot"
)

// DefaultBaseURL is gitlab.com.
const DefaultBaseURL = "https://gitlab.com"

// TokenKind is how the token authenticates.
type TokenKind int

const (
	// Private is a personal, project or group access token, sent as
	// PRIVATE-TOKEN.
	Private TokenKind = iota
	// Job is a CI/CD job token (CI_JOB_TOKEN), sent as JOB-TOKEN. GitLab
	// accepts it on few endpoints: not for notes, commit statuses or
	// members, where calls fail with ErrForbidden.
	Job
	// OAuth is an OAuth 2 access token, sent as Authorization: Bearer.
	OAuth
)

func (k TokenKind) String() string {
	switch k {
	case Private:
		return "private"
	case Job:
		return "job"
	case OAuth:
		return "OAuth"
	}
	return "TokenKind(" + strconv.Itoa(int(k)) + ")"
}

// Access levels (GitLab's roles).
const (
	AccessNone       = 0
	AccessGuest      = 10
	AccessReporter   = 20
	AccessDeveloper  = 30
	AccessMaintainer = 40
	AccessOwner      = 50
)

var (
	// ErrForbidden: the token may not do this — a 403, or a CI job token
	// on an endpoint that does not accept job tokens (GitLab answers 401
	// there, since it ignores the JOB-TOKEN header). Callers fall back
	// (the job log, an artifact).
	// It is bot.ErrForbidden (errors.Is).
	ErrForbidden = fmt.Errorf("gitlab: %w for this token", bot.ErrForbidden)
	// ErrUnauthorized is a 401 for a personal or OAuth token: missing,
	// expired or revoked.
	ErrUnauthorized = errors.New("gitlab: unauthorized (token invalid, expired or revoked)")
	// ErrNotFound is a 404: no such project, merge request, file or ref
	// (or no access to it). It is bot.ErrNotFound (errors.Is).
	ErrNotFound = fmt.Errorf("gitlab: %w", bot.ErrNotFound)
	// ErrExists is a tag, release or merge request that already exists.
	ErrExists = errors.New("gitlab: already exists")
	// ErrInvalid is an argument GitLab would refuse.
	ErrInvalid = errors.New("gitlab: invalid argument")
)

// RateLimitError is a 429 that was not waited out (retries exhausted, or
// Retry-After beyond WithMaxRateLimitWait): retry at RetryAt (the server's
// queue re-queues the job for then).
type RateLimitError struct {
	RetryAt time.Time
	Message string
}

// RetryAfter is how long from now the request may be sent again
// (bot.RateLimited: the server's queue snoozes the job that long).
func (e *RateLimitError) RetryAfter(now time.Time) time.Duration {
	return max(e.RetryAt.Sub(now), 0)
}

var _ bot.RateLimited = (*RateLimitError)(nil)

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("gitlab: rate limited (retry at %s): %s", e.RetryAt.UTC().Format(time.RFC3339), e.Message)
}

// Client talks to one GitLab as one identity.
type Client struct {
	gl   *gl.Client
	kind TokenKind

	mu       sync.Mutex
	username string
}

// Option configures New.
type Option func(*settings)

type settings struct {
	http      *http.Client
	retries   int
	waitMin   time.Duration
	waitMax   time.Duration
	maxWait   time.Duration
	userAgent string
}

// WithHTTPClient sets the HTTP client below the retries (its Transport is
// the network).
func WithHTTPClient(c *http.Client) Option { return func(s *settings) { s.http = c } }

// WithRetries bounds the retries after a 5xx, a 429 or a failed dial
// (0 disables them) and the backoff between 5xx retries (linear, with
// jitter, from waitMin to waitMax).
func WithRetries(retries int, waitMin, waitMax time.Duration) Option {
	return func(s *settings) {
		s.retries = max(retries, 0)
		s.waitMin = max(waitMin, 0)
		s.waitMax = max(waitMax, s.waitMin)
	}
}

// WithMaxRateLimitWait is the longest Retry-After the client sits out
// before returning a *RateLimitError (default one minute).
func WithMaxRateLimitWait(d time.Duration) Option {
	return func(s *settings) { s.maxWait = max(d, 0) }
}

// WithUserAgent sets the User-Agent (default "mpgate").
func WithUserAgent(ua string) Option { return func(s *settings) { s.userAgent = ua } }

// authSource puts the token in the header its kind needs; the token goes
// nowhere else.
type authSource struct {
	key, value string
}

func (a authSource) Init(context.Context, *gl.Client) error { return nil }
func (a authSource) Header(context.Context) (string, string, error) {
	return a.key, a.value, nil
}

// noLimiter turns off client-go's client-side limiter (which it would set
// from the first answer's RateLimit-Limit): server 429s are handled by the
// retry policy alone.
type noLimiter struct{}

func (noLimiter) Wait(ctx context.Context) error { return ctx.Err() }

// New returns a client for baseURL ("" for gitlab.com; a self-managed
// instance's root, with or without "/api/v4") and a token of kind.
func New(baseURL, token string, kind TokenKind, opts ...Option) (*Client, error) {
	s := &settings{retries: 4, waitMin: 500 * time.Millisecond, waitMax: 2 * time.Second, maxWait: time.Minute, userAgent: "mpgate"}
	for _, o := range opts {
		o(s)
	}
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("gitlab: base URL %q: %w", baseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("gitlab: base URL %q: want http(s)://host[/path]: %w", baseURL, ErrInvalid)
	}
	if token == "" {
		return nil, fmt.Errorf("gitlab: no %s token: %w", kind, ErrInvalid)
	}
	var as authSource
	switch kind {
	case Private:
		as = authSource{"PRIVATE-TOKEN", token}
	case Job:
		as = authSource{"JOB-TOKEN", token}
	case OAuth:
		as = authSource{"Authorization", "Bearer " + token}
	default:
		return nil, fmt.Errorf("gitlab: token kind %d: %w", int(kind), ErrInvalid)
	}
	p := policy{maxWait: s.maxWait}
	gopts := []gl.ClientOptionFunc{
		gl.WithBaseURL(baseURL),
		gl.WithUserAgent(s.userAgent),
		gl.WithCustomLimiter(noLimiter{}),
		gl.WithCustomRetryMax(s.retries),
		gl.WithCustomRetryWaitMinMax(s.waitMin, s.waitMax),
		gl.WithCustomRetry(p.check),
		gl.WithCustomBackoff(p.backoff),
	}
	if s.http != nil {
		gopts = append(gopts, gl.WithHTTPClient(s.http))
	}
	if s.retries == 0 {
		gopts = append(gopts, gl.WithoutRetries())
	}
	c, err := gl.NewAuthSourceClient(as, gopts...)
	if err != nil {
		return nil, fmt.Errorf("gitlab: client for %s: %w", u.Host, err)
	}
	return &Client{gl: c, kind: kind}, nil
}

// GitLab exposes the underlying client-go client for calls this package
// does not wrap; they use the same retries and token.
func (c *Client) GitLab() *gl.Client { return c.gl }

// policy is the one retry policy: 5xx (but 501) and failed dials are
// retried with linear backoff; a 429 is retried after its Retry-After (or
// RateLimit-Reset) when that is within maxWait, and otherwise returned at
// once (as a *RateLimitError).
type policy struct {
	maxWait time.Duration
}

func (p policy) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		// Only a failed dial is safe to repeat for a POST: nothing was
		// sent.
		var op *net.OpError
		return errors.As(err, &op) && op.Op == "dial", nil
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return retryAfter(resp, time.Now()) <= p.maxWait, nil
	case resp.StatusCode == 0 || (resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented):
		return true, nil
	}
	return false, nil
}

func (p policy) backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
		return min(retryAfter(resp, time.Now()), p.maxWait)
	}
	return retryablehttp.LinearJitterBackoff(lo, hi, attempt, resp)
}

// maxRetryAfter bounds a Retry-After in seconds (a day), far beyond any
// wait, and far from overflowing a time.Duration.
const maxRetryAfter = 24 * 60 * 60

// retryAfter reads Retry-After (seconds or an HTTP date), then GitLab's
// RateLimit-Reset (a Unix time); one second when neither is there.
func retryAfter(resp *http.Response, now time.Time) time.Duration {
	if v := strings.TrimSpace(resp.Header.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			return time.Duration(min(n, maxRetryAfter)) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0)
		}
	}
	if v := resp.Header.Get("RateLimit-Reset"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			return max(time.Unix(n, 0).Sub(now), 0)
		}
	}
	return time.Second
}

// wrap names what was being done and maps GitLab's answers onto the
// package's sentinels and *RateLimitError.
func (c *Client) wrap(err error, format string, a ...any) error {
	what := fmt.Sprintf(format, a...)
	if errors.Is(err, gl.ErrNotFound) {
		return fmt.Errorf("gitlab: %s: %w", what, ErrNotFound)
	}
	var er *gl.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		msg := message(er)
		switch code := er.Response.StatusCode; {
		case code == http.StatusTooManyRequests:
			return fmt.Errorf("gitlab: %s: %w", what, &RateLimitError{RetryAt: time.Now().Add(retryAfter(er.Response, time.Now())), Message: msg})
		case code == http.StatusForbidden:
			return fmt.Errorf("gitlab: %s: %s: %w", what, msg, ErrForbidden)
		case code == http.StatusUnauthorized && c.kind == Job:
			return fmt.Errorf("gitlab: %s: GitLab does not accept a CI job token here (%s): %w", what, msg, ErrForbidden)
		case code == http.StatusUnauthorized:
			return fmt.Errorf("gitlab: %s: %s: %w", what, msg, ErrUnauthorized)
		case code == http.StatusNotFound:
			return fmt.Errorf("gitlab: %s: %s: %w", what, msg, ErrNotFound)
		case code == http.StatusConflict:
			return fmt.Errorf("gitlab: %s: %s: %w", what, msg, ErrExists)
		}
	}
	return fmt.Errorf("gitlab: %s: %w", what, err)
}

// message is GitLab's "message" (or "error") as text.
func message(er *gl.ErrorResponse) string {
	var m struct {
		Message any    `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(er.Body, &m) != nil {
		return er.Response.Status
	}
	switch v := m.Message.(type) {
	case string:
		return v
	case nil:
		if m.Error != "" {
			return m.Error
		}
		return er.Response.Status
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return er.Response.Status
		}
		return string(b)
	}
}

// pid is the project's ID if known, else its full path.
func pid(repo bot.Repo) any {
	if repo.ID != 0 {
		return repo.ID
	}
	return repo.FullName()
}

// Username is the account the client posts as (GET /user, once).
func (c *Client) Username(ctx context.Context) (string, error) {
	c.mu.Lock()
	name := c.username
	c.mu.Unlock()
	if name != "" {
		return name, nil
	}
	u, _, err := c.gl.Users.CurrentUser(gl.WithContext(ctx))
	if err != nil {
		return "", c.wrap(err, "current user")
	}
	c.mu.Lock()
	c.username = u.Username
	c.mu.Unlock()
	return u.Username, nil
}
