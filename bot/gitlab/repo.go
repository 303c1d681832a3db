package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/mpgate/mpgate/bot"
)

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// AccessLevel is user's access level on the project, inherited from groups
// included (GET /projects/:id/members/all/:user_id); AccessNone when not a
// member. GitLab identifies members by user ID (webhooks carry it).
func (c *Client) AccessLevel(ctx context.Context, repo bot.Repo, userID int64) (int, error) {
	if userID <= 0 {
		return 0, fmt.Errorf("gitlab: access level on %s: user ID %d: %w", repo.FullName(), userID, ErrInvalid)
	}
	m, _, err := c.gl.ProjectMembers.GetInheritedProjectMember(pid(repo), userID, gl.WithContext(ctx))
	if err != nil {
		werr := c.wrap(err, "access level of user %d on %s", userID, repo.FullName())
		if isNotFound(werr) {
			return AccessNone, nil
		}
		return 0, werr
	}
	return int(m.AccessLevel), nil
}

// Permission names an access level as bot/github does: owner "admin",
// maintainer "maintain", developer "write", reporter "triage", guest
// "read", else "none".
func Permission(level int) string {
	switch {
	case level >= AccessOwner:
		return "admin"
	case level >= AccessMaintainer:
		return "maintain"
	case level >= AccessDeveloper:
		return "write"
	case level >= AccessReporter:
		return "triage"
	case level >= AccessGuest:
		return "read"
	}
	return "none"
}

// MergeRequest reads a merge request as a forge-neutral pull request.
func (c *Client) MergeRequest(ctx context.Context, repo bot.Repo, iid int) (bot.PullRequest, error) {
	mr, _, err := c.gl.MergeRequests.GetMergeRequest(pid(repo), int64(iid), nil, gl.WithContext(ctx))
	if err != nil {
		return bot.PullRequest{}, c.wrap(err, "merge request %s!%d", repo.FullName(), iid)
	}
	pr := bot.PullRequest{
		Number:   int(mr.IID),
		Title:    mr.Title,
		Body:     mr.Description,
		HeadSHA:  mr.SHA,
		HeadRef:  mr.SourceBranch,
		BaseRef:  mr.TargetBranch,
		BaseSHA:  mr.DiffRefs.BaseSha,
		Fork:     mr.SourceProjectID != 0 && mr.SourceProjectID != mr.TargetProjectID,
		Draft:    mr.Draft,
		Merged:   mr.State == "merged",
		Labels:   []string(mr.Labels),
		MergeSHA: mr.MergeCommitSHA,
	}
	if pr.HeadSHA == "" {
		pr.HeadSHA = mr.DiffRefs.HeadSha
	}
	if pr.MergeSHA == "" {
		pr.MergeSHA = mr.SquashCommitSHA
	}
	if mr.Author != nil {
		pr.Author = mr.Author.Username
	}
	if !pr.Fork {
		pr.HeadRepo = repo.FullName()
	}
	return pr, nil
}

// FileContent reads a file's raw bytes at ref ("" = the default branch):
// the server reads .mpgate.yml from the default branch, never from a
// request's head.
func (c *Client) FileContent(ctx context.Context, repo bot.Repo, path, ref string) ([]byte, error) {
	path = strings.TrimPrefix(path, "/")
	if path == "" {
		return nil, fmt.Errorf("gitlab: read a file in %s: empty path: %w", repo.FullName(), ErrInvalid)
	}
	var opt *gl.GetRawFileOptions
	if ref != "" {
		opt = &gl.GetRawFileOptions{Ref: gl.Ptr(ref)}
	}
	b, _, err := c.gl.RepositoryFiles.GetRawFile(pid(repo), path, opt, gl.WithContext(ctx))
	if err != nil {
		return nil, c.wrap(err, "read %s at %q in %s", path, ref, repo.FullName())
	}
	return b, nil
}

// CreateTag creates a lightweight tag (message "") or an annotated one at
// ref (a branch or SHA); ErrExists when it is there already.
func (c *Client) CreateTag(ctx context.Context, repo bot.Repo, name, ref, message string) error {
	if name == "" || ref == "" {
		return fmt.Errorf("gitlab: tag %q at %q in %s: name and ref are required: %w", name, ref, repo.FullName(), ErrInvalid)
	}
	opt := &gl.CreateTagOptions{TagName: gl.Ptr(name), Ref: gl.Ptr(ref)}
	if message != "" {
		opt.Message = gl.Ptr(message)
	}
	_, _, err := c.gl.Tags.CreateTag(pid(repo), opt, gl.WithContext(ctx))
	if err != nil {
		if badRequestSays(err, "already exists") {
			return fmt.Errorf("gitlab: tag %s in %s: %w", name, repo.FullName(), ErrExists)
		}
		return c.wrap(err, "tag %s at %s in %s", name, ref, repo.FullName())
	}
	return nil
}

// badRequestSays reports a 400 whose message contains s.
func badRequestSays(err error, s string) bool {
	var er *gl.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusBadRequest &&
		strings.Contains(message(er), s)
}

// Release is a release.
type Release struct {
	TagName     string
	Name        string
	Description string // Markdown
	// Ref creates the tag there when it does not exist yet.
	Ref string
}

// CreateRelease creates a release (and its tag at Ref when missing);
// ErrExists when the tag has a release already.
func (c *Client) CreateRelease(ctx context.Context, repo bot.Repo, r Release) (Release, error) {
	if r.TagName == "" {
		return Release{}, fmt.Errorf("gitlab: release in %s: no tag: %w", repo.FullName(), ErrInvalid)
	}
	opt := &gl.CreateReleaseOptions{TagName: gl.Ptr(r.TagName)}
	if r.Name != "" {
		opt.Name = gl.Ptr(r.Name)
	}
	if r.Description != "" {
		opt.Description = gl.Ptr(r.Description)
	}
	if r.Ref != "" {
		opt.Ref = gl.Ptr(r.Ref)
	}
	got, _, err := c.gl.Releases.CreateRelease(pid(repo), opt, gl.WithContext(ctx))
	if err != nil {
		return Release{}, c.wrap(err, "release %s in %s", r.TagName, repo.FullName())
	}
	return Release{TagName: got.TagName, Name: got.Name, Description: got.Description, Ref: r.Ref}, nil
}

// MergeRequestSpec is a merge request mpgate opens (a release MR).
type MergeRequestSpec struct {
	SourceBranch, TargetBranch string
	Title, Description         string
	Labels                     []string
	// Squash, when set, is the request's "squash commits when merged"
	// choice (a project setting of "always" or "never" overrides it).
	Squash *bool
}

// CreateOrUpdateMergeRequest opens a merge request from SourceBranch to
// TargetBranch, or updates the open one's title, description and labels
// (only when they differ). It returns the iid and whether it was created.
// Two racing callers converge: GitLab refuses the second open request for
// the same branches (409), which then updates the first.
func (c *Client) CreateOrUpdateMergeRequest(ctx context.Context, repo bot.Repo, spec MergeRequestSpec) (int, bool, error) {
	if spec.SourceBranch == "" || spec.TargetBranch == "" || spec.Title == "" {
		return 0, false, fmt.Errorf("gitlab: merge request in %s: source, target and title are required: %w", repo.FullName(), ErrInvalid)
	}
	if iid, err := c.updateOpen(ctx, repo, spec); err != nil || iid != 0 {
		return iid, false, err
	}
	opt := &gl.CreateMergeRequestOptions{
		SourceBranch: gl.Ptr(spec.SourceBranch), TargetBranch: gl.Ptr(spec.TargetBranch),
		Title: gl.Ptr(spec.Title), Description: gl.Ptr(spec.Description), Squash: spec.Squash,
	}
	if len(spec.Labels) > 0 {
		l := gl.LabelOptions(spec.Labels)
		opt.Labels = &l
	}
	mr, _, err := c.gl.MergeRequests.CreateMergeRequest(pid(repo), opt, gl.WithContext(ctx))
	if err != nil {
		werr := c.wrap(err, "open merge request %s→%s in %s", spec.SourceBranch, spec.TargetBranch, repo.FullName())
		if errors.Is(werr, ErrExists) {
			iid, err := c.updateOpen(ctx, repo, spec)
			if err == nil && iid != 0 {
				return iid, false, nil
			}
		}
		return 0, false, werr
	}
	return int(mr.IID), true, nil
}

// updateOpen updates the open merge request for spec's branches and returns
// its iid, or 0 when there is none.
func (c *Client) updateOpen(ctx context.Context, repo bot.Repo, spec MergeRequestSpec) (int, error) {
	list, _, err := c.gl.MergeRequests.ListProjectMergeRequests(pid(repo), &gl.ListProjectMergeRequestsOptions{
		State: gl.Ptr("opened"), SourceBranch: gl.Ptr(spec.SourceBranch), TargetBranch: gl.Ptr(spec.TargetBranch),
	}, gl.WithContext(ctx))
	if err != nil {
		return 0, c.wrap(err, "find open merge request %s→%s in %s", spec.SourceBranch, spec.TargetBranch, repo.FullName())
	}
	if len(list) == 0 {
		return 0, nil
	}
	mr := list[0]
	opt := &gl.UpdateMergeRequestOptions{}
	changed := false
	if mr.Title != spec.Title {
		opt.Title, changed = gl.Ptr(spec.Title), true
	}
	if normalizeNewlines(mr.Description) != normalizeNewlines(spec.Description) {
		opt.Description, changed = gl.Ptr(spec.Description), true
	}
	if spec.Squash != nil && mr.Squash != *spec.Squash {
		opt.Squash, changed = spec.Squash, true
	}
	if spec.Labels != nil && !sameSet(mr.Labels, spec.Labels) {
		l := gl.LabelOptions(spec.Labels)
		opt.Labels, changed = &l, true
	}
	if changed {
		if _, _, err := c.gl.MergeRequests.UpdateMergeRequest(pid(repo), mr.IID, opt, gl.WithContext(ctx)); err != nil {
			return 0, c.wrap(err, "update merge request %s!%d", repo.FullName(), mr.IID)
		}
	}
	return int(mr.IID), nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		if seen[s] == 0 {
			return false
		}
		seen[s]--
	}
	return true
}

// AddLabel adds label to merge request iid, keeping its other labels
// (add_labels; GitLab creates a project label it does not have yet).
// /ok-to-build's grant holds while the label is on.
func (c *Client) AddLabel(ctx context.Context, repo bot.Repo, iid int, label string) error {
	if strings.TrimSpace(label) == "" {
		return fmt.Errorf("gitlab: label on %s!%d: empty name: %w", repo.FullName(), iid, ErrInvalid)
	}
	l := gl.LabelOptions{label}
	if _, _, err := c.gl.MergeRequests.UpdateMergeRequest(pid(repo), int64(iid), &gl.UpdateMergeRequestOptions{AddLabels: &l}, gl.WithContext(ctx)); err != nil {
		return c.wrap(err, "label %s!%d with %q", repo.FullName(), iid, label)
	}
	return nil
}
