package gitlabci

import (
	"context"
	"errors"
	"strings"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/publish"
)

// Target is a GitLab commit's status and a merge request's sticky note,
// as publish writes them.
type Target struct {
	Client  *gitlab.Client
	Repo    bot.Repo
	HeadSHA string
	// Ref is the branch the status is for ("" lets GitLab pick).
	Ref string
}

var _ publish.Target = (*Target)(nil)

// forgeErr maps the adapter's errors onto publish's sentinels.
func forgeErr(err error) error {
	switch {
	case errors.Is(err, gitlab.ErrForbidden):
		return publish.Mark(err, publish.ErrForbidden)
	case errors.Is(err, gitlab.ErrUnauthorized):
		return publish.Mark(err, publish.ErrUnauthorized)
	}
	return err
}

// StartCheck sets the commit status running.
func (t *Target) StartCheck(ctx context.Context, name, detailsURL string) error {
	return forgeErr(t.Client.SetStatusRef(ctx, t.Repo, t.HeadSHA, t.Ref, gitlab.StateRunning, name, "mpgate is checking this commit", detailsURL))
}

// CompleteCheck sets the status's final state; its description is the
// title (a status has no room for more).
func (t *Target) CompleteCheck(ctx context.Context, name, detailsURL, conclusion string, out bot.CheckOutput) error {
	return forgeErr(t.Client.SetStatusRef(ctx, t.Repo, t.HeadSHA, t.Ref, gitlab.StateFor(conclusion), name, oneLine(out.Title), detailsURL))
}

// CheckURL is "": a commit status has no page of its own.
func (t *Target) CheckURL() string { return "" }

// UpsertComment keeps the one sticky note on merge request mr.
func (t *Target) UpsertComment(ctx context.Context, mr int, key, body string) error {
	_, _, err := t.Client.UpsertStickyNote(ctx, t.Repo, mr, key, body, "")
	return forgeErr(err)
}

// UpdateComment updates the sticky note when there is one and creates
// none.
func (t *Target) UpdateComment(ctx context.Context, mr int, key, body string) error {
	_, _, err := t.Client.UpdateStickyNote(ctx, t.Repo, mr, key, body, "")
	return forgeErr(err)
}

// oneLine folds whitespace runs (a status description is one line).
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
