package github

import (
	"context"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/mpgate/mpgate/bot"
)

// MaxStatusDescription is GitHub's limit on a commit status description.
const MaxStatusDescription = 140

var statusStates = map[string]bool{"error": true, "failure": true, "pending": true, "success": true}

// SetStatus posts a commit status; the description is cut to 140
// characters.
func (c *Client) SetStatus(ctx context.Context, repo bot.Repo, sha, state, statusContext, description, targetURL string) error {
	if !statusStates[state] {
		return fmt.Errorf("github: set status %q on %s: state %q: %w", statusContext, sha, state, ErrInvalid)
	}
	if sha == "" {
		return fmt.Errorf("github: set status %q: no SHA: %w", statusContext, ErrInvalid)
	}
	st := &gh.RepoStatus{State: gh.String(state)}
	if statusContext != "" {
		st.Context = gh.String(statusContext)
	}
	if description != "" {
		st.Description = gh.String(truncateLines(description, MaxStatusDescription, "…"))
	}
	if targetURL != "" {
		st.TargetURL = gh.String(targetURL)
	}
	if _, _, err := c.gh.Repositories.CreateStatus(ctx, repo.Owner, repo.Name, sha, st); err != nil {
		return wrap(err, "set status %q on %s@%s", statusContext, repo.FullName(), sha)
	}
	return nil
}

// Permission levels, strongest first.
const (
	PermAdmin    = "admin"
	PermMaintain = "maintain"
	PermWrite    = "write"
	PermTriage   = "triage"
	PermRead     = "read"
	PermNone     = "none"
)

// Permission returns user's permission on repo: admin, maintain, write,
// triage, read or none (also for a user who is not a collaborator). The
// role_name is used when it is one of those; a custom role falls back to
// the legacy permission.
func (c *Client) Permission(ctx context.Context, repo bot.Repo, user string) (string, error) {
	if user == "" {
		return "", fmt.Errorf("github: permission on %s: no user: %w", repo.FullName(), ErrInvalid)
	}
	u := fmt.Sprintf("repos/%s/%s/collaborators/%s/permission", repo.Owner, repo.Name, user)
	req, err := c.gh.NewRequest("GET", u, nil)
	if err != nil {
		return "", fmt.Errorf("github: permission of %s on %s: %w", user, repo.FullName(), err)
	}
	var body struct {
		Permission string `json:"permission"`
		RoleName   string `json:"role_name"`
	}
	if _, err := c.gh.Do(ctx, req, &body); err != nil {
		if isNotFound(err) {
			return PermNone, nil
		}
		return "", wrap(err, "permission of %s on %s", user, repo.FullName())
	}
	switch r := strings.ToLower(body.RoleName); r {
	case PermAdmin, PermMaintain, PermWrite, PermTriage, PermRead:
		return r, nil
	}
	switch p := strings.ToLower(body.Permission); p {
	case PermAdmin, PermMaintain, PermWrite, PermTriage, PermRead:
		return p, nil
	}
	return PermNone, nil
}

// PullRequest is what the bot needs of a pull request.
type PullRequest struct {
	Number  int
	State   string
	Draft   bool
	HeadSHA string
	HeadRef string
	// HeadRepo is the head repository's full name ("" when the fork was
	// deleted).
	HeadRepo string
	BaseSHA  string
	BaseRef  string
	// Fork is true when the head lives in another repository (its token
	// is read-only: no check runs, no comments).
	Fork bool
}

// PullRequest fetches a pull request's basics.
func (c *Client) PullRequest(ctx context.Context, repo bot.Repo, number int) (PullRequest, error) {
	pr, _, err := c.gh.PullRequests.Get(ctx, repo.Owner, repo.Name, number)
	if err != nil {
		return PullRequest{}, wrap(err, "get pull request %s#%d", repo.FullName(), number)
	}
	out := PullRequest{
		Number: pr.GetNumber(), State: pr.GetState(), Draft: pr.GetDraft(),
		HeadSHA: pr.GetHead().GetSHA(), HeadRef: pr.GetHead().GetRef(),
		HeadRepo: pr.GetHead().GetRepo().GetFullName(),
		BaseSHA:  pr.GetBase().GetSHA(), BaseRef: pr.GetBase().GetRef(),
	}
	base := pr.GetBase().GetRepo().GetFullName()
	if base == "" {
		base = repo.FullName()
	}
	out.Fork = out.HeadRepo == "" || !strings.EqualFold(out.HeadRepo, base)
	return out, nil
}

// Login returns the account the client acts as: the one given with
// WithLogin, else GET /user (a personal token's user). An Action's
// GITHUB_TOKEN and App installation tokens cannot call GET /user: give
// WithLogin("github-actions[bot]") or WithLogin(slug+"[bot]").
func (c *Client) Login(ctx context.Context) (string, error) {
	c.mu.Lock()
	login := c.login
	c.mu.Unlock()
	if login != "" {
		return login, nil
	}
	u, _, err := c.gh.Users.Get(ctx, "")
	if err != nil {
		return "", wrap(err, "learn the token's login (GET /user)")
	}
	if u.GetLogin() == "" {
		return "", fmt.Errorf("github: GET /user: no login in the answer")
	}
	c.mu.Lock()
	c.login = u.GetLogin()
	c.mu.Unlock()
	return u.GetLogin(), nil
}

// ChangedFile is one file of a pull request's diff.
type ChangedFile struct {
	Path string
	// PreviousPath is set for a rename.
	PreviousPath string
	// Status is added, removed, modified, renamed, copied, changed or
	// unchanged.
	Status               string
	Additions, Deletions int
}

// maxPullFiles is GitHub's cap on pulls/{n}/files (30 pages of 100).
const maxPullFiles = 3000

// ChangedFiles lists a pull request's files, every page (GitHub stops at
// 3,000; truncated reports whether that cap was reached).
func (c *Client) ChangedFiles(ctx context.Context, repo bot.Repo, number int) (files []ChangedFile, truncated bool, err error) {
	opts := &gh.ListOptions{PerPage: 100}
	for {
		list, resp, err := c.gh.PullRequests.ListFiles(ctx, repo.Owner, repo.Name, number, opts)
		if err != nil {
			return nil, false, wrap(err, "list files of %s#%d (page %d)", repo.FullName(), number, max(opts.Page, 1))
		}
		for _, f := range list {
			files = append(files, ChangedFile{Path: f.GetFilename(), PreviousPath: f.GetPreviousFilename(), Status: f.GetStatus(),
				Additions: f.GetAdditions(), Deletions: f.GetDeletions()})
		}
		if resp.NextPage == 0 || resp.NextPage <= opts.Page {
			break
		}
		opts.Page = resp.NextPage
	}
	return files, len(files) >= maxPullFiles, nil
}
