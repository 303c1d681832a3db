package github

import (
	"context"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/mpgate/mpgate/bot"
)

// Reactions GitHub accepts on a comment.
var reactions = map[string]bool{"+1": true, "-1": true, "laugh": true, "confused": true, "heart": true,
	"hooray": true, "rocket": true, "eyes": true}

// AddReaction reacts to issue comment commentID with content ("+1",
// "rocket", "eyes", …): how the bot acknowledges a command it accepted.
// Reacting twice with the same content is not an error (GitHub answers 200
// with the existing reaction).
func (c *Client) AddReaction(ctx context.Context, repo bot.Repo, commentID int64, content string) error {
	if !reactions[content] {
		return fmt.Errorf("github: reaction %q: %w", content, ErrInvalid)
	}
	if _, _, err := c.gh.Reactions.CreateIssueCommentReaction(ctx, repo.Owner, repo.Name, commentID, content); err != nil {
		return wrap(err, "react %s to comment %d on %s", content, commentID, repo.FullName())
	}
	return nil
}

// CreateComment posts a new (not sticky) comment on issue/PR number: a reply
// to a command. The body is cut to 65,536 characters on a line boundary.
func (c *Client) CreateComment(ctx context.Context, repo bot.Repo, number int, body string) (int64, error) {
	if strings.TrimSpace(body) == "" {
		return 0, fmt.Errorf("github: comment on %s#%d: empty body: %w", repo.FullName(), number, ErrInvalid)
	}
	if len([]rune(body)) > MaxCommentChars {
		body = truncateLines(body, MaxCommentChars, truncatedNote)
	}
	cm, _, err := c.gh.Issues.CreateComment(ctx, repo.Owner, repo.Name, number, &gh.IssueComment{Body: gh.String(body)})
	if err != nil {
		return 0, wrap(err, "comment on %s#%d", repo.FullName(), number)
	}
	return cm.GetID(), nil
}

// PullRequestEvent fetches a pull request as the bot's forge-neutral
// bot.PullRequest (head, base, fork, draft, author): what a comment or a
// re-run needs to evaluate the request's current head.
func (c *Client) PullRequestEvent(ctx context.Context, repo bot.Repo, number int) (bot.PullRequest, error) {
	pr, _, err := c.gh.PullRequests.Get(ctx, repo.Owner, repo.Name, number)
	if err != nil {
		return bot.PullRequest{}, wrap(err, "get pull request %s#%d", repo.FullName(), number)
	}
	out := bot.PullRequest{
		Number: pr.GetNumber(), Title: pr.GetTitle(), Draft: pr.GetDraft(), Merged: pr.GetMerged(),
		HeadSHA: pr.GetHead().GetSHA(), HeadRef: pr.GetHead().GetRef(),
		HeadRepo: pr.GetHead().GetRepo().GetFullName(),
		BaseSHA:  pr.GetBase().GetSHA(), BaseRef: pr.GetBase().GetRef(),
		Author: pr.GetUser().GetLogin(), Body: pr.GetBody(), MergeSHA: pr.GetMergeCommitSHA(),
	}
	for _, l := range pr.Labels {
		out.Labels = append(out.Labels, l.GetName())
	}
	base := pr.GetBase().GetRepo().GetFullName()
	if base == "" {
		base = repo.FullName()
	}
	out.Fork = out.HeadRepo == "" || !strings.EqualFold(out.HeadRepo, base)
	return out, nil
}

// GitToken returns the token git fetches with: the client's token, or the
// installation's current token (minted or refreshed as needed). It is never
// logged; hand it to workspace.Auth.
func (c *Client) GitToken(ctx context.Context) (string, error) {
	if c.gitToken == nil {
		return "", nil
	}
	t, err := c.gitToken(ctx)
	if err != nil {
		return "", fmt.Errorf("github: installation token for git: %w", classify(err))
	}
	return t, nil
}

// AddLabel puts label on issue/PR number (creating the label in the
// repository if it does not exist, as GitHub does); a label already there
// is not an error.
func (c *Client) AddLabel(ctx context.Context, repo bot.Repo, number int, label string) error {
	if strings.TrimSpace(label) == "" {
		return fmt.Errorf("github: label on %s#%d: empty name: %w", repo.FullName(), number, ErrInvalid)
	}
	if _, _, err := c.gh.Issues.AddLabelsToIssue(ctx, repo.Owner, repo.Name, number, []string{label}); err != nil {
		return wrap(err, "label %s#%d with %q", repo.FullName(), number, label)
	}
	return nil
}
