package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/gate"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/config"
)

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
	wt, err := m.Worktree(ctx, b.layout.Worktree(name), sha)
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
	workDir := b.layout.WorkDir(name)
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
