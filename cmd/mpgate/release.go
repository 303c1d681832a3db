package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"

	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/bot/release"
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

// releaseFlags are release's flags; publish/cirelease does what they ask.
type releaseFlags = cirelease.Options

func newReleaseFlagSet(f *releaseFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.Config, "config", "", "config file (default DIR/"+config.DefaultFile+", optional there)")
	fs.StringVar(&f.Format, "format", "text", "plan: output format: text, markdown or json")
	fs.StringVar(&f.Date, "date", "", "plan, apply: date of the new sections, YYYY-MM-DD (default today, UTC)")
	fs.BoolVar(&f.DryRun, "dry-run", false, "apply: print what would be written, committed and tagged; change nothing")
	fs.BoolVar(&f.NoTags, "no-tags", false, "apply: commit the changelogs without tagging")
	fs.BoolVar(&f.Push, "push", false, "apply: push the release commit and its tags in one atomic push, then create a GitHub/GitLab release per tag")
	fs.BoolVar(&f.ReleasePR, "release-pr", false, "apply: tag merged releases, then commit pending ones on branch "+releasePRBranch+" and open or update one pull/merge request")
	fs.StringVar(&f.Remote, "remote", "origin", "apply: the git remote to push to")
	fs.StringVar(&f.Branch, "branch", "", "apply: the branch to push (default the current one, or CI_COMMIT_BRANCH / GITHUB_REF_NAME)")
	fs.StringVar(&f.TokenFile, "token-file", "", "apply: read the forge token from this file (default GITHUB_TOKEN, or MPGATE_GITLAB_TOKEN / CI_JOB_TOKEN)")
	fs.StringVar(&f.Base, "base", "", "check, preview: the request's base revision (required)")
	fs.StringVar(&f.Head, "head", "HEAD", "check, preview: the request's head revision")
	fs.StringVar(&f.Title, "title", "", "check, preview: the request's title")
	fs.StringVar(&f.Body, "body", "", "check, preview: the request's description")
	fs.StringVar(&f.Labels, "labels", "", "check, preview: the request's labels, comma-separated")
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
	if err := cirelease.RefuseFlags(sub, fs); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if err := checkrun.ReadableDir(dir); err != nil {
		return err
	}
	cfg, err := checkrun.LoadConfig(dir, f.Config)
	if err != nil {
		return cliError(err)
	}
	f.GitHub, f.GitLab, f.AfterPlan = githubOptions, releaseGitlabOptions, releaseHook
	err = cirelease.Run(ctx, sub, dir, cfg, f, getenv, stdout, stderr)
	switch {
	case errors.Is(err, cirelease.ErrMissing):
		return &exitError{code: exitFail, err: err, quiet: true}
	case errors.Is(err, cirelease.ErrUsage):
		return &exitError{code: exitUsage, err: err}
	}
	return err
}

// releaseGitlabOptions are added to the GitLab client of release apply (tests).
var releaseGitlabOptions []gitlab.Option
