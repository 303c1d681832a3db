// Package gate judges a change: it builds the merge-base and the head of every
// project of a repository in parallel, analyses both, compares them and
// applies the gates of the repository's config. The CLI (`mpgate check
// --base`), the GitHub Action and the server all run it.
package gate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/mpgate/mpgate/bot/build"
	"github.com/mpgate/mpgate/bot/release"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/analyze"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/coverage"
	"github.com/mpgate/mpgate/checks/lint"
	"github.com/mpgate/mpgate/checks/tree"
)

// AnalyzeFunc is the engine (analyze.Run); tests may wrap it.
type AnalyzeFunc func(ctx context.Context, dir string, opt analyze.Options) (*checks.Report, error)

// Spec describes one run.
type Spec struct {
	// RepoDir is the repository (a git work tree or a bare mirror with
	// HeadDir set).
	RepoDir string
	// HeadDir is where the head is checked out; empty means RepoDir.
	HeadDir string
	// Subdir is the directory the config was read from, relative to the
	// repository root ("" = the root): project roots are relative to it.
	Subdir string
	// HeadRev is the head commit. Empty, with HeadDir empty too, is the
	// work tree of RepoDir: HEAD when it is clean, else the work tree with
	// its uncommitted changes (untracked files included, ignored ones not):
	// sizes and changed lines both come from the files on disk, and the
	// result says so (compare.Result.HeadWorkingTree).
	HeadRev string
	// BaseRef is compared with: the merge-base of BaseRef and HeadRev is
	// built. Empty (and no BaseReports) analyses the head alone.
	BaseRef string
	// BaseReports are stored reports of the base per project name; a project
	// with one is not built at the base.
	BaseReports map[string]*checks.Report
	// HeadReports are stored reports of the head per project name (the
	// server's /recheck): a project with one is neither built nor analysed
	// at the head. The coverage and lint gates still read HeadDir.
	HeadReports map[string]*checks.Report
	// Config is the repository's config (from the default branch in server
	// mode, never from the request's head).
	Config *config.Config
	// Projects limits the run to these project names; empty runs all.
	Projects []string
	// WorkDir holds the base worktree and the build logs; empty uses a
	// temporary directory removed at the end.
	WorkDir string
	// BuildTimeout bounds each build; 0 is build.DefaultTimeout.
	BuildTimeout time.Duration
	// Sandbox wraps build commands (the server's bubblewrap); nil runs them
	// directly.
	Sandbox build.Wrapper
	// BuildEnv adds allowed variables to builds (see bot/build).
	BuildEnv []string
	// ObserveBuild, when set, is told how long each project's build took
	// (its install step included) and how it ended (BuildOutcome).
	ObserveBuild func(d time.Duration, outcome string)
	// Approval passes a failing size gate, recorded with who and why.
	Approval *compare.Approval
	// ProjectApprovals pass the failing size gate of one project each
	// (/approve-size -p), by project name.
	ProjectApprovals map[string]*compare.Approval
	// Title, Body and Labels describe the pull/merge request for the
	// changelog gate (GATE-CHANGELOG): a Conventional Commits title or a
	// changelog block in the body is an entry, and the configured label
	// (gates.changelog.label) exempts the request.
	Title   string
	Body    string
	Labels  []string
	Analyze AnalyzeFunc
	// BaseCache, when set, keeps the reports of merge-bases analysed
	// without a build (see ReportCache and baseKey): a hit is neither
	// checked out nor analysed. BaseCacheSalt names what Analyze adds to
	// the options it is given (a report made with other options must not
	// be taken).
	BaseCache     ReportCache
	BaseCacheSalt string
	Logger        *slog.Logger
	// Progress receives one line per step (for a terminal or a log); it is
	// never called concurrently.
	Progress func(msg string)
	keepLogs bool // LogDir was given: the logs outlive the run
	// LogDir keeps the build logs (PROJECT-base.log, PROJECT-head.log; the
	// install step's output comes first): a failed build's error names its
	// log there. Empty: they are in WorkDir, with it removed at the end
	// when WorkDir is empty too.
	LogDir string
	// BuildLog, when set, is called after each build that ran, with a
	// title ("build of shop (head): exit 2 after 3s") and its log's path;
	// never concurrently with itself or Progress.
	BuildLog func(title, logPath string)
}

// BuildOutcome names how a build ended: "ok", "failed", "timed_out",
// "cancelled", or "error" when it could not start.
func BuildOutcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, build.ErrFailed):
		return "failed"
	case errors.Is(err, build.ErrTimedOut):
		return "timed_out"
	case errors.Is(err, build.ErrCancelled):
		return "cancelled"
	}
	return "error"
}

// ErrUsage marks errors in the spec or the repository state that the user
// must fix (unknown ref, unknown project).
var ErrUsage = errors.New("usage")

// side is one revision of one project.
type side struct {
	project config.Project
	// boundaries are the module contracts the config asks to check.
	boundaries *analyze.Boundaries
	base       bool
	dir        string // checkout
	report     *checks.Report
	err        error
	stored     bool
	// cacheKey is where the base's report goes in Spec.BaseCache once
	// analysed; nil: not cached.
	cacheKey *[32]byte
}

// Run judges the change described by s, in stages: resolve the revisions,
// plan the sides (which project at which revision, and which of them are
// already known from stored or cached reports), build and analyse the rest,
// compare and gate each project, then apply the repository's gates.
func Run(ctx context.Context, s Spec) (*compare.Result, error) {
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	say := serialiseProgress(&s)
	an := s.Analyze
	if an == nil {
		an = analyze.Run
	}
	cfg := s.Config
	if cfg == nil {
		cfg = config.Default()
	}
	projects, err := selectProjects(cfg, s.Projects)
	if err != nil {
		return nil, err
	}
	headDir := cmp.Or(s.HeadDir, s.RepoDir)
	workDir := s.WorkDir
	if workDir == "" {
		workDir, err = os.MkdirTemp("", "mpgate-")
		if err != nil {
			return nil, fmt.Errorf("work directory: %w", err)
		}
		defer os.RemoveAll(workDir)
	}
	// The log directory is made when a build runs (a project without one
	// leaves no trace there).
	if s.LogDir == "" {
		s.LogDir = filepath.Join(workDir, "logs")
	} else {
		s.keepLogs = true
	}

	res := compare.NewResult()
	revs, err := resolveRevisions(ctx, s, res, say)
	if err != nil {
		return nil, err
	}

	// The base worktree is made while the head builds: it is part of the
	// base's side of the work.
	base := &baseCheckout{repoDir: s.RepoDir, dir: filepath.Join(workDir, "base"), rev: revs.mergeBase, say: say}
	defer base.remove(ctx, log)
	r := sideRun{s: s, cfg: cfg, an: an, baseTree: base.get, workDir: workDir, say: say, log: log}
	sides, err := r.run(ctx, projects, headDir, res, &revs)
	if err != nil {
		return nil, err
	}
	for _, p := range projects {
		res.Projects = append(res.Projects, judgeProject(s, cfg, res, p, sides))
	}
	repoGates(ctx, s, cfg, res, revs.diffHead, headDir, base.dir, base.made(), say)
	markInformational(cfg, res)
	res.Finish()
	return res, nil
}

// serialiseProgress returns the function that formats and sends a progress
// line to s.Progress, and wraps s.BuildLog likewise: the base and head sides
// run at once, so calls to both are serialised under one lock and neither
// needs locking of its own.
func serialiseProgress(s *Spec) func(format string, args ...any) {
	var mu sync.Mutex
	if bl := s.BuildLog; bl != nil {
		s.BuildLog = func(title, logPath string) {
			mu.Lock()
			defer mu.Unlock()
			bl(title, logPath)
		}
	}
	progress := s.Progress
	return func(format string, args ...any) {
		if progress != nil {
			msg := fmt.Sprintf(format, args...)
			mu.Lock()
			defer mu.Unlock()
			progress(msg)
		}
	}
}

// revisions are the commits a run compares.
type revisions struct {
	// mergeBase is the merge-base of the head and s.BaseRef; empty without
	// s.BaseRef.
	mergeBase string
	// diffHead is the commit the changed lines are read from: the head, or
	// for a dirty work tree a snapshot of it, so that the changed lines are
	// those of the files that are analysed; empty when the changed lines are
	// unknown.
	diffHead string
	// comparing, when set, is the base's part of the "comparing" line, said
	// by workTree once it knows whether the head is the work tree.
	comparing string
}

// workTree finishes revs while the heads are analysed (it reads nothing
// they need): whether the head is the work tree, a snapshot of it when it
// has changes (revs.diffHead), and the line that says what is compared.
// `git status` of a large work tree is the slowest step before the
// analysis; it ran before the heads started until 2026-12.
func workTree(ctx context.Context, s Spec, res *compare.Result, revs *revisions, say func(string, ...any)) error {
	if revs.comparing == "" {
		return nil
	}
	var err error
	if revs.diffHead, err = workTreeHead(ctx, s, res); err != nil {
		return err
	}
	head := fmt.Sprintf("%.12s (head)", res.HeadRev)
	if res.HeadWorkingTree {
		head = fmt.Sprintf("the working tree (on %.12s)", res.HeadRev)
	}
	say("comparing %s with %s", head, revs.comparing)
	return nil
}

// resolveRevisions finds the head and the base to compare it with, and
// records them in res (HeadRev, BaseRev): the merge-base of the head and
// s.BaseRef, or without a base ref the commit a stored base report names.
// An unknown head or base ref is an ErrUsage, found before any side starts;
// a stored report's unknown revision only leaves the changed lines unknown.
// Whether the head is the work tree is left to workTree.
func resolveRevisions(ctx context.Context, s Spec, res *compare.Result, say func(string, ...any)) (revisions, error) {
	var revs revisions
	var err error
	headRev := cmp.Or(s.HeadRev, "HEAD")
	if s.BaseRef != "" {
		if res.HeadRev, err = workspace.RevParse(ctx, s.RepoDir, headRev); err != nil {
			return revs, fmt.Errorf("%w: head %q: %w", ErrUsage, headRev, err)
		}
		if revs.mergeBase, err = workspace.MergeBase(ctx, s.RepoDir, s.BaseRef, res.HeadRev); err != nil {
			return revs, fmt.Errorf("%w: base %q: %w", ErrUsage, s.BaseRef, err)
		}
		res.BaseRev = revs.mergeBase
		revs.comparing = fmt.Sprintf("%.12s (merge-base of %s)", revs.mergeBase, s.BaseRef)
		return revs, nil
	}
	rev := reportsRevision(s.BaseReports)
	if rev == "" {
		return revs, nil
	}
	// A stored base report names its commit: the changed lines (patch
	// coverage, lint on changed lines, changelog) are known from it.
	head, herr := workspace.RevParse(ctx, s.RepoDir, headRev)
	base, berr := workspace.RevParse(ctx, s.RepoDir, rev)
	switch {
	case herr != nil:
		say("the head %s is unknown (changed lines unknown): %v", headRev, herr)
	case berr != nil:
		say("the base report's revision %.12s is not in this repository (changed lines unknown; fetch it): %v", rev, berr)
	default:
		res.HeadRev, res.BaseRev = head, base
		revs.comparing = fmt.Sprintf("the base report of %.12s", base)
	}
	return revs, nil
}

// planHeads lists each project's head side; one whose report is stored
// (s.HeadReports) is marked stored and is not run.
func planHeads(s Spec, cfg *config.Config, projects []config.Project, headDir string) []*side {
	var sides []*side
	for _, p := range projects {
		h := &side{project: p, boundaries: analyze.BoundariesOf(cfg, p.Root), dir: headDir}
		if r, ok := s.HeadReports[p.Name]; ok && r != nil {
			h.report, h.stored = r, true
		}
		sides = append(sides, h)
	}
	return sides
}

// planBases lists each project's base side when there is one (a stored
// report, or s.BaseRef). A side whose report is stored, or found in
// s.BaseCache, is marked stored and is not run.
func planBases(ctx context.Context, s Spec, cfg *config.Config, projects []config.Project, mergeBase string, say func(string, ...any)) []*side {
	var sides []*side
	for _, p := range projects {
		b := &side{project: p, boundaries: analyze.BoundariesOf(cfg, p.Root), base: true}
		if r, ok := s.BaseReports[p.Name]; ok && r != nil {
			b.report, b.stored = r, true
		} else if s.BaseRef == "" {
			continue
		} else if s.BaseCache != nil {
			baseFromCache(ctx, s, cfg, b, mergeBase, say)
		}
		sides = append(sides, b)
	}
	return sides
}

// baseCheckout is the merge-base's worktree, made once when a base side
// first needs it.
type baseCheckout struct {
	repoDir, dir, rev string
	say               func(string, ...any)

	once sync.Once
	tree *workspace.Worktree
	err  error
}

// get makes the worktree on the first call and returns its directory.
func (b *baseCheckout) get(ctx context.Context) (string, error) {
	b.once.Do(func() {
		b.say("checking out the merge-base")
		b.tree, b.err = workspace.AddWorktree(ctx, b.repoDir, b.dir, b.rev)
	})
	return b.dir, b.err
}

// made reports whether the worktree exists; it is read once the sides ran.
func (b *baseCheckout) made() bool { return b.tree != nil }

// remove removes the worktree, if it was made, even when ctx was cancelled.
func (b *baseCheckout) remove(ctx context.Context, log *slog.Logger) {
	if b.tree == nil {
		return
	}
	if err := b.tree.Remove(context.WithoutCancel(ctx)); err != nil {
		log.Warn("remove base worktree", "dir", b.dir, "err", err)
	}
}

// sideRun builds and analyses the sides of a run.
type sideRun struct {
	s        Spec
	cfg      *config.Config
	an       AnalyzeFunc
	baseTree func(context.Context) (string, error)
	workDir  string
	say      func(string, ...any)
	log      *slog.Logger
}

// run builds and analyses the sides that are not stored, bounded by the
// cores, and returns every side. The heads start first: while they are
// analysed, the rest of the revisions is found (workTree: `git status` and
// a snapshot of a dirty work tree) and the bases are planned (a cached base
// report is looked up and decoded), so that a base from the cache costs
// the run hardly any time. The first fatal error (the head cannot be built
// or analysed, the worktree cannot be made) cancels the rest; so does an
// error of workTree, which is returned. A side's own failure is in its err;
// the error returned is the context's, workTree's, or one that is not a
// side's.
func (r *sideRun) run(ctx context.Context, projects []config.Project, headDir string, res *compare.Result, revs *revisions) ([]*side, error) {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pl := pool.New().WithContext(pctx).WithCancelOnError().WithFirstError().WithMaxGoroutines(max(2, runtime.GOMAXPROCS(0)))
	start := func(sides []*side) {
		for _, sd := range sides {
			if sd.stored {
				continue
			}
			pl.Go(func(ctx context.Context) error {
				defer cacheBase(r.s, sd, r.log)
				return runSide(ctx, r.s, sd, r.baseTree, r.an, r.workDir, r.say)
			})
		}
	}
	heads := planHeads(r.s, r.cfg, projects, headDir)
	start(heads)
	if err := workTree(ctx, r.s, res, revs, r.say); err != nil {
		cancel()
		_ = pl.Wait()
		return nil, err
	}
	bases := planBases(ctx, r.s, r.cfg, projects, revs.mergeBase, r.say)
	start(bases)
	sides := append(heads, bases...)
	err := pl.Wait()
	if err == nil {
		return sides, nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("cancelled: %w", ctx.Err())
	}
	var fatal *fatalError
	if !errors.As(err, &fatal) {
		return nil, err
	}
	return sides, nil
}

// judgeProject compares p's head with its base and applies the size gate:
// a head that was not analysed gives a failed project.
func judgeProject(s Spec, cfg *config.Config, res *compare.Result, p config.Project, sides []*side) *compare.Comparison {
	var head, base *side
	for _, sd := range sides {
		if sd.project.Name == p.Name && sd.project.Root == p.Root {
			if sd.base {
				base = sd
			} else {
				head = sd
			}
		}
	}
	if head.report == nil {
		err := head.err
		if err == nil {
			err = errors.New("not analysed (cancelled after another project failed)")
		}
		return compare.HeadFailed(p.Name, err)
	}
	var baseReport *checks.Report
	baseErr := ""
	if base != nil {
		baseReport = base.report
		if base.err != nil {
			baseErr = base.err.Error()
		}
	}
	c := compare.Compare(baseReport, head.report)
	c.Project, c.BaseError = p.Name, baseErr
	c.BaseRev, c.HeadRev = res.BaseRev, res.HeadRev
	c.PathPrefix = pathPrefix(path.Join(filepath.ToSlash(s.Subdir), p.Root), head.report.Root)
	appr := approval(cfg, s)
	if a := s.ProjectApprovals[p.Name]; a != nil && appr == nil {
		appr = a
	}
	rules := sizeRules(cfg, appr)
	// Without any base the budgets still apply; the growth bounds say
	// "skipped: no base" and never fail for it.
	rules.NoBase = base == nil
	c.SizeGate(rules)
	return c
}

// workTreeHead returns the commit whose changes are judged: res.HeadRev, or
// when the head is the work tree of s.RepoDir (no HeadDir, no HeadRev) and
// it has uncommitted changes, a commit of the work tree as it is (untracked
// files included, ignored ones not), and res says the head is the work tree.
func workTreeHead(ctx context.Context, s Spec, res *compare.Result) (string, error) {
	if s.HeadDir != "" || s.HeadRev != "" {
		return res.HeadRev, nil
	}
	dirty, err := workspace.Dirty(ctx, s.RepoDir)
	if err != nil {
		return "", fmt.Errorf("head: %w", err)
	}
	if !dirty {
		return res.HeadRev, nil
	}
	snap, err := workspace.WorkingTreeCommit(ctx, s.RepoDir)
	if err != nil {
		return "", fmt.Errorf("head: %w", err)
	}
	res.HeadWorkingTree = true
	return snap, nil
}

// Absolute applies the repository's gates that need no base — coverage
// minimum and lint — to the checkout s.RepoDir at its head, as a plain
// `mpgate check` does: the patch-coverage, drop and changelog gates say
// "skipped: no base" and never fail for it. s.BaseRef and the stored
// reports are not used.
func Absolute(ctx context.Context, s Spec) []checks.Gate {
	cfg := s.Config
	if cfg == nil {
		cfg = config.Default()
	}
	say := func(format string, args ...any) {
		if s.Progress != nil {
			s.Progress(fmt.Sprintf(format, args...))
		}
	}
	s.BaseRef, s.BaseReports, s.HeadReports = "", nil, nil
	// Report paths are relative to the repository, wherever in it the
	// check was started.
	if top, err := workspace.Toplevel(ctx, s.RepoDir); err == nil && s.HeadDir == "" {
		s.RepoDir = top
	}
	res := compare.NewResult()
	headDir := cmp.Or(s.HeadDir, s.RepoDir)
	repoGates(ctx, s, cfg, res, "", headDir, "", false, say)
	markInformational(cfg, res)
	return res.Gates
}

// fatalError marks a failure that ends the run for everyone (the head's).
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

func runSide(ctx context.Context, s Spec, sd *side, baseTree func(context.Context) (string, error), an AnalyzeFunc,
	workDir string, say func(string, ...any)) error {
	p := sd.project
	which := "head"
	if sd.base {
		which = "base"
		dir, err := baseTree(ctx)
		if err != nil {
			sd.err = fmt.Errorf("check out the merge-base: %w", err)
			return nil // the base is not fatal: the size gate says it could not compare
		}
		sd.dir = dir
	}
	name := p.Name
	if name == "" {
		name = "project"
	}
	fail := func(err error) error {
		sd.err = err
		if sd.base {
			return nil
		}
		return &fatalError{err}
	}
	if p.Build != "" {
		say("building %s (%s): %s", name, which, p.Build)
		if err := os.MkdirAll(s.LogDir, 0o700); err != nil {
			return fail(fmt.Errorf("%s build of %s: build log directory: %w", which, name, err))
		}
		logPath := filepath.Join(s.LogDir, fmt.Sprintf("%s-%s.log", safeName(name), which))
		start := time.Now()
		r, err := build.Run(ctx, build.Spec{Dir: filepath.Join(sd.dir, filepath.FromSlash(s.Subdir)), Command: p.Build, Install: p.Install, Timeout: s.BuildTimeout,
			Env: s.BuildEnv, LogPath: logPath, Sandbox: s.Sandbox})
		if s.ObserveBuild != nil {
			s.ObserveBuild(time.Since(start), BuildOutcome(err))
		}
		if s.BuildLog != nil && r != nil {
			outcome := "ok"
			if err != nil {
				outcome = "failed"
				var be *build.Error
				if errors.As(err, &be) && errors.Is(err, build.ErrFailed) {
					outcome = fmt.Sprintf("exit %d", be.ExitCode)
				} else if errors.Is(err, build.ErrTimedOut) {
					outcome = "timed out"
				}
			}
			s.BuildLog(fmt.Sprintf("build of %s (%s): %s after %s", name, which, outcome, r.Duration.Round(time.Second)), logPath)
		}
		if err != nil {
			if s.keepLogs && r != nil {
				return fail(fmt.Errorf("%s build of %s (full log: %s): %w", which, name, logPath, err))
			}
			return fail(fmt.Errorf("%s build of %s: %w", which, name, err))
		}
		say("built %s (%s) in %s", name, which, r.Duration.Round(time.Millisecond))
	}
	dir := filepath.Join(sd.dir, filepath.FromSlash(s.Subdir), filepath.FromSlash(p.Root))
	// The project's root comes from the repository: reached through a
	// link out of the checkout it would analyse (and report) host files.
	if err := tree.SubdirIn(sd.dir, strings.Trim(path.Clean("/"+path.Join(filepath.ToSlash(s.Subdir), p.Root)), "/")); err != nil {
		return fail(fmt.Errorf("analyse %s (%s): root %s is not a directory inside the checkout: %w", name, which, p.Root, err))
	}
	say("analysing %s (%s)", name, which)
	rep, err := an(ctx, dir, sideOptions(p, sd.boundaries))
	if err != nil {
		return fail(fmt.Errorf("analyse %s (%s) in %s: %w", name, which, p.Root, err))
	}
	rep.Project = p.Name
	sd.report = rep
	return nil
}

// repoGates applies the coverage, patch-coverage, lint and changelog gates.
// diffHead is the commit the changed lines are read from (res.HeadRev or a
// snapshot of the work tree); "" without a base.
func repoGates(ctx context.Context, s Spec, cfg *config.Config, res *compare.Result, diffHead, headDir, baseDir string,
	haveBaseTree bool, say func(string, ...any)) {
	diffHead = cmp.Or(diffHead, res.HeadRev)
	cg, lg := cfg.Gates.Coverage, cfg.Gates.Lint
	var changed map[string][]int
	// The changed lines are read only for the gates that use them (patch
	// coverage and lint): four git commands a run spares otherwise.
	if res.BaseRev != "" && (cg.Report != "" || lg.Report != "") {
		// With --base, BaseRev is the merge-base already (diffHead is the
		// head or a snapshot whose parent is the head); a base report's
		// revision may be ahead on the default branch: the request's lines
		// are those since the merge-base.
		from := res.BaseRev
		if s.BaseRef == "" {
			if mb, err := workspace.MergeBase(ctx, s.RepoDir, res.BaseRev, diffHead); err == nil {
				from = mb
			}
		}
		var err error
		changed, err = workspace.ChangedLines(ctx, s.RepoDir, from, diffHead)
		if err != nil {
			say("changed lines unknown: %v", err)
			changed = nil
		}
	}
	if cg.Report != "" {
		// The repository's files let the parser map a report's paths (absolute
		// CI paths, Go import paths, JaCoCo packages) onto the repository.
		rev := diffHead
		if rev == "" {
			rev = cmp.Or(s.HeadRev, "HEAD")
		}
		known, err := workspace.ListFiles(ctx, s.RepoDir, rev)
		if err != nil {
			say("repository files unknown (coverage paths are mapped by prefix only): %v", err)
		}
		opt := coverage.Options{RepoRoot: headDir, KnownFiles: known}
		head, headErr := parseCoverageIn(headDir, cg.Report, opt)
		var base *coverage.Report
		if haveBaseTree {
			if b, err := parseCoverageIn(baseDir, cg.Report, coverage.Options{RepoRoot: baseDir}); err == nil {
				base = b
			}
		}
		if headErr != nil {
			head = nil
		}
		res.CoverageGates(head, headErr, base, changed, compare.CoverageRules{
			Min: percent(cg.Min), MaxDrop: percent(cg.MaxDrop), PatchMin: percent(cg.PatchMin), NoBase: noBase(s, res)})
	}
	if lg.Report != "" {
		var problems []lint.Problem
		var lerr error
		if lg.Command != "" {
			say("linting: %s", lg.Command)
			if _, err := build.Run(ctx, build.Spec{Dir: headDir, Command: lg.Command, Timeout: s.BuildTimeout,
				Env: s.BuildEnv, Sandbox: s.Sandbox}); err != nil && !errors.Is(err, build.ErrFailed) {
				lerr = fmt.Errorf("lint command: %w", err)
			}
		}
		if lerr == nil {
			f, err := tree.OpenIn(headDir, lg.Report, maxReport)
			if err != nil {
				lerr = err
			} else {
				problems, lerr = lint.Parse(lg.Report, f, headDir)
				f.Close()
			}
		}
		onlyChanged := lg.ChangedLinesOnly && changed != nil
		res.LintGate(problems, lerr, changed, compare.LintRules{FailOn: lg.FailOn, ChangedLinesOnly: onlyChanged})
	}
	if cfg.Gates.Changelog.Enabled {
		res.Gates = append(res.Gates, changelogGate(ctx, s, cfg, res, diffHead, headDir, say))
	}
	if cfg.Gates.API.Enabled {
		res.Gates = append(res.Gates, apiGate(ctx, s, cfg, res, diffHead, headDir, say))
	}
}

// reportsRevision is the revision the stored reports were made at, when
// they name one and agree.
func reportsRevision(reports map[string]*checks.Report) string {
	rev := ""
	for _, r := range reports {
		if r == nil || r.Revision == "" || (rev != "" && r.Revision != rev) {
			return ""
		}
		rev = r.Revision
	}
	return rev
}

// StampRevision records in each report the commit it was made at, when dir
// is a clean git checkout (a dirty tree's sizes belong to no commit).
func StampRevision(ctx context.Context, dir string, reports []*checks.Report) {
	top, err := workspace.Toplevel(ctx, dir)
	if err != nil {
		return
	}
	if dirty, err := workspace.Dirty(ctx, top); err != nil || dirty {
		return
	}
	rev, err := workspace.RevParse(ctx, top, "HEAD")
	if err != nil {
		return
	}
	for _, r := range reports {
		r.Revision = rev
	}
}

// noBase reports a run with no base at all: no --base, no base report.
func noBase(s Spec, res *compare.Result) bool {
	return res.BaseRev == "" && len(s.BaseReports) == 0
}

// changelogGate is GATE-CHANGELOG: the modules the request touches (from the
// merge-base) that lack a changelog entry. Modules are read from the head's
// checkout (a subpackage added by the request is a module). Without a base
// there is no request to judge: the gate is skipped and says so.
func changelogGate(ctx context.Context, s Spec, cfg *config.Config, res *compare.Result, diffHead, headDir string, say func(string, ...any)) checks.Gate {
	if res.BaseRev == "" {
		return checks.Gate{Name: "changelog", Rule: checks.GateChangelog, Status: checks.GateSkip,
			Summary: "skipped: no base (run with a base, mpgate check --base, to check changelog entries)"}
	}
	say("checking changelog entries")
	desc := s.Title + "\n" + s.Body
	needs, err := release.Missing(ctx, headDir, res.BaseRev, diffHead, cfg, desc, s.Labels)
	return release.Gate(needs, err)
}

func selectProjects(cfg *config.Config, names []string) ([]config.Project, error) {
	if len(names) == 0 {
		return cfg.Projects, nil
	}
	var out []config.Project
	for _, n := range names {
		i := slices.IndexFunc(cfg.Projects, func(p config.Project) bool { return p.Name == n })
		if i < 0 {
			var known []string
			for _, p := range cfg.Projects {
				known = append(known, p.Name)
			}
			return nil, fmt.Errorf("%w: no project %q in the config (projects: %v)", ErrUsage, n, known)
		}
		out = append(out, cfg.Projects[i])
	}
	return out, nil
}

// approval is the size approval of the run: the bot's /approve-size, else
// the configured label (gates.size.approve_label) on the request.
func approval(cfg *config.Config, s Spec) *compare.Approval {
	if s.Approval != nil {
		return s.Approval
	}
	if l := cfg.Gates.Size.ApproveLabel; l != "" && slices.Contains(s.Labels, l) {
		return &compare.Approval{By: "label " + l, Reason: "the request carries the label " + l}
	}
	return nil
}

// markInformational marks the gates the config makes informational: they
// are reported and never fail the verdict.
func markInformational(cfg *config.Config, res *compare.Result) {
	g := cfg.Gates
	info := map[string]bool{checks.GateSize: g.Size.Informational, checks.GateCov: g.Coverage.Informational,
		checks.GatePatch: g.Coverage.Informational, checks.GateLint: g.Lint.Informational, checks.GateChangelog: g.Changelog.Informational,
		checks.GateAPI: g.API.Informational}
	mark := func(gs []checks.Gate) {
		for i := range gs {
			if !info[gs[i].Rule] {
				continue
			}
			gs[i].Informational = true
			if gs[i].Status == checks.GateFail || gs[i].Status == checks.GateError {
				gs[i].Summary += " (informational: does not fail the check)"
			}
		}
	}
	for _, c := range res.Projects {
		if c != nil {
			mark(c.Gates)
		}
	}
	mark(res.Gates)
}

func sizeRules(cfg *config.Config, approval *compare.Approval) compare.SizeRules {
	r := compare.SizeRules{MaxGrowth: percent(cfg.Gates.Size.MaxGrowth), Approval: approval}
	r.MaxGrowthBytes = cfg.Gates.Size.MaxGrowthBytes.Int64Ptr()
	r.NoiseFloor = cfg.Gates.Size.NoiseFloor.Int64Ptr()
	for _, k := range slices.Sorted(maps.Keys(cfg.Gates.Size.Limits)) {
		b := cfg.Gates.Size.Limits[k]
		r.Budgets = append(r.Budgets, compare.Budget{Key: k, Bytes: int64(b.Bytes), Share: float64(b.Share)})
	}
	return r
}

func percent(p *config.Percent) *float64 {
	if p == nil {
		return nil
	}
	f := float64(*p)
	return &f
}

func limits(p config.Project) checks.Limits {
	return checks.Limits{Package: int64(p.Limits.Package), MainPackage: int64(p.Limits.Main),
		Total: int64(p.Limits.Total), Preload: int64(p.Limits.Preload), Warn: float64(p.Limits.Warn)}
}

// pathPrefix is the mini-program root relative to the repository.
func pathPrefix(projectRoot, reportRoot string) string {
	p := filepath.ToSlash(filepath.Join(projectRoot, reportRoot))
	if p == "." {
		return ""
	}
	return p + "/"
}

func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// maxReport caps a coverage or lint report the repository's configuration
// names (a build writes it into the checkout, which the pull request
// controls).
const maxReport = 256 << 20

// parseCoverageIn parses the coverage report rel of the checkout dir, read
// through tree.OpenIn: no link out of the checkout, no special file.
func parseCoverageIn(dir, rel string, opt coverage.Options) (*coverage.Report, error) {
	f, err := tree.OpenIn(dir, rel, maxReport)
	if err != nil {
		return nil, fmt.Errorf("open coverage report: %w", err)
	}
	defer f.Close()
	return coverage.Parse(filepath.Join(dir, filepath.FromSlash(rel)), f, opt)
}
