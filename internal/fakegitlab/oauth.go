package fakegitlab

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// GitLab as an OAuth 2 identity provider (Doorkeeper), for a user's sign-in
// into another application: the authorization-code flow with PKCE of
// docs.gitlab.com/api/oauth2 (sources in testdata/ORIGINS.md).
//
//   - GET /oauth/authorize?client_id&redirect_uri&response_type=code&state
//     &scope&code_challenge&code_challenge_method: the user set by SignInAs
//     approves at once (or, with RequireConsent, on the consent page, which
//     posts to /oauth/authorize), and the browser is sent back to
//     redirect_uri with code and state. An unknown client_id (401) or a redirect_uri that is
//     not the application's (400) gets Doorkeeper's error page, without a
//     redirect; a response_type other than code, a scope the application
//     was not registered with, or a challenge method other than S256 and
//     plain are sent back to redirect_uri as error=… (with the state).
//   - POST /oauth/token (form: grant_type=authorization_code, code,
//     redirect_uri, client_id, client_secret or HTTP Basic, code_verifier):
//     {"access_token","token_type":"Bearer","expires_in":7200,
//     "refresh_token","scope","created_at"}. A wrong or missing client
//     secret is 401 invalid_client; an unknown, used or expired (ten
//     minutes) code, one issued to another client, another redirect_uri or
//     a code_verifier that does not hash to the code_challenge is 400
//     invalid_grant, with Doorkeeper's descriptions. A code is spent by its
//     first exchange, good or bad.
//
// The access token is an OAuth token (Authorization: Bearer only) of the
// user, limited to the scopes granted: read_api and api reach every GET of
// /api/v4, read_user only GET /user and GET /users, and anything else needs
// api; a request beyond them is GitLab's 403 insufficient_scope. It
// expires after expires_in (the fake's clock, SetClock) with GitLab's 401.
// Every refusal is also recorded in Errors(): a correct client never gets
// one.

// oauthCodeTTL is Doorkeeper's authorization_code_expires_in default.
const oauthCodeTTL = 10 * time.Minute

// OAuthTokenTTL is how long GitLab's OAuth access tokens live (two hours
// since GitLab 15.0; expires_in 7200).
const OAuthTokenTTL = 2 * time.Hour

type oauthApp struct {
	secret, redirect string
	scopes           []string
}

type oauthCode struct {
	clientID, redirect, challenge, method string
	scopes                                []string
	user                                  int64
	expires                               time.Time
}

// RegisterOAuthApp registers an OAuth application as an admin or user
// makes one in GitLab (User settings → Applications): its application ID,
// secret, callback URL and the scopes it may ask for.
func (f *Fake) RegisterOAuthApp(clientID, secret, redirectURI string, scopes ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.oauthApps[clientID] = oauthApp{secret: secret, redirect: redirectURI, scopes: scopes}
}

// SignInAs makes user the one signed in to GitLab in the browser: it
// approves the next authorisations. 0 signs out (authorize then refuses).
func (f *Fake) SignInAs(user int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signedIn = user
}

// RevokeUserTokens revokes every OAuth token of user, as the user does in
// GitLab's Applications → Authorized applications: GitLab then answers
// them 401.
func (f *Fake) RevokeUserTokens(user int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, t := range f.tokens {
		if t.kind == OAuth && t.user == user && t.scopes != nil {
			t.revoked = true
			f.tokens[k] = t
		}
	}
}

// SetClock replaces the fake's clock (codes and OAuth tokens expire on it).
func (f *Fake) SetClock(now func() time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
}

// Visibility is a project's visibility level.
type Visibility string

const (
	// VisibilityPublic projects are visible to every user (the fake's
	// default, so that tests that do not care see every project).
	VisibilityPublic Visibility = "public"
	// VisibilityInternal projects are visible to every signed-in
	// (non-external) user.
	VisibilityInternal Visibility = "internal"
	// VisibilityPrivate projects are visible to their members only; to
	// anyone else GitLab answers 404 Project Not Found, as for a project
	// that does not exist.
	VisibilityPrivate Visibility = "private"
)

// SetVisibility sets a project's visibility.
func (f *Fake) SetVisibility(projectID int64, v Visibility) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.project(projectID).visibility = v
}

// visible reports whether user may see p at all; f.mu is held. Every
// request of the fake is authenticated, so internal is as public.
func (f *Fake) visible(p *project, user int64) bool {
	return p.visibility != VisibilityPrivate || p.members[user] > 0
}

// readsMergeRequests reports whether user may read p's merge requests
// (read_merge_request); f.mu is held. A Guest of a private project may
// not: GitLab answers 403 there (lib/api/merge_requests.rb's
// authorize! :read_merge_request, user_project).
func (f *Fake) readsMergeRequests(p *project, user int64) bool {
	return p.visibility != VisibilityPrivate || p.members[user] >= 20
}

func (f *Fake) serveOAuth(hw http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w := &recorder{header: http.Header{}, status: http.StatusOK}
	entry := Request{Method: r.Method, Path: r.URL.Path, Route: r.Method + " " + r.URL.Path, Query: r.URL.RawQuery}
	defer func() {
		for k, v := range w.header {
			hw.Header()[k] = v
		}
		hw.WriteHeader(w.status)
		_, _ = hw.Write(w.body)
		entry.Status = w.status
		f.log = append(f.log, entry)
	}()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/oauth/authorize":
		f.authorize(w, r.URL.Query(), !f.consent)
	case r.Method == http.MethodPost && r.URL.Path == "/oauth/authorize" && f.consent:
		// The user's "Authorize" on the consent page.
		if err := r.ParseForm(); err != nil {
			f.errorf("POST /oauth/authorize: %v", err)
			errorPage(w, http.StatusBadRequest, err.Error())
			return
		}
		entry.Body = r.PostForm.Encode()
		f.authorize(w, r.PostForm, true)
	case r.Method == http.MethodPost && r.URL.Path == "/oauth/token":
		if err := r.ParseForm(); err != nil {
			f.errorf("POST /oauth/token: %v", err)
			w.json(http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": err.Error()})
			return
		}
		entry.Body = r.PostForm.Encode()
		f.token(w, r)
	default:
		entry.Route = ""
		f.errorf("%s %s: no such OAuth endpoint", r.Method, r.URL.Path)
		w.json(http.StatusNotFound, map[string]any{"error": "404 Not Found"})
	}
}

// consentPage is GitLab's "Authorize APP to use your account?" page: a
// form that posts the request's parameters back to /oauth/authorize.
func consentPage(w *recorder, q url.Values) {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"></head><body><main>` +
		`<h1>Authorize application to use your account?</h1><form method="post" action="/oauth/authorize">`)
	for k, vs := range q {
		for _, v := range vs {
			fmt.Fprintf(&b, `<input type="hidden" name="%s" value="%s">`, html.EscapeString(k), html.EscapeString(v))
		}
	}
	b.WriteString(`<button type="submit" name="commit" value="Authorize" id="authorize">Authorize</button></form></main></body></html>`)
	w.header.Set("Content-Type", "text/html; charset=utf-8")
	w.body = []byte(b.String())
}

// RequireConsent makes /oauth/authorize show GitLab's consent page, whose
// Authorize button posts back to /oauth/authorize, instead of approving at
// once as GitLab does for a trusted application or one the user already
// authorised with these scopes.
func (f *Fake) RequireConsent(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.consent = on
}

// errorPage is Doorkeeper's page for an authorisation it cannot send back.
func errorPage(w *recorder, status int, desc string) {
	w.header.Set("Content-Type", "text/html; charset=utf-8")
	w.status = status
	w.body = []byte("<!DOCTYPE html><html><body><main><h1>An error has occurred</h1><p>" + html.EscapeString(desc) + "</p></main></body></html>")
}

func (f *Fake) authorize(w *recorder, q url.Values, approved bool) {
	app, ok := f.oauthApps[q.Get("client_id")]
	if !ok {
		f.errorf("GET /oauth/authorize: unknown client_id %q", q.Get("client_id"))
		errorPage(w, http.StatusUnauthorized, "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
		return
	}
	if q.Get("redirect_uri") != app.redirect {
		f.errorf("GET /oauth/authorize: redirect_uri %q is not the application's %q", q.Get("redirect_uri"), app.redirect)
		errorPage(w, http.StatusBadRequest, "The redirect URI included is not valid.")
		return
	}
	if f.signedIn == 0 {
		f.errorf("GET /oauth/authorize: nobody is signed in to GitLab (SignInAs)")
		w.header.Set("Location", f.URL+"/users/sign_in")
		w.status = http.StatusFound
		return
	}
	back, _ := url.Parse(app.redirect)
	bq := back.Query()
	send := func() {
		if s := q.Get("state"); s != "" {
			bq.Set("state", s)
		}
		back.RawQuery = bq.Encode()
		w.header.Set("Location", back.String())
		w.status = http.StatusFound
	}
	refuse := func(code, desc string) {
		f.errorf("GET /oauth/authorize: %s: %s", code, desc)
		bq.Set("error", code)
		bq.Set("error_description", desc)
		send()
	}
	scopes := strings.Fields(q.Get("scope"))
	method := q.Get("code_challenge_method")
	switch {
	case q.Get("response_type") != "code":
		refuse("unsupported_response_type", "The authorization server does not support this response type.")
		return
	case len(scopes) == 0 || slices.ContainsFunc(scopes, func(s string) bool { return !slices.Contains(app.scopes, s) }):
		refuse("invalid_scope", "The requested scope is invalid, unknown, or malformed.")
		return
	case q.Get("code_challenge") != "" && method != "S256" && method != "plain" && method != "":
		refuse("invalid_request", "The code challenge method must be plain or S256.")
		return
	}
	if q.Get("state") == "" {
		// GitLab does not require it, but an application without a state
		// is open to login CSRF: mpgate's must always send one.
		f.errorf("GET /oauth/authorize: no state")
	}
	if !approved {
		consentPage(w, q)
		return
	}
	if method == "" && q.Get("code_challenge") != "" {
		method = "plain"
	}
	code := fmt.Sprintf("glcode-%d", f.id())
	f.codes[code] = oauthCode{clientID: q.Get("client_id"), redirect: app.redirect, challenge: q.Get("code_challenge"),
		method: method, scopes: scopes, user: f.signedIn, expires: f.now().Add(oauthCodeTTL)}
	bq.Set("code", code)
	send()
}

func (f *Fake) token(w *recorder, r *http.Request) {
	form := r.PostForm
	refuse := func(status int, code, desc string) {
		f.errorf("POST /oauth/token: %s: %s", code, desc)
		w.header.Set("Cache-Control", "no-store")
		w.json(status, map[string]any{"error": code, "error_description": desc})
	}
	const badClient = "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."
	const badGrant = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	app, ok := f.oauthApps[id]
	if !ok || subtle.ConstantTimeCompare([]byte(app.secret), []byte(secret)) != 1 {
		refuse(http.StatusUnauthorized, "invalid_client", badClient)
		return
	}
	if gt := form.Get("grant_type"); gt != "authorization_code" {
		refuse(http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
		return
	}
	c, ok := f.codes[form.Get("code")]
	delete(f.codes, form.Get("code"))
	switch {
	case !ok || c.clientID != id || !f.now().Before(c.expires):
		refuse(http.StatusBadRequest, "invalid_grant", badGrant)
		return
	case form.Get("redirect_uri") != c.redirect:
		refuse(http.StatusBadRequest, "invalid_grant", badGrant+" (redirect_uri)")
		return
	case c.challenge != "" && !pkceMatches(c.method, c.challenge, form.Get("code_verifier")):
		refuse(http.StatusBadRequest, "invalid_grant", badGrant+" (code_verifier)")
		return
	}
	now := f.now()
	tok := fmt.Sprintf("gloas-%d", f.id())
	f.tokens[tok] = token{kind: OAuth, user: c.user, scopes: c.scopes, expires: now.Add(OAuthTokenTTL)}
	w.header.Set("Cache-Control", "no-store")
	w.json(http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": int(OAuthTokenTTL / time.Second),
		"refresh_token": fmt.Sprintf("glrt-%d", f.id()), "scope": strings.Join(c.scopes, " "), "created_at": now.Unix(),
	})
}

// pkceMatches is RFC 7636's check of a verifier against the challenge.
func pkceMatches(method, challenge, verifier string) bool {
	if verifier == "" {
		return false
	}
	if method == "plain" {
		return subtle.ConstantTimeCompare([]byte(challenge), []byte(verifier)) == 1
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

// scopeAllows applies GitLab's API scopes to a route: api reaches all of
// it, read_api every GET (lib/api/api.rb), read_user GET /user and GET
// /users (lib/api/users.rb). A token without scopes (AddToken's) is not
// limited.
func scopeAllows(scopes []string, method, route string) bool {
	if scopes == nil || slices.Contains(scopes, "api") {
		return true
	}
	if method != http.MethodGet && method != http.MethodHead {
		return false
	}
	if slices.Contains(scopes, "read_api") {
		return true
	}
	return slices.Contains(scopes, "read_user") && (route == "GET /user" || route == "GET /users")
}
