package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/build"
	"github.com/mpgate/mpgate/bot/gate"
	"github.com/mpgate/mpgate/bot/workspace"
)

// ErrSandboxRequired refuses the build of a request the bot does not trust
// when the server has no sandbox.
var ErrSandboxRequired = errors.New("no build sandbox on this server: builds of untrusted pull requests are refused")

// Config configures a Worker. Installations, Queue and Store are required.
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
	// BaseCache, when set, keeps the reports of merge-bases analysed
	// without a build (gate.Spec.BaseCache): a later evaluation on the same
	// merge-base — an untrusted request's (whose base reports are not
	// stored), or one whose stored reports are missing — neither checks it
	// out nor analyses it again. The server gives its per-file analysis
	// cache (workspace.Layout.AnalysisCache), flushed after each evaluation.
	BaseCache ReportCache
	// BaseCacheSalt is gate.Spec.BaseCacheSalt: what Analyze adds to the
	// options it is given ("" when it adds nothing that changes a report).
	BaseCacheSalt string
}

// ReportCache is the merge-base report cache of the evaluations; it is
// written out after each one. *filecache.Cache is one.
type ReportCache interface {
	gate.ReportCache
	Flush() error
}

// Worker is the server's orchestrator: it turns webhook events into check runs,
// comments and evaluations. Its HandleEvent and HandleEvaluation are what the
// durable queue's workers call.
type Worker struct {
	cfg Config
	// layout is where the parts of cfg.DataDir live.
	layout workspace.Layout
	log    *slog.Logger
	// releaseLocks serialise release runs per repository.
	releaseLocks repoLocks
}

// New checks cfg and returns the worker.
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
	return &Worker{cfg: cfg, layout: workspace.Layout{Root: cfg.DataDir}, log: log}, nil
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
	m, err := workspace.OpenMirror(ctx, b.layout.Mirrors(), cloneURL, auth)
	if err != nil {
		return nil, fmt.Errorf("mirroring %s: %w", ev.Repo.FullName(), err)
	}
	return m, nil
}
