package cirelease

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/bot/release"
	"github.com/mpgate/mpgate/bot/release/revsizes"
	"github.com/mpgate/mpgate/checks/config"
)

// ErrMissing marks the outcome of `release check` when touched modules lack
// a changelog entry (exit code 1; the report printed says which).
var ErrMissing = errors.New("modules without a changelog entry")

// Options are `mpgate release`'s flags and what the command wires in.
type Options struct {
	Config    string
	Format    string
	Date      string
	DryRun    bool
	NoTags    bool
	Push      bool
	ReleasePR bool
	Remote    string
	Branch    string
	TokenFile string
	Base      string
	Head      string
	Title     string
	Body      string
	Labels    string
	// GitHub and GitLab are added to the forge clients' options (tests).
	GitHub []github.Option
	GitLab []gitlab.Option
	// AfterPlan runs between the plan and its application (tests make the
	// branch move there).
	AfterPlan func(dir string)
}

// wrapped is an ErrUsage error that keeps its cause.
type wrapped struct{ err error }

func (w wrapped) Error() string { return w.err.Error() }

func (w wrapped) Unwrap() error { return w.err }

func (w wrapped) Is(target error) bool { return target == ErrUsage }

// missing is release check's ErrMissing.
type missing struct{ n int }

func (m missing) Error() string {
	return fmt.Sprintf("release check: %d module(s) without a changelog entry", m.n)
}

func (m missing) Is(target error) bool { return target == ErrMissing }

// Run is `mpgate release SUB` (plan, apply, check or preview) in dir with
// cfg. Its errors are ErrUsage (exit code 2) or ErrMissing (exit code 1).
func Run(ctx context.Context, sub, dir string, cfg *config.Config, o Options, getenv func(string) string, stdout, stderr io.Writer) error {
	switch sub {
	case "plan":
		return runPlan(ctx, dir, cfg, o, stdout)
	case "apply":
		return runApply(ctx, dir, cfg, o, getenv, stdout, stderr)
	default:
		return runCheck(ctx, sub, dir, cfg, o, stdout)
	}
}

func planOptions(ctx context.Context, o Options, dir string, cfg *config.Config) (release.PlanOptions, error) {
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
	if o.Date != "" {
		d, err := time.Parse("2006-01-02", o.Date)
		if err != nil {
			return opts, usagef("release: --date %q is not YYYY-MM-DD", o.Date)
		}
		opts.Date = d
	}
	return opts, nil
}

// RefuseFlags refuses the flags set in fs that the subcommand does not
// read (ErrUsage).
func RefuseFlags(sub string, fs *flag.FlagSet) error {
	allowed := map[string][]string{
		"plan":    {"config", "format", "date"},
		"apply":   {"config", "date", "dry-run", "no-tags", "push", "release-pr", "remote", "branch", "token-file"},
		"check":   {"config", "base", "head", "title", "body", "labels"},
		"preview": {"config", "base", "head", "title", "body", "labels"},
	}[sub]
	var bad []string
	fs.Visit(func(fl *flag.Flag) {
		if !slices.Contains(allowed, fl.Name) {
			bad = append(bad, "--"+fl.Name)
		}
	})
	if len(bad) > 0 {
		return usagef("release %s does not take %s (see 'mpgate release -h')", sub, strings.Join(bad, ", "))
	}
	return nil
}

// refused maps the release package's refusals to ErrUsage with what to do.
func refused(what string, err error) error {
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
		return wrapped{fmt.Errorf("%s: %w\n%s", what, err, hint)}
	}
	return wrapped{fmt.Errorf("%s: %w", what, err)}
}

func runPlan(ctx context.Context, dir string, cfg *config.Config, o Options, stdout io.Writer) error {
	switch o.Format {
	case "text", "markdown", "json":
	default:
		return usagef("release plan: --format %q: the formats are text, markdown and json", o.Format)
	}
	opts, err := planOptions(ctx, o, dir, cfg)
	if err != nil {
		return err
	}
	p, err := release.Plan(ctx, dir, cfg, opts)
	if err != nil {
		return refused("release plan", err)
	}
	if o.Format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ToPlanJSON(p))
	}
	// The plan's text is Markdown, readable as text too.
	_, err = io.WriteString(stdout, p.Text())
	return err
}

func runApply(ctx context.Context, dir string, cfg *config.Config, o Options, getenv func(string) string, stdout, stderr io.Writer) error {
	if o.DryRun && (o.Push || o.ReleasePR) {
		return usagef("release apply: --dry-run changes nothing, so it cannot --push or --release-pr")
	}
	if o.ReleasePR && o.NoTags {
		return usagef("release apply: --release-pr tags merged releases and commits pending ones untagged; drop --no-tags")
	}
	if o.Push && o.ReleasePR {
		return usagef("release apply: --push releases at once, --release-pr through a release request: choose one")
	}
	opts, err := planOptions(ctx, o, dir, cfg)
	if err != nil {
		return err
	}
	if o.Push || o.ReleasePR {
		return runPublish(ctx, dir, cfg, o, opts, getenv, stdout, stderr)
	}
	p, err := release.Plan(ctx, dir, cfg, opts)
	if err != nil {
		return refused("release apply", err)
	}
	if o.AfterPlan != nil {
		o.AfterPlan(dir)
	}
	author, committer := release.ResolveIdentity(ctx, dir, cfg.Release.Identity, getenv)
	applied, err := release.Apply(ctx, dir, p, release.ApplyOptions{DryRun: o.DryRun, NoTags: o.NoTags, Author: author, Committer: committer})
	if err != nil {
		return refused("release apply", err)
	}
	if applied.Commit == "" && len(applied.Tags) == 0 && len(applied.Files) == 0 {
		_, err := fmt.Fprintln(stdout, "nothing to release")
		return err
	}
	PrintApplied(stdout, applied)
	return nil
}

// runPublish is apply --push and --release-pr: release.Publish with the
// checkout's remote and the CI job's forge.
func runPublish(ctx context.Context, dir string, cfg *config.Config, o Options, opts release.PlanOptions, getenv func(string) string, stdout, stderr io.Writer) error {
	pub, err := Forge(getenv, o.TokenFile, o.GitHub, o.GitLab)
	if err != nil {
		return usagef("%v", err)
	}
	if o.ReleasePR && pub == nil {
		return usagef("release apply --release-pr opens a pull/merge request: run it in GitHub Actions (GITHUB_ACTIONS=true) or GitLab CI (GITLAB_CI=true)")
	}
	branch, err := Branch(ctx, dir, o.Branch, getenv)
	if err != nil {
		return usagef("%v", err)
	}
	popts := release.PublishOptions{Branch: branch, ReleaseRequest: o.ReleasePR, Plan: opts}
	popts.Author, popts.Committer = release.ResolveIdentity(ctx, dir, cfg.Release.Identity, getenv)
	if o.AfterPlan != nil {
		popts.AfterPlan = func() { o.AfterPlan(dir) }
	}
	what := "release apply --push"
	if o.ReleasePR {
		what = "release apply --release-pr"
	}
	out, err := release.Publish(ctx, dir, cfg, GitPusher{Dir: dir, Remote: o.Remote}, pub, popts)
	pushed := o.Push && (err == nil || errors.Is(err, release.ErrForge))
	PrintPublished(stdout, out, Published{ReleaseRequest: o.ReleasePR, Branch: branch, Remote: o.Remote, Pushed: pushed})
	if err == nil && o.Push && pub == nil && out.Applied != nil && len(out.Applied.Tags) > 0 {
		fmt.Fprintln(stderr, "mpgate: not in GitHub Actions or GitLab CI: no forge releases created (the tags are pushed)")
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, release.ErrPush):
		return wrapped{fmt.Errorf("%s: push to %s: %w\n"+
			"nothing was pushed (the local tags are removed again); when the branch moved, run the job again on the new head", what, o.Remote, err)}
	case errors.Is(err, release.ErrForge):
		return wrapped{fmt.Errorf("%s: %w\n"+
			"the tags are pushed; run the job again to create the missing releases", what, err)}
	}
	return refused(what, err)
}

// runCheck is `release check` (the changelog gate) and `release preview`.
func runCheck(ctx context.Context, sub, dir string, cfg *config.Config, o Options, stdout io.Writer) error {
	if o.Base == "" {
		return usagef("release %s: --base REF is required (the request's target branch or its merge base)", sub)
	}
	for _, ref := range []string{o.Base, o.Head} {
		if strings.HasPrefix(ref, "-") {
			return usagef("release %s: %q is not a revision (it would read as a git option)", sub, ref)
		}
	}
	desc := o.Title + "\n" + o.Body
	var labels []string
	for _, l := range strings.Split(o.Labels, ",") {
		if l = strings.TrimSpace(l); l != "" {
			labels = append(labels, l)
		}
	}
	if sub == "preview" {
		pv, err := release.Preview(ctx, dir, o.Base, o.Head, cfg, desc, labels)
		if err != nil {
			return refused("release preview", err)
		}
		_, err = io.WriteString(stdout, release.PreviewText(pv))
		return err
	}
	needs, err := release.Missing(ctx, dir, o.Base, o.Head, cfg, desc, labels)
	if err != nil {
		return refused("release check", err)
	}
	if _, err := io.WriteString(stdout, release.NeedsText(needs)); err != nil {
		return err
	}
	if len(needs) > 0 {
		return missing{len(needs)}
	}
	return nil
}
