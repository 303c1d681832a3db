package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/publish"
)

// loadConfig reads .mpgate.yml from the default branch (never from a
// request's head); a repository without one gets the defaults.
func (b *Worker) loadConfig(ctx context.Context, f Forge, repo bot.Repo) (*config.Config, error) {
	data, _, err := f.FileContent(ctx, repo, config.DefaultFile, "")
	switch {
	case errors.Is(err, bot.ErrNotFound): // no .mpgate.yml
		return config.Default(), nil
	case err != nil:
		return nil, fmt.Errorf("reading %s of the default branch of %s: %w", config.DefaultFile, repo.FullName(), err)
	}
	cfg, err := config.Parse(data, config.DefaultFile)
	if err != nil {
		return nil, &configError{err: err}
	}
	return cfg, nil
}

// configError is an invalid .mpgate.yml: the check run says so.
type configError struct{ err error }

func (e *configError) Error() string {
	return "invalid " + config.DefaultFile + " on the default branch: " + e.err.Error()
}

func (e *configError) Unwrap() error { return e.err }

func hasBuild(cfg *config.Config) bool {
	for _, p := range cfg.Projects {
		if strings.TrimSpace(p.Build) != "" {
			return true
		}
	}
	return false
}

// trusted says whether the request's code may be built without a
// maintainer's /ok-to-build: a branch of the repository itself (pushing
// it needs write access), or a fork whose author has write access.
func (b *Worker) trusted(ctx context.Context, f Forge, repo bot.Repo, pr bot.PullRequest) (bool, error) {
	if !pr.Fork {
		return true, nil
	}
	if pr.Author == "" {
		return false, nil
	}
	perm, err := f.Permission(ctx, repo, pr.Author)
	if err != nil {
		return false, fmt.Errorf("permission of %s: %w", pr.Author, err)
	}
	return bot.ParsePermission(perm) >= bot.PermissionWrite, nil
}

// requestEvaluation decides whether the head of pr may be evaluated, shows a
// queued check run and queues the evaluation.
func (b *Worker) requestEvaluation(ctx context.Context, f Forge, ev bot.Event, pr bot.PullRequest, log *slog.Logger) error {
	return b.requestEvaluationWith(ctx, f, ev, pr, evalOptions{}, log)
}

// requestEvaluationWith is requestEvaluation with options (/recheck).
func (b *Worker) requestEvaluationWith(ctx context.Context, f Forge, ev bot.Event, pr bot.PullRequest, opts evalOptions, log *slog.Logger) error {
	log = log.With("pr", pr.Number, "head", pr.HeadSHA)
	if done, err := b.deliveryEvaluated(ctx, ev, pr); err != nil {
		return err
	} else if done {
		// The queue runs an event job again when a crash came before it
		// recorded the job's completion: its evaluation is queued or done.
		log.Info("delivery already evaluated: its event job ran again after a restart")
		return nil
	}
	head := bot.CheckRef{Repo: ev.Repo, SHA: pr.HeadSHA, Name: bot.CheckName, PR: pr.Number}
	cfg, err := b.loadConfig(ctx, f, ev.Repo)
	var ce *configError
	if errors.As(err, &ce) {
		return b.conclude(ctx, f, head, bot.ConclusionFailure, bot.CheckOutput{
			Title: "Invalid " + config.DefaultFile, Summary: publish.CodeBlock(ce.Error())})
	}
	if err != nil {
		return err
	}
	untrusted := false
	if hasBuild(cfg) {
		ok, err := b.trusted(ctx, f, ev.Repo, pr)
		if err != nil {
			return err
		}
		untrusted = !ok
	}
	if untrusted {
		switch cfg.Trust.BuildForks {
		case config.BuildForksNever:
			return b.conclude(ctx, f, head, bot.ConclusionNeutral, bot.CheckOutput{
				Title:   "Not built: pull requests from forks are not built here",
				Summary: "This repository's `" + config.DefaultFile + "` says `trust.build_forks: never`."})
		case config.BuildForksAfterApproval:
			ok, err := b.buildApproved(ctx, ev.Repo, pr, cfg.Trust.OkToBuildLabel, log)
			if err != nil {
				return err
			}
			if !ok {
				log.Info("waiting for /ok-to-build")
				return b.conclude(ctx, f, head, bot.ConclusionActionRequired, bot.CheckOutput{
					Title: "Waiting for a maintainer's /ok-to-build",
					Summary: "This pull request comes from someone without write access and its build runs its own code. " +
						"A maintainer can comment `/ok-to-build` to build this commit (and, while the request keeps the label it gets, its later pushes)."})
			}
		}
		if b.cfg.Sandbox == nil {
			log.Warn("untrusted build refused: no sandbox", "reason", b.cfg.SandboxErr)
			return b.conclude(ctx, f, head, bot.ConclusionFailure, bot.CheckOutput{
				Title:   "Not built: this server has no build sandbox",
				Summary: "mpgate builds pull requests it does not trust only inside a sandbox, and this server has none:\n\n" + publish.CodeBlock(b.cfg.SandboxErr.Error())})
		}
	}

	if err := b.supersedeQueued(ctx, f, ev.Repo, pr, log); err != nil {
		return err
	}
	run, err := b.queuedRun(ctx, f, ev.Repo, pr, ev.DeliveryID)
	if err != nil {
		return err
	}
	payload, err := json.Marshal(evalJob{Event: ev, PullRequest: pr, RunID: run.ID, Untrusted: untrusted, Recheck: opts.recheck, Rebuild: opts.rebuild,
		RebuildOnly: opts.rebuildOnly})
	if err != nil {
		return fmt.Errorf("encoding the evaluation: %w", err)
	}
	dup, err := b.cfg.Queue.EnqueueEvaluation(ctx, ev.Repo, pr.Number, pr.HeadSHA, payload)
	if err != nil {
		return fmt.Errorf("queueing the evaluation of %s#%d: %w", ev.Repo.FullName(), pr.Number, err)
	}
	log.Info("evaluation queued", "check_run", run.ID, "duplicate", dup, "untrusted", untrusted, "recheck", opts.recheck)
	return nil
}

// handleUnlabeled forgets the /ok-to-build of a request whose build label
// was removed: putting the label back later grants nothing.
func (b *Worker) handleUnlabeled(ctx context.Context, f Forge, ev bot.Event, log *slog.Logger) error {
	if ev.PullRequest == nil || ev.Label == "" {
		return nil
	}
	cfg, err := b.loadConfig(ctx, f, ev.Repo)
	if isConfigError(err) {
		return nil
	}
	if err != nil {
		return err
	}
	// The label removed, or (GitLab, whose update names only the first
	// label removed) a request left without it.
	if l := cfg.Trust.OkToBuildLabel; l == "" || (ev.Label != l && slices.Contains(ev.PullRequest.Labels, l)) {
		return nil
	}
	log.Info("build label removed: the grant is revoked", "pr", ev.PullRequest.Number, "label", ev.Label, "by", ev.Sender)
	return b.cfg.Store.Revoke(ctx, ev.Repo, ev.PullRequest.Number, bot.LabelGrant, bot.ApproveBuild)
}

// buildApproved says whether a maintainer approved building the head of an
// untrusted request: /ok-to-build on this head, or an earlier /ok-to-build
// whose label the request still carries. A request seen without the label
// loses that grant, so a label put back by hand (triage access suffices to
// label) grants nothing: only a new /ok-to-build does.
func (b *Worker) buildApproved(ctx context.Context, repo bot.Repo, pr bot.PullRequest, label string, log *slog.Logger) (bool, error) {
	_, _, ok, err := b.cfg.Store.Approval(ctx, repo, pr.Number, pr.HeadSHA, bot.ApproveBuild)
	if err != nil || ok {
		return ok, err
	}
	by, _, granted, err := b.cfg.Store.Approval(ctx, repo, pr.Number, bot.LabelGrant, bot.ApproveBuild)
	if err != nil || !granted {
		return false, err
	}
	if label != "" && slices.Contains(pr.Labels, label) {
		log.Info("build approved by the label", "label", label, "approved_by", by)
		return true, nil
	}
	log.Info("the build label is gone: the grant is revoked", "label", label, "approved_by", by)
	return false, b.cfg.Store.Revoke(ctx, repo, pr.Number, bot.LabelGrant, bot.ApproveBuild)
}
