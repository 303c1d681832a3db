package gitlab

import (
	"context"
	"errors"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/release"
)

// ReleasePublisher returns the release.Publisher of repo: a GitLab release
// per tag and the one release merge request. `mpgate release apply` in
// GitLab CI and the bot on a push to the default branch use it.
func (c *Client) ReleasePublisher(repo bot.Repo) release.Publisher {
	return &publisher{c: c, repo: repo}
}

type publisher struct {
	c    *Client
	repo bot.Repo
}

func (p *publisher) Name() string { return "GitLab" }

// CreateRelease publishes t's GitLab release at its commit; false when the
// tag has one already.
func (p *publisher) CreateRelease(ctx context.Context, t release.AppliedTag) (bool, error) {
	_, err := p.c.CreateRelease(ctx, p.repo, Release{TagName: t.Name, Name: t.Module + " " + t.Version.String(), Description: t.Notes, Ref: t.Commit})
	if errors.Is(err, ErrExists) {
		return false, nil
	}
	return err == nil, err
}

// UpsertRequest opens the release merge request, or updates the open one.
// It asks GitLab not to squash it: the release commit's Release-Head
// trailer must reach the default branch (a project that forces squashing
// overrides this; docs/releases.md says what to do then).
func (p *publisher) UpsertRequest(ctx context.Context, r release.ReleaseRequest) (int, bool, error) {
	no := false
	return p.c.CreateOrUpdateMergeRequest(ctx, p.repo, MergeRequestSpec{SourceBranch: r.Head, TargetBranch: r.Base,
		Title: r.Title, Description: r.Body, Squash: &no})
}

var _ release.Publisher = (*publisher)(nil)

// ReleasePublisher publishes repo's releases (part of the worker's Releaser).
func (f *Forge) ReleasePublisher(repo bot.Repo) release.Publisher { return f.c.ReleasePublisher(repo) }

// ReleasePusher is nil: on GitLab the bot pushes its release commits and
// tags from the clone with git (the worker's mirror and token), as
// `mpgate release apply` does in CI.
func (f *Forge) ReleasePusher(bot.Repo, string) release.Pusher { return nil }
