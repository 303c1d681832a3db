package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/release"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/config"
)

// repoLocks serialises the release runs of each repository in this
// process: two pushes in quick succession must not both rewrite the
// release branch. Across servers sharing one database, the atomic tag
// pushes and the newest-push check below keep the result right.
type repoLocks struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (l *repoLocks) lock(key string) func() {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*sync.Mutex{}
	}
	m, ok := l.locks[key]
	if !ok {
		m = &sync.Mutex{}
		l.locks[key] = m
	}
	l.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// releaseOnPush is the bot's release run after a push to the default
// branch, when .mpgate.yml has release.bot: the same release.Publish as
// `mpgate release apply --release-pr` (or --push with release.pr false) in
// CI, pushing with the installation's token. Only the branch's newest push
// releases: an older delivery handled late finds the branch moved and
// leaves the work to the newer one. heads are the reports of sha just
// measured (per project name): modules failing a rule there are held
// back, and each module's size line comes from the stored reports of its
// previous release.
func (b *Worker) releaseOnPush(ctx context.Context, f Forge, ev bot.Event, cfg *config.Config, m *workspace.Mirror, sha string, heads map[string]*checks.Report, log *slog.Logger) error {
	if !cfg.Release.Bot {
		return nil
	}
	log = log.With("release", true)
	defer b.releaseLocks.lock(ev.Repo.FullName())()
	if err := m.Update(ctx); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	cur, err := workspace.RevParse(ctx, m.Dir, "refs/heads/"+ev.DefaultBranch)
	if err != nil {
		return fmt.Errorf("release: the head of %s: %w", ev.DefaultBranch, err)
	}
	if cur != sha {
		log.Info("release left to a newer push", "branch", ev.DefaultBranch, "now", cur)
		return nil
	}
	// A directory of its own: a fork installed beside its upstream can have
	// the same head.
	work := b.layout.Work()
	if err := os.MkdirAll(work, 0o700); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	dir, err := os.MkdirTemp(work, jobName(sha, 0)+"-release-")
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := m.Clone(ctx, dir, sha); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	plan := b.releasePlanOptions(ev.Repo, dir, cfg, heads)
	pub := f.ReleasePublisher(ev.Repo)
	push := f.ReleasePusher(ev.Repo, dir)
	if push == nil {
		push = mirrorPusher{m: m, dir: dir}
	}
	out, err := release.Publish(ctx, dir, cfg, push, pub, release.PublishOptions{
		Branch: ev.DefaultBranch, ReleaseRequest: cfg.Release.PR, Plan: plan,
		// The server's own git configuration is nobody's identity: the
		// repository's release.identity, else release.DefaultIdentity.
		Author: cfg.Release.Identity, Committer: cfg.Release.Identity})
	logPublished(log, out)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, release.ErrProblems), errors.Is(err, release.ErrModules):
		// The repository's to fix (an invalid change file, no modules):
		// retrying cannot help; /release on any request lists them.
		log.Warn("release not made", "err", err)
		return nil
	case errors.Is(err, release.ErrStale), errors.Is(err, release.ErrReleased):
		// Another server or a CI job released first; the next push
		// continues from there.
		log.Info("release made elsewhere meanwhile", "err", err)
		return nil
	}
	return fmt.Errorf("release: %w", err)
}

// releasePlanOptions gives the plan its size source (stored reports) and the
// modules held back (error findings in heads).
func (b *Worker) releasePlanOptions(repo bot.Repo, dir string, cfg *config.Config, heads map[string]*checks.Report) release.PlanOptions {
	mods, err := release.Modules(dir, cfg)
	if err != nil {
		// Publish's plan reports it as ErrModules.
		return release.PlanOptions{}
	}
	router := release.NewRouter(mods)
	now, failing := credit(router, cfg, heads)
	opts := release.PlanOptions{Sizes: &storedSizes{b: b, repo: repo, cfg: cfg, router: router, now: now, complete: len(heads) == len(cfg.Projects)}}
	if len(failing) > 0 {
		opts.Held = failing
	}
	return opts
}

// credit sums the reports per module (release.Credit over every project).
func credit(router *release.Router, cfg *config.Config, reports map[string]*checks.Report) (sizes map[string]int64, failing map[string]string) {
	sizes, failing = map[string]int64{}, map[string]string{}
	for _, p := range cfg.Projects {
		if r := reports[p.Name]; r != nil {
			release.Credit(router, p.Root, r, sizes, failing)
		}
	}
	return sizes, failing
}

// storedSizes is the server's release.SizeSource: a module's size at its
// previous release comes from the report the bot stored when that commit
// was pushed to the default branch, its size now from the head just
// measured. A release commit the bot never measured (released before the
// App was installed) gets no size line rather than a guess.
type storedSizes struct {
	b        *Worker
	repo     bot.Repo
	cfg      *config.Config
	router   *release.Router
	now      map[string]int64
	complete bool // every project has a head report
}

func (s *storedSizes) ModuleSize(ctx context.Context, module, sinceRev, _ string) (int64, int64, bool, error) {
	if sinceRev == "" || !s.complete {
		return 0, 0, false, nil
	}
	then, err := s.b.storedReports(ctx, s.repo, sinceRev, s.cfg)
	if err != nil {
		return 0, 0, false, err
	}
	if len(then) != len(s.cfg.Projects) {
		return 0, 0, false, nil
	}
	thenSizes, _ := credit(s.router, s.cfg, then)
	a, okA := thenSizes[module]
	n, okB := s.now[module]
	return a, n, okA && okB, nil
}

// mirrorPusher pushes from the release clone with the mirror's token (a
// Releaser whose ReleasePusher is nil: GitLab).
type mirrorPusher struct {
	m   *workspace.Mirror
	dir string
}

func (p mirrorPusher) Push(ctx context.Context, o release.PushOptions, refspecs ...string) error {
	return p.m.Push(ctx, p.dir, workspace.PushOptions{Atomic: o.Atomic, Force: o.Force}, refspecs...)
}

func logPublished(log *slog.Logger, out *release.Published) {
	if out == nil {
		return
	}
	for _, t := range out.Tagged {
		log.Info("merged release tagged", "tag", t.Name, "commit", t.Commit)
	}
	if a := out.Applied; a != nil && a.Commit != "" {
		log.Info("release committed", "message", a.Message, "commit", a.Commit, "tags", len(a.Tags))
	}
	for _, r := range out.Releases {
		log.Info("forge release", "tag", r.Tag, "created", r.Created)
	}
	if out.Request != 0 {
		log.Info("release request up to date", "number", out.Request, "opened", out.RequestCreated)
	}
	if out.Plan != nil {
		for _, mp := range out.Plan.Modules {
			if mp.Held != "" {
				log.Warn("module held back", "module", mp.Name, "reason", mp.Held)
			}
		}
	}
}
