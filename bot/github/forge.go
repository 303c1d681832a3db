package github

import (
	"context"
	"fmt"

	"github.com/mpgate/mpgate/bot"
	mprelease "github.com/mpgate/mpgate/bot/release"
)

// Forge is the bot's forge port (bot.Forge) over an installation's Client:
// a check is a check run, addressed by its ID once created; a comment is an
// issue comment (GitHub has no threads: a reply is a new comment on the
// request).
type Forge struct{ c *Client }

// NewForge returns the bot's port over c.
func NewForge(c *Client) *Forge { return &Forge{c: c} }

// Client is the client below the port.
func (f *Forge) Client() *Client { return f.c }

// CreateCheck creates check run ref.Name on ref.SHA (or returns the one
// still open: CreateCheckRun) and returns ref with its ID.
func (f *Forge) CreateCheck(ctx context.Context, ref bot.CheckRef, status, detailsURL string) (bot.CheckRef, error) {
	id, err := f.c.CreateCheckRun(ctx, ref.Repo, ref.SHA, ref.Name, status, detailsURL)
	if err != nil {
		return ref, err
	}
	ref.ID = id
	return ref, nil
}

// StartCheck moves check run ref.ID to in progress.
func (f *Forge) StartCheck(ctx context.Context, ref bot.CheckRef) error {
	if ref.ID == 0 {
		return fmt.Errorf("github: start check run %q on %s@%s: no check run ID: %w", ref.Name, ref.Repo.FullName(), ref.SHA, ErrInvalid)
	}
	return f.c.StartCheckRun(ctx, ref.Repo, ref.ID)
}

// CompleteCheck concludes check run ref.ID.
func (f *Forge) CompleteCheck(ctx context.Context, ref bot.CheckRef, conclusion string, out bot.CheckOutput) error {
	if ref.ID == 0 {
		return fmt.Errorf("github: complete check run %q on %s@%s: no check run ID: %w", ref.Name, ref.Repo.FullName(), ref.SHA, ErrInvalid)
	}
	return f.c.CompleteCheckRun(ctx, ref.Repo, ref.ID, conclusion, out)
}

// UpsertStickyComment keeps the one sticky comment (Client.UpsertStickyComment).
func (f *Forge) UpsertStickyComment(ctx context.Context, repo bot.Repo, pr int, key, body, botLogin string) (bot.CommentRef, bool, error) {
	id, changed, err := f.c.UpsertStickyComment(ctx, repo, pr, key, body, botLogin)
	return bot.CommentRef{PR: pr, ID: id}, changed, err
}

// UpdateStickyComment updates the sticky comment and creates none
// (Client.UpdateStickyComment).
func (f *Forge) UpdateStickyComment(ctx context.Context, repo bot.Repo, pr int, key, body, botLogin string) (bot.CommentRef, bool, error) {
	id, changed, err := f.c.UpdateStickyComment(ctx, repo, pr, key, body, botLogin)
	return bot.CommentRef{PR: pr, ID: id}, changed, err
}

// Reply posts a new comment on to.PR (GitHub's pull request conversations
// have no threads).
func (f *Forge) Reply(ctx context.Context, repo bot.Repo, to bot.CommentRef, body string) (bot.CommentRef, error) {
	id, err := f.c.CreateComment(ctx, repo, to.PR, body)
	return bot.CommentRef{PR: to.PR, ID: id}, err
}

// AddLabel labels pull request number (Client.AddLabel): /ok-to-build's
// grant holds while the label is on (bot.Labeler).
func (f *Forge) AddLabel(ctx context.Context, repo bot.Repo, number int, label string) error {
	return f.c.AddLabel(ctx, repo, number, label)
}

// React adds a reaction to comment c.ID.
func (f *Forge) React(ctx context.Context, repo bot.Repo, c bot.CommentRef, content string) error {
	return f.c.AddReaction(ctx, repo, c.ID, content)
}

// Permission is the user's permission on repo (Client.Permission).
func (f *Forge) Permission(ctx context.Context, repo bot.Repo, user string) (string, error) {
	return f.c.Permission(ctx, repo, user)
}

// PullRequestEvent reads pull request number (Client.PullRequestEvent).
func (f *Forge) PullRequestEvent(ctx context.Context, repo bot.Repo, number int) (bot.PullRequest, error) {
	return f.c.PullRequestEvent(ctx, repo, number)
}

// FileContent reads path at ref (Client.FileContent): ErrNotFound, which is
// bot.ErrNotFound, when there is no such file.
func (f *Forge) FileContent(ctx context.Context, repo bot.Repo, path, ref string) ([]byte, string, error) {
	return f.c.FileContent(ctx, repo, path, ref)
}

// GitToken is the token git fetches with (Client.GitToken).
func (f *Forge) GitToken(ctx context.Context) (string, error) { return f.c.GitToken(ctx) }

// ReleasePublisher publishes repo's releases (Client.ReleasePublisher).
func (f *Forge) ReleasePublisher(repo bot.Repo) mprelease.Publisher {
	return f.c.ReleasePublisher(repo)
}
