package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/web"
	"github.com/mpgate/mpgate/internal/fakegitlab"
)

const (
	sgPagesApp, sgPagesSecret = "gl-pages-app", "gl-pages-secret"
	sgPublicURL               = "https://mpgate.example.com"
	sgMalloryID               = 13 // no member
)

// TestServeGitLabPages runs `mpgate serve` with --public-url and the GitLab
// sign-in flags on a private project: the merge request's sticky note links
// the project's page, and the server's sign-in, wired as serve_pages.go
// wires it (--gitlab-url's /oauth and /api/v4), lets its Reporter see the
// page and answers a non-member the 404 of a missing project.
func TestServeGitLabPages(t *testing.T) {
	f := newServeGitLabFake(t)
	f.SetVisibility(sgProjID, fakegitlab.VisibilityPrivate)
	f.AddUser(sgMalloryID, "mallory", false)
	f.RegisterOAuthApp(sgPagesApp, sgPagesSecret, sgPublicURL+"/pages/auth/gitlab/callback", "read_api")
	s := newGitLabTestServer(t, glServerOpts{fake: f, publicURL: sgPublicURL})

	dir, base, head := miniRepo(t, 0)
	s.setMR(7, base, head)
	if code := s.deliver("Merge Request Hook", "idem-pages", sgSecret, mrPayload(t, dir, 7, "open", head, "")); code != http.StatusAccepted {
		t.Fatalf("delivery answered %d", code)
	}
	waitFor(t, "the sticky note", func() bool { return len(s.notesBy(7, sgBotID)) == 1 })
	repo := bot.Repo{Forge: bot.ForgeGitLab, Owner: "acme", Name: "shop"}
	page := web.RepoPath(repo)
	if link := "(" + sgPublicURL + page + ")"; !strings.Contains(s.notesBy(7, sgBotID)[0].Body, link) {
		t.Errorf("the note lacks the link %s:\n%s", link, s.notesBy(7, sgBotID)[0].Body)
	}

	// The browser: no redirects followed, cookies carried by hand (the
	// public URL is https, so they are Secure, and the test server is
	// http), the forge's redirect to the public URL turned into one to the
	// test server.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string, cookies []*http.Cookie) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	signIn := func(user int64) []*http.Cookie {
		t.Helper()
		f.SignInAs(user)
		toSignIn := get(s.http.URL+page, nil)
		toSignIn.Body.Close()
		toGitLab := get(s.http.URL+toSignIn.Header.Get("Location"), nil)
		toGitLab.Body.Close()
		if loc := toGitLab.Header.Get("Location"); toGitLab.StatusCode != http.StatusFound || !strings.HasPrefix(loc, f.URL+"/oauth/authorize?") {
			t.Fatalf("sign-in sent to %d %q, want the GitLab of --gitlab-url", toGitLab.StatusCode, loc)
		}
		back := get(toGitLab.Header.Get("Location"), nil)
		back.Body.Close()
		cb, err := url.Parse(back.Header.Get("Location"))
		if err != nil || !strings.HasPrefix(cb.String(), sgPublicURL+"/pages/auth/gitlab/callback?") {
			t.Fatalf("GitLab sent the browser to %q", back.Header.Get("Location"))
		}
		done := get(s.http.URL+cb.RequestURI(), toGitLab.Cookies())
		done.Body.Close()
		if done.StatusCode != http.StatusFound || done.Header.Get("Location") != page {
			t.Fatalf("callback: %d to %q", done.StatusCode, done.Header.Get("Location"))
		}
		return done.Cookies()
	}
	read := func(u string, cookies []*http.Cookie) (int, string) {
		t.Helper()
		resp := get(u, cookies)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if status, body := read(s.http.URL+page, signIn(sgRitaID)); status != http.StatusOK || !strings.Contains(body, "acme/shop") || !strings.Contains(body, "rita") {
		t.Errorf("rita (Reporter) on the page: %d\n%s", status, body)
	}
	mallory := signIn(sgMalloryID)
	status, body := read(s.http.URL+page, mallory)
	missingStatus, missing := read(s.http.URL+"/pages/repo/gitlab/acme/nothing", mallory)
	if status != http.StatusNotFound || body != missing || missingStatus != status {
		t.Errorf("mallory (no member): %d %q; a missing project: %d %q", status, body, missingStatus, missing)
	}
}
