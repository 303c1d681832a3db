package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/gate"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/publish"
)

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

// HandleEvaluation evaluates one pull-request head: mirror, worktree,
// gate, then the check runs and the sticky comment through publish.
// attempt is 1 on the first run.
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
	p := b.publisher(f, job, headSHA)
	if err := p.Start(ctx); err != nil {
		return err
	}
	start := time.Now()
	res, policy, err := b.evaluate(ctx, f, job, headSHA, jobID, log)
	if err != nil {
		return b.evaluationFailed(ctx, p, f, job, headSHA, attempt, err, log)
	}
	p.SetCommentPolicy(int64(policy.MinChange), policy.RequireChanges)
	o, err := p.Publish(ctx, res)
	if o.CheckWritten {
		b.recordRun(ctx, ev.Repo, headSHA, pr.Number, o.Conclusion, res, log)
	}
	if err != nil {
		return err
	}
	if b.cfg.Observe != nil {
		b.cfg.Observe(time.Since(start), o.Conclusion)
	}
	log.Info("evaluated", "conclusion", o.Conclusion, "annotations", len(o.Annotations))
	return nil
}

// evaluationFailed concludes the check run through p when the evaluation
// will not be retried (superseded, unusable, last attempt) and returns what
// the queue should see.
func (b *Worker) evaluationFailed(ctx context.Context, p *publish.Publisher, f Forge, job evalJob, headSHA string, attempt int, err error, log *slog.Logger) error {
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
	case cannotRun(err):
		log.Warn("evaluation cannot run", "err", err)
		return p.Abort(ctx, err)
	case b.cfg.MaxAttempts > 0 && attempt >= b.cfg.MaxAttempts:
		// The last attempt (should a restart run it again after all, the
		// check run is completed again with the new result).
		log.Error("evaluation failed for the last time", "err", err)
		if cerr := p.Abort(ctx, err); cerr != nil {
			return errors.Join(err, cerr)
		}
		return err
	default:
		return err // shutting down, timed out or failed: the queue runs it again
	}
}

// cannotRun tells the errors a retry fails with again: a usage error, no
// sandbox for an untrusted request, an invalid configuration, a refused
// clone URL.
func cannotRun(err error) bool {
	return errors.Is(err, gate.ErrUsage) || errors.Is(err, ErrSandboxRequired) || isConfigError(err) ||
		errors.Is(err, workspace.ErrCloneSource)
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
	wtDir := b.layout.Worktree(name)
	workDir := b.layout.WorkDir(name)
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
	defer b.useBaseCache(&spec, job, log)()
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

// useBaseCache gives spec the merge-base report cache, unless the job is a
// /rebuild (which analyses the base again, even one analysed before); the
// function returned writes the cache out once the evaluation is done.
func (b *Worker) useBaseCache(spec *gate.Spec, job evalJob, log *slog.Logger) (flush func()) {
	if b.cfg.BaseCache == nil || job.Rebuild {
		return func() {}
	}
	spec.BaseCache, spec.BaseCacheSalt = b.cfg.BaseCache, b.cfg.BaseCacheSalt
	return func() {
		if err := b.cfg.BaseCache.Flush(); err != nil {
			log.Warn("analysis cache not written", "err", err)
		}
	}
}

func jobName(sha string, jobID int64) string {
	if len(sha) > 12 {
		sha = sha[:12]
	}
	return sha + "-" + strconv.FormatInt(jobID, 10)
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

// storeBases stores the base report of every project under its merge-base
// (a trusted request's evaluation built it): /recheck, and any request
// based on the same commit, then build nothing at the base.
func (b *Worker) storeBases(ctx context.Context, repo bot.Repo, res *compare.Result, log *slog.Logger) {
	for _, p := range res.Projects {
		if p.Base == nil || p.BaseError != "" || p.BaseRev == "" {
			continue
		}
		data, err := json.Marshal(p.Base)
		if err == nil {
			err = b.cfg.Store.PutReport(ctx, repo, p.BaseRev, p.Project, data)
		}
		if err != nil {
			log.Warn("could not store the base report", "project", p.Project, "err", err)
		}
	}
}
