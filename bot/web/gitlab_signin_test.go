package web_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store"
	"github.com/mpgate/mpgate/bot/store/storetest"
	"github.com/mpgate/mpgate/bot/web"
	"github.com/mpgate/mpgate/internal/browsertest"
	"github.com/mpgate/mpgate/internal/fakegitlab"
)

// gitlabSite is the pages served over HTTPS by the real handler, signing
// in with internal/fakegitlab's OAuth provider over real HTTP: a private
// project acme/mobile/secret (alice a Reporter, gus a Guest, bob nothing),
// a public one acme/shop, each with one recorded run.
type gitlabSite struct {
	gl             *fakegitlab.Fake
	srv            *httptest.Server
	secret, public bot.Repo

	store *store.Store

	mu      sync.Mutex
	now     time.Time    // the pages' and the fake's clock
	handler http.Handler // what srv serves
}

func (s *gitlabSite) serve(h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handler = h
}

const (
	glAppID, glSecret = "gl-app-id", "gl-app-secret"
	alice, bob, gus   = int64(7), int64(8), int64(9)
)

// newGitLabSite serves the pages over HTTPS (tlsServer) or plain HTTP.
func newGitLabSite(t *testing.T, tlsServer bool) *gitlabSite {
	t.Helper()
	s := &gitlabSite{gl: fakegitlab.New(t), now: time.Now()}
	clock := func() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now }
	s.gl.SetClock(clock)
	for id, name := range map[int64]string{alice: "alice", bob: "bob", gus: "gus"} {
		s.gl.AddUser(id, name, false)
	}
	s.gl.AddProject(50, "acme/mobile/secret")
	s.gl.SetVisibility(50, fakegitlab.VisibilityPrivate)
	s.gl.SetMember(50, alice, 20)
	s.gl.SetMember(50, gus, 10)
	s.gl.AddProject(51, "acme/shop")

	ctx := context.Background()
	st, err := store.Open(ctx, storetest.OpenDB(t, storetest.Backends()[0]), store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	s.store = st
	s.secret = bot.Repo{Forge: bot.ForgeGitLab, Owner: "acme/mobile", Name: "secret", ID: 50}
	s.public = bot.Repo{Forge: bot.ForgeGitLab, Owner: "acme", Name: "shop", ID: 51}
	for _, r := range []bot.RunRecord{
		{Repo: s.secret, SHA: "5ec7e7aa", Conclusion: "success", FinishedAt: s.now.Add(-time.Hour),
			Packages: []bot.PackageRecord{{Name: "__APP__", Bytes: 1 << 20, UploadBytes: 900 << 10, Limit: 2 << 20, Basis: "uploadBytes"}}},
		{Repo: s.secret, SHA: "5ec7e7bb", PR: 3, Conclusion: "failure", FinishedAt: s.now.Add(-30 * time.Minute)},
		{Repo: s.public, SHA: "5b0bb0bb", Conclusion: "success", FinishedAt: s.now.Add(-time.Hour)},
	} {
		if err := st.ForBot().RecordRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}

	serve := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.handler
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})
	if tlsServer {
		s.srv = httptest.NewTLSServer(serve)
	} else {
		s.srv = httptest.NewServer(serve)
	}
	t.Cleanup(s.srv.Close)
	// The application as a GitLab admin registers it: docs/pages.md's
	// redirect URI and scope.
	s.gl.RegisterOAuthApp(glAppID, glSecret, s.srv.URL+"/pages/auth/gitlab/callback", "read_api")
	auth, err := web.NewAuth(web.AuthConfig{PublicURL: s.srv.URL, HashKey: []byte(strings.Repeat("h", 32)), BlockKey: []byte(strings.Repeat("b", 32)),
		GitLab: &web.OAuthApp{ClientID: glAppID, ClientSecret: glSecret, WebURL: s.gl.URL, APIURL: s.gl.BaseURL()}, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.Handler(web.Config{Store: st, Access: auth, SignIn: auth.SignInURL, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	s.serve(h)
	return s
}

// browser is a client with its own cookies that does not follow
// redirects, so that each step of the sign-in is seen.
type browser struct {
	t *testing.T
	c *http.Client
}

func (s *gitlabSite) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	tr := s.srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: tr.TLSClientConfig.RootCAs}
	return &browser{t: t, c: &http.Client{Jar: jar, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status   int
	location string
	body     string
	cookies  []*http.Cookie
}

func (b *browser) do(method, u string) page {
	b.t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	loc := resp.Header.Get("Location")
	if loc != "" {
		l, err := resp.Request.URL.Parse(loc)
		if err != nil {
			b.t.Fatal(err)
		}
		loc = l.String()
	}
	return page{resp.StatusCode, loc, string(body), resp.Cookies()}
}

func (b *browser) get(u string) page { b.t.Helper(); return b.do(http.MethodGet, u) }

// follow goes through redirects as a browser does and returns the
// last page and every page on the way.
func (b *browser) follow(u string) (page, []page) {
	b.t.Helper()
	var hops []page
	for range 10 {
		p := b.get(u)
		hops = append(hops, p)
		if p.status != http.StatusFound && p.status != http.StatusSeeOther {
			return p, hops
		}
		u = p.location
	}
	b.t.Fatalf("too many redirects from %s", u)
	return page{}, nil
}

// signIn signs user in as a browser does, starting from path; it returns
// the page reached and the callback's answer (the one that set the
// session cookie).
func (s *gitlabSite) signIn(t *testing.T, b *browser, user int64, path string) (landed, callback page) {
	t.Helper()
	s.gl.SignInAs(user)
	last, hops := b.follow(s.srv.URL + path)
	for _, h := range hops {
		for _, c := range h.cookies {
			if c.Name == "mpgate_session" && c.MaxAge > 0 {
				callback = h
			}
		}
	}
	return last, callback
}

// TestGitLabSignIn signs users in through GitLab's OAuth authorization-code
// flow with PKCE (internal/fakegitlab, over real HTTP) into the real pages
// server (over HTTPS) and checks who sees the private project: its
// Reporter does; a non-member, a Guest (GitLab refuses Guests a private
// project's merge requests) and an anonymous visitor do not, and learn
// nothing from the answer.
func TestGitLabSignIn(t *testing.T) {
	s := newGitLabSite(t, true)
	secretPath, missingPath := web.RepoPath(s.secret), "/pages/repo/gitlab/acme/mobile/nothing-here"

	// Anonymous: every repository page, existing, private or not,
	// redirects to sign in with only the asked path in it.
	anon := s.browser(t)
	for _, p := range []string{secretPath, missingPath, web.RepoPath(s.public)} {
		got := anon.get(s.srv.URL + p)
		if want := s.srv.URL + "/pages/signin?next=" + url.QueryEscape(p); got.status != http.StatusFound || got.location != want {
			t.Errorf("anonymous on %s: %d to %q, want 302 to %q", p, got.status, got.location, want)
		}
	}

	// alice (a Reporter) signs in from the private project's page and
	// lands on it.
	ab := s.browser(t)
	landed, cb := s.signIn(t, ab, alice, secretPath)
	// GitLab's merge requests are !N, not #N.
	if landed.status != http.StatusOK || !strings.Contains(landed.body, "acme/mobile/secret") || !strings.Contains(landed.body, "alice") ||
		!strings.Contains(landed.body, "<td>!3</td>") {
		t.Fatalf("alice after sign-in: %d\n%s", landed.status, landed.body)
	}
	var session *http.Cookie
	for _, c := range cb.cookies {
		if c.Name == "mpgate_session" {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("the callback set no session cookie: %+v", cb)
	}
	if !session.Secure || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/pages/" {
		t.Errorf("session cookie %+v: want Secure, HttpOnly, SameSite=Lax, Path=/pages/", session)
	}
	// Its lifetime is the GitLab token's (two hours), not eight.
	if want := int(fakegitlab.OAuthTokenTTL / time.Second); session.MaxAge != want {
		t.Errorf("session cookie Max-Age %d, want the token's %d", session.MaxAge, want)
	}
	if strings.Contains(session.Value, "gloas-") {
		t.Error("the session cookie shows the GitLab token")
	}
	if org := ab.get(s.srv.URL + "/pages/"); org.status != http.StatusOK || !strings.Contains(org.body, "acme/mobile/secret") || !strings.Contains(org.body, "acme/shop") {
		t.Errorf("alice's organisation page: %d\n%s", org.status, org.body)
	}

	// What the server asked GitLab, and how.
	var sawUser, sawProbe bool
	for _, r := range s.gl.Requests() {
		switch r.Route {
		case "GET /user":
			sawUser = r.Auth == "Bearer"
		case "GET /projects/:id/merge_requests":
			sawProbe = sawProbe || (r.Auth == "Bearer" && r.Path == "projects/50/merge_requests" && r.Status == 200)
		case "GET /oauth/authorize":
			q, _ := url.ParseQuery(r.Query)
			if q.Get("scope") != "read_api" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" {
				t.Errorf("authorize query %s: want scope read_api, an S256 challenge and a state", r.Query)
			}
		case "POST /oauth/token":
			f, _ := url.ParseQuery(r.Body)
			if f.Get("code_verifier") == "" || f.Get("grant_type") != "authorization_code" {
				t.Errorf("token request %s: want the PKCE verifier", r.Body)
			}
		}
	}
	if !sawUser || !sawProbe {
		t.Errorf("GET /user with the token: %v; merge requests of project 50 asked with it: %v", sawUser, sawProbe)
	}

	// bob (no member) and gus (a Guest) get the same 404 as for a
	// project that does not exist, and the organisation page leaves the
	// project out.
	for _, u := range []struct {
		name string
		id   int64
	}{{"bob", bob}, {"gus", gus}} {
		b := s.browser(t)
		landed, _ := s.signIn(t, b, u.id, "/pages/")
		if landed.status != http.StatusOK || strings.Contains(landed.body, "secret") || !strings.Contains(landed.body, "acme/shop") {
			t.Errorf("%s's organisation page: %d\n%s", u.name, landed.status, landed.body)
		}
		hidden, missing := b.get(s.srv.URL+secretPath), b.get(s.srv.URL+missingPath)
		if hidden.status != http.StatusNotFound || hidden.body != missing.body || strings.Contains(hidden.body, "secret") {
			t.Errorf("%s on the private project: %d %q; on a missing one: %d %q", u.name, hidden.status, hidden.body, missing.status, missing.body)
		}
		if p := b.get(s.srv.URL + web.RepoPath(s.public)); p.status != http.StatusOK {
			t.Errorf("%s on the public project: %d", u.name, p.status)
		}
	}

	// Sign-out: the session cookie is cleared (with the attributes it was
	// set with) and the pages ask to sign in again.
	out := ab.do(http.MethodPost, s.srv.URL+"/pages/signout")
	cleared := false
	for _, c := range out.cookies {
		cleared = cleared || (c.Name == "mpgate_session" && c.MaxAge < 0 && c.Secure && c.HttpOnly)
	}
	if out.status != http.StatusSeeOther || !cleared {
		t.Errorf("sign-out: %d, cookies %+v", out.status, out.cookies)
	}
	if p := ab.get(s.srv.URL + secretPath); p.status != http.StatusFound || !strings.Contains(p.location, "/pages/signin") {
		t.Errorf("after sign-out: %d to %q", p.status, p.location)
	}
	// It lands on a page saying so, not back at GitLab, which remembers
	// the approval and would sign alice in again at once.
	authorizations := s.gl.Count("GET /oauth/authorize")
	if p, _ := ab.follow(out.location); p.status != http.StatusOK || !strings.Contains(p.body, "signed out") || s.gl.Count("GET /oauth/authorize") != authorizations {
		t.Errorf("after sign-out: %d, %d authorisations\n%s", p.status, s.gl.Count("GET /oauth/authorize")-authorizations, p.body)
	}
	if p := ab.get(s.srv.URL + "/pages/"); p.status != http.StatusFound {
		t.Errorf("signed out, the organisation page: %d", p.status)
	}

	if errs := s.gl.Errors(); len(errs) > 0 {
		t.Errorf("fake GitLab: %q", errs)
	}
}

// TestGitLabSignInRefused: a callback is accepted only with the state the
// browser was given, and a code is exchanged only with the verifier of the
// sign-in that asked for it (PKCE), so a code stolen from another browser
// is useless; a session ends with its GitLab token.
func TestGitLabSignInRefused(t *testing.T) {
	s := newGitLabSite(t, true)
	callback := s.srv.URL + "/pages/auth/gitlab/callback"

	// Start a sign-in and stop at GitLab's redirect back: code and state.
	start := func(b *browser, user int64) url.Values {
		t.Helper()
		s.gl.SignInAs(user)
		toGitLab := b.get(s.srv.URL + "/pages/signin?next=/pages/")
		back := b.get(toGitLab.location)
		u, err := url.Parse(back.location)
		if err != nil || !strings.HasPrefix(back.location, callback+"?") {
			t.Fatalf("GitLab sent the browser to %q", back.location)
		}
		return u.Query()
	}
	tokens := func() int { return s.gl.Count("POST /oauth/token") }
	noSession := func(name string, p page) {
		t.Helper()
		for _, c := range p.cookies {
			if c.Name == "mpgate_session" && c.MaxAge > 0 {
				t.Errorf("%s: a session was set", name)
			}
		}
	}

	// A forged state (login CSRF): refused before any exchange.
	b := s.browser(t)
	q := start(b, alice)
	before := tokens()
	p := b.get(callback + "?code=" + url.QueryEscape(q.Get("code")) + "&state=forged")
	if p.status != http.StatusBadRequest || tokens() != before {
		t.Errorf("forged state: %d, %d token requests", p.status, tokens()-before)
	}
	noSession("forged state", p)

	// A callback in a browser that never started a sign-in: no state
	// cookie, refused.
	p = s.browser(t).get(callback + "?code=" + url.QueryEscape(q.Get("code")) + "&state=" + url.QueryEscape(q.Get("state")))
	if p.status != http.StatusBadRequest || tokens() != before {
		t.Errorf("callback without a state cookie: %d", p.status)
	}
	noSession("no state cookie", p)

	// Code injection: mallory starts her own sign-in (her own state and
	// verifier) and replays alice's code in it. The state is hers, so
	// mpgate exchanges the code, with her verifier: GitLab refuses it.
	victim := start(s.browser(t), alice)
	mallory := s.browser(t)
	own := start(mallory, bob)
	p = mallory.get(callback + "?code=" + url.QueryEscape(victim.Get("code")) + "&state=" + url.QueryEscape(own.Get("state")))
	if p.status != http.StatusForbidden {
		t.Errorf("another sign-in's code: %d, want 403", p.status)
	}
	noSession("another sign-in's code", p)
	errs := s.gl.Errors()
	if len(errs) != 1 || !strings.Contains(errs[0], "invalid_grant") || !strings.Contains(errs[0], "code_verifier") {
		t.Errorf("GitLab's refusals %q, want the one code_verifier mismatch", errs)
	}

	// A session lasts as long as its token: two hours on, the pages ask
	// to sign in again instead of showing nothing.
	ab := s.browser(t)
	if landed, _ := s.signIn(t, ab, alice, web.RepoPath(s.secret)); landed.status != http.StatusOK {
		t.Fatalf("alice: %d", landed.status)
	}
	s.mu.Lock()
	s.now = s.now.Add(fakegitlab.OAuthTokenTTL + time.Second)
	s.mu.Unlock()
	if p := ab.get(s.srv.URL + web.RepoPath(s.secret)); p.status != http.StatusFound || !strings.Contains(p.location, "/pages/signin") {
		t.Errorf("two hours later: %d to %q, want to sign in", p.status, p.location)
	}

	// A token revoked on GitLab (Applications → Authorized applications)
	// while the session lasts: once the cached answers expire, sent to sign
	// in again too, on a repository page and on the organisation page, not
	// shown a 404 or an empty list.
	gb := s.browser(t)
	if landed, _ := s.signIn(t, gb, gus, "/pages/"); landed.status != http.StatusOK {
		t.Fatalf("gus: %d", landed.status)
	}
	s.gl.RevokeUserTokens(gus)
	s.mu.Lock()
	s.now = s.now.Add(2 * time.Minute) // past the minute CanRead's answers are kept
	s.mu.Unlock()
	for _, path := range []string{web.RepoPath(s.public), "/pages/"} {
		if p := gb.get(s.srv.URL + path); p.status != http.StatusFound || !strings.Contains(p.location, "/pages/signin") {
			t.Errorf("revoked token on %s: %d to %q, want to sign in", path, p.status, p.location)
		}
	}
}

// TestGitLabSignInInBrowser signs in with GitLab in a real headless
// Chromium on a phone: the browser follows the redirects to the fake
// GitLab, where the user presses Authorize on its consent page, and back,
// and keeps the cookies itself. The pages are served as localhost and
// GitLab as 127.0.0.1, two sites, so the state cookie must come back with
// a navigation GitLab's page started (SameSite=Lax does; Strict would
// not, and the sign-in would fail on the state). The
// private project's page renders without console errors and without
// sideways scroll, its chart points where their data puts them; Sign out
// lands on the signed-out page; bob then signs in and gets the 404.
func TestGitLabSignInInBrowser(t *testing.T) {
	s := newGitLabSite(t, false)
	// Re-point the callback at the localhost name of the same server.
	pages := strings.Replace(s.srv.URL, "127.0.0.1", "localhost", 1)
	s.gl.RegisterOAuthApp(glAppID+"-localhost", glSecret, pages+"/pages/auth/gitlab/callback", "read_api")
	auth, err := web.NewAuth(web.AuthConfig{PublicURL: pages, HashKey: []byte(strings.Repeat("h", 32)), BlockKey: []byte(strings.Repeat("b", 32)),
		GitLab: &web.OAuthApp{ClientID: glAppID + "-localhost", ClientSecret: glSecret, WebURL: s.gl.URL, APIURL: s.gl.BaseURL()}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.Handler(web.Config{Store: s.store, Access: auth, SignIn: auth.SignInURL})
	if err != nil {
		t.Fatal(err)
	}
	s.serve(h)

	b := browsertest.New(t)
	s.gl.RequireConsent(true)
	s.gl.SignInAs(alice)
	p := b.Open(t, pages+web.RepoPath(s.secret), browsertest.Phone)
	p.Click(t, "#authorize") // on GitLab's consent page
	p.WaitVisible(t, "svg.chart")
	var got struct{ URL, Body string }
	p.Eval(t, `({URL: location.href, Body: document.body.innerText})`, &got)
	if got.URL != pages+web.RepoPath(s.secret) || !strings.Contains(got.Body, "acme/mobile/secret") || !strings.Contains(got.Body, "alice") {
		t.Fatalf("after sign-in the browser is at %s:\n%s", got.URL, got.Body)
	}
	if errs := p.Errors(t); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
	if over := p.HorizontalOverflow(t); over > 0 {
		t.Errorf("the page is %d px wider than the phone", over)
	}
	if n := checkCharts(t, p); n < 1 {
		t.Errorf("%d charts with points, want 1", n)
	}
	p.Screenshot(t, "gitlab-signed-in-phone")

	p.Click(t, "form.signout button")
	p.WaitVisible(t, "#signedout")
	p.Eval(t, `location.href`, &got.URL)
	if !strings.HasPrefix(got.URL, pages+"/pages/signin?signedout=") {
		t.Errorf("after sign-out the browser is at %s", got.URL)
	}
	p.Screenshot(t, "gitlab-signed-out-phone")

	s.gl.SignInAs(bob)
	q := b.Open(t, pages+web.RepoPath(s.secret), browsertest.Phone)
	q.Click(t, "#authorize")
	// The consent page has a body too: wait until the browser has left it (the 404 has no element to wait for).
	q.WaitTrue(t, "location.href === "+strconv.Quote(pages+web.RepoPath(s.secret)))
	q.Eval(t, `({URL: location.href, Body: document.body.innerText})`, &got)
	if got.URL != pages+web.RepoPath(s.secret) || strings.TrimSpace(got.Body) != "404 page not found" {
		t.Errorf("bob at %s sees %q, want the 404", got.URL, got.Body)
	}
	if errs := s.gl.Errors(); len(errs) > 0 {
		t.Errorf("fake GitLab: %q", errs)
	}
}
