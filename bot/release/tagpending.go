package release

import (
	"context"
	"fmt"
	"strings"

	"github.com/mpgate/mpgate/checks/config"
)

// Untagged finds releases that a merged release PR/MR wrote into changelogs
// but that have no tag yet: for each module, the top section of its
// changelog at head ("## [1.3.0] - date") whose version is above the
// module's newest tag and whose tag does not exist. Each comes with the
// commit that added the section (the merged release) and its notes. Only
// sections added by a release commit count: its subject starts with
// "chore(release): " and names the tag (CommitMessage; a squash merge keeps
// it when the PR/MR title is CommitMessage). This is
// stateless — no labels to move — so a release merged while tagging failed,
// or tagged by hand, never blocks later releases (release-please's
// "untagged, merged release PRs outstanding" stall).
func Untagged(ctx context.Context, repoDir string, cfg *config.Config, head string) ([]AppliedTag, error) {
	if head == "" {
		head = "HEAD"
	}
	sha, err := revParse(ctx, repoDir, head)
	if err != nil || sha == "" {
		return nil, fmt.Errorf("untagged releases: %s is not a commit: %w", head, err)
	}
	mods, err := Modules(repoDir, cfg)
	if err != nil {
		return nil, fmt.Errorf("untagged releases: %w", err)
	}
	tags, err := mergedTags(ctx, repoDir, sha)
	if err != nil {
		return nil, fmt.Errorf("untagged releases: %w", err)
	}
	var out []AppliedTag
	for _, m := range mods {
		tt, err := ParseTagTemplate(m.Tag, m.Name)
		if err != nil {
			return nil, fmt.Errorf("untagged releases: %w", err)
		}
		_, err = runGit(ctx, repoDir, nil, nil, "cat-file", "-e", sha+":"+m.Changelog)
		if err != nil {
			continue // no changelog: never released through mpgate
		}
		text, err := runGit(ctx, repoDir, nil, nil, "cat-file", "blob", sha+":"+m.Changelog)
		if err != nil {
			return nil, fmt.Errorf("untagged releases: read %s: %w", m.Changelog, err)
		}
		v, notes, ok := TopSection(text, m.Name, otherNames(mods, m))
		if !ok {
			continue
		}
		if _, cur, has := tt.Latest(tags); has && v.Compare(cur) <= 0 {
			continue
		}
		name := tt.Tag(v)
		exists, err := tagExists(ctx, repoDir, name)
		if err != nil {
			return nil, fmt.Errorf("untagged releases: %w", err)
		}
		if exists {
			continue
		}
		added, err := runGit(ctx, repoDir, nil, nil, "log", "-1", "--format=%H%x1f%s", "-S", "## ["+v.String()+"]", sha, "--", m.Changelog)
		if err != nil {
			return nil, fmt.Errorf("untagged releases: find the release of %s: %w", name, err)
		}
		commit, subject, _ := strings.Cut(strings.TrimSpace(added), "\x1f")
		if !strings.HasPrefix(subject, releaseSubject) || !strings.Contains(subject, name) {
			// Not written by a release of ours (a changelog kept by hand
			// before mpgate, or a tag under another template): leave it.
			continue
		}
		out = append(out, AppliedTag{Module: m.Name, Name: name, Version: v, Notes: notes, Commit: commit})
	}
	return out, nil
}

func otherNames(mods []*Module, m *Module) []string {
	var out []string
	for _, o := range mods {
		if o != m && o.Changelog == m.Changelog {
			out = append(out, o.Name)
		}
	}
	return out
}

// TopSection reads the first "## [version]" section of a changelog (outside
// code fences) that belongs to module: in a changelog shared by several
// modules, sections whose heading ends with "(other)" are skipped. It
// returns the version and the section's body.
func TopSection(changelog, module string, others []string) (Version, string, bool) {
	lines := strings.Split(strings.ReplaceAll(changelog, "\r\n", "\n"), "\n")
	inFence := false
	start := -1
	var v Version
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			inFence = !inFence
			continue
		}
		if inFence || !strings.HasPrefix(t, "## ") {
			continue
		}
		if start < 0 && isUnreleased(t) {
			continue
		}
		if start >= 0 {
			return v, strings.TrimSpace(strings.Join(lines[start+1:i], "\n")) + "\n", true
		}
		rest, ok := strings.CutPrefix(t, "## [")
		if !ok {
			continue
		}
		ver, after, ok := strings.Cut(rest, "]")
		if !ok {
			continue
		}
		mine := true
		for _, o := range others {
			if strings.HasSuffix(after, "("+o+")") {
				mine = false
			}
		}
		if !mine {
			continue
		}
		pv, err := ParseVersion(strings.TrimPrefix(ver, "v"))
		if err != nil {
			return Version{}, "", false // "## [Unreleased]" or a hand-written heading on top
		}
		v, start = pv, i
	}
	if start < 0 {
		return Version{}, "", false
	}
	return v, strings.TrimSpace(strings.Join(lines[start+1:], "\n")) + "\n", true
}

// TagReleases creates the tags Untagged finds at HEAD, each on the commit
// that added its section (annotated, with the notes): what `mpgate release
// apply` runs on the default branch after a release PR/MR merged. DryRun
// creates nothing and returns what it would create.
func TagReleases(ctx context.Context, repoDir string, cfg *config.Config, opts ApplyOptions) ([]AppliedTag, error) {
	pending, err := Untagged(ctx, repoDir, cfg, "HEAD")
	if err != nil {
		return nil, err
	}
	if opts.DryRun {
		return pending, nil
	}
	env := identity(opts)
	for i, t := range pending {
		msg := t.Module + " " + t.Version.String() + "\n\n" + t.Notes
		if _, err := runGit(ctx, repoDir, env, []byte(msg), "tag", "-a", "-F", "-", "--cleanup=verbatim", t.Name, t.Commit); err != nil {
			return pending[:i], fmt.Errorf("tag release %s: %w", t.Name, err)
		}
	}
	return pending, nil
}
