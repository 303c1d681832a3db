package fakegitlab

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	appID     = "app-1"
	appSecret = "gloas-secret"
	callback  = "https://mpgate.example/pages/auth/gitlab/callback"
	verifier  = "dBjftJeZ4CVP-mJ92K1s4fJ3lMmy-Y0fjK4zHnrzCQ5" // RFC 7636's example, 43 chars
)

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func oauthSetup(t *testing.T) *Fake {
	t.Helper()
	f := setup(t)
	f.AddUser(7, "alice", false)
	f.RegisterOAuthApp(appID, appSecret, callback, "read_api", "read_user")
	f.SignInAs(7)
	return f
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorize asks for a code as a browser would and returns the redirect.
func authorize(t *testing.T, f *Fake, q url.Values) (int, *url.URL) {
	t.Helper()
	resp, err := noRedirect.Get(f.URL + "/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return resp.StatusCode, loc
}

func authorizeQuery() url.Values {
	return url.Values{"client_id": {appID}, "redirect_uri": {callback}, "response_type": {"code"}, "state": {"xyz"},
		"scope": {"read_api"}, "code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}}
}

func exchange(t *testing.T, f *Fake, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(f.URL+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("token answer %d %q: %v", resp.StatusCode, b, err)
	}
	return resp.StatusCode, out
}

func tokenForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback},
		"client_id": {appID}, "client_secret": {appSecret}, "code_verifier": {verifier}}
}

// TestOAuthFlow goes through the authorisation-code flow with PKCE and
// uses the token: GET /user is alice, the scope is the one asked.
func TestOAuthFlow(t *testing.T) {
	f := oauthSetup(t)
	status, loc := authorize(t, f, authorizeQuery())
	if status != http.StatusFound || loc.Query().Get("state") != "xyz" || loc.Query().Get("code") == "" ||
		!strings.HasPrefix(loc.String(), callback+"?") {
		t.Fatalf("authorize: %d to %s", status, loc)
	}
	status, tok := exchange(t, f, tokenForm(loc.Query().Get("code")))
	if status != http.StatusOK || tok["token_type"] != "Bearer" || tok["scope"] != "read_api" || tok["expires_in"] != float64(7200) {
		t.Fatalf("token: %d %v", status, tok)
	}
	a := do(t, f, "GET", "/user", "Bearer", tok["access_token"].(string), "")
	if a.status != http.StatusOK || !strings.Contains(a.body, `"username":"alice"`) {
		t.Fatalf("GET /user: %d %s", a.status, a.body)
	}
	if errs := f.Errors(); len(errs) > 0 {
		t.Fatal(errs)
	}
	// The code was spent.
	if status, out := exchange(t, f, tokenForm(loc.Query().Get("code"))); status != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Errorf("second exchange: %d %v", status, out)
	}
}

// TestOAuthConsent: with RequireConsent, authorize shows a form that
// posts the request back; the post approves it.
func TestOAuthConsent(t *testing.T) {
	f := oauthSetup(t)
	f.RequireConsent(true)
	resp, err := noRedirect.Get(f.URL + "/oauth/authorize?" + authorizeQuery().Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `<form method="post" action="/oauth/authorize">`) ||
		!strings.Contains(string(page), `name="state" value="xyz"`) {
		t.Fatalf("consent page: %d\n%s", resp.StatusCode, page)
	}
	resp, err = noRedirect.PostForm(f.URL+"/oauth/authorize", authorizeQuery())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" || loc.Query().Get("state") != "xyz" {
		t.Fatalf("approval: %d to %s", resp.StatusCode, loc)
	}
	if errs := f.Errors(); len(errs) > 0 {
		t.Fatal(errs)
	}
}

// TestOAuthRefusals: what GitLab refuses at /oauth/authorize and at
// /oauth/token, and how.
func TestOAuthRefusals(t *testing.T) {
	t.Run("authorize", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			change func(url.Values)
			status int
			err    string // error=… sent back to the callback
		}{
			{"unknown client", func(q url.Values) { q.Set("client_id", "nope") }, http.StatusUnauthorized, ""},
			{"another redirect_uri", func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }, http.StatusBadRequest, ""},
			{"scope not registered", func(q url.Values) { q.Set("scope", "api") }, http.StatusFound, "invalid_scope"},
			{"no scope", func(q url.Values) { q.Del("scope") }, http.StatusFound, "invalid_scope"},
			{"token response type", func(q url.Values) { q.Set("response_type", "token") }, http.StatusFound, "unsupported_response_type"},
			{"unknown challenge method", func(q url.Values) { q.Set("code_challenge_method", "S512") }, http.StatusFound, "invalid_request"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := oauthSetup(t)
				q := authorizeQuery()
				tc.change(q)
				status, loc := authorize(t, f, q)
				if status != tc.status {
					t.Fatalf("status %d, want %d", status, tc.status)
				}
				if tc.err != "" && (loc.Query().Get("error") != tc.err || loc.Query().Get("code") != "" || loc.Query().Get("state") != "xyz") {
					t.Errorf("sent back to %s, want error=%s with the state and no code", loc, tc.err)
				}
				if len(f.Errors()) == 0 {
					t.Error("refusal not recorded as a client error")
				}
			})
		}
	})
	t.Run("token", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			change func(f *Fake, form url.Values)
			status int
			err    string
		}{
			{"wrong secret", func(_ *Fake, v url.Values) { v.Set("client_secret", "guess") }, http.StatusUnauthorized, "invalid_client"},
			{"no secret", func(_ *Fake, v url.Values) { v.Del("client_secret") }, http.StatusUnauthorized, "invalid_client"},
			{"unknown client", func(_ *Fake, v url.Values) { v.Set("client_id", "nope") }, http.StatusUnauthorized, "invalid_client"},
			{"wrong code_verifier", func(_ *Fake, v url.Values) { v.Set("code_verifier", strings.Repeat("a", 43)) }, http.StatusBadRequest, "invalid_grant"},
			{"no code_verifier", func(_ *Fake, v url.Values) { v.Del("code_verifier") }, http.StatusBadRequest, "invalid_grant"},
			{"another redirect_uri", func(_ *Fake, v url.Values) { v.Set("redirect_uri", "https://mpgate.example/other") }, http.StatusBadRequest, "invalid_grant"},
			{"unknown code", func(_ *Fake, v url.Values) { v.Set("code", "made-up") }, http.StatusBadRequest, "invalid_grant"},
			{"another client's code", func(f *Fake, v url.Values) {
				f.RegisterOAuthApp("app-2", "s2", callback, "read_api")
				v.Set("client_id", "app-2")
				v.Set("client_secret", "s2")
			}, http.StatusBadRequest, "invalid_grant"},
			{"expired code", func(f *Fake, _ url.Values) {
				later := time.Now().Add(11 * time.Minute)
				f.SetClock(func() time.Time { return later })
			}, http.StatusBadRequest, "invalid_grant"},
			{"password grant", func(_ *Fake, v url.Values) { v.Set("grant_type", "password") }, http.StatusBadRequest, "unsupported_grant_type"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := oauthSetup(t)
				_, loc := authorize(t, f, authorizeQuery())
				form := tokenForm(loc.Query().Get("code"))
				tc.change(f, form)
				status, out := exchange(t, f, form)
				if status != tc.status || out["error"] != tc.err || out["access_token"] != nil {
					t.Errorf("%d %v, want %d error %s", status, out, tc.status, tc.err)
				}
				if len(f.Errors()) == 0 {
					t.Error("refusal not recorded as a client error")
				}
			})
		}
	})
}

// TestVisibility: a private project is a 404 like a missing one to a
// non-member, a Guest sees it but not its merge requests, a reporter sees
// both; a read_user token reaches GET /user only; an OAuth token expires
// after two hours.
func TestVisibility(t *testing.T) {
	f := setup(t)
	now := time.Now()
	f.SetClock(func() time.Time { return now })
	f.AddProject(50, "acme/secret")
	f.SetVisibility(50, VisibilityPrivate)
	f.AddProject(51, "acme/inside")
	f.SetVisibility(51, VisibilityInternal)
	for id, name := range map[int64]string{2: "stranger", 3: "guest", 4: "reporter"} {
		f.AddUser(id, name, false)
		f.AddToken(name, Private, id)
	}
	f.SetMember(50, 3, 10)
	f.SetMember(50, 4, 20)
	f.mu.Lock()
	f.tokens["read-user-only"] = token{kind: OAuth, user: 4, scopes: []string{"read_user"}}
	f.tokens["expiring"] = token{kind: OAuth, user: 4, scopes: []string{"read_api"}, expires: now.Add(OAuthTokenTTL)}
	f.mu.Unlock()

	missing := do(t, f, "GET", "/projects/99", "PRIVATE-TOKEN", "stranger", "")
	for _, tc := range []struct {
		name, path, header, token string
		status                    int
		body                      string // a substring
	}{
		{"stranger, private project", "/projects/50", "PRIVATE-TOKEN", "stranger", 404, `{"message":"404 Project Not Found"}`},
		{"stranger, private project by path", "/projects/acme%2Fsecret", "PRIVATE-TOKEN", "stranger", 404, `{"message":"404 Project Not Found"}`},
		{"stranger, its merge requests", "/projects/50/merge_requests", "PRIVATE-TOKEN", "stranger", 404, `{"message":"404 Project Not Found"}`},
		{"stranger, internal project", "/projects/51", "PRIVATE-TOKEN", "stranger", 200, `"visibility":"internal"`},
		{"stranger, public project", "/projects/42/merge_requests", "PRIVATE-TOKEN", "stranger", 200, `"iid":5`},
		{"guest, private project", "/projects/50", "PRIVATE-TOKEN", "guest", 200, `"project_access":{"access_level":10`},
		{"guest, its merge requests", "/projects/50/merge_requests", "PRIVATE-TOKEN", "guest", 403, `{"message":"403 Forbidden"}`},
		{"reporter, private project", "/projects/acme%2Fsecret", "PRIVATE-TOKEN", "reporter", 200, `"path_with_namespace":"acme/secret"`},
		{"reporter, its merge requests", "/projects/50/merge_requests?per_page=1", "PRIVATE-TOKEN", "reporter", 200, `[]`},
		{"read_user token, /user", "/user", "Bearer", "read-user-only", 200, `"username":"reporter"`},
		{"read_user token, a project", "/projects/50", "Bearer", "read-user-only", 403, `"error":"insufficient_scope"`},
		{"read_api token, a project", "/projects/50/merge_requests", "Bearer", "expiring", 200, `[]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, f, "GET", tc.path, tc.header, tc.token, "")
			if a.status != tc.status || !strings.Contains(a.body, tc.body) {
				t.Errorf("%d %s, want %d with %s", a.status, a.body, tc.status, tc.body)
			}
			if tc.status == 404 && (a.body != missing.body || a.status != missing.status) {
				t.Errorf("a private project answers %d %s, a missing one %d %s", a.status, a.body, missing.status, missing.body)
			}
		})
	}
	now = now.Add(OAuthTokenTTL)
	if a := do(t, f, "GET", "/user", "Bearer", "expiring", ""); a.status != http.StatusUnauthorized {
		t.Errorf("expired OAuth token: %d %s", a.status, a.body)
	}
	if errs := f.Errors(); len(errs) != 1 || !strings.Contains(errs[0], "scopes") {
		t.Errorf("client errors %q, want only the read_user token's", errs)
	}
}
