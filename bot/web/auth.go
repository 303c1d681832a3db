package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/securecookie"
	"golang.org/x/oauth2"

	"github.com/mpgate/mpgate/bot"
)

// OAuthApp is one forge's OAuth application: the GitHub App's user
// authorisation (its client id and secret) or a GitLab OAuth application.
type OAuthApp struct {
	ClientID, ClientSecret string
	// WebURL is the forge's web root (https://github.com,
	// https://gitlab.example.com): authorize and token live there.
	WebURL string
	// APIURL is the REST root the user's rights are asked at
	// (https://api.github.com, https://gitlab.example.com/api/v4).
	APIURL string
}

// AuthConfig configures sign-in.
type AuthConfig struct {
	// PublicURL is the server's public base URL (callbacks are under it).
	PublicURL string
	// HashKey (32 or 64 bytes) signs and BlockKey (32 bytes) encrypts the
	// session and state cookies (gorilla/securecookie: HMAC-SHA256 and
	// AES-256-CTR), so the user's forge token in the session is unreadable
	// and unforgeable on the browser's side.
	HashKey, BlockKey []byte
	GitHub, GitLab    *OAuthApp
	// HTTPClient reaches the forges (nil: http.DefaultClient).
	HTTPClient *http.Client
	// CacheTTL is how long an answer to "may this user read this
	// repository" is kept (default one minute).
	CacheTTL time.Duration
	// SessionTTL is how long a sign-in lasts (default eight hours).
	SessionTTL time.Duration
	Now        func() time.Time
}

// Auth signs users in with their forge and answers Access from their
// rights there, asked with their own token.
type Auth struct {
	cfg     AuthConfig
	cookies *securecookie.SecureCookie
	oauth   map[string]*oauth2.Config
	apis    map[string]string

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	ok      bool
	expires time.Time
}

const (
	sessionCookie = "mpgate_session"
	stateCookie   = "mpgate_oauth_state"
)

// session is what the session cookie holds (encrypted).
type session struct {
	Forge, Login, Token string
	Expires             int64
}

// oauthState is what the state cookie holds during a sign-in: the state
// the forge must send back (CSRF), the PKCE verifier and where to return.
type oauthState struct {
	Forge, State, Verifier, Next string
}

// ErrSignedOut is CanRead's error when the forge no longer accepts the
// viewer's token (revoked, or expired before the session): the pages send
// the viewer to sign in again rather than show every repository as
// missing.
var ErrSignedOut = errors.New("web: the forge no longer accepts the viewer's token")

// NewAuth checks cfg and returns the sign-in.
func NewAuth(cfg AuthConfig) (*Auth, error) {
	if cfg.GitHub == nil && cfg.GitLab == nil {
		return nil, errors.New("web: sign-in needs a GitHub or a GitLab OAuth application")
	}
	if len(cfg.HashKey) < 32 || len(cfg.BlockKey) != 32 {
		return nil, errors.New("web: the session keys must be at least 32 bytes (hash) and exactly 32 bytes (block)")
	}
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("web: public URL %q: want an absolute http(s) URL", cfg.PublicURL)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = time.Minute
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &Auth{cfg: cfg, cookies: securecookie.New(cfg.HashKey, cfg.BlockKey), oauth: map[string]*oauth2.Config{},
		apis: map[string]string{}, cache: map[string]cached{}}
	a.cookies.MaxAge(int(cfg.SessionTTL / time.Second))
	base := strings.TrimSuffix(cfg.PublicURL, "/")
	if g := cfg.GitHub; g != nil {
		web := strings.TrimSuffix(g.WebURL, "/")
		// A GitHub App's user token carries the App's permissions, not
		// scopes: none are asked.
		a.oauth[bot.ForgeGitHub] = &oauth2.Config{ClientID: g.ClientID, ClientSecret: g.ClientSecret,
			Endpoint:    oauth2.Endpoint{AuthURL: web + "/login/oauth/authorize", TokenURL: web + "/login/oauth/access_token", AuthStyle: oauth2.AuthStyleInParams},
			RedirectURL: base + Prefix + "auth/github/callback"}
		a.apis[bot.ForgeGitHub] = strings.TrimSuffix(g.APIURL, "/")
	}
	if g := cfg.GitLab; g != nil {
		web := strings.TrimSuffix(g.WebURL, "/")
		a.oauth[bot.ForgeGitLab] = &oauth2.Config{ClientID: g.ClientID, ClientSecret: g.ClientSecret,
			Endpoint:    oauth2.Endpoint{AuthURL: web + "/oauth/authorize", TokenURL: web + "/oauth/token", AuthStyle: oauth2.AuthStyleInParams},
			RedirectURL: base + Prefix + "auth/gitlab/callback", Scopes: []string{"read_api"}}
		a.apis[bot.ForgeGitLab] = strings.TrimSuffix(g.APIURL, "/")
	}
	return a, nil
}

// SignInURL is the sign-in page that returns to next.
func (a *Auth) SignInURL(next string) string {
	return Prefix + "signin?next=" + url.QueryEscape(next)
}

// Viewer reads the session cookie.
func (a *Auth) Viewer(r *http.Request) (Viewer, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return Viewer{}, false
	}
	var s session
	if err := a.cookies.Decode(sessionCookie, c.Value, &s); err != nil || a.cfg.Now().Unix() > s.Expires {
		return Viewer{}, false
	}
	return Viewer{Forge: s.Forge, Login: s.Login, token: s.Token}, true
}

// CanRead asks repo's forge, with v's token, whether v may read it: a
// repository of another forge is not readable; answers are cached briefly.
func (a *Auth) CanRead(ctx context.Context, v Viewer, repo bot.Repo) (bool, error) {
	if v.Forge != repo.Forge || v.token == "" || a.apis[repo.Forge] == "" {
		return false, nil
	}
	sum := sha256.Sum256([]byte(v.token))
	key := hex.EncodeToString(sum[:]) + "\x00" + repo.Forge + ":" + repo.FullName()
	now := a.cfg.Now()
	a.mu.Lock()
	if c, ok := a.cache[key]; ok && now.Before(c.expires) {
		a.mu.Unlock()
		return c.ok, nil
	}
	a.mu.Unlock()
	ok, err := a.probe(ctx, v, repo)
	if err != nil {
		return false, err
	}
	a.mu.Lock()
	for k, c := range a.cache { // drop what expired, so the map stays small
		if !now.Before(c.expires) {
			delete(a.cache, k)
		}
	}
	a.cache[key] = cached{ok: ok, expires: now.Add(a.cfg.CacheTTL)}
	a.mu.Unlock()
	return ok, nil
}

// probe reads the repository with the user's token: GitHub's
// GET /repos/{owner}/{repo}/pulls and GitLab's
// GET /projects/:id/merge_requests (one item) answer 200 to a user who can
// read it and 404 to one who cannot, private or not. The pull requests are
// asked rather than the repository itself because a GitHub App's user token
// reaches only what the App may, and mpgate's App reads pull requests.
func (a *Auth) probe(ctx context.Context, v Viewer, repo bot.Repo) (bool, error) {
	api := a.apis[repo.Forge]
	var u string
	if repo.Forge == bot.ForgeGitHub {
		u = api + "/repos/" + url.PathEscape(repo.Owner) + "/" + url.PathEscape(repo.Name) + "/pulls?per_page=1"
	} else {
		id := url.PathEscape(repo.FullName())
		if repo.ID != 0 {
			id = fmt.Sprint(repo.ID)
		}
		u = api + "/projects/" + id + "/merge_requests?per_page=1"
	}
	status, err := a.get(ctx, v.token, u, nil)
	if err != nil {
		return false, err
	}
	switch status {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound, http.StatusForbidden:
		return false, nil
	case http.StatusUnauthorized:
		return false, ErrSignedOut
	}
	return false, fmt.Errorf("web: %s answered %d to %s's rights on %s", repo.Forge, status, v.Login, repo.FullName())
}

func (a *Auth) get(ctx context.Context, token, u string, into any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "mpgate")
	resp, err := a.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("web: %w", err)
	}
	defer resp.Body.Close()
	if into != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			return 0, fmt.Errorf("web: reading %s: %w", u, err)
		}
	}
	return resp.StatusCode, nil
}

// safeNext keeps a return path on the pages (never an open redirect).
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return Prefix
	}
	return next
}

func (a *Auth) setCookie(w http.ResponseWriter, name string, v any, maxAge time.Duration) error {
	enc, err := a.cookies.Encode(name, v)
	if err != nil {
		return err
	}
	http.SetCookie(w, a.cookie(name, enc, int(maxAge/time.Second)))
	return nil
}

// cookie is one of the sign-in's cookies, with the attributes both setting
// and clearing it use (a browser may keep a Secure cookie that a
// Set-Cookie without Secure tries to clear).
func (a *Auth) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: Prefix, MaxAge: maxAge,
		HttpOnly: true, Secure: strings.HasPrefix(a.cfg.PublicURL, "https://"), SameSite: http.SameSiteLaxMode}
}

// signIn starts the forge's authorisation: ?forge= picks it when both are
// configured (a page offers both otherwise). After a sign-out
// (?signedout=1) the page is shown even for one forge: going straight to a
// forge that remembers the approval would sign the user back in at once.
func (a *Auth) signIn(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	forge := r.URL.Query().Get("forge")
	signedOut := r.URL.Query().Get("signedout") != ""
	if forge == "" && len(a.oauth) == 1 && !signedOut {
		for f := range a.oauth {
			forge = f
		}
	}
	oc := a.oauth[forge]
	if oc == nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		var b strings.Builder
		b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in · mpgate</title></head><body><h1>Sign in</h1>`)
		if signedOut {
			b.WriteString(`<p id="signedout">You are signed out of mpgate's pages.</p>`)
		}
		b.WriteString(`<ul>`)
		for _, f := range []string{bot.ForgeGitHub, bot.ForgeGitLab} {
			if a.oauth[f] != nil {
				label := map[string]string{bot.ForgeGitHub: "GitHub", bot.ForgeGitLab: "GitLab"}[f]
				fmt.Fprintf(&b, `<li><a href="%s">Sign in with %s</a></li>`, Prefix+"signin?forge="+f+"&amp;next="+url.QueryEscape(next), label)
			}
		}
		b.WriteString(`</ul></body></html>`)
		_, _ = w.Write([]byte(b.String()))
		return
	}
	st := oauthState{Forge: forge, State: hex.EncodeToString(securecookie.GenerateRandomKey(32)), Verifier: oauth2.GenerateVerifier(), Next: next}
	if err := a.setCookie(w, stateCookie, st, 10*time.Minute); err != nil {
		http.Error(w, "sign-in failed", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, oc.AuthCodeURL(st.State, oauth2.S256ChallengeOption(st.Verifier)), http.StatusFound)
}

// callback finishes the sign-in: the state must match the cookie's (a
// forged or replayed callback is refused), the code is exchanged with the
// PKCE verifier, the user is read with the new token.
func (a *Auth) callback(w http.ResponseWriter, r *http.Request) {
	forge := r.PathValue("forge")
	oc := a.oauth[forge]
	c, err := r.Cookie(stateCookie)
	var st oauthState
	if oc == nil || err != nil || a.cookies.Decode(stateCookie, c.Value, &st) != nil || st.Forge != forge ||
		subtle.ConstantTimeCompare([]byte(st.State), []byte(r.URL.Query().Get("state"))) != 1 {
		http.Error(w, "The sign-in could not be verified; start again from the page you wanted.", http.StatusBadRequest)
		return
	}
	http.SetCookie(w, a.cookie(stateCookie, "", -1))
	ctx := context.WithValue(r.Context(), oauth2.HTTPClient, a.cfg.HTTPClient)
	tok, err := oc.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		http.Error(w, "The forge refused the sign-in.", http.StatusForbidden)
		return
	}
	var user struct {
		Login    string `json:"login"`    // GitHub
		Username string `json:"username"` // GitLab
	}
	status, err := a.get(r.Context(), tok.AccessToken, a.apis[forge]+"/user", &user)
	if err != nil || status != http.StatusOK {
		http.Error(w, "The forge did not say who signed in.", http.StatusBadGateway)
		return
	}
	login := user.Login
	if forge == bot.ForgeGitLab {
		login = user.Username
	}
	// The session ends with the token: GitLab's OAuth tokens live two
	// hours (expires_in 7200), GitHub App user tokens eight; a session that
	// outlived its token would show every repository as missing.
	now := a.cfg.Now()
	ttl := a.cfg.SessionTTL
	if tok.ExpiresIn > 0 && time.Duration(tok.ExpiresIn)*time.Second < ttl {
		ttl = time.Duration(tok.ExpiresIn) * time.Second
	}
	s := session{Forge: forge, Login: login, Token: tok.AccessToken, Expires: now.Add(ttl).Unix()}
	if err := a.setCookie(w, sessionCookie, s, ttl); err != nil {
		http.Error(w, "sign-in failed", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, safeNext(st.Next), http.StatusFound)
}

func (a *Auth) signOut(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, a.cookie(sessionCookie, "", -1))
	http.Redirect(w, r, Prefix+"signin?signedout=1", http.StatusSeeOther)
}

// Routes adds the sign-in's own endpoints to mux.
func (a *Auth) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+Prefix+"signin", a.signIn)
	mux.HandleFunc("GET "+Prefix+"auth/{forge}/callback", a.callback)
	mux.HandleFunc("POST "+Prefix+"signout", a.signOut)
}

// SessionKeys derives the cookies' signing and encryption keys from one
// secret of at least 32 bytes (the server config's session key file), by
// HMAC-SHA256 with two labels, so that an operator keeps one file and the
// two keys are still independent.
func SessionKeys(secret []byte) (hashKey, blockKey []byte, err error) {
	if len(secret) < 32 {
		return nil, nil, fmt.Errorf("web: the session key has %d bytes; it needs at least 32 random bytes (head -c 32 /dev/urandom | base64)", len(secret))
	}
	mac := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	return mac("mpgate pages: cookie signing"), mac("mpgate pages: cookie encryption"), nil
}
