// Package cirelease is `mpgate release` run from a CI job: the plan as
// JSON, what apply and publish did as text, the push through the job's
// checkout, and the forge of the job (GitHub Actions, GitLab CI).
package cirelease

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/bot/release"
	"github.com/mpgate/mpgate/publish"
)

// ErrUsage marks errors the user fixes in the flags or the job's
// environment (exit code 2).
var ErrUsage = errors.New("usage")

type usage struct{ msg string }

func (u usage) Error() string { return u.msg }

func (u usage) Is(target error) bool { return target == ErrUsage }

func usagef(format string, args ...any) error { return usage{fmt.Sprintf(format, args...)} }

// Published is what PrintPublished needs of the command line.
type Published struct {
	// ReleaseRequest: apply --release-pr (the release is committed on the
	// request's branch, not tagged).
	ReleaseRequest bool
	// Branch and Remote were pushed to; Pushed says the push went through.
	Branch, Remote string
	Pushed         bool
}

// PlanJSON is the JSON shape of `mpgate release plan --format json`.
type PlanJSON struct {
	Head     string       `json:"head"`
	Date     string       `json:"date"`
	Modules  []moduleJSON `json:"modules"`
	Untagged []tagJSON    `json:"untagged"`
	Problems []string     `json:"problems"`
	Message  string       `json:"commitMessage,omitempty"`
}

type moduleJSON struct {
	Name       string      `json:"name"`
	Changelog  string      `json:"changelog"`
	CurrentTag string      `json:"currentTag,omitempty"`
	Current    string      `json:"current"`
	Next       string      `json:"next,omitempty"`
	NextTag    string      `json:"nextTag,omitempty"`
	Bump       string      `json:"bump"`
	Release    bool        `json:"release"`
	Held       string      `json:"held,omitempty"`
	Entries    []entryJSON `json:"entries"`
	Notes      string      `json:"notes,omitempty"`
	Changes    []string    `json:"changeFiles,omitempty"`
}

type entryJSON struct {
	Section string `json:"section"`
	Bump    string `json:"bump"`
	Scope   string `json:"scope,omitempty"`
	Text    string `json:"text"`
	Source  string `json:"source"`
	Commit  string `json:"commit,omitempty"`
	Request int    `json:"request,omitempty"`
	File    string `json:"file,omitempty"`
}

type tagJSON struct {
	Module  string `json:"module"`
	Tag     string `json:"tag"`
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
}

func ToPlanJSON(p *release.ReleasePlan) PlanJSON {
	out := PlanJSON{Head: p.Head, Date: p.Date, Modules: []moduleJSON{}, Untagged: []tagJSON{}, Problems: p.Problems}
	if out.Problems == nil {
		out.Problems = []string{}
	}
	if len(p.Releases()) > 0 {
		out.Message = p.CommitMessage()
	}
	for _, m := range p.Modules {
		mj := moduleJSON{Name: m.Name, Changelog: m.Changelog, CurrentTag: m.CurrentTag, Current: m.Current.String(),
			Bump: m.Bump.String(), Release: m.Release, Held: m.Held, Entries: []entryJSON{}, Notes: m.Notes, Changes: m.ChangeFiles}
		if len(m.Entries) > 0 {
			mj.Next, mj.NextTag = m.Next.String(), m.NextTag
		}
		for _, e := range m.Entries {
			mj.Entries = append(mj.Entries, entryJSON{Section: string(e.Section), Bump: e.Bump.String(), Scope: e.Scope, Text: e.Text,
				Source: string(e.Source), Commit: e.Commit, Request: e.Request, File: e.File})
		}
		out.Modules = append(out.Modules, mj)
	}
	for _, t := range p.Untagged {
		out.Untagged = append(out.Untagged, tagJSON{Module: t.Module, Tag: t.Name, Version: t.Version.String(), Commit: t.Commit})
	}
	return out
}

// PrintPublished says what Publish did, also when it stopped part-way.
func PrintPublished(w io.Writer, out *release.Published, o Published) {
	if out == nil {
		return
	}
	for _, t := range out.Tagged {
		fmt.Fprintf(w, "tagged %s at %s\n", t.Name, shortSHA(t.Commit))
	}
	if a := out.Applied; a != nil {
		if o.ReleaseRequest {
			if a.Commit != "" {
				fmt.Fprintf(w, "committed %s on %s (%s)\n", a.Message, release.RequestBranch, shortSHA(a.Commit))
			}
		} else if a.Commit != "" || len(a.Tags) > 0 {
			PrintApplied(w, a)
		}
	}
	if o.Pushed && out.Applied != nil && (out.Applied.Commit != "" || len(out.Applied.Tags) > 0) {
		fmt.Fprintf(w, "pushed %s and %d tag(s) to %s\n", o.Branch, len(out.Applied.Tags), o.Remote)
	}
	for _, r := range out.Releases {
		if r.Created {
			fmt.Fprintf(w, "created release %s\n", r.Tag)
		} else {
			fmt.Fprintf(w, "release %s exists already\n", r.Tag)
		}
	}
	if out.Request != 0 {
		verb := "updated"
		if out.RequestCreated {
			verb = "opened"
		}
		fmt.Fprintf(w, "%s release request #%d\n", verb, out.Request)
	}
	if out.Plan != nil && len(out.Plan.Releases()) == 0 && (out.Applied == nil || out.Applied.Commit == "" && len(out.Applied.Tags) == 0) {
		fmt.Fprintln(w, "nothing to release")
	}
}

// GitPusher pushes from the CI checkout to its remote (the checkout's
// credentials, as actions/checkout or the GitLab job set them).
type GitPusher struct{ Dir, Remote string }

func (g GitPusher) Push(ctx context.Context, o release.PushOptions, refspecs ...string) error {
	args := []string{"push", "--quiet"}
	if o.Atomic {
		args = append(args, "--atomic")
	}
	if o.Force {
		args = append(args, "--force")
	}
	_, err := gitOut(ctx, g.Dir, append(append(args, g.Remote), refspecs...)...)
	return err
}

func PrintApplied(w io.Writer, a *release.Applied) {
	verb := "released"
	if a.DryRun {
		verb = "would release"
	}
	if a.Message != "" {
		fmt.Fprintf(w, "%s: %s\n", verb, a.Message)
	}
	if a.Commit != "" {
		fmt.Fprintf(w, "commit %s\n", a.Commit)
	}
	for _, t := range a.Tags {
		switch {
		case a.DryRun:
			fmt.Fprintf(w, "would tag %s\n", t.Name)
		case t.Commit == "":
			// --no-tags: tagged once the release commit is on the default
			// branch (release apply finds it there).
			fmt.Fprintf(w, "not tagged (--no-tags): %s\n", t.Name)
		default:
			fmt.Fprintf(w, "tagged %s at %s\n", t.Name, shortSHA(t.Commit))
		}
	}
	for _, file := range slices.Sorted(maps.Keys(a.Files)) {
		fmt.Fprintf(w, "%s %s\n", map[bool]string{true: "would write", false: "wrote"}[a.DryRun], file)
	}
	for _, file := range a.Removed {
		fmt.Fprintf(w, "%s %s\n", map[bool]string{true: "would remove", false: "removed"}[a.DryRun], file)
	}
	if a.DryRun {
		for _, file := range slices.Sorted(maps.Keys(a.Files)) {
			fmt.Fprintf(w, "\n--- %s\n%s", file, a.Files[file])
		}
	}
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// Forge returns the forge of the CI job, nil outside GitHub Actions and
// GitLab CI.
func Forge(getenv func(string) string, tokenFile string, gh []github.Option, gl []gitlab.Option) (release.Publisher, error) {
	readToken := func(env ...string) (string, error) {
		if tokenFile != "" {
			data, err := os.ReadFile(tokenFile)
			if err != nil {
				return "", usagef("release apply: --token-file: %v", err)
			}
			return strings.TrimSpace(string(data)), nil
		}
		for _, k := range env {
			if v := getenv(k); v != "" {
				return v, nil
			}
		}
		return "", nil
	}
	switch publish.DetectCI(getenv) {
	case publish.GitHubActions:
		owner, name, ok := strings.Cut(getenv("GITHUB_REPOSITORY"), "/")
		if !ok || owner == "" || name == "" {
			return nil, usagef("release apply: GITHUB_REPOSITORY %q is not owner/name", getenv("GITHUB_REPOSITORY"))
		}
		token, err := readToken("GITHUB_TOKEN")
		if err != nil {
			return nil, err
		}
		if token == "" {
			return nil, usagef("release apply: no GitHub token: set GITHUB_TOKEN or --token-file")
		}
		c, err := github.New(http.DefaultClient, getenv("GITHUB_API_URL"), append([]github.Option{github.WithToken(token)}, gh...)...)
		if err != nil {
			return nil, usagef("release apply: GITHUB_API_URL: %v", err)
		}
		return c.ReleasePublisher(bot.Repo{Forge: bot.ForgeGitHub, Owner: owner, Name: name}), nil
	case publish.GitLabCI:
		kind := gitlab.Private
		token, err := readToken("MPGATE_GITLAB_TOKEN")
		if err != nil {
			return nil, err
		}
		if token == "" && getenv("CI_JOB_TOKEN") != "" {
			token, kind = getenv("CI_JOB_TOKEN"), gitlab.Job
		}
		if token == "" {
			return nil, usagef("release apply: no GitLab token: set MPGATE_GITLAB_TOKEN (a project access token) or --token-file")
		}
		id, err := strconv.ParseInt(getenv("CI_PROJECT_ID"), 10, 64)
		if err != nil {
			return nil, usagef("release apply: CI_PROJECT_ID %q is not a project id", getenv("CI_PROJECT_ID"))
		}
		ns, path := "", getenv("CI_PROJECT_PATH")
		if i := strings.LastIndex(path, "/"); i >= 0 {
			ns, path = path[:i], path[i+1:]
		}
		c, err := gitlab.New(getenv("CI_API_V4_URL"), token, kind, gl...)
		if err != nil {
			return nil, usagef("release apply: CI_API_V4_URL: %v", err)
		}
		return c.ReleasePublisher(bot.Repo{Forge: bot.ForgeGitLab, Owner: ns, Name: path, ID: id}), nil
	}
	return nil, nil
}

// Branch is the branch to push: flag, else the checked-out branch,
// else the CI's (a GitLab job runs on a detached HEAD).
func Branch(ctx context.Context, dir, flagValue string, getenv func(string) string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if b, err := gitOut(ctx, dir, "symbolic-ref", "-q", "--short", "HEAD"); err == nil && b != "" {
		return b, nil
	}
	for _, k := range []string{"CI_COMMIT_BRANCH", "GITHUB_REF_NAME"} {
		if v := getenv(k); v != "" {
			return v, nil
		}
	}
	return "", usagef("release apply: HEAD is detached and no branch is known: pass --branch")
}

func gitOut(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}
