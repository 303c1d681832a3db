package release

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/tree"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// DryRun computes the files, commit and tags without writing anything.
	DryRun bool
	// NoTags makes the release commit only: for the branch of a release
	// PR/MR. Once it is merged, TagReleases on the default branch tags it.
	NoTags bool
	// Author and Committer make the release commit and tags (the tagger is
	// the committer); an empty field is DefaultIdentity's. ResolveIdentity
	// finds the user's.
	Author, Committer config.Identity
}

// AppliedTag is a tag Apply created (or would create), with the module's
// release notes for a GitHub/GitLab release.
type AppliedTag struct {
	Module  string
	Name    string
	Version Version
	Notes   string
	// Commit is the commit tagged ("" for a dry run of Apply).
	Commit string
}

// Applied is what Apply did.
type Applied struct {
	DryRun bool
	// Commit is the release commit; "" for a dry run or when nothing was
	// released.
	Commit string
	// Message is the release commit's subject (CommitMessage); the commit
	// adds a ReleaseHeadTrailer naming the plan's head.
	Message string
	Tags    []AppliedTag
	// Files are the files written (changelogs, and change files that keep
	// the lines of modules not released now), with their new content.
	Files map[string]string
	// Removed are the change files deleted.
	Removed []string
}

// Apply writes the plan's releases in the work tree at repoDir: each
// released module's changelog gets the new section at the top, consumed
// change files are deleted, one commit "chore(release): …" and one annotated
// tag per module are made locally (pushing is the caller's). It refuses with
// ErrReleased when a tag or changelog section of the plan already exists (the
// plan was applied already, or raced with another release), with ErrStale
// when HEAD is no longer the plan's head (a merge landed since: plan again),
// with ErrDirty when the index or the files it writes have uncommitted
// changes, and with ErrProblems for a plan with problems. A plan with
// nothing to release does nothing.
func Apply(ctx context.Context, repoDir string, plan *ReleasePlan, opts ApplyOptions) (*Applied, error) {
	if plan == nil {
		return nil, errors.New("apply release: no plan")
	}
	rel := plan.Releases()
	applied := &Applied{DryRun: opts.DryRun, Files: map[string]string{}}
	if !opts.NoTags && len(plan.Untagged) > 0 {
		// Releases merged earlier without their tags: tag them first.
		if err := checkHead(ctx, repoDir, plan); err != nil {
			return nil, err
		}
		if err := tagMerged(ctx, repoDir, plan, opts, applied); err != nil {
			return applied, err
		}
	}
	if len(rel) == 0 {
		return applied, nil
	}
	if len(plan.Problems) > 0 {
		return nil, fmt.Errorf("apply release: %w: %s", ErrProblems, strings.Join(plan.Problems, "; "))
	}
	applied.Message = plan.CommitMessage()
	if err := checkUnreleased(ctx, repoDir, plan, rel); err != nil {
		return nil, err
	}
	files, err := releaseFiles(repoDir, rel, applied)
	if err != nil {
		return nil, err
	}
	for _, f := range files.order {
		applied.Files[f] = files.contents[f]
	}
	if opts.DryRun {
		return applied, nil
	}
	if err := checkClean(ctx, repoDir, append(append([]string{}, files.order...), applied.Removed...)); err != nil {
		return nil, err
	}
	env := identity(opts)
	msg := applied.Message + "\n\n" + ReleaseHeadTrailer + ": " + plan.Head + "\n"
	commit, err := commitFiles(ctx, repoDir, files, applied.Removed, env, msg)
	if err != nil {
		return nil, err
	}
	applied.Commit = commit
	if opts.NoTags {
		return applied, nil
	}
	untagged := len(applied.Tags) - len(rel)
	for i := untagged; i < len(applied.Tags); i++ {
		applied.Tags[i].Commit = commit
	}
	for _, t := range applied.Tags[untagged:] {
		msg := t.Module + " " + t.Version.String() + "\n\n" + t.Notes
		if _, err := runGit(ctx, repoDir, env, []byte(msg), "tag", "-a", "-F", "-", "--cleanup=verbatim", t.Name, commit); err != nil {
			return applied, fmt.Errorf("apply release: tag %s (the release commit %s is made; delete it or tag by hand): %w", t.Name, short(commit), err)
		}
	}
	return applied, nil
}

// tagMerged tags the releases merged earlier without their tags (the plan's
// Untagged; none for a dry run) and adds them to applied.Tags.
func tagMerged(ctx context.Context, repoDir string, plan *ReleasePlan, opts ApplyOptions, applied *Applied) error {
	for _, t := range plan.Untagged {
		if !opts.DryRun {
			msg := t.Module + " " + t.Version.String() + "\n\n" + t.Notes
			if _, err := runGit(ctx, repoDir, identity(opts), []byte(msg), "tag", "-a", "-F", "-", "--cleanup=verbatim", t.Name, t.Commit); err != nil {
				return fmt.Errorf("apply release: tag merged release %s: %w", t.Name, err)
			}
		}
		applied.Tags = append(applied.Tags, t)
	}
	return nil
}

// checkUnreleased refuses with ErrReleased when a tag of the plan exists, and
// with ErrStale when HEAD is no longer the plan's head.
func checkUnreleased(ctx context.Context, repoDir string, plan *ReleasePlan, rel []*ModulePlan) error {
	for _, m := range rel {
		exists, err := tagExists(ctx, repoDir, m.NextTag)
		if err != nil {
			return fmt.Errorf("apply release: %w", err)
		}
		if exists {
			return fmt.Errorf("apply release: %w: tag %s exists; plan again from the branch's head", ErrReleased, m.NextTag)
		}
	}
	return checkHead(ctx, repoDir, plan)
}

// fileSet is the files a release writes, in the order they are first named,
// with their new content.
type fileSet struct {
	order    []string
	contents map[string]string
}

func (s *fileSet) set(name, content string) {
	if _, ok := s.contents[name]; !ok {
		s.order = append(s.order, name)
	}
	s.contents[name] = content
}

// releaseFiles computes what the release writes: each released module's
// changelog with its new section on top (in plan order; several modules may
// share a changelog), then the change files that keep the lines of modules
// not released now. It adds each module's tag to applied.Tags and each
// change file left empty to applied.Removed.
func releaseFiles(repoDir string, rel []*ModulePlan, applied *Applied) (*fileSet, error) {
	files := &fileSet{contents: map[string]string{}}
	for _, m := range rel {
		cur, ok := files.contents[m.Changelog]
		if !ok {
			src, err := tree.ReadFileIn(repoDir, m.Changelog, maxRepoFile)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("apply release: read %s: %w", m.Changelog, err)
			}
			cur = string(src)
		}
		next, err := InsertSection(cur, sectionForFile(m, rel), m.Next)
		if err != nil {
			if errors.Is(err, ErrSectionExists) {
				return nil, fmt.Errorf("apply release: %w: %s of module %s: %w", ErrReleased, m.Changelog, m.Name, err)
			}
			return nil, fmt.Errorf("apply release: %s: %w", m.Changelog, err)
		}
		files.set(m.Changelog, next)
		applied.Tags = append(applied.Tags, AppliedTag{Module: m.Name, Name: m.NextTag, Version: m.Next, Notes: m.Notes})
	}
	released := map[string]bool{}
	for _, m := range rel {
		released[m.Name] = true
	}
	seen := map[string]bool{}
	for _, m := range rel {
		for _, f := range m.ChangeFiles {
			if seen[f] {
				continue
			}
			seen[f] = true
			// A change file naming a module that is not released now (held)
			// keeps that module's lines.
			rest, err := remainingChangeFile(repoDir, f, released)
			if err != nil {
				return nil, fmt.Errorf("apply release: %w", err)
			}
			if rest == "" {
				applied.Removed = append(applied.Removed, f)
				continue
			}
			files.set(f, rest)
		}
	}
	return files, nil
}

// checkClean refuses with ErrDirty when the paths have uncommitted changes or
// the index has staged ones.
func checkClean(ctx context.Context, repoDir string, paths []string) error {
	if out, err := runGit(ctx, repoDir, nil, nil, append([]string{"status", "--porcelain", "--"}, paths...)...); err != nil {
		return fmt.Errorf("apply release: %w", err)
	} else if strings.TrimSpace(out) != "" {
		return fmt.Errorf("apply release: %w in files the release writes:\n%s", ErrDirty, out)
	}
	if _, err := runGit(ctx, repoDir, nil, nil, "diff", "--cached", "--quiet"); err != nil {
		return fmt.Errorf("apply release: %w: the index has staged changes: %w", ErrDirty, err)
	}
	return nil
}

// commitFiles writes the files, deletes the removed ones and commits them
// with msg as env's identity; it returns the commit.
func commitFiles(ctx context.Context, repoDir string, files *fileSet, removed, env []string, msg string) (string, error) {
	for _, f := range files.order {
		p := filepath.Join(repoDir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", fmt.Errorf("apply release: %w", err)
		}
		if err := os.WriteFile(p, []byte(files.contents[f]), 0o644); err != nil {
			return "", fmt.Errorf("apply release: write %s: %w", f, err)
		}
	}
	if _, err := runGit(ctx, repoDir, nil, nil, append([]string{"add", "--"}, files.order...)...); err != nil {
		return "", fmt.Errorf("apply release: %w", err)
	}
	if len(removed) > 0 {
		if _, err := runGit(ctx, repoDir, nil, nil, append([]string{"rm", "-q", "--"}, removed...)...); err != nil {
			return "", fmt.Errorf("apply release: delete change files: %w", err)
		}
	}
	if _, err := runGit(ctx, repoDir, env, []byte(msg), "commit", "-q", "-F", "-"); err != nil {
		return "", fmt.Errorf("apply release: commit: %w", err)
	}
	commit, err := revParse(ctx, repoDir, "HEAD")
	if err != nil {
		return "", fmt.Errorf("apply release: %w", err)
	}
	return commit, nil
}

// sectionForFile is a module's section; when several released modules share
// one changelog, each section's heading names its module.
func sectionForFile(m *ModulePlan, rel []*ModulePlan) string {
	shared := false
	for _, o := range rel {
		if o != m && o.Changelog == m.Changelog {
			shared = true
		}
	}
	if !shared {
		return m.Section
	}
	head, body, _ := strings.Cut(m.Section, "\n")
	return head + " (" + m.Name + ")\n" + body
}

// DefaultIdentity makes release commits and tags when neither the
// configuration nor git names anyone.
var DefaultIdentity = config.Identity{Name: "mpgate", Email: "mpgate@users.noreply.github.com"}

func identity(opts ApplyOptions) []string {
	a, c := opts.Author, opts.Committer
	return []string{
		"GIT_AUTHOR_NAME=" + cmp.Or(a.Name, DefaultIdentity.Name), "GIT_AUTHOR_EMAIL=" + cmp.Or(a.Email, DefaultIdentity.Email),
		"GIT_COMMITTER_NAME=" + cmp.Or(c.Name, DefaultIdentity.Name), "GIT_COMMITTER_EMAIL=" + cmp.Or(c.Email, DefaultIdentity.Email),
	}
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// remainingChangeFile is the change file f without the lines of released
// modules; "" when no line remains (the file is deleted).
func remainingChangeFile(repoDir, f string, released map[string]bool) (string, error) {
	src, err := tree.ReadFileIn(repoDir, f, maxRepoFile)
	if err != nil {
		return "", fmt.Errorf("read change file %s: %w", f, err)
	}
	cf, err := ParseChangeFile(f, src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, mb := range cf.Bumps {
		if !released[mb.Module] {
			fmt.Fprintf(&b, "%q: %s\n", mb.Module, mb.Bump)
		}
	}
	if b.Len() == 0 {
		return "", nil
	}
	return "---\n" + b.String() + "---\n" + cf.Summary + "\n", nil
}

// checkHead refuses a plan made at another commit than HEAD.
func checkHead(ctx context.Context, repoDir string, plan *ReleasePlan) error {
	head, err := revParse(ctx, repoDir, "HEAD")
	if err != nil {
		return fmt.Errorf("apply release: %w", err)
	}
	if head != plan.Head {
		return fmt.Errorf("apply release: %w: planned at %s, HEAD is now %s; plan again so no entry is lost", ErrStale, short(plan.Head), short(head))
	}
	return nil
}

// maxRepoFile caps a changelog or change file read from the checkout.
const maxRepoFile = 16 << 20
