package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/bot/release"
	"github.com/mpgate/mpgate/bot/release/revsizes"
	"github.com/mpgate/mpgate/checkrun"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/publish/cirelease"
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
	return printUsage(w, releaseUsage, newReleaseFlagSet(&releaseFlags{}))
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
		return enc.Encode(cirelease.ToPlanJSON(p))
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
	cirelease.PrintApplied(stdout, applied)
	return nil
}

// releasePublish is apply --push and --release-pr: release.Publish with the
// checkout's remote and the CI job's forge.
func releasePublish(ctx context.Context, dir string, cfg *config.Config, f releaseFlags, opts release.PlanOptions, getenv func(string) string, stdout, stderr io.Writer) error {
	pub, err := cirelease.Forge(getenv, f.tokenFile, githubOptions, releaseGitlabOptions)
	if err != nil {
		return usageError("%v", err)
	}
	if f.releasePR && pub == nil {
		return usageError("release apply --release-pr opens a pull/merge request: run it in GitHub Actions (GITHUB_ACTIONS=true) or GitLab CI (GITLAB_CI=true)")
	}
	branch, err := cirelease.Branch(ctx, dir, f.branch, getenv)
	if err != nil {
		return usageError("%v", err)
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
	out, err := release.Publish(ctx, dir, cfg, cirelease.GitPusher{Dir: dir, Remote: f.remote}, pub, popts)
	pushed := f.push && (err == nil || errors.Is(err, release.ErrForge))
	cirelease.PrintPublished(stdout, out, cirelease.Published{ReleaseRequest: f.releasePR, Branch: branch, Remote: f.remote, Pushed: pushed})
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

// releaseGitlabOptions are added to the GitLab client of release apply (tests).
var releaseGitlabOptions []gitlab.Option

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
