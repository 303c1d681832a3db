// Package github is mpgate's GitHub adapter: check runs with batched
// annotations, one sticky comment per pull request, commit statuses,
// collaborator permissions and pull-request basics, for both the Action (a
// token) and the server (a GitHub App's installations). Retries, rate
// limits, fork-token 403s and ETag caching are handled in one place, the
// transport (transport.go).
package github

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	gh "github.com/google/go-github/v60/github"

	"github.com/mpgate/mpgate/bot"
)

// DefaultBaseURL is github.com's API root.
const DefaultBaseURL = "https://api.github.com/"

// ActionsLogin is the account an Action's GITHUB_TOKEN posts as; pass it
// to WithLogin (the token cannot call GET /user).
const ActionsLogin = "github-actions[bot]"

// AppLogin is the account a GitHub App's installation posts as.
func AppLogin(slug string) string { return slug + "[bot]" }

// Client talks to one GitHub API as one identity (a token or an App
// installation).
type Client struct {
	gh *gh.Client

	mu    sync.Mutex
	login string

	// gitToken returns the token git authenticates with (GitToken).
	gitToken func(context.Context) (string, error)
}

// Option configures New and NewAppClients.
type Option func(*settings)

type settings struct {
	cfg   transportConfig
	token string
	login string
	http  *http.Client
}

// WithToken authenticates with a token (GITHUB_TOKEN, a PAT); the token is
// only ever put in the Authorization header.
func WithToken(token string) Option { return func(s *settings) { s.token = token } }

// WithLogin names the account the client posts as ("github-actions[bot]"
// for an Action's GITHUB_TOKEN, slug+"[bot]" for an App), used to recognise
// its own sticky comment.
func WithLogin(login string) Option { return func(s *settings) { s.login = login } }

// WithRetries bounds the attempts for 5xx and network errors (at least 1)
// and sets the first backoff (it doubles, with jitter).
func WithRetries(attempts int, backoff time.Duration) Option {
	return func(s *settings) {
		s.cfg.attempts = max(attempts, 1)
		s.cfg.backoff = max(backoff, 0)
	}
}

// WithMaxRateLimitWait is the longest rate-limit wait the client sits out
// before returning a *RateLimitError (default one minute).
func WithMaxRateLimitWait(d time.Duration) Option {
	return func(s *settings) { s.cfg.maxWait = max(d, 0) }
}

// WithTransport sets the network below the retrying transport (default
// http.DefaultTransport): every attempt, retries included, goes through it,
// which is where the server counts API calls and reads the rate-limit
// headers.
func WithTransport(rt http.RoundTripper) Option {
	return func(s *settings) {
		c := http.Client{}
		if s.http != nil {
			c = *s.http
		}
		c.Transport = rt
		s.http = &c
	}
}

// WithUserAgent sets the User-Agent (default "mpgate").
func WithUserAgent(ua string) Option { return func(s *settings) { s.cfg.userAgent = ua } }

func newSettings(httpClient *http.Client, opts []Option) *settings {
	s := &settings{cfg: defaultConfig(), http: httpClient}
	for _, o := range opts {
		o(s)
	}
	if s.http == nil {
		s.http = &http.Client{}
	}
	return s
}

func (s *settings) base() *retryTransport {
	next := s.http.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	return &retryTransport{next: next, cfg: s.cfg}
}

func (s *settings) client(rt http.RoundTripper, baseURL string) (*gh.Client, error) {
	hc := *s.http
	hc.Transport = rt
	c := gh.NewClient(&hc)
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	if !strings.HasSuffix(baseURL, "/") {
		baseURL += "/"
	}
	u, err := c.BaseURL.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("github: base URL %q: %w", baseURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("github: base URL %q: want http or https", baseURL)
	}
	c.BaseURL, c.UploadURL = u, u
	c.UserAgent = s.cfg.userAgent
	return c, nil
}

// New returns a client for a token (pass WithToken) at baseURL ("" for
// github.com; GitHub Enterprise wants ".../api/v3/"). httpClient may be nil;
// its Transport, if any, is the network below the retrying transport.
func New(httpClient *http.Client, baseURL string, opts ...Option) (*Client, error) {
	s := newSettings(httpClient, opts)
	var rt http.RoundTripper = s.base()
	if s.token != "" {
		rt = &tokenTransport{token: s.token, next: rt}
	}
	c, err := s.client(rt, baseURL)
	if err != nil {
		return nil, err
	}
	tok := s.token
	return &Client{gh: c, login: s.login, gitToken: func(context.Context) (string, error) { return tok, nil }}, nil
}

// GitHub exposes the underlying go-github client for calls this package
// does not wrap; they go through the same transport.
func (c *Client) GitHub() *gh.Client { return c.gh }

// Apps mints installation clients for a GitHub App and caches them (and so
// their tokens, refreshed a minute before expiry) per installation.
type Apps struct {
	appID   int64
	key     *rsa.PrivateKey
	baseURL string
	s       *settings
	rt      *retryTransport

	mu      sync.Mutex
	clients map[int64]*Client
}

// NewAppClients parses the App's PEM private key (PKCS#1 or PKCS#8 RSA).
// Pass WithLogin(slug+"[bot]") so installation clients recognise their own
// comments.
func NewAppClients(appID int64, privateKeyPEM []byte, baseURL string, opts ...Option) (*Apps, error) {
	if appID <= 0 {
		return nil, fmt.Errorf("github: App ID %d: must be positive", appID)
	}
	key, err := parseRSAKey(privateKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("github: App %d private key: %w", appID, err)
	}
	s := newSettings(nil, opts)
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	if _, err := s.client(http.DefaultTransport, baseURL); err != nil {
		return nil, err
	}
	return &Apps{appID: appID, key: key, baseURL: baseURL, s: s, rt: s.base(), clients: map[int64]*Client{}}, nil
}

func parseRSAKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("neither PKCS#1 nor PKCS#8: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T key, want RSA", k)
	}
	return rk, nil
}

// Installation returns the (cached) client for an installation, minting its
// first token now so a bad key or a removed installation shows here.
// The lock is not held while the token is minted, so one slow
// installation does not hold up the others; two first calls racing for
// one installation may both mint, and the first stored client wins.
func (a *Apps) Installation(ctx context.Context, installationID int64) (*Client, error) {
	a.mu.Lock()
	c := a.clients[installationID]
	a.mu.Unlock()
	if c != nil {
		return c, nil
	}
	atr := ghinstallation.NewAppsTransportFromPrivateKey(a.rt, a.appID, a.key)
	itr := ghinstallation.NewFromAppsTransport(atr, installationID)
	itr.BaseURL = strings.TrimSuffix(a.baseURL, "/")
	itr.InstallationTokenOptions = &gh.InstallationTokenOptions{} // "{}", not "null"
	if _, err := itr.Token(ctx); err != nil {
		return nil, fmt.Errorf("github: token for App %d installation %d: %w", a.appID, installationID, classify(err))
	}
	g, err := a.s.client(itr, a.baseURL)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if prev := a.clients[installationID]; prev != nil {
		return prev, nil
	}
	c = &Client{gh: g, login: a.s.login, gitToken: itr.Token}
	a.clients[installationID] = c
	return c, nil
}

// Forget drops an installation's cached client (uninstalled, suspended).
func (a *Apps) Forget(installationID int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.clients, installationID)
}

// classify maps go-github's own rate-limit errors (raised before sending,
// from limits it remembers) onto *RateLimitError; everything else passes.
func classify(err error) error {
	var rl *gh.RateLimitError
	if errors.As(err, &rl) {
		return &RateLimitError{RetryAt: rl.Rate.Reset.Time, Message: rl.Message}
	}
	var ab *gh.AbuseRateLimitError
	if errors.As(err, &ab) {
		at := time.Now().Add(time.Minute)
		if ab.RetryAfter != nil {
			at = time.Now().Add(*ab.RetryAfter)
		}
		return &RateLimitError{RetryAt: at, Secondary: true, Message: ab.Message}
	}
	return err
}

// wrap names what was being done.
// A 404 is also ErrNotFound.
func wrap(err error, format string, a ...any) error {
	if isNotFound(err) {
		return fmt.Errorf("github: "+format+": %w (%w)", append(a, err, bot.ErrNotFound)...)
	}
	return fmt.Errorf("github: "+format+": %w", append(a, classify(err))...)
}

func isNotFound(err error) bool {
	var er *gh.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound
}
