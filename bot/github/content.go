package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	gh "github.com/google/go-github/v60/github"

	"github.com/mpgate/mpgate/bot"
)

// ErrNotFound is a 404: no such file, ref, release (or no access to it).
// It is bot.ErrNotFound (errors.Is) for the forge-neutral bot.
var ErrNotFound = fmt.Errorf("github: %w", bot.ErrNotFound)

// ErrExists is a ref or release that already exists.
var ErrExists = errors.New("github: already exists")

// FileContent reads a file at ref ("" = the default branch): the server
// reads .mpgate.yml from the default branch, never from a request's head.
// It returns the bytes and the blob SHA (needed to update the file).
func (c *Client) FileContent(ctx context.Context, repo bot.Repo, path, ref string) ([]byte, string, error) {
	var opts *gh.RepositoryContentGetOptions
	if ref != "" {
		opts = &gh.RepositoryContentGetOptions{Ref: ref}
	}
	file, dir, _, err := c.gh.Repositories.GetContents(ctx, repo.Owner, repo.Name, path, opts)
	if err != nil {
		if isNotFound(err) {
			return nil, "", fmt.Errorf("github: read %s at %q in %s: %w", path, ref, repo.FullName(), ErrNotFound)
		}
		return nil, "", wrap(err, "read %s at %q in %s", path, ref, repo.FullName())
	}
	if file == nil || dir != nil {
		return nil, "", fmt.Errorf("github: read %s at %q in %s: a directory, not a file: %w", path, ref, repo.FullName(), ErrInvalid)
	}
	s, err := file.GetContent()
	if err != nil {
		return nil, "", fmt.Errorf("github: read %s at %q in %s: %w", path, ref, repo.FullName(), err)
	}
	return []byte(s), file.GetSHA(), nil
}

// PutFile commits content to path on branch ("" = the default branch);
// sha is the blob being replaced ("" to create). It returns the commit SHA.
func (c *Client) PutFile(ctx context.Context, repo bot.Repo, branch, path, message string, content []byte, sha string) (string, error) {
	if message == "" {
		return "", fmt.Errorf("github: write %s: no commit message: %w", path, ErrInvalid)
	}
	opts := &gh.RepositoryContentFileOptions{Message: gh.String(message), Content: content}
	if content == nil {
		opts.Content = []byte{}
	}
	if branch != "" {
		opts.Branch = gh.String(branch)
	}
	if sha != "" {
		opts.SHA = gh.String(sha)
	}
	res, _, err := c.gh.Repositories.CreateFile(ctx, repo.Owner, repo.Name, path, opts)
	if err != nil {
		return "", wrap(err, "write %s on %q in %s", path, branch, repo.FullName())
	}
	return res.Commit.GetSHA(), nil
}

// CreateRef creates ref ("refs/tags/payment@v1.2.0", "refs/heads/x") at
// sha; ErrExists when it is already there.
func (c *Client) CreateRef(ctx context.Context, repo bot.Repo, ref, sha string) error {
	_, _, err := c.gh.Git.CreateRef(ctx, repo.Owner, repo.Name, &gh.Reference{Ref: gh.String(ref), Object: &gh.GitObject{SHA: gh.String(sha)}})
	if err != nil {
		var er *gh.ErrorResponse
		if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusUnprocessableEntity && er.Message == "Reference already exists" {
			return fmt.Errorf("github: create %s in %s: %w", ref, repo.FullName(), ErrExists)
		}
		return wrap(err, "create %s at %s in %s", ref, sha, repo.FullName())
	}
	return nil
}

// Release is what the bot needs of a release.
type Release struct {
	ID                int64
	Tag, Name, Body   string
	Target            string
	Draft, Prerelease bool
	URL               string // html_url
}

func release(r *gh.RepositoryRelease) Release {
	return Release{ID: r.GetID(), Tag: r.GetTagName(), Name: r.GetName(), Body: r.GetBody(), Target: r.GetTargetCommitish(),
		Draft: r.GetDraft(), Prerelease: r.GetPrerelease(), URL: r.GetHTMLURL()}
}

// CreateRelease publishes a release for r.Tag (created at r.Target when
// missing); ErrExists when the tag already has a release.
func (c *Client) CreateRelease(ctx context.Context, repo bot.Repo, r Release) (Release, error) {
	if r.Tag == "" {
		return Release{}, fmt.Errorf("github: create release in %s: no tag: %w", repo.FullName(), ErrInvalid)
	}
	in := &gh.RepositoryRelease{TagName: gh.String(r.Tag), Draft: gh.Bool(r.Draft), Prerelease: gh.Bool(r.Prerelease)}
	if r.Name != "" {
		in.Name = gh.String(r.Name)
	}
	if r.Body != "" {
		in.Body = gh.String(r.Body)
	}
	if r.Target != "" {
		in.TargetCommitish = gh.String(r.Target)
	}
	out, _, err := c.gh.Repositories.CreateRelease(ctx, repo.Owner, repo.Name, in)
	if err != nil {
		var er *gh.ErrorResponse
		if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusUnprocessableEntity {
			for _, e := range er.Errors {
				if e.Code == "already_exists" {
					return Release{}, fmt.Errorf("github: create release %s in %s: %w", r.Tag, repo.FullName(), ErrExists)
				}
			}
		}
		return Release{}, wrap(err, "create release %s in %s", r.Tag, repo.FullName())
	}
	return release(out), nil
}

// ReleaseByTag finds the release of tag; ErrNotFound when there is none.
func (c *Client) ReleaseByTag(ctx context.Context, repo bot.Repo, tag string) (Release, error) {
	out, _, err := c.gh.Repositories.GetReleaseByTag(ctx, repo.Owner, repo.Name, url.PathEscape(tag))
	if err != nil {
		if isNotFound(err) {
			return Release{}, fmt.Errorf("github: release %s in %s: %w", tag, repo.FullName(), ErrNotFound)
		}
		return Release{}, wrap(err, "get release %s in %s", tag, repo.FullName())
	}
	return release(out), nil
}
