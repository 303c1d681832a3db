package fakegithub

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
)

// GitHub's web application flow for a GitHub App's user tokens
// (docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app,
// shapes noted in testdata/ORIGINS.md): GET /login/oauth/authorize sends the
// browser back to redirect_uri with code and state once the user approved
// (here: at once, as the user set by SignInAs); POST
// /login/oauth/access_token exchanges the code (form fields client_id,
// client_secret, code, redirect_uri, code_verifier) for
// {"access_token","token_type":"bearer","scope"} with Accept:
// application/json, and answers a bad code 200 with
// {"error":"bad_verification_code",…} as GitHub does. These live on
// github.com, not the REST API, so they are outside its description.

type oauthApp struct{ secret string }

type oauthCode struct {
	clientID, redirect, challenge, login string
}

// RegisterOAuthApp registers a GitHub App's client id and secret for the
// user sign-in.
func (f *Fake) RegisterOAuthApp(clientID, secret string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.oauthApps[clientID] = oauthApp{secret: secret}
}

// SignInAs makes login the user who approves the next authorisations.
func (f *Fake) SignInAs(login string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signedIn = login
}

// SetPrivate makes repo ("owner/name") private: a user token (minted by the
// sign-in) of a login not among readers gets GitHub's 404 for it, as a
// private repository is invisible to those who cannot read it.
func (f *Fake) SetPrivate(repo string, readers ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[string]bool{}
	for _, r := range readers {
		m[r] = true
	}
	f.private[repo] = m
}

// hidden reports whether the user token cred may not see repo.
func (f *Fake) hidden(cred, repo string) bool {
	readers, private := f.private[repo]
	if !private || !f.userTokens[cred] {
		return false
	}
	return !readers[f.tokens[cred]]
}

func (f *Fake) serveOAuth(w *recorder, r *http.Request) {
	oauthErr := func(code, desc string) {
		f.fail(r, code+": "+desc)
		f.reply(w, r, http.StatusOK, map[string]any{"error": code, "error_description": desc,
			"error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/"})
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/login/oauth/authorize":
		q := r.URL.Query()
		if _, ok := f.oauthApps[q.Get("client_id")]; !ok {
			f.fail(r, "unknown client_id")
			w.status = http.StatusNotFound
			return
		}
		redirect, err := url.Parse(q.Get("redirect_uri"))
		if err != nil || !redirect.IsAbs() || q.Get("state") == "" || f.signedIn == "" {
			f.fail(r, "authorize needs an absolute redirect_uri, a state and a signed-in user")
			w.status = http.StatusBadRequest
			return
		}
		if m := q.Get("code_challenge_method"); q.Get("code_challenge") != "" && m != "S256" {
			f.fail(r, "code_challenge_method "+m+" (GitHub supports S256)")
			w.status = http.StatusBadRequest
			return
		}
		f.nextID++
		code := fmt.Sprintf("code-%d", f.nextID)
		f.codes[code] = oauthCode{clientID: q.Get("client_id"), redirect: redirect.String(), challenge: q.Get("code_challenge"), login: f.signedIn}
		rq := redirect.Query()
		rq.Set("code", code)
		rq.Set("state", q.Get("state"))
		redirect.RawQuery = rq.Encode()
		w.header.Set("Location", redirect.String())
		w.status = http.StatusFound
	case r.Method == http.MethodPost && r.URL.Path == "/login/oauth/access_token":
		if err := r.ParseForm(); err != nil {
			oauthErr("invalid_request", err.Error())
			return
		}
		app, ok := f.oauthApps[r.PostForm.Get("client_id")]
		if !ok || app.secret != r.PostForm.Get("client_secret") {
			oauthErr("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.")
			return
		}
		c, ok := f.codes[r.PostForm.Get("code")]
		delete(f.codes, r.PostForm.Get("code"))
		if !ok || c.clientID != r.PostForm.Get("client_id") {
			oauthErr("bad_verification_code", "The code passed is incorrect or expired.")
			return
		}
		if ru := r.PostForm.Get("redirect_uri"); ru != "" && ru != c.redirect {
			oauthErr("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application.")
			return
		}
		if c.challenge != "" {
			sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
			if base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
				oauthErr("bad_verification_code", "The code_verifier does not match the code_challenge.")
				return
			}
		}
		f.nextID++
		token := fmt.Sprintf("ghu_%d", f.nextID)
		f.tokens[token] = c.login
		f.userTokens[token] = true
		f.reply(w, r, http.StatusOK, map[string]any{"access_token": token, "token_type": "bearer", "scope": ""})
	default:
		f.fail(r, "no such OAuth endpoint")
		w.status = http.StatusNotFound
	}
}
