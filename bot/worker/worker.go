package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/mpgate/mpgate/bot"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot/build"
	"github.com/mpgate/mpgate/bot/gate"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/render"
)

// ErrSandboxRequired refuses the build of a request the bot does not trust
// when the server has no sandbox.
var ErrSandboxRequired = errors.New("no build sandbox on this server: builds of untrusted pull requests are refused")

// BotConfig configures a Bot. Installations, Queue and Store are required.
type Config struct {
	Installations Installations
	Queue         EvaluationQueue
	Store         Store
	// DataDir holds the mirrors (DataDir/mirrors), worktrees
	// (DataDir/worktrees) and build logs (DataDir/work).
	DataDir string
	// Clone decides where repositories are fetched from: the forge's own
	// host and the repository's full name, so that a forge's token goes
	// nowhere else. nil (tests only) fetches the payload's clone URL and
	// never sends a token.
	Clone *workspace.ClonePolicy
	// Sandbox wraps builds; nil when SandboxErr says why there is none.
	Sandbox build.Wrapper
	// SandboxErr is why there is no sandbox (sandbox.Detect's error); with
	// it, requests the bot does not trust are not built.
	SandboxErr error
	// BotLogin is the account the bot posts as (slug+"[bot]"); "" asks the
	// forge client.
	BotLogin string
	// HandedBack is the cause the queue cancels a job's context with when
	// the server shuts down before the job finished (queue.ErrHandedBack):
	// the job runs again in the next process, so even a last attempt
	// leaves its check run open.
	HandedBack error
	// MaxAttempts is the queue's attempt limit: the last failing attempt
	// concludes the check run instead of leaving it in progress.
	MaxAttempts int
	// BuildTimeout bounds each build (0: build.DefaultTimeout).
	BuildTimeout time.Duration
	// Observe, when set, is told how long each evaluation took and its
	// conclusion (metrics).
	Observe func(d time.Duration, conclusion string)
	// ObserveBuild is gate.Spec.ObserveBuild (metrics).
	ObserveBuild func(d time.Duration, outcome string)
	Logger       *slog.Logger
	// Analyze replaces the engine in tests (nil: analyze.Run).
	Analyze gate.AnalyzeFunc
	// PagesLink, when set, is the URL of a repository's page on the
	// server (bot/web); the sticky comment links to it.
	PagesLink func(bot.Repo) string
}

// Bot is the server's domain: it turns webhook events into check runs,
// comments and evaluations. Its HandleEvent and HandleEvaluation are what the
// durable queue's workers call.
type Worker struct {
	cfg Config
	log *slog.Logger
	// releaseLocks serialise release runs per repository.
	releaseLocks repoLocks
}

// NewBot checks cfg and returns the bot.
func New(cfg Config) (*Worker, error) {
	if cfg.Installations == nil || cfg.Queue == nil || cfg.Store == nil {
		return nil, errors.New("bot: Installations, Queue and Store are required")
	}
	if cfg.DataDir == "" {
		return nil, errors.New("bot: DataDir is required")
	}
	if cfg.Sandbox == nil && cfg.SandboxErr == nil {
		cfg.SandboxErr = ErrSandboxRequired
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{cfg: cfg, log: log}, nil
}

// evalJob is an evaluation's payload in the queue.
type evalJob struct {
	Event       bot.Event       `json:"event"`
	PullRequest bot.PullRequest `json:"pullRequest"`
	RunID       int64           `json:"runId"`
	Untrusted   bool            `json:"untrusted,omitempty"`
	// Recheck evaluates with the head's stored reports (/recheck): the
	// projects that have one are not built again.
	Recheck bool `json:"recheck,omitempty"`
	// Rebuild builds the base too, even with a stored report (/rebuild).
	Rebuild bool `json:"rebuild,omitempty"`
	// RebuildOnly limits Rebuild to these projects (/rebuild -p); the
	// others use their stored base and head reports.
	RebuildOnly []string `json:"rebuildOnly,omitempty"`
}

// checkRef is the evaluation's check run on headSHA (ID 0 when none was
// created before the job was queued).
func (j evalJob) checkRef(headSHA string) bot.CheckRef {
	return bot.CheckRef{Repo: j.Event.Repo, SHA: headSHA, Name: bot.CheckName, PR: j.PullRequest.Number, ID: j.RunID}
}

// HandleEvent processes one webhook delivery.
func (b *Worker) HandleEvent(ctx context.Context, ev bot.Event) error {
	log := b.log.With("delivery", ev.DeliveryID, "repo", ev.Repo.FullName(), "event", string(ev.Kind))
	if ev.InstallationID == 0 && ev.Forge == bot.ForgeGitHub {
		log.Warn("event without an installation ignored")
		return nil
	}
	f, err := b.cfg.Installations.Forge(ctx, ev.Forge, ev.InstallationID)
	if err != nil {
		return fmt.Errorf("installation %d of %s: %w", ev.InstallationID, ev.Repo.FullName(), err)
	}
	if err := b.cfg.Store.PutInstallation(ctx, ev.Repo, ev.InstallationID); err != nil {
		return err
	}
	switch ev.Kind {
	case bot.KindPullRequest:
		if ev.PullRequest == nil {
			return nil
		}
		if ev.PullRequest.Draft {
			log.Info("draft pull request skipped", "pr", ev.PullRequest.Number)
			return nil
		}
		// Deliveries run concurrently: one for an older head may run after
		// the newer one. Evaluate only the request's current head.
		if cur, err := f.PullRequestEvent(ctx, ev.Repo, ev.PullRequest.Number); err != nil {
			log.Warn("could not read the pull request's current head; trusting the delivery", "err", err)
		} else if cur.HeadSHA != "" && cur.HeadSHA != ev.PullRequest.HeadSHA {
			log.Info("stale delivery: the pull request has a newer head", "pr", ev.PullRequest.Number, "head", ev.PullRequest.HeadSHA, "current", cur.HeadSHA)
			return nil
		}
		return b.requestEvaluation(ctx, f, ev, *ev.PullRequest, log)
	case bot.KindPullRequestClosed:
		return b.handleClosed(ctx, f, ev, log)
	case bot.KindPullRequestUnlabeled:
		return b.handleUnlabeled(ctx, f, ev, log)
	case bot.KindPush:
		return b.handlePush(ctx, f, ev, log)
	case bot.KindComment:
		return b.handleComment(ctx, f, ev, log)
	case bot.KindRerun:
		return b.handleRerun(ctx, f, ev, log)
	case bot.KindRequestedAction:
		return b.handleRequestedAction(ctx, f, ev, log)
	default:
		log.Debug("event ignored")
		return nil
	}
}

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
	head := bot.CheckRef{Repo: ev.Repo, SHA: pr.HeadSHA, Name: bot.CheckName, PR: pr.Number}
	cfg, err := b.loadConfig(ctx, f, ev.Repo)
	var ce *configError
	if errors.As(err, &ce) {
		return b.conclude(ctx, f, head, bot.ConclusionFailure, bot.CheckOutput{
			Title: "Invalid " + config.DefaultFile, Summary: codeBlock(ce.Error())})
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
				Summary: "mpgate builds pull requests it does not trust only inside a sandbox, and this server has none:\n\n" + codeBlock(b.cfg.SandboxErr.Error())})
		}
	}

	if err := b.supersedeQueued(ctx, f, ev.Repo, pr, log); err != nil {
		return err
	}
	run, err := b.queuedRun(ctx, f, ev.Repo, pr)
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
	if l := cfg.Trust.OkToBuildLabel; l == "" || ev.Label != l {
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

// supersedeQueued concludes the check run of the previous head of pr:
// the queue cancels its evaluation, and one that never started would
// otherwise stay queued.
func (b *Worker) supersedeQueued(ctx context.Context, f Forge, repo bot.Repo, pr bot.PullRequest, log *slog.Logger) error {
	hs, isHS := b.cfg.Store.(HeadStore)
	if !isHS {
		return nil
	}
	prev, ok, err := hs.LatestHead(ctx, repo, pr.Number)
	if err != nil || !ok || prev == pr.HeadSHA {
		return err
	}
	runs, err := b.cfg.Store.CheckRuns(ctx, repo, prev)
	if err != nil {
		return err
	}
	for _, r := range runs {
		if r.Name != bot.CheckName || r.Completed || r.RunID == 0 || r.PR != pr.Number {
			continue
		}
		out := bot.CheckOutput{Title: "Superseded by " + shortSHA(pr.HeadSHA),
			Summary: "A newer commit (" + pr.HeadSHA + ") was pushed to this pull request; mpgate checks that one instead."}
		if err := b.conclude(ctx, f, r.Ref(), bot.ConclusionNeutral, out); err != nil {
			log.Warn("could not conclude the superseded check run", "sha", prev, "err", err)
		}
	}
	return nil
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// queuedRun returns the check run in flight on the head (a retried
// delivery) or creates a queued one.
func (b *Worker) queuedRun(ctx context.Context, f Forge, repo bot.Repo, pr bot.PullRequest) (bot.CheckRef, error) {
	runs, err := b.cfg.Store.CheckRuns(ctx, repo, pr.HeadSHA)
	if err != nil {
		return bot.CheckRef{}, err
	}
	for _, r := range runs {
		if r.Name == bot.CheckName && !r.Completed && r.RunID != 0 {
			return r.Ref(), nil
		}
	}
	ref, err := f.CreateCheck(ctx, bot.CheckRef{Repo: repo, SHA: pr.HeadSHA, Name: bot.CheckName, PR: pr.Number}, "queued", "")
	if err != nil {
		return bot.CheckRef{}, fmt.Errorf("creating the check run: %w", err)
	}
	if err := b.cfg.Store.PutCheckRun(ctx, recordOf(ref)); err != nil {
		return bot.CheckRef{}, err
	}
	return ref, nil
}

// conclude completes check ref (ID 0: creates it completed) and records it.
func (b *Worker) conclude(ctx context.Context, f Forge, ref bot.CheckRef, conclusion string, out bot.CheckOutput) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	if ref.ID == 0 {
		var err error
		if ref, err = f.CreateCheck(ctx, ref, "in_progress", ""); err != nil {
			return fmt.Errorf("creating the %q check: %w", ref.Name, err)
		}
		if err := b.cfg.Store.PutCheckRun(ctx, recordOf(ref)); err != nil {
			return err
		}
	}
	if err := f.CompleteCheck(ctx, ref, conclusion, out); err != nil {
		return fmt.Errorf("completing the %q check: %w", ref.Name, err)
	}
	return b.cfg.Store.CompleteCheckRun(ctx, ref.Repo, ref.SHA, ref.Name)
}

// recordOf is the store's record of check ref (in flight).
func recordOf(ref bot.CheckRef) bot.CheckRecord {
	return bot.CheckRecord{Repo: ref.Repo, SHA: ref.SHA, Name: ref.Name, RunID: ref.ID, PR: ref.PR}
}

func codeBlock(s string) string {
	return "```\n" + strings.ReplaceAll(s, "```", "'''") + "\n```"
}

// HandleEvaluation evaluates one pull-request head: mirror, worktree,
// gate, check run and sticky comment. attempt is 1 on the first run.
func (b *Worker) HandleEvaluation(ctx context.Context, headSHA string, payload []byte, jobID int64, attempt int) error {
	var job evalJob
	if err := json.Unmarshal(payload, &job); err != nil {
		return fmt.Errorf("decoding the evaluation of %s: %w", headSHA, err)
	}
	ev, pr := job.Event, job.PullRequest
	log := b.log.With("delivery", ev.DeliveryID, "repo", ev.Repo.FullName(), "pr", pr.Number, "head", headSHA, "job", jobID, "attempt", attempt)
	f, err := b.cfg.Installations.Forge(ctx, ev.Forge, ev.InstallationID)
	if err != nil {
		return fmt.Errorf("installation %d of %s: %w", ev.InstallationID, ev.Repo.FullName(), err)
	}
	run := job.checkRef(headSHA)
	if run.ID != 0 {
		if err := f.StartCheck(ctx, run); err != nil {
			return fmt.Errorf("starting the check run: %w", err)
		}
		if err := b.cfg.Store.PutCheckRun(ctx, recordOf(run)); err != nil {
			return err
		}
	}
	start := time.Now()
	res, policy, err := b.evaluate(ctx, f, job, headSHA, jobID, log)
	if err != nil {
		return b.evaluationFailed(ctx, f, job, headSHA, attempt, err, log)
	}
	changelog, hasChangelog := splitChangelogGate(res)
	cr := render.ResultCheckRun(res, render.ResultOptions{})
	out := bot.CheckOutput{Title: cr.Title, Summary: cr.Summary, Text: cr.Text}
	for _, a := range cr.Annotations {
		out.Annotations = append(out.Annotations, bot.Annotation{Path: a.Path, StartLine: a.StartLine, EndLine: a.EndLine,
			StartCol: a.StartCol, EndCol: a.EndCol, Level: a.Level, Title: a.Title, Message: a.Message})
	}
	if cr.Conclusion == bot.ConclusionFailure && sizeGateFailed(res) {
		out.Actions = []bot.CheckAction{{Label: "Approve size", Description: "Pass the size gate (write access)", Identifier: bot.ActionApproveSize}}
	}
	if err := b.conclude(ctx, f, run, cr.Conclusion, out); err != nil {
		return err
	}
	b.recordRun(ctx, ev.Repo, headSHA, pr.Number, cr.Conclusion, res, log)
	if hasChangelog {
		if err := b.postChangelogCheck(ctx, f, ev.Repo, headSHA, pr.Number, changelog); err != nil {
			return err
		}
	}
	var body bytes.Buffer
	if err := render.ResultMarkdown(&body, res, render.ResultOptions{Marker: bot.StickyMarker(""), MaxBytes: 65536, MinChange: int64(policy.MinChange)}); err != nil {
		return fmt.Errorf("rendering the comment: %w", err)
	}
	if b.cfg.PagesLink != nil {
		fmt.Fprintf(&body, "\n[Size and coverage trends of this repository](%s)\n", b.cfg.PagesLink(ev.Repo))
	}
	upsert := f.UpsertStickyComment
	if policy.RequireChanges && !render.ResultHasChanges(res, int64(policy.MinChange)) {
		upsert = f.UpdateStickyComment // comment.require_changes: none created, one there kept current
	}
	if _, _, err := upsert(ctx, ev.Repo, pr.Number, "", body.String(), b.cfg.BotLogin); err != nil {
		return fmt.Errorf("updating the sticky comment: %w", err)
	}
	if b.cfg.Observe != nil {
		b.cfg.Observe(time.Since(start), cr.Conclusion)
	}
	log.Info("evaluated", "conclusion", cr.Conclusion, "annotations", len(out.Annotations))
	return nil
}

func sizeGateFailed(res *compare.Result) bool {
	for _, p := range res.Projects {
		for _, g := range p.Gates {
			if strings.HasPrefix(g.Name, "size") && g.Status == checks.GateFail {
				return true
			}
		}
	}
	return false
}

// evaluationFailed concludes the check run when the evaluation will not be
// retried (superseded, unusable, last attempt) and returns what the queue
// should see.
func (b *Worker) evaluationFailed(ctx context.Context, f Forge, job evalJob, headSHA string, attempt int, err error, log *slog.Logger) error {
	ev, pr := job.Event, job.PullRequest
	cause := context.Cause(ctx)
	switch {
	case ctx.Err() != nil && errors.Is(cause, bot.ErrSuperseded):
		out := bot.CheckOutput{Title: "Superseded by a newer commit", Summary: "A newer commit was pushed to this pull request; mpgate checks that one instead."}
		if b.forgotten(ctx, ev.Repo, pr.Number) {
			out = closedOutput()
		}
		log.Info("evaluation cancelled", "why", out.Title)
		if job.RunID != 0 {
			if cerr := b.conclude(ctx, f, job.checkRef(headSHA), bot.ConclusionNeutral, out); cerr != nil {
				log.Warn("could not conclude the superseded check run", "err", cerr)
			}
		}
		return nil
	case b.cfg.HandedBack != nil && ctx.Err() != nil && errors.Is(cause, b.cfg.HandedBack):
		log.Info("evaluation handed back to the queue: the server is shutting down")
		return err
	case errors.Is(err, gate.ErrUsage), errors.Is(err, ErrSandboxRequired), isConfigError(err),
		errors.Is(err, workspace.ErrCloneSource): // a refused clone URL is refused again
		log.Warn("evaluation cannot run", "err", err)
		return b.conclude(ctx, f, job.checkRef(headSHA), bot.ConclusionFailure, bot.CheckOutput{
			Title: "mpgate could not check this commit", Summary: codeBlock(err.Error())})
	case b.cfg.MaxAttempts > 0 && attempt >= b.cfg.MaxAttempts:
		// The last attempt (should a restart run it again after all, the
		// check run is completed again with the new result).
		log.Error("evaluation failed for the last time", "err", err)
		conclusion, title := bot.ConclusionFailure, "mpgate could not check this commit"
		if errors.Is(cause, context.DeadlineExceeded) {
			conclusion, title = bot.ConclusionTimedOut, "mpgate ran out of time checking this commit"
		}
		if cerr := b.conclude(ctx, f, job.checkRef(headSHA), conclusion, bot.CheckOutput{
			Title: title, Summary: codeBlock(err.Error()) + "\n\nComment `/rebuild` to try again."}); cerr != nil {
			return errors.Join(err, cerr)
		}
		return err
	case ctx.Err() != nil:
		return err // shutting down or timed out: the queue runs it again
	default:
		return err
	}
}

func isConfigError(err error) bool {
	var ce *configError
	return errors.As(err, &ce)
}

// evaluate runs the gate on the head of a pull request.
// evaluate judges the request; it returns the config's comment section with
// the result.
func (b *Worker) evaluate(ctx context.Context, f Forge, job evalJob, headSHA string, jobID int64, log *slog.Logger) (*compare.Result, config.Comment, error) {
	ev, pr := job.Event, job.PullRequest
	if job.Untrusted && b.cfg.Sandbox == nil {
		return nil, config.Comment{}, ErrSandboxRequired
	}
	cfg, err := b.loadConfig(ctx, f, ev.Repo)
	if err != nil {
		return nil, config.Comment{}, err
	}
	m, err := b.mirror(ctx, f, ev)
	if err != nil {
		return nil, config.Comment{}, err
	}
	if err := m.FetchRef(ctx, headSHA); err != nil {
		if err2 := m.FetchRef(ctx, "refs/pull/"+strconv.Itoa(pr.Number)+"/head"); err2 != nil {
			return nil, config.Comment{}, fmt.Errorf("fetching %s: %w", headSHA, errors.Join(err, err2))
		}
	}
	name := jobName(headSHA, jobID)
	wtDir := filepath.Join(b.cfg.DataDir, "worktrees", name)
	workDir := filepath.Join(b.cfg.DataDir, "work", name)
	_ = os.RemoveAll(workDir) // a previous attempt's leftovers
	if err := os.MkdirAll(workDir, 0o700); err != nil {
		return nil, config.Comment{}, fmt.Errorf("creating the work directory: %w", err)
	}
	defer os.RemoveAll(workDir)
	wt, err := m.Worktree(ctx, wtDir, headSHA)
	if err != nil {
		return nil, config.Comment{}, fmt.Errorf("checking out %s: %w", headSHA, err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := wt.Remove(rctx); err != nil {
			log.Warn("could not remove the worktree", "dir", wtDir, "err", err)
		}
	}()

	base := pr.BaseRef
	if base == "" {
		base = ev.DefaultBranch
	}
	spec := gate.Spec{RepoDir: m.Dir, HeadDir: wt.Dir, HeadRev: headSHA, BaseRef: base, Config: cfg, WorkDir: workDir,
		BuildTimeout: b.cfg.BuildTimeout, Sandbox: b.cfg.Sandbox, ObserveBuild: b.cfg.ObserveBuild, Analyze: b.cfg.Analyze, Logger: log,
		// The changelog gate reads the request's title, description and labels.
		Title: pr.Title, Body: pr.Body, Labels: pr.Labels}
	partial := job.Rebuild && len(job.RebuildOnly) > 0
	if mb, err := workspace.MergeBase(ctx, m.Dir, base, headSHA); err == nil && (!job.Rebuild || partial) {
		spec.BaseReports, err = b.storedReports(ctx, ev.Repo, mb, cfg)
		if err != nil {
			return nil, config.Comment{}, err
		}
	}
	if job.Recheck || partial {
		if spec.HeadReports, err = b.storedReports(ctx, ev.Repo, headSHA, cfg); err != nil {
			return nil, config.Comment{}, err
		}
		log.Info("rechecking with stored head reports", "projects", len(spec.HeadReports))
	}
	if partial {
		// /rebuild -p: those projects are built again at both sides.
		for _, name := range job.RebuildOnly {
			delete(spec.BaseReports, name)
			delete(spec.HeadReports, name)
		}
		log.Info("rebuilding some projects", "projects", job.RebuildOnly)
	}
	if by, reason, ok, err := b.cfg.Store.Approval(ctx, ev.Repo, pr.Number, headSHA, bot.ApproveSize); err != nil {
		return nil, config.Comment{}, err
	} else if ok {
		spec.Approval = &compare.Approval{By: by, Reason: reason}
	}
	for _, p := range cfg.Projects {
		if by, reason, ok, err := b.cfg.Store.Approval(ctx, ev.Repo, pr.Number, headSHA, bot.SizeApprovalOf(p.Name)); err != nil {
			return nil, config.Comment{}, err
		} else if ok {
			if spec.ProjectApprovals == nil {
				spec.ProjectApprovals = map[string]*compare.Approval{}
			}
			spec.ProjectApprovals[p.Name] = &compare.Approval{By: by, Reason: reason}
		}
	}
	res, err := gate.Run(ctx, spec)
	if err != nil {
		return nil, config.Comment{}, fmt.Errorf("checking %s: %w", headSHA, err)
	}
	b.storeHeads(ctx, ev.Repo, headSHA, res, log)
	if !job.Untrusted {
		b.storeBases(ctx, ev.Repo, res, log)
	}
	return res, cfg.Comment, nil
}

func jobName(sha string, jobID int64) string {
	if len(sha) > 12 {
		sha = sha[:12]
	}
	return sha + "-" + strconv.FormatInt(jobID, 10)
}

func (b *Worker) mirror(ctx context.Context, f Forge, ev bot.Event) (*workspace.Mirror, error) {
	auth := workspace.Auth{}
	cloneURL := ev.CloneURL
	if b.cfg.Clone != nil {
		u, sendToken, err := b.cfg.Clone.Source(ev.Forge, ev.Repo.FullName(), ev.CloneURL)
		if err != nil {
			return nil, fmt.Errorf("mirroring %s: %w", ev.Repo.FullName(), err)
		}
		cloneURL = u
		if sendToken {
			if auth.Token, err = f.GitToken(ctx); err != nil {
				return nil, err
			}
		}
	}
	if ev.Forge == bot.ForgeGitLab {
		auth.Username = "oauth2"
	}
	m, err := workspace.OpenMirror(ctx, filepath.Join(b.cfg.DataDir, "mirrors"), cloneURL, auth)
	if err != nil {
		return nil, fmt.Errorf("mirroring %s: %w", ev.Repo.FullName(), err)
	}
	return m, nil
}

// storedReports returns the stored reports of sha, per project, for the
// projects that have one.
func (b *Worker) storedReports(ctx context.Context, repo bot.Repo, sha string, cfg *config.Config) (map[string]*checks.Report, error) {
	out := map[string]*checks.Report{}
	for _, p := range cfg.Projects {
		data, ok, err := b.cfg.Store.Report(ctx, repo, sha, p.Name)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		var r checks.Report
		if err := json.Unmarshal(data, &r); err != nil {
			b.log.Warn("stored report unreadable; the base is built", "repo", repo.FullName(), "sha", sha, "project", p.Name, "err", err)
			continue
		}
		out[p.Name] = &r
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// storeHeads stores the head report of every project (a later request
// based on this commit needs no build).
func (b *Worker) storeHeads(ctx context.Context, repo bot.Repo, sha string, res *compare.Result, log *slog.Logger) {
	for _, p := range res.Projects {
		if p.Head == nil || p.HeadError != "" {
			continue
		}
		data, err := json.Marshal(p.Head)
		if err == nil {
			err = b.cfg.Store.PutReport(ctx, repo, sha, p.Project, data)
		}
		if err != nil {
			log.Warn("could not store the head report", "project", p.Project, "err", err)
		}
	}
}

// handlePush analyses a push to the default branch and stores its reports
// as baselines; with release.bot it then runs the release (releaseOnPush).
// A retried delivery whose reports are stored already is not analysed again.
func (b *Worker) handlePush(ctx context.Context, f Forge, ev bot.Event, log *slog.Logger) error {
	if ev.Push == nil || ev.DefaultBranch == "" || ev.Push.Ref != "refs/heads/"+ev.DefaultBranch || strings.Trim(ev.Push.After, "0") == "" {
		return nil
	}
	sha := ev.Push.After
	log = log.With("head", sha)
	cfg, err := b.loadConfig(ctx, f, ev.Repo)
	if isConfigError(err) {
		log.Warn("default branch not analysed", "err", err)
		return nil
	}
	if err != nil {
		return err
	}
	m, err := b.mirror(ctx, f, ev)
	if err != nil {
		return err
	}
	if err := m.FetchRef(ctx, sha); err != nil {
		return fmt.Errorf("fetching %s: %w", sha, err)
	}
	heads, err := b.storedReports(ctx, ev.Repo, sha, cfg)
	if err != nil {
		return err
	}
	if len(heads) < len(cfg.Projects) {
		if heads, err = b.measurePush(ctx, m, ev, cfg, sha, log); err != nil || heads == nil {
			return err
		}
	}
	return b.releaseOnPush(ctx, f, ev, cfg, m, sha, heads, log)
}

// measurePush analyses sha (a default-branch head) and stores its reports;
// nil when the configuration cannot be used.
func (b *Worker) measurePush(ctx context.Context, m *workspace.Mirror, ev bot.Event, cfg *config.Config, sha string, log *slog.Logger) (map[string]*checks.Report, error) {
	name := jobName(sha, 0) + "-push"
	wt, err := m.Worktree(ctx, filepath.Join(b.cfg.DataDir, "worktrees", name), sha)
	if err != nil {
		return nil, fmt.Errorf("checking out %s: %w", sha, err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := wt.Remove(rctx); err != nil {
			log.Warn("could not remove the worktree", "err", err)
		}
	}()
	workDir := filepath.Join(b.cfg.DataDir, "work", name)
	if err := os.MkdirAll(workDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the work directory: %w", err)
	}
	defer os.RemoveAll(workDir)
	res, err := gate.Run(ctx, gate.Spec{RepoDir: m.Dir, HeadDir: wt.Dir, HeadRev: sha, Config: cfg, WorkDir: workDir,
		BuildTimeout: b.cfg.BuildTimeout, Sandbox: b.cfg.Sandbox, ObserveBuild: b.cfg.ObserveBuild, Analyze: b.cfg.Analyze, Logger: log})
	if errors.Is(err, gate.ErrUsage) {
		log.Warn("default branch not analysed", "err", err)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("analysing %s: %w", sha, err)
	}
	b.storeHeads(ctx, ev.Repo, sha, res, log)
	pushConclusion := bot.ConclusionSuccess
	if res.Verdict != checks.VerdictPass {
		pushConclusion = bot.ConclusionFailure
	}
	b.recordRun(ctx, ev.Repo, sha, 0, pushConclusion, res, log)
	log.Info("baseline stored", "projects", len(res.Projects))
	heads := map[string]*checks.Report{}
	for _, p := range res.Projects {
		if p.Head != nil && p.HeadError == "" {
			heads[p.Project] = p.Head
		}
	}
	return heads, nil
}
