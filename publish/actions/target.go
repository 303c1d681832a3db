package actions

import (
	"context"
	"errors"
	"strconv"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/publish"
)

// Target is a GitHub commit's check run and a pull request's sticky
// comment, as publish writes them.
type Target struct {
	Client    *github.Client
	Repo      bot.Repo
	HeadSHA   string
	ServerURL string

	checkID int64
}

var _ publish.Target = (*Target)(nil)

// forgeErr maps the adapter's errors onto publish's sentinels.
func forgeErr(err error) error {
	if errors.Is(err, github.ErrForbidden) {
		return publish.Mark(err, publish.ErrForbidden)
	}
	return err
}

// StartCheck creates the check run in_progress (or takes over the open one
// a killed attempt left).
func (t *Target) StartCheck(ctx context.Context, name, detailsURL string) error {
	id, err := t.Client.CreateCheckRun(ctx, t.Repo, t.HeadSHA, name, "in_progress", detailsURL)
	if err != nil {
		return forgeErr(err)
	}
	t.checkID = id
	return nil
}

// CompleteCheck completes the check run, created first if StartCheck did
// not.
func (t *Target) CompleteCheck(ctx context.Context, name, detailsURL, conclusion string, out bot.CheckOutput) error {
	if t.checkID == 0 {
		if err := t.StartCheck(ctx, name, detailsURL); err != nil {
			return err
		}
	}
	return forgeErr(t.Client.CompleteCheckRun(ctx, t.Repo, t.checkID, conclusion, out))
}

// CheckURL is the check run's page.
func (t *Target) CheckURL() string {
	if t.checkID == 0 {
		return ""
	}
	return t.ServerURL + "/" + t.Repo.FullName() + "/runs/" + strconv.FormatInt(t.checkID, 10)
}

// UpsertComment keeps the one sticky comment. The account is the token's
// (GET /user); an Action's GITHUB_TOKEN may not ask, and is
// github-actions[bot].
func (t *Target) UpsertComment(ctx context.Context, pr int, key, body string) error {
	login, err := t.Client.Login(ctx)
	if errors.Is(err, github.ErrForbidden) {
		login, err = github.ActionsLogin, nil
	}
	if err != nil {
		return forgeErr(err)
	}
	_, _, err = t.Client.UpsertStickyComment(ctx, t.Repo, pr, key, body, login)
	return forgeErr(err)
}

// UpdateComment updates the sticky comment when there is one and creates
// none.
func (t *Target) UpdateComment(ctx context.Context, pr int, key, body string) error {
	login, err := t.Client.Login(ctx)
	if errors.Is(err, github.ErrForbidden) {
		login, err = github.ActionsLogin, nil
	}
	if err != nil {
		return forgeErr(err)
	}
	_, _, err = t.Client.UpdateStickyComment(ctx, t.Repo, pr, key, body, login)
	return forgeErr(err)
}
