package github

import (
	"context"
	"errors"

	gh "github.com/google/go-github/v60/github"

	"github.com/mpgate/mpgate/bot"
	mprelease "github.com/mpgate/mpgate/bot/release"
)

// ReleasePublisher returns the mprelease.Publisher of repo: a GitHub release
// per tag and the one release pull request. `mpgate release apply` in
// GitHub Actions and the bot on a push to the default branch use it.
func (c *Client) ReleasePublisher(repo bot.Repo) mprelease.Publisher {
	return &publisher{c: c, repo: repo}
}

type publisher struct {
	c    *Client
	repo bot.Repo
}

func (p *publisher) Name() string { return "GitHub" }

// CreateRelease publishes t's GitHub release at its commit; false when the
// tag has one already.
func (p *publisher) CreateRelease(ctx context.Context, t mprelease.AppliedTag) (bool, error) {
	_, err := p.c.CreateRelease(ctx, p.repo, Release{Tag: t.Name, Name: t.Module + " " + t.Version.String(), Body: t.Notes,
		Target: t.Commit, Prerelease: len(t.Version.Pre) > 0})
	if errors.Is(err, ErrExists) {
		return false, nil
	}
	return err == nil, err
}

// UpsertRequest opens the release pull request from r.Head to r.Base, or
// updates the open one's title and body (only when they differ).
func (p *publisher) UpsertRequest(ctx context.Context, r mprelease.ReleaseRequest) (int, bool, error) {
	api, owner, name := p.c.gh, p.repo.Owner, p.repo.Name
	open, _, err := api.PullRequests.List(ctx, owner, name, &gh.PullRequestListOptions{State: "open", Head: owner + ":" + r.Head, Base: r.Base})
	if err != nil {
		return 0, false, wrap(err, "list release pull requests of %s", p.repo.FullName())
	}
	if len(open) > 0 {
		pr := open[0]
		if pr.GetTitle() == r.Title && pr.GetBody() == r.Body {
			return pr.GetNumber(), false, nil
		}
		if _, _, err := api.PullRequests.Edit(ctx, owner, name, pr.GetNumber(), &gh.PullRequest{Title: gh.String(r.Title), Body: gh.String(r.Body)}); err != nil {
			return 0, false, wrap(err, "update release pull request %s#%d", p.repo.FullName(), pr.GetNumber())
		}
		return pr.GetNumber(), false, nil
	}
	pr, _, err := api.PullRequests.Create(ctx, owner, name, &gh.NewPullRequest{Title: gh.String(r.Title), Body: gh.String(r.Body),
		Head: gh.String(r.Head), Base: gh.String(r.Base)})
	if err != nil {
		return 0, false, wrap(err, "open release pull request %s→%s in %s", r.Head, r.Base, p.repo.FullName())
	}
	return pr.GetNumber(), true, nil
}

var _ mprelease.Publisher = (*publisher)(nil)
