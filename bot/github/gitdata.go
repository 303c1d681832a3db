package github

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/mpgate/mpgate/bot"
	mprelease "github.com/mpgate/mpgate/bot/release"
)

// ReleasePusher returns the mprelease.Pusher the bot releases with on
// GitHub: the release commits and tags made locally in dir are made again
// on GitHub through the Git Data API (blobs, a tree, a commit, an annotated
// tag, refs) with the installation's token, so GitHub makes them as the
// App and shows them verified, instead of pushing the local objects with
// git. `mpgate release apply` in CI keeps pushing with git.
func (f *Forge) ReleasePusher(repo bot.Repo, dir string) mprelease.Pusher {
	return &apiPusher{c: f.c, repo: repo, dir: dir, remote: map[string]string{}}
}

// apiPusher is the Git Data API pusher. The GitHub commit differs from the
// local one (GitHub is the committer and signs it) but has the same tree,
// parents and message (the Release-Head trailer with it); RemoteCommit maps
// one to the other.
type apiPusher struct {
	c      *Client
	repo   bot.Repo
	dir    string
	remote map[string]string // local commit → GitHub commit
}

// RemoteCommit is the GitHub commit made for local, local when none was.
func (p *apiPusher) RemoteCommit(local string) string {
	if r, ok := p.remote[local]; ok {
		return r
	}
	return local
}

// Push makes each "<commit>:refs/heads/B" on GitHub, then each
// "refs/tags/T". A branch moves only forward unless opts.Force: GitHub
// refuses (422) a commit that does not contain the branch's head, which is
// the check git push makes, so a release planned at an older head never
// lands. Branches go first: a tag never points at a commit its branch
// refused. When a tag fails after its branch moved, the release commit is
// on GitHub untagged and the next run tags it (a merged release's tags are
// found from its changelog section).
func (p *apiPusher) Push(ctx context.Context, opts mprelease.PushOptions, refspecs ...string) error {
	var tags []string
	moved := false
	for _, rs := range refspecs {
		if name, ok := strings.CutPrefix(rs, "refs/tags/"); ok {
			tags = append(tags, name)
			continue
		}
		commit, ref, ok := strings.Cut(rs, ":")
		if !ok || !strings.HasPrefix(ref, "refs/heads/") {
			return fmt.Errorf("github: push %q: want <commit>:refs/heads/<branch> or refs/tags/<name>: %w", rs, ErrInvalid)
		}
		remote, err := p.commit(ctx, commit)
		if err != nil {
			return err
		}
		if err := p.moveBranch(ctx, ref, remote, opts.Force); err != nil {
			return err
		}
		moved = true
	}
	for _, name := range tags {
		if err := p.tag(ctx, name); err != nil {
			if moved {
				return fmt.Errorf("%w (the branch was updated; the next run tags its release)", err)
			}
			return err
		}
	}
	return nil
}

// commit makes the local commit on GitHub: its parents must be there (the
// release commit's one parent is the planned head, which is).
func (p *apiPusher) commit(ctx context.Context, local string) (string, error) {
	if r, ok := p.remote[local]; ok {
		return r, nil
	}
	parents, err := p.git(ctx, "rev-parse", local+"^@")
	if err != nil {
		return "", err
	}
	ps := strings.Fields(parents)
	if len(ps) != 1 {
		return "", fmt.Errorf("github: push %s: a release commit has one parent, this one %d: %w", local, len(ps), ErrInvalid)
	}
	parent := p.RemoteCommit(ps[0])
	diff, err := p.git(ctx, "diff-tree", "-r", "-z", "--no-renames", "--raw", ps[0], local)
	if err != nil {
		return "", err
	}
	var entries []*gh.TreeEntry
	fields := strings.Split(strings.TrimSuffix(diff, "\x00"), "\x00")
	for i := 0; i+1 < len(fields); i += 2 {
		// ":oldmode newmode oldsha newsha status", then the path.
		meta, path := strings.Fields(strings.TrimPrefix(fields[i], ":")), fields[i+1]
		if len(meta) != 5 {
			return "", fmt.Errorf("github: push %s: unexpected diff-tree line %q", local, fields[i])
		}
		if meta[4] == "D" {
			entries = append(entries, &gh.TreeEntry{Path: gh.String(path), Mode: gh.String(meta[0]), Type: gh.String("blob")})
			continue
		}
		content, err := p.gitRaw(ctx, "cat-file", "blob", meta[3])
		if err != nil {
			return "", err
		}
		blob, _, err := p.c.gh.Git.CreateBlob(ctx, p.repo.Owner, p.repo.Name, &gh.Blob{
			Content: gh.String(base64.StdEncoding.EncodeToString([]byte(content))), Encoding: gh.String("base64")})
		if err != nil {
			return "", wrap(err, "create blob of %s in %s", path, p.repo.FullName())
		}
		entries = append(entries, &gh.TreeEntry{Path: gh.String(path), Mode: gh.String(meta[1]), Type: gh.String("blob"), SHA: blob.SHA})
	}
	baseTree, err := p.git(ctx, "rev-parse", ps[0]+"^{tree}")
	if err != nil {
		return "", err
	}
	wantTree, err := p.git(ctx, "rev-parse", local+"^{tree}")
	if err != nil {
		return "", err
	}
	tree, _, err := p.c.gh.Git.CreateTree(ctx, p.repo.Owner, p.repo.Name, baseTree, entries)
	if err != nil {
		return "", wrap(err, "create the tree of %s in %s", short(local), p.repo.FullName())
	}
	if tree.GetSHA() != wantTree {
		return "", fmt.Errorf("github: the tree made on GitHub (%s) is not the release commit's (%s); nothing was pushed", tree.GetSHA(), wantTree)
	}
	msg, err := p.git(ctx, "log", "-1", "--format=%B", local)
	if err != nil {
		return "", err
	}
	// No author or committer: GitHub makes the commit as the App and signs
	// it.
	c, _, err := p.c.gh.Git.CreateCommit(ctx, p.repo.Owner, p.repo.Name, &gh.Commit{Message: gh.String(msg),
		Tree: &gh.Tree{SHA: gh.String(tree.GetSHA())}, Parents: []*gh.Commit{{SHA: gh.String(parent)}}}, nil)
	if err != nil {
		return "", wrap(err, "create the commit of %s in %s", short(local), p.repo.FullName())
	}
	p.remote[local] = c.GetSHA()
	return c.GetSHA(), nil
}

// moveBranch points ref at sha: an update (forward only unless force), or
// the ref's creation when it does not exist.
func (p *apiPusher) moveBranch(ctx context.Context, ref, sha string, force bool) error {
	_, resp, err := p.c.gh.Git.UpdateRef(ctx, p.repo.Owner, p.repo.Name, &gh.Reference{Ref: gh.String(ref), Object: &gh.GitObject{SHA: gh.String(sha)}}, force)
	if err == nil {
		return nil
	}
	var ge *gh.ErrorResponse
	if resp != nil && resp.StatusCode == http.StatusUnprocessableEntity && errors.As(err, &ge) && strings.Contains(ge.Message, "does not exist") {
		if _, _, err := p.c.gh.Git.CreateRef(ctx, p.repo.Owner, p.repo.Name, &gh.Reference{Ref: gh.String(ref), Object: &gh.GitObject{SHA: gh.String(sha)}}); err != nil {
			return wrap(err, "create %s in %s", ref, p.repo.FullName())
		}
		return nil
	}
	return wrap(err, "update %s of %s to %s", ref, p.repo.FullName(), short(sha))
}

// tag makes the local annotated tag name on GitHub, at the GitHub commit of
// its local commit. A tag that exists on GitHub at that commit already (a
// re-run) is left alone.
func (p *apiPusher) tag(ctx context.Context, name string) error {
	ref := "refs/tags/" + name
	local, err := p.git(ctx, "rev-parse", ref+"^{commit}")
	if err != nil {
		return err
	}
	target := p.RemoteCommit(local)
	msg, err := p.git(ctx, "for-each-ref", "--format=%(contents)", ref)
	if err != nil {
		return err
	}
	t, _, err := p.c.gh.Git.CreateTag(ctx, p.repo.Owner, p.repo.Name, &gh.Tag{Tag: gh.String(name), Message: gh.String(msg),
		Object: &gh.GitObject{Type: gh.String("commit"), SHA: gh.String(target)}})
	if err != nil {
		return wrap(err, "create tag object %s in %s", name, p.repo.FullName())
	}
	_, resp, err := p.c.gh.Git.CreateRef(ctx, p.repo.Owner, p.repo.Name, &gh.Reference{Ref: gh.String(ref), Object: &gh.GitObject{SHA: t.SHA}})
	if err == nil {
		return nil
	}
	if resp != nil && resp.StatusCode == http.StatusUnprocessableEntity {
		if at, ok := p.tagTarget(ctx, ref); ok && at == target {
			return nil
		}
	}
	return wrap(err, "create %s in %s", ref, p.repo.FullName())
}

// tagTarget is the commit a tag ref on GitHub points at.
func (p *apiPusher) tagTarget(ctx context.Context, ref string) (string, bool) {
	r, _, err := p.c.gh.Git.GetRef(ctx, p.repo.Owner, p.repo.Name, ref)
	if err != nil {
		return "", false
	}
	if r.GetObject().GetType() != "tag" {
		return r.GetObject().GetSHA(), true
	}
	t, _, err := p.c.gh.Git.GetTag(ctx, p.repo.Owner, p.repo.Name, r.GetObject().GetSHA())
	if err != nil {
		return "", false
	}
	return t.GetObject().GetSHA(), true
}

// git reads the local repository; the output is trimmed of its last
// newline only.
func (p *apiPusher) git(ctx context.Context, args ...string) (string, error) {
	out, err := p.gitRaw(ctx, args...)
	return strings.TrimSuffix(out, "\n"), err
}

// gitRaw is git's output as it is (a blob's bytes).
func (p *apiPusher) gitRaw(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("github: git %s: %s: %w", args[0], strings.TrimSpace(errb.String()), err)
	}
	return out.String(), nil
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
