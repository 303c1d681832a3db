package release

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mpgate/mpgate/checks/config"
)

// RequestBranch is the branch of the release pull/merge request.
const RequestBranch = "mpgate/release"

// PushOptions tune one git push.
type PushOptions struct {
	// Atomic: every ref lands or none does (git push --atomic).
	Atomic bool
	// Force lets a ref move to a commit that does not contain its old one
	// (the release branch, recreated from the default branch each time).
	Force bool
}

// Pusher pushes refs of the work tree's repository to its remote: the CI
// checkout's "origin" for `mpgate release apply`, the bot's mirror with the
// installation's token in server mode. A refspec is "<commit>:<ref>" or a
// tag's full ref name.
type Pusher interface {
	Push(ctx context.Context, opts PushOptions, refspecs ...string) error
}

// RemoteCommitter is a Pusher that makes its own commits on the remote
// rather than pushing the local ones (GitHub's Git Data API: GitHub makes
// the commit, with the same tree, parent and message, and signs it).
// Publish names the remote commit in what it reports and in the forge
// releases it creates.
type RemoteCommitter interface {
	// RemoteCommit is the remote commit made for local, local when none was.
	RemoteCommit(local string) string
}

// remoteCommits rewrites the commits of applied (and its tags) to the ones
// push made on the remote.
func remoteCommits(push Pusher, applied *Applied) {
	rc, ok := push.(RemoteCommitter)
	if !ok || applied == nil {
		return
	}
	if applied.Commit != "" {
		applied.Commit = rc.RemoteCommit(applied.Commit)
	}
	for i := range applied.Tags {
		if applied.Tags[i].Commit != "" {
			applied.Tags[i].Commit = rc.RemoteCommit(applied.Tags[i].Commit)
		}
	}
}

// ReleaseRequest is the release pull/merge request to open or update.
type ReleaseRequest struct {
	Head, Base  string // branches
	Title, Body string
}

// Publisher is the forge side of a release: a GitHub/GitLab release per tag
// and the one release request.
type Publisher interface {
	// Name is the forge's name for messages ("GitHub", "GitLab").
	Name() string
	// CreateRelease publishes t; created is false when its release exists
	// already (a re-run after a failed call completes the others).
	CreateRelease(ctx context.Context, t AppliedTag) (created bool, err error)
	// UpsertRequest opens the release request, or updates the open one.
	UpsertRequest(ctx context.Context, r ReleaseRequest) (number int, created bool, err error)
}

// PublishOptions tune Publish.
type PublishOptions struct {
	// Branch is the default branch: pushed to (direct mode), the target of
	// the release request.
	Branch string
	// ReleaseRequest keeps one release request up to date instead of
	// releasing at once: merged releases are tagged, pending ones committed
	// on RequestBranch.
	ReleaseRequest bool
	Plan           PlanOptions
	// Author and Committer make the release commit and tags (see
	// ApplyOptions).
	Author, Committer config.Identity
	// AfterPlan, when set, runs between the plan and its application.
	AfterPlan func()
}

// Published is what Publish did, also when it failed part-way: the caller
// reports what landed before the error.
type Published struct {
	// Tagged are merged releases tagged and pushed (release request mode).
	Tagged []AppliedTag
	// Plan is the release plan at the head; nil before it was made.
	Plan *ReleasePlan
	// Applied is the release commit and tags (direct mode: pushed to the
	// default branch; release request mode: the commit on RequestBranch).
	Applied *Applied
	// Releases are the forge releases: created, or found existing.
	Releases []PublishedRelease
	// Request is the release request's number, 0 when none was touched.
	Request        int
	RequestCreated bool
}

// PublishedRelease is one forge release.
type PublishedRelease struct {
	Tag     string
	Created bool
}

// Nothing reports whether Publish found nothing to do.
func (p *Published) Nothing() bool {
	return len(p.Tagged) == 0 && p.Request == 0 &&
		(p.Applied == nil || p.Applied.Commit == "" && len(p.Applied.Tags) == 0)
}

// ErrPush wraps a refused or failed push: the release is not on the remote
// (the local tags are removed again, so the next run retries them).
var ErrPush = errors.New("push refused")

// ErrForge wraps a failed forge call after the push: the tags are on the
// remote; running again creates the missing releases.
var ErrForge = errors.New("forge call failed")

// Publish releases the work tree at repoDir, whose HEAD is the default
// branch's head, and publishes the result: what `mpgate release apply
// --push` / `--release-pr` and the bot on a push to the default branch do.
//
// Direct mode plans, applies (changelog sections, one commit, a tag per
// module), pushes the commit and the tags in one atomic push to Branch, and
// creates a forge release per tag. Release request mode first tags the
// releases a merged release request wrote (TagReleases), pushes those tags
// and publishes them; then, when entries are pending, it commits them
// untagged on a detached HEAD, force-pushes that commit to RequestBranch and
// opens or updates the request. The work tree is left at the head it
// started from.
func Publish(ctx context.Context, repoDir string, cfg *config.Config, push Pusher, pub Publisher, opts PublishOptions) (*Published, error) {
	if opts.Branch == "" {
		return nil, errors.New("publish release: no branch")
	}
	if opts.ReleaseRequest && pub == nil {
		return nil, errors.New("publish release: a release request needs a forge")
	}
	aopts := ApplyOptions{Author: opts.Author, Committer: opts.Committer}
	out := &Published{}
	if err := completeReleases(ctx, repoDir, cfg, pub, out); err != nil {
		return out, err
	}
	if opts.ReleaseRequest {
		return out, publishRequest(ctx, repoDir, cfg, push, pub, opts, aopts, out)
	}
	p, err := Plan(ctx, repoDir, cfg, opts.Plan)
	if err != nil {
		return out, err
	}
	out.Plan = p
	if opts.AfterPlan != nil {
		opts.AfterPlan()
	}
	applied, err := Apply(ctx, repoDir, p, aopts)
	if err != nil {
		return out, err
	}
	out.Applied = applied
	if applied.Commit == "" && len(applied.Tags) == 0 {
		return out, nil
	}
	var refs []string
	if applied.Commit != "" {
		refs = append(refs, applied.Commit+":refs/heads/"+opts.Branch)
	}
	for _, t := range applied.Tags {
		refs = append(refs, "refs/tags/"+t.Name)
	}
	if err := push.Push(ctx, PushOptions{Atomic: true}, refs...); err != nil {
		dropTags(ctx, repoDir, applied.Tags)
		err = fmt.Errorf("publish release: push %s and %d tag(s): %w: %w", opts.Branch, len(applied.Tags), ErrPush, err)
		if applied.Commit != "" {
			// The release is on no remote: neither is its commit left on
			// the local branch (the next run would refuse a dirty history or
			// push it unreviewed).
			if uerr := undoCommit(ctx, repoDir, applied.Commit, p.Head); uerr != nil {
				err = errors.Join(err, uerr)
			}
		}
		return out, err
	}
	remoteCommits(push, applied)
	return out, createReleases(ctx, pub, applied.Tags, out)
}

func publishRequest(ctx context.Context, repoDir string, cfg *config.Config, push Pusher, pub Publisher, opts PublishOptions, aopts ApplyOptions, out *Published) error {
	tags, err := TagReleases(ctx, repoDir, cfg, aopts)
	if err != nil {
		dropTags(ctx, repoDir, tags)
		return fmt.Errorf("tag merged releases: %w", err)
	}
	if len(tags) > 0 {
		refs := make([]string, 0, len(tags))
		for _, t := range tags {
			refs = append(refs, "refs/tags/"+t.Name)
		}
		if err := push.Push(ctx, PushOptions{Atomic: true}, refs...); err != nil {
			dropTags(ctx, repoDir, tags)
			return fmt.Errorf("publish release: push %d tag(s) of merged releases: %w: %w", len(tags), ErrPush, err)
		}
		out.Tagged = tags
		if err := createReleases(ctx, pub, tags, out); err != nil {
			return err
		}
	}
	p, err := Plan(ctx, repoDir, cfg, opts.Plan)
	if err != nil {
		return err
	}
	out.Plan = p
	if len(p.Releases()) == 0 {
		return nil
	}
	if len(p.Problems) > 0 {
		return fmt.Errorf("publish release: %w: %s", ErrProblems, strings.Join(p.Problems, "; "))
	}
	if opts.AfterPlan != nil {
		opts.AfterPlan()
	}
	// The release commit is made on a detached HEAD and pushed by name: no
	// local branch to go stale, and the checkout returns to where it was.
	back := []string{"checkout", "-q", "--detach", p.Head}
	if b, err := runGit(ctx, repoDir, nil, nil, "symbolic-ref", "-q", "--short", "HEAD"); err == nil && strings.TrimSpace(b) != "" {
		back = []string{"checkout", "-q", strings.TrimSpace(b)}
	}
	if _, err := runGit(ctx, repoDir, nil, nil, "checkout", "-q", "--detach"); err != nil {
		return fmt.Errorf("publish release: %w", err)
	}
	aopts.NoTags = true
	applied, applyErr := Apply(ctx, repoDir, p, aopts)
	var pushErr error
	if applyErr == nil && applied.Commit != "" {
		pushErr = push.Push(ctx, PushOptions{Force: true}, applied.Commit+":refs/heads/"+RequestBranch)
	}
	if _, err := runGit(ctx, repoDir, nil, nil, back...); err != nil && applyErr == nil && pushErr == nil {
		return fmt.Errorf("publish release: back to %s: %w", back[len(back)-1], err)
	}
	if applyErr != nil {
		return applyErr
	}
	if pushErr != nil {
		return fmt.Errorf("publish release: push %s: %w: %w", RequestBranch, ErrPush, pushErr)
	}
	remoteCommits(push, applied)
	out.Applied = applied
	n, created, err := pub.UpsertRequest(ctx, ReleaseRequest{Head: RequestBranch, Base: opts.Branch, Title: p.CommitMessage(), Body: p.RequestBody()})
	if err != nil {
		return fmt.Errorf("publish release: %s release request: %w: %w", pub.Name(), ErrForge, err)
	}
	out.Request, out.RequestCreated = n, created
	return nil
}

// undoCommit moves HEAD from the release commit back to the plan's head,
// restoring the changelogs and change files the commit changed; local
// changes to other files are kept (git reset --keep). It does nothing when
// HEAD moved on meanwhile.
func undoCommit(ctx context.Context, repoDir, commit, head string) error {
	cur, err := revParse(ctx, repoDir, "HEAD")
	if err != nil || cur != commit {
		return err
	}
	if _, err := runGit(ctx, repoDir, nil, nil, "reset", "-q", "--keep", head); err != nil {
		return fmt.Errorf("publish release: the release commit %s stays on the local branch (undo it with git reset --keep %s): %w", short(commit), short(head), err)
	}
	return nil
}

// createReleases publishes a forge release per tag; without a forge (a push
// outside GitHub Actions and GitLab CI) the pushed tags are the release.
func createReleases(ctx context.Context, pub Publisher, tags []AppliedTag, out *Published) error {
	if pub == nil {
		return nil
	}
	for _, t := range tags {
		created, err := pub.CreateRelease(ctx, t)
		if err != nil {
			return fmt.Errorf("publish release: %s release %s: %w: %w", pub.Name(), t.Name, ErrForge, err)
		}
		out.Releases = append(out.Releases, PublishedRelease{Tag: t.Name, Created: created})
	}
	return nil
}

// completeReleases creates the forge releases missing for the tags of the
// newest release commit before HEAD: a run that pushed its tags and then
// failed at the forge (an outage, a rate limit) is completed by the next
// run. It costs one call per tag of the newest release; a release that
// exists is left alone.
func completeReleases(ctx context.Context, repoDir string, cfg *config.Config, pub Publisher, out *Published) error {
	if pub == nil {
		return nil
	}
	commit, err := runGit(ctx, repoDir, nil, nil, "log", "-1", "--format=%H", "--fixed-strings", "--grep="+releaseSubject, "HEAD")
	if err != nil || strings.TrimSpace(commit) == "" {
		return nil // no release yet (or an empty repository)
	}
	commit = strings.TrimSpace(commit)
	mods, err := Modules(repoDir, cfg)
	if err != nil {
		return nil // Plan reports unreadable modules
	}
	list, err := runGit(ctx, repoDir, nil, nil, "for-each-ref", "--points-at", commit, "--format=%(refname:strip=2)%1f%(contents)%1e", "refs/tags")
	if err != nil {
		return fmt.Errorf("publish release: tags of %s: %w", short(commit), err)
	}
	var missing []AppliedTag
	for _, rec := range strings.Split(list, "\x1e") {
		name, contents, ok := strings.Cut(strings.TrimLeft(rec, "\n"), "\x1f")
		if !ok {
			continue
		}
		for _, m := range mods {
			tt, err := ParseTagTemplate(m.Tag, m.Name)
			if err != nil {
				continue
			}
			if v, ok := tt.Version(name); ok {
				_, notes, _ := strings.Cut(contents, "\n\n")
				missing = append(missing, AppliedTag{Module: m.Name, Name: name, Version: v, Notes: strings.TrimSpace(notes) + "\n", Commit: commit})
				break
			}
		}
	}
	for _, t := range missing {
		created, err := pub.CreateRelease(ctx, t)
		if err != nil {
			return fmt.Errorf("publish release: %s release %s: %w: %w", pub.Name(), t.Name, ErrForge, err)
		}
		if created {
			out.Releases = append(out.Releases, PublishedRelease{Tag: t.Name, Created: true})
		}
	}
	return nil
}

// dropTags deletes tags made locally whose push failed, so that the next
// plan does not take them for releases that happened.
func dropTags(ctx context.Context, repoDir string, tags []AppliedTag) {
	for _, t := range tags {
		if t.Commit != "" {
			_, _ = runGit(context.WithoutCancel(ctx), repoDir, nil, nil, "tag", "-d", t.Name)
		}
	}
}
