package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/bot/release"
	"github.com/mpgate/mpgate/bot/release/revsizes"
	"github.com/mpgate/mpgate/checkrun"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/publish"
)

const releaseUsage = `Usage: mpgate release SUBCOMMAND [flags] [DIR]

Per-module changelogs and releases (docs/releases.md). DIR is the
repository's work tree (default ".").

Subcommands:
  plan      print what would be released; changes nothing
  apply     write the changelogs, commit and tag (for CI on the default branch);
            --push pushes and publishes GitHub/GitLab releases, --release-pr
            opens or updates the release pull/merge request instead
  check     the changelog gate for a request: which touched modules lack an
            entry (--base REF, --title, --body, --labels); exit 1 when some do
  preview   what a request adds to each module's changelog (as /changelog)

Exit codes: 0 done (also "nothing to release"); 1 check found modules without
an entry; 2 usage error, or a release that cannot be made now (the branch
moved, uncommitted changes, already released, problems in the plan): the
message says what to do.

Flags:
`

// releasePRBranch is the branch of the release pull/merge request.
const releasePRBranch = release.RequestBranch

type releaseFlags struct {
	config    string
	format    string
	date      string
	dryRun    bool
	noTags    bool
	push      bool
	releasePR bool
	remote    string
	branch    string
	tokenFile string
	base      string
	head      string
	title     string
	body      string
	labels    string
}

func newReleaseFlagSet(f *releaseFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.config, "config", "", "config file (default DIR/"+config.DefaultFile+", optional there)")
	fs.StringVar(&f.format, "format", "text", "plan: output format: text, markdown or json")
	fs.StringVar(&f.date, "date", "", "plan, apply: date of the new sections, YYYY-MM-DD (default today, UTC)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "apply: print what would be written, committed and tagged; change nothing")
	fs.BoolVar(&f.noTags, "no-tags", false, "apply: commit the changelogs without tagging")
	fs.BoolVar(&f.push, "push", false, "apply: push the release commit and its tags in one atomic push, then create a GitHub/GitLab release per tag")
	fs.BoolVar(&f.releasePR, "release-pr", false, "apply: tag merged releases, then commit pending ones on branch "+releasePRBranch+" and open or update one pull/merge request")
	fs.StringVar(&f.remote, "remote", "origin", "apply: the git remote to push to")
	fs.StringVar(&f.branch, "branch", "", "apply: the branch to push (default the current one, or CI_COMMIT_BRANCH / GITHUB_REF_NAME)")
	fs.StringVar(&f.tokenFile, "token-file", "", "apply: read the forge token from this file (default GITHUB_TOKEN, or MPGATE_GITLAB_TOKEN / CI_JOB_TOKEN)")
	fs.StringVar(&f.base, "base", "", "check, preview: the request's base revision (required)")
	fs.StringVar(&f.head, "head", "HEAD", "check, preview: the request's head revision")
	fs.StringVar(&f.title, "title", "", "check, preview: the request's title")
	fs.StringVar(&f.body, "body", "", "check, preview: the request's description")
	fs.StringVar(&f.labels, "labels", "", "check, preview: the request's labels, comma-separated")
	return fs
}

func printReleaseUsage(w io.Writer) error {
	var buf bytes.Buffer
	fs := newReleaseFlagSet(&releaseFlags{})
	fs.SetOutput(&buf)
	fs.PrintDefaults()
	flags := strings.ReplaceAll("\n"+buf.String(), "\n  -", "\n  --")[1:]
	_, err := io.WriteString(w, releaseUsage+flags)
	return err
}

// releaseHook runs between the plan and its application (tests make the
// branch move there).
var releaseHook func(dir string)

// runRelease is `mpgate release SUBCOMMAND`.
func runRelease(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("release: which? the subcommands are plan, apply, check and preview (mpgate release -h)")
	}
	sub := args[0]
	switch sub {
	case "-h", "-help", "--help", "help":
		return printReleaseUsage(stdout)
	case "plan", "apply", "check", "preview":
	default:
		return usageError("release: unknown subcommand %q; the subcommands are plan, apply, check and preview", sub)
	}
	var f releaseFlags
	fs := newReleaseFlagSet(&f)
	rest, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return printReleaseUsage(stdout)
	}
	if err != nil {
		return usageError("release %s: %v (see 'mpgate release -h')", sub, err)
	}
	if len(rest) > 1 {
		return usageError("release %s: one directory at most, got %s", sub, strings.Join(rest, " "))
	}
	dir := "."
	if len(rest) == 1 {
		dir = rest[0]
	}
	if err := releaseFlagsFor(sub, fs); err != nil {
		return err
	}
	if err := checkrun.ReadableDir(dir); err != nil {
		return err
	}
	cfg, err := loadConfig(dir, f.config)
	if err != nil {
		return err
	}
	switch sub {
	case "plan":
		return releasePlan(ctx, dir, cfg, f, stdout)
	case "apply":
		return releaseApply(ctx, dir, cfg, f, getenv, stdout, stderr)
	default:
		return releaseCheck(ctx, sub, dir, cfg, f, stdout)
	}
}

// releaseFlagsFor refuses flags the subcommand does not read.
func releaseFlagsFor(sub string, fs *flag.FlagSet) error {
	allowed := map[string][]string{
		"plan":    {"config", "format", "date"},
		"apply":   {"config", "date", "dry-run", "no-tags", "push", "release-pr", "remote", "branch", "token-file"},
		"check":   {"config", "base", "head", "title", "body", "labels"},
		"preview": {"config", "base", "head", "title", "body", "labels"},
	}[sub]
	var bad []string
	fs.Visit(func(fl *flag.Flag) {
		for _, a := range allowed {
			if a == fl.Name {
				return
			}
		}
		bad = append(bad, "--"+fl.Name)
	})
	if len(bad) > 0 {
		return usageError("release %s does not take %s (see 'mpgate release -h')", sub, strings.Join(bad, ", "))
	}
	return nil
}

func planOptions(ctx context.Context, f releaseFlags, dir string, cfg *config.Config) (release.PlanOptions, error) {
	var opts release.PlanOptions
	// Each released module's notes say how its size changed since its
	// previous release (when the modules can be read; Plan reports it when
	// they cannot).
	if sizes, err := revsizes.New(dir, cfg); err == nil {
		opts.Sizes = sizes
		// A module failing a rule on the default branch is held back, with
		// the finding as the reason the plan (and the release PR) shows.
		if held, err := sizes.Held(ctx); err == nil && len(held) > 0 {
			opts.Held = held
		}
	}
	if f.date != "" {
		d, err := time.Parse("2006-01-02", f.date)
		if err != nil {
			return opts, usageError("release: --date %q is not YYYY-MM-DD", f.date)
		}
		opts.Date = d
	}
	return opts, nil
}

// releaseError maps the release package's refusals to exit 2 with what to do.
func releaseError(what string, err error) error {
	var hint string
	switch {
	case errors.Is(err, release.ErrStale):
		hint = "the branch moved since the plan: fetch, and run mpgate release again on the new head"
	case errors.Is(err, release.ErrDirty):
		hint = "commit or stash the changes first (git status)"
	case errors.Is(err, release.ErrReleased):
		hint = "this release exists already (applied earlier, or by a concurrent job): fetch the tags and plan again"
	case errors.Is(err, release.ErrProblems):
		hint = "fix the problems 'mpgate release plan' lists, then apply again"
	case errors.Is(err, release.ErrModules):
		hint = "configure modules in .mpgate.yml (docs/releases.md)"
	}
	if hint != "" {
		return &exitError{code: exitUsage, err: fmt.Errorf("%s: %w\n%s", what, err, hint)}
	}
	return &exitError{code: exitUsage, err: fmt.Errorf("%s: %w", what, err)}
}

// planJSON is the JSON shape of `mpgate release plan --format json`.
type planJSON struct {
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

func toPlanJSON(p *release.ReleasePlan) planJSON {
	out := planJSON{Head: p.Head, Date: p.Date, Modules: []moduleJSON{}, Untagged: []tagJSON{}, Problems: p.Problems}
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

func releasePlan(ctx context.Context, dir string, cfg *config.Config, f releaseFlags, stdout io.Writer) error {
	switch f.format {
	case "text", "markdown", "json":
	default:
		return usageError("release plan: --format %q: the formats are text, markdown and json", f.format)
	}
	opts, err := planOptions(ctx, f, dir, cfg)
	if err != nil {
		return err
	}
	p, err := release.Plan(ctx, dir, cfg, opts)
	if err != nil {
		return releaseError("release plan", err)
	}
	if f.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(toPlanJSON(p))
	}
	// The plan's text is Markdown, readable as text too.
	_, err = io.WriteString(stdout, p.Text())
	return err
}

func releaseApply(ctx context.Context, dir string, cfg *config.Config, f releaseFlags, getenv func(string) string, stdout, stderr io.Writer) error {
	if f.dryRun && (f.push || f.releasePR) {
		return usageError("release apply: --dry-run changes nothing, so it cannot --push or --release-pr")
	}
	if f.releasePR && f.noTags {
		return usageError("release apply: --release-pr tags merged releases and commits pending ones untagged; drop --no-tags")
	}
	if f.push && f.releasePR {
		return usageError("release apply: --push releases at once, --release-pr through a release request: choose one")
	}
	opts, err := planOptions(ctx, f, dir, cfg)
	if err != nil {
		return err
	}
	if f.push || f.releasePR {
		return releasePublish(ctx, dir, cfg, f, opts, getenv, stdout, stderr)
	}
	p, err := release.Plan(ctx, dir, cfg, opts)
	if err != nil {
		return releaseError("release apply", err)
	}
	if releaseHook != nil {
		releaseHook(dir)
	}
	author, committer := release.ResolveIdentity(ctx, dir, cfg.Release.Identity, getenv)
	applied, err := release.Apply(ctx, dir, p, release.ApplyOptions{DryRun: f.dryRun, NoTags: f.noTags, Author: author, Committer: committer})
	if err != nil {
		return releaseError("release apply", err)
	}
	if applied.Commit == "" && len(applied.Tags) == 0 && len(applied.Files) == 0 {
		_, err := fmt.Fprintln(stdout, "nothing to release")
		return err
	}
	printApplied(stdout, applied)
	return nil
}

// releasePublish is apply --push and --release-pr: release.Publish with the
// checkout's remote and the CI job's forge.
func releasePublish(ctx context.Context, dir string, cfg *config.Config, f releaseFlags, opts release.PlanOptions, getenv func(string) string, stdout, stderr io.Writer) error {
	pub, err := newForge(getenv, f.tokenFile)
	if err != nil {
		return err
	}
	if f.releasePR && pub == nil {
		return usageError("release apply --release-pr opens a pull/merge request: run it in GitHub Actions (GITHUB_ACTIONS=true) or GitLab CI (GITLAB_CI=true)")
	}
	branch, err := currentBranch(ctx, dir, f.branch, getenv)
	if err != nil {
		return err
	}
	popts := release.PublishOptions{Branch: branch, ReleaseRequest: f.releasePR, Plan: opts}
	popts.Author, popts.Committer = release.ResolveIdentity(ctx, dir, cfg.Release.Identity, getenv)
	if releaseHook != nil {
		popts.AfterPlan = func() { releaseHook(dir) }
	}
	what := "release apply --push"
	if f.releasePR {
		what = "release apply --release-pr"
	}
	out, err := release.Publish(ctx, dir, cfg, gitPusher{dir: dir, remote: f.remote}, pub, popts)
	pushed := f.push && (err == nil || errors.Is(err, release.ErrForge))
	printPublished(stdout, out, f, branch, pushed)
	if err == nil && f.push && pub == nil && out.Applied != nil && len(out.Applied.Tags) > 0 {
		fmt.Fprintln(stderr, "mpgate: not in GitHub Actions or GitLab CI: no forge releases created (the tags are pushed)")
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, release.ErrPush):
		return &exitError{code: exitUsage, err: fmt.Errorf("%s: push to %s: %w\n"+
			"nothing was pushed (the local tags are removed again); when the branch moved, run the job again on the new head", what, f.remote, err)}
	case errors.Is(err, release.ErrForge):
		return &exitError{code: exitUsage, err: fmt.Errorf("%s: %w\n"+
			"the tags are pushed; run the job again to create the missing releases", what, err)}
	}
	return releaseError(what, err)
}

// printPublished says what Publish did, also when it stopped part-way.
func printPublished(w io.Writer, out *release.Published, f releaseFlags, branch string, pushed bool) {
	if out == nil {
		return
	}
	for _, t := range out.Tagged {
		fmt.Fprintf(w, "tagged %s at %s\n", t.Name, shortSHA(t.Commit))
	}
	if a := out.Applied; a != nil {
		if f.releasePR {
			if a.Commit != "" {
				fmt.Fprintf(w, "committed %s on %s (%s)\n", a.Message, release.RequestBranch, shortSHA(a.Commit))
			}
		} else if a.Commit != "" || len(a.Tags) > 0 {
			printApplied(w, a)
		}
	}
	if pushed && out.Applied != nil && (out.Applied.Commit != "" || len(out.Applied.Tags) > 0) {
		fmt.Fprintf(w, "pushed %s and %d tag(s) to %s\n", branch, len(out.Applied.Tags), f.remote)
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

// gitPusher pushes from the CI checkout to its remote (the checkout's
// credentials, as actions/checkout or the GitLab job set them).
type gitPusher struct{ dir, remote string }

func (g gitPusher) Push(ctx context.Context, o release.PushOptions, refspecs ...string) error {
	args := []string{"push", "--quiet"}
	if o.Atomic {
		args = append(args, "--atomic")
	}
	if o.Force {
		args = append(args, "--force")
	}
	_, err := gitOut(ctx, g.dir, append(append(args, g.remote), refspecs...)...)
	return err
}

func printApplied(w io.Writer, a *release.Applied) {
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
	for _, file := range sortedKeys(a.Files) {
		fmt.Fprintf(w, "%s %s\n", map[bool]string{true: "would write", false: "wrote"}[a.DryRun], file)
	}
	for _, file := range a.Removed {
		fmt.Fprintf(w, "%s %s\n", map[bool]string{true: "would remove", false: "removed"}[a.DryRun], file)
	}
	if a.DryRun {
		for _, file := range sortedKeys(a.Files) {
			fmt.Fprintf(w, "\n--- %s\n%s", file, a.Files[file])
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// newForge returns the forge of the CI job, nil outside GitHub Actions and
// GitLab CI.
func newForge(getenv func(string) string, tokenFile string) (release.Publisher, error) {
	readToken := func(env ...string) (string, error) {
		if tokenFile != "" {
			data, err := os.ReadFile(tokenFile)
			if err != nil {
				return "", usageError("release apply: --token-file: %v", err)
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
			return nil, usageError("release apply: GITHUB_REPOSITORY %q is not owner/name", getenv("GITHUB_REPOSITORY"))
		}
		token, err := readToken("GITHUB_TOKEN")
		if err != nil {
			return nil, err
		}
		if token == "" {
			return nil, usageError("release apply: no GitHub token: set GITHUB_TOKEN or --token-file")
		}
		c, err := github.New(http.DefaultClient, getenv("GITHUB_API_URL"), append([]github.Option{github.WithToken(token)}, githubOptions...)...)
		if err != nil {
			return nil, usageError("release apply: GITHUB_API_URL: %v", err)
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
			return nil, usageError("release apply: no GitLab token: set MPGATE_GITLAB_TOKEN (a project access token) or --token-file")
		}
		id, err := strconv.ParseInt(getenv("CI_PROJECT_ID"), 10, 64)
		if err != nil {
			return nil, usageError("release apply: CI_PROJECT_ID %q is not a project id", getenv("CI_PROJECT_ID"))
		}
		ns, path := "", getenv("CI_PROJECT_PATH")
		if i := strings.LastIndex(path, "/"); i >= 0 {
			ns, path = path[:i], path[i+1:]
		}
		c, err := gitlab.New(getenv("CI_API_V4_URL"), token, kind, releaseGitlabOptions...)
		if err != nil {
			return nil, usageError("release apply: CI_API_V4_URL: %v", err)
		}
		return c.ReleasePublisher(bot.Repo{Forge: bot.ForgeGitLab, Owner: ns, Name: path, ID: id}), nil
	}
	return nil, nil
}

// releaseGitlabOptions are added to the GitLab client of release apply (tests).
var releaseGitlabOptions []gitlab.Option

// currentBranch is the branch to push: flag, else the checked-out branch,
// else the CI's (a GitLab job runs on a detached HEAD).
func currentBranch(ctx context.Context, dir, flagValue string, getenv func(string) string) (string, error) {
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
	return "", usageError("release apply: HEAD is detached and no branch is known: pass --branch")
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

// releaseCheck is `release check` (the changelog gate) and `release preview`.
func releaseCheck(ctx context.Context, sub, dir string, cfg *config.Config, f releaseFlags, stdout io.Writer) error {
	if f.base == "" {
		return usageError("release %s: --base REF is required (the request's target branch or its merge base)", sub)
	}
	for _, ref := range []string{f.base, f.head} {
		if strings.HasPrefix(ref, "-") {
			return usageError("release %s: %q is not a revision (it would read as a git option)", sub, ref)
		}
	}
	desc := f.title + "\n" + f.body
	var labels []string
	for _, l := range strings.Split(f.labels, ",") {
		if l = strings.TrimSpace(l); l != "" {
			labels = append(labels, l)
		}
	}
	if sub == "preview" {
		pv, err := release.Preview(ctx, dir, f.base, f.head, cfg, desc, labels)
		if err != nil {
			return releaseError("release preview", err)
		}
		_, err = io.WriteString(stdout, release.PreviewText(pv))
		return err
	}
	needs, err := release.Missing(ctx, dir, f.base, f.head, cfg, desc, labels)
	if err != nil {
		return releaseError("release check", err)
	}
	if _, err := io.WriteString(stdout, release.NeedsText(needs)); err != nil {
		return err
	}
	if len(needs) > 0 {
		return &exitError{code: exitFail, err: fmt.Errorf("release check: %d module(s) without a changelog entry", len(needs)), quiet: true}
	}
	return nil
}
