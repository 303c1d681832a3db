package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store"
	"github.com/mpgate/mpgate/bot/store/storetest"
	"github.com/mpgate/mpgate/bot/web"
	"github.com/mpgate/mpgate/internal/fakegithub"
)

// TestGitHubSignIn signs users in through the fake GitHub's OAuth web flow
// over real HTTP and checks what each may see: anonymous → sent to sign in,
// a user who cannot read a private repository → 404 without its name, a
// user who can → the page; a callback whose state is not the one the
// browser was given is refused.
func TestGitHubSignIn(t *testing.T) {
	gh := fakegithub.New(t)
	gh.RegisterOAuthApp("Iv1.mpgate", "s3cret")
	gh.SetPrivate("octo/secret-plans", "alice")

	ctx := context.Background()
	s, err := store.Open(ctx, storetest.OpenDB(t, storetest.Backends()[0]), store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	shop := bot.Repo{Forge: bot.ForgeGitHub, Owner: "octo", Name: "shop"}
	secret := bot.Repo{Forge: bot.ForgeGitHub, Owner: "octo", Name: "secret-plans"}
	for _, r := range []bot.RunRecord{
		{Repo: shop, SHA: "a1", Conclusion: "success", FinishedAt: time.Now().Add(-time.Hour)},
		{Repo: secret, SHA: "b1", Conclusion: "success", FinishedAt: time.Now().Add(-time.Hour)},
	} {
		if err := s.ForBot().RecordRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}

	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer srv.Close()
	auth, err := web.NewAuth(web.AuthConfig{PublicURL: srv.URL, HashKey: []byte(strings.Repeat("h", 32)), BlockKey: []byte(strings.Repeat("b", 32)),
		GitHub: &web.OAuthApp{ClientID: "Iv1.mpgate", ClientSecret: "s3cret", WebURL: gh.URL, APIURL: gh.URL}})
	if err != nil {
		t.Fatal(err)
	}
	if h, err = web.Handler(web.Config{Store: s, Access: auth, SignIn: auth.SignInURL}); err != nil {
		t.Fatal(err)
	}

	browser := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar}
	}
	get := func(c *http.Client, path string) (int, string, string) {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Request.URL.Path, string(b)
	}

	// Anonymous: sent to sign in, with the page to come back to.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(srv.URL + web.RepoPath(shop))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/pages/signin?next=") {
		t.Fatalf("anonymous: %d to %q, want a redirect to sign in", resp.StatusCode, loc)
	}

	// bob signs in (the browser follows GitHub's redirects) and lands on
	// the page he asked for; the private repository is not his to see.
	gh.SignInAs("bob")
	bob := browser()
	if status, path, body := get(bob, web.RepoPath(shop)); status != http.StatusOK || path != web.RepoPath(shop) || !strings.Contains(body, "octo/shop") {
		t.Fatalf("bob after sign-in: %d at %s\n%s", status, path, body)
	}
	if status, _, body := get(bob, web.RepoPath(secret)); status != http.StatusNotFound || strings.Contains(body, "secret") {
		t.Errorf("bob on the private repository: %d\n%s", status, body)
	}
	if status, _, body := get(bob, "/pages/"); status != http.StatusOK || strings.Contains(body, "secret") || !strings.Contains(body, "octo/shop") {
		t.Errorf("bob's organisation page: %d\n%s", status, body)
	}

	// alice can read it.
	gh.SignInAs("alice")
	alice := browser()
	if status, _, body := get(alice, web.RepoPath(secret)); status != http.StatusOK || !strings.Contains(body, "secret-plans") {
		t.Errorf("alice on the private repository: %d\n%s", status, body)
	}

	// A callback with another state than the browser's is refused (CSRF).
	if status, _, _ := get(browser(), "/pages/auth/github/callback?code=x&state=forged"); status != http.StatusBadRequest {
		t.Errorf("forged callback: %d, want 400", status)
	}
	if errs := gh.Errors(); len(errs) > 0 {
		t.Errorf("fake GitHub errors: %v", errs)
	}
}
