package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/bot/worker"
	"github.com/mpgate/mpgate/internal/metrics"
	"github.com/mpgate/mpgate/webhooks"
)

// gitlabServer is serve's GitLab side: one client (one token) for the
// whole instance, its webhook secret and signing token.
type gitlabServer struct {
	forge   *gitlab.Forge
	secret  []byte
	signing []byte
	api     *metrics.APITransport
}

// newGitLabServer reads the GitLab flags' files and makes the client; nil
// when GitLab is off (no --gitlab-url). Secrets are read before anything
// is opened; a missing webhook secret is not fatal but every GitLab
// delivery is then refused (as GitHub's).
func newGitLabServer(f *serveFlags, log *slog.Logger, opts []gitlab.Option) (*gitlabServer, error) {
	if f.gitlabURL == "" {
		if f.gitlabTokenFile != "" || f.gitlabSecretFile != "" || f.gitlabSigningFile != "" {
			return nil, usageError("serve: the --gitlab-* files need --gitlab-url (https://gitlab.com or your instance)")
		}
		return nil, nil
	}
	if f.gitlabTokenFile == "" {
		return nil, usageError("serve: --gitlab-url needs --gitlab-token-file (a project, group or bot user's token with the api scope, Developer or more)")
	}
	token, err := readSecret(f.gitlabTokenFile, "GitLab token")
	if err != nil {
		return nil, err
	}
	g := &gitlabServer{}
	if f.gitlabSecretFile != "" {
		if g.secret, err = readSecret(f.gitlabSecretFile, "GitLab webhook secret token"); err != nil {
			return nil, err
		}
	}
	if f.gitlabSigningFile != "" {
		if g.signing, err = readSecret(f.gitlabSigningFile, "GitLab webhook signing token"); err != nil {
			return nil, err
		}
	}
	if g.secret == nil && g.signing == nil {
		log.Warn("no GitLab webhook secret: every GitLab delivery is refused (--gitlab-webhook-secret-file)")
	}
	g.api = metrics.NewAPITransport("gitlab", nil, http.DefaultTransport)
	opts = append([]gitlab.Option{gitlab.WithHTTPClient(&http.Client{Transport: g.api})}, opts...)
	c, err := gitlab.New(f.gitlabURL, string(token), gitlab.Private, opts...)
	if err != nil {
		return nil, usageError("serve: --gitlab-url: %v", err)
	}
	g.forge = gitlab.NewForge(c, string(token), f.gitlabURL)
	return g, nil
}

// handler is POST /webhooks/gitlab: deliveries are authenticated,
// normalised and queued.
func (g *gitlabServer) handler(reg *metrics.Registry, q webhooks.Enqueuer, log *slog.Logger) http.Handler {
	g.api.Attach(reg)
	h := webhooks.NewGitLab(webhooks.GitLabConfig{Token: g.secret, SigningToken: g.signing,
		Enqueuer: q, Logger: log})
	return reg.CountDeliveries("gitlab", "X-Gitlab-Event", h)
}

// installations routes an event to its forge's client: GitHub's App
// installation (gh), or the one GitLab client of the instance.
func installations(gh worker.Installations, g *gitlabServer) worker.Installations {
	return worker.InstallationsFunc(func(ctx context.Context, forge string, id int64) (worker.Forge, error) {
		switch forge {
		case bot.ForgeGitHub:
			return gh.Forge(ctx, forge, id)
		case bot.ForgeGitLab:
			if g == nil {
				return nil, errors.New("GitLab is off: no --gitlab-url")
			}
			return g.forge, nil
		default:
			return nil, fmt.Errorf("unknown forge %q", forge)
		}
	})
}

// describeGitLab is the start-up log line's value.
func (g *gitlabServer) String() string {
	if g == nil {
		return "off"
	}
	return fmt.Sprintf("on (secret %t, signing %t)", g.secret != nil, g.signing != nil)
}
