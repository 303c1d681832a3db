package main

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/mpgate/mpgate/bot/store"
	"github.com/mpgate/mpgate/bot/web"
	"github.com/mpgate/mpgate/bot/workspace"
)

// pagesHandler is the read-only pages (bot/web) when --public-url is set:
// sign-in with the configured forges' OAuth applications, cookies keyed by
// --pages-session-key-file. nil without --public-url.
func pagesHandler(f *serveFlags, st *store.Store, log *slog.Logger) (http.Handler, error) {
	if f.publicURL == "" {
		return nil, nil
	}
	if f.pagesKeyFile == "" {
		return nil, usageError("serve: --public-url needs --pages-session-key-file (at least 32 random bytes)")
	}
	secret, err := readSecret(f.pagesKeyFile, "pages session key")
	if err != nil {
		return nil, err
	}
	hashKey, blockKey, err := web.SessionKeys(secret)
	if err != nil {
		return nil, usageError("serve: %v", err)
	}
	cfg := web.AuthConfig{PublicURL: f.publicURL, HashKey: hashKey, BlockKey: blockKey}
	if f.githubOAuthID != "" {
		sec, err := readSecret(f.githubOAuthSecret, "GitHub App client secret")
		if err != nil {
			return nil, err
		}
		webBase, err := workspace.GitHubWebBase(f.githubAPIURL)
		if err != nil {
			return nil, usageError("serve: %v", err)
		}
		cfg.GitHub = &web.OAuthApp{ClientID: f.githubOAuthID, ClientSecret: string(sec), WebURL: webBase, APIURL: f.githubAPIURL}
	}
	if f.gitlabOAuthID != "" {
		if f.gitlabURL == "" {
			return nil, usageError("serve: --gitlab-oauth-client-id needs --gitlab-url")
		}
		sec, err := readSecret(f.gitlabOAuthSecret, "GitLab OAuth application secret")
		if err != nil {
			return nil, err
		}
		base := strings.TrimRight(f.gitlabURL, "/")
		cfg.GitLab = &web.OAuthApp{ClientID: f.gitlabOAuthID, ClientSecret: string(sec), WebURL: base, APIURL: base + "/api/v4"}
	}
	auth, err := web.NewAuth(cfg)
	if err != nil {
		return nil, usageError("serve: %v (--public-url needs --github-oauth-client-id or --gitlab-oauth-client-id)", err)
	}
	log.Info("pages", "url", strings.TrimRight(f.publicURL, "/")+web.Prefix)
	return web.Handler(web.Config{Store: st, Access: auth, SignIn: auth.SignInURL, Logger: log})
}
