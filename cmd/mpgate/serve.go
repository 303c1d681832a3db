package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/build"
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/bot/queue"
	"github.com/mpgate/mpgate/bot/sandbox"
	"github.com/mpgate/mpgate/bot/web"
	"github.com/mpgate/mpgate/bot/worker"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/internal/healthz"
	"github.com/mpgate/mpgate/internal/metrics"
	"github.com/mpgate/mpgate/internal/serverconfig"
	"github.com/mpgate/mpgate/webhooks"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// serveFlags are mpgate serve's flags; each has an environment variable
// (MPGATE_ and the flag's name in upper case, dashes as underscores).
type serveFlags struct {
	addr, dataDir, databaseURL     string
	githubAppID, githubKeyFile     string
	githubSecretFile, githubAPIURL string
	githubAppSlug                  string
	gitlabURL, gitlabTokenFile     string
	gitlabSecretFile               string
	gitlabSigningFile              string
	// The pages (bot/web): public URL, session key, the forges' OAuth.
	publicURL, pagesKeyFile          string
	githubOAuthID, githubOAuthSecret string
	gitlabOAuthID, gitlabOAuthSecret string
	workers                          int
	eventWorkers                     int
	jobTimeout, shutdownTimeout      time.Duration
	jobLease                         time.Duration
	maxAttempts                      int
	allowCloneURLPrefix              string
	buildNetwork                     sandbox.NetworkPolicy
	buildMemory, buildDisk           sandbox.Size
	buildProcesses                   int
	buildSandbox                     sandbox.Kind
	buildImage, buildRuntime         string
	// config is the server config file (--config); repos its allowlist.
	config string
	repos  *serverconfig.Allowlist
}

const serveUsage = `Usage: mpgate serve [flags]

Runs the GitHub App and GitLab server: webhooks in, durable queue, builds
and checks, check runs (GitLab: commit statuses) and comments out. Every
flag has an environment variable (--data-dir is MPGATE_DATA_DIR, and so
on); secrets are read from files.

Endpoints: POST /webhooks/github, POST /webhooks/gitlab, GET /healthz,
GET /readyz, GET /metrics. See docs/github-app.md and docs/gitlab.md.

Flags:
`

func newServeFlagSet(f *serveFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&f.config, "config", "", "server config file (YAML; see docs/github-app.md): the flags and the environment win over it")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&f.dataDir, "data-dir", "./mpgate-data", "SQLite database, git mirrors, worktrees, logs")
	fs.StringVar(&f.databaseURL, "database-url", "", "PostgreSQL instead of SQLite (postgres://…)")
	fs.StringVar(&f.githubAppID, "github-app-id", "", "the GitHub App's ID (none: GitHub off)")
	fs.StringVar(&f.githubKeyFile, "github-private-key-file", "", "file holding the GitHub App's PEM private key")
	fs.StringVar(&f.githubSecretFile, "github-webhook-secret-file", "", "file holding the GitHub App's webhook secret")
	fs.StringVar(&f.githubAPIURL, "github-api-url", github.DefaultBaseURL, "GitHub Enterprise or a test server")
	fs.StringVar(&f.githubAppSlug, "github-app-slug", "mpgate", "the App's slug: it comments as SLUG[bot]")
	fs.StringVar(&f.gitlabURL, "gitlab-url", "", "GitLab instance, e.g. https://gitlab.com (none: GitLab off)")
	fs.StringVar(&f.gitlabTokenFile, "gitlab-token-file", "", "file holding the GitLab token")
	fs.StringVar(&f.gitlabSecretFile, "gitlab-webhook-secret-file", "", "file holding the GitLab webhook secret token")
	fs.StringVar(&f.gitlabSigningFile, "gitlab-webhook-signing-token-file", "", "file holding the GitLab webhook signing token (optional, GitLab 19+)")
	fs.StringVar(&f.githubOAuthID, "github-oauth-client-id", "", "the GitHub App's client ID: sign-in to the pages with GitHub")
	fs.StringVar(&f.githubOAuthSecret, "github-oauth-client-secret-file", "", "file holding the GitHub App's client secret")
	fs.StringVar(&f.gitlabOAuthID, "gitlab-oauth-client-id", "", "the GitLab OAuth application's ID: sign-in to the pages with GitLab")
	fs.StringVar(&f.gitlabOAuthSecret, "gitlab-oauth-client-secret-file", "", "file holding the GitLab OAuth application's secret")
	fs.StringVar(&f.publicURL, "public-url", "", "the server's public base URL: serves the pages under /pages/ and links them from the comment (docs/pages.md)")
	fs.StringVar(&f.pagesKeyFile, "pages-session-key-file", "", "file holding at least 32 random bytes that sign and encrypt the pages' sign-in cookies")
	fs.IntVar(&f.workers, "workers", queue.DefaultWorkers, "pull request evaluations (builds) run at once")
	fs.IntVar(&f.eventWorkers, "event-workers", queue.DefaultEventWorkers, "webhook events handled at once, in a queue of their own (never behind builds)")
	fs.DurationVar(&f.jobTimeout, "job-timeout", queue.DefaultJobTimeout, "longest a job may run")
	fs.IntVar(&f.maxAttempts, "max-attempts", queue.DefaultMaxAttempts, "runs of a failing job before it is given up")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", time.Minute, "how long running jobs may finish on SIGTERM before they are handed back to the queue")
	fs.DurationVar(&f.jobLease, "job-lease", queue.DefaultLease, "how long a running job's heartbeat may be silent before another process (or the next start) takes it back")
	f.buildNetwork, f.buildMemory, f.buildDisk = sandbox.NetworkInstall, sandbox.DefaultMemory, sandbox.DefaultDisk
	f.buildSandbox = sandbox.KindAuto
	fs.Var(&f.buildSandbox, "build-sandbox", "the build sandbox: auto (bubblewrap when it works, else no untrusted builds), bwrap (bubblewrap or no start) or container (--build-image with --build-runtime); see docs/sandbox.md")
	fs.StringVar(&f.buildImage, "build-image", "", "with --build-sandbox container: the image builds run in (node and npm in it, e.g. node:22-bookworm)")
	fs.StringVar(&f.buildRuntime, "build-runtime", "", "with --build-sandbox container: docker, podman or a path to either (default docker)")
	fs.Var(&f.buildNetwork, "build-network", "which build steps reach the network: none, install (the install step only) or all; see docs/sandbox.md")
	fs.Var(&f.buildMemory, "build-memory", "memory a sandboxed build may use (per process and in all; 0: no limit)")
	fs.IntVar(&f.buildProcesses, "build-processes", sandbox.DefaultProcesses, "processes and threads a sandboxed build may run (0: no limit)")
	fs.Var(&f.buildDisk, "build-disk", "disk a sandboxed build may write in its checkout and /tmp (0: no limit; --build-sandbox container: its /tmp only)")
	fs.StringVar(&f.allowCloneURLPrefix, "allow-clone-url-prefix", "", "comma-separated clone URL or local path prefixes a webhook's clone URL may name (tests only; otherwise repositories are cloned from the forge's own host)")
	return fs
}

// envName is a flag's environment variable.
func envName(flagName string) string {
	return "MPGATE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (*serveFlags, error) {
	f := &serveFlags{}
	fs := newServeFlagSet(f)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printServeUsage(stderr)
			return nil, &exitError{code: exitPass, err: err, quiet: true}
		}
		return nil, usageError("serve: %v", err)
	}
	if fs.NArg() > 0 {
		return nil, usageError("serve takes no arguments (got %q)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	var errs []error
	fs.VisitAll(func(fl *flag.Flag) {
		if set[fl.Name] {
			return
		}
		if v := getenv(envName(fl.Name)); v != "" {
			set[fl.Name] = true
			if err := fl.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", envName(fl.Name), err))
			}
		}
	})
	if len(errs) > 0 {
		return nil, usageError("serve: %v", errors.Join(errs...))
	}
	if err := applyServeConfig(fs, f, set); err != nil {
		return nil, err
	}
	if f.workers < 1 || f.eventWorkers < 1 {
		return nil, usageError("serve: --workers and --event-workers must be at least 1")
	}
	if f.buildProcesses < 0 {
		return nil, usageError("serve: --build-processes must be 0 (no limit) or more")
	}
	return f, nil
}

func printServeUsage(w io.Writer) error {
	return printUsage(w, serveUsage, newServeFlagSet(&serveFlags{}))
}

// readSecret reads a secret file, trimmed of surrounding white space. The
// error names the file, never its content.
func readSecret(path, what string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the %s: %w", what, err)
	}
	s := []byte(strings.TrimSpace(string(data)))
	if len(s) == 0 {
		return nil, fmt.Errorf("the %s file %s is empty", what, path)
	}
	return s, nil
}

// serverDeps are what tests replace.
type serverDeps struct {
	// detectSandbox finds the build sandbox (sandbox.Detect).
	detectSandbox func(ctx context.Context) (build.Wrapper, string, error)
	// githubOptions are added to the App's clients (retries in tests).
	githubOptions []github.Option
	// gitlabOptions are added to the GitLab client (retries in tests).
	gitlabOptions []gitlab.Option
	// botConfig adjusts the bot's config (a test analyser).
	botConfig func(*worker.Config)
	// queueConfig adjusts the queue's config (fast polling in tests).
	queueConfig func(*queue.Config)
}

// server is mpgate serve's parts, wired.
type server struct {
	flags   *serveFlags
	log     *slog.Logger
	q       *queue.Queue
	bot     *worker.Worker
	metrics *metrics.Registry
	handler http.Handler
}

// newServer opens the queue and wires webhooks, bot and endpoints. Close
// it with close after stop.
func newServer(ctx context.Context, f *serveFlags, log *slog.Logger, deps serverDeps) (*server, error) {
	if deps.detectSandbox == nil {
		deps.detectSandbox = sandbox.Detect
	}
	if err := os.MkdirAll(f.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data directory: %w", err)
	}
	if v, err := workspace.CheckGit(ctx); err != nil {
		return nil, fmt.Errorf("git: %w", err)
	} else {
		log.Info("git found", "version", v)
	}

	// Secrets first: a bad file stops the start before anything is opened.
	var secret, key []byte
	var appID int64
	if f.githubAppID != "" {
		id, err := strconv.ParseInt(f.githubAppID, 10, 64)
		if err != nil || id <= 0 {
			return nil, usageError("serve: --github-app-id %q is not a positive number", f.githubAppID)
		}
		appID = id
		if f.githubKeyFile == "" {
			return nil, usageError("serve: --github-app-id needs --github-private-key-file")
		}
		if key, err = readSecret(f.githubKeyFile, "GitHub App private key"); err != nil {
			return nil, err
		}
	}
	if f.githubSecretFile != "" {
		s, err := readSecret(f.githubSecretFile, "GitHub webhook secret")
		if err != nil {
			return nil, err
		}
		secret = s
	}
	if secret == nil {
		log.Warn("no GitHub webhook secret: every GitHub delivery is refused (--github-webhook-secret-file)")
	}
	glab, err := newGitLabServer(f, log, deps.gitlabOptions)
	if err != nil {
		return nil, err
	}
	log.Info("GitLab", "gitlab", glab.String())

	wrapper, desc, sbErr := sandbox.Select(ctx, sandbox.Choice{Kind: f.buildSandbox, Image: f.buildImage, Runtime: f.buildRuntime, Detect: deps.detectSandbox})
	if errors.Is(sbErr, sandbox.ErrChosen) {
		return nil, usageError("serve: %w", sbErr)
	}
	if sbErr == nil {
		wrapper, sbErr = sandbox.Configure(wrapper, sandbox.Options{Network: f.buildNetwork, CacheDir: workspace.Layout{Root: f.dataDir}.BuildCache(),
			Limits: build.Limits{Memory: int64(f.buildMemory), Processes: f.buildProcesses, Disk: int64(f.buildDisk)}})
	}
	if sbErr != nil {
		log.Warn("no build sandbox: pull requests the bot does not trust will not be built", "reason", sbErr.Error())
		wrapper = nil
	} else {
		log.Info("build sandbox", "sandbox", desc, "network", f.buildNetwork, "memory", f.buildMemory.String(),
			"processes", f.buildProcesses, "disk", f.buildDisk.String())
	}

	bi := readBuild()
	reg := metrics.New(metrics.Build{Version: bi.Version, Commit: bi.Commit, Date: bi.Date})
	qcfg := queue.Config{DataDir: f.dataDir, DatabaseURL: f.databaseURL, Workers: f.workers, EventWorkers: f.eventWorkers, MaxAttempts: f.maxAttempts,
		JobTimeout: f.jobTimeout, Lease: f.jobLease, Logger: log, JobStarted: reg.JobStarted, JobDone: reg.JobDone}
	if deps.queueConfig != nil {
		deps.queueConfig(&qcfg)
	}
	q, err := queue.Open(ctx, qcfg)
	if err != nil {
		return nil, fmt.Errorf("opening the queue: %w", err)
	}
	s := &server{flags: f, log: log, q: q, metrics: reg}
	if err := reg.Register(collectors.NewDBStatsCollector(q.Store().DB(), "mpgate")); err != nil {
		q.Close()
		return nil, fmt.Errorf("metrics: %w", err)
	}

	var inst worker.Installations = worker.InstallationsFunc(func(context.Context, string, int64) (worker.Forge, error) {
		return nil, errors.New("GitHub is off: no --github-app-id")
	})
	if appID != 0 {
		api := metrics.NewAPITransport("github", reg, http.DefaultTransport)
		opts := append([]github.Option{github.WithLogin(github.AppLogin(f.githubAppSlug)), github.WithTransport(api)}, deps.githubOptions...)
		apps, err := github.NewAppClients(appID, key, f.githubAPIURL, opts...)
		if err != nil {
			q.Close()
			return nil, err
		}
		inst = worker.InstallationsFunc(func(ctx context.Context, _ string, id int64) (worker.Forge, error) {
			c, err := apps.Installation(ctx, id)
			if err != nil {
				return nil, err
			}
			return github.NewForge(c), nil
		})
	}
	clone, err := clonePolicy(f, appID != 0, glab != nil)
	if err != nil {
		q.Close()
		return nil, err
	}
	bcfg := worker.Config{
		Installations: installations(inst, glab), Queue: q.ForBot(), Store: q.Store().ForBot(), DataDir: f.dataDir,
		Clone:   clone,
		Sandbox: wrapper, SandboxErr: sbErr, BotLogin: github.AppLogin(f.githubAppSlug),
		HandedBack: queue.ErrHandedBack, MaxAttempts: qcfg.MaxAttempts, Logger: log,
		Observe: reg.Evaluation, ObserveBuild: reg.Build,
	}
	if f.publicURL != "" {
		base := strings.TrimRight(f.publicURL, "/")
		bcfg.PagesLink = func(r bot.Repo) string { return base + web.RepoPath(r) }
	}
	// The per-file analysis cache lives in the data directory, bounded
	// (filecache.DefaultMaxBytes, evicted by age and size); it keeps the
	// merge-bases' reports too.
	cache := openCache(workspace.Layout{Root: f.dataDir}.AnalysisCache(), 0, log)
	bcfg.Analyze = cachedAnalyze(cache, nil, log)
	if cache != nil { // a nil *Cache in the interface would not be nil
		bcfg.BaseCache = cache
	}
	if deps.botConfig != nil {
		deps.botConfig(&bcfg)
	}
	b, err := worker.New(bcfg)
	if err != nil {
		q.Close()
		return nil, err
	}
	s.bot = b
	reg.CollectQueue(s.queueStats)

	mux := http.NewServeMux()
	log.Info("repositories served", "allowlist", f.repos.String())
	allowed := allowedRepos{next: q, allow: f.repos}
	gh := webhooks.NewGitHub(webhooks.GitHubConfig{Secret: secret, Enqueuer: allowed, Logger: log})
	mux.Handle("POST /webhooks/github", reg.CountDeliveries("github", "X-GitHub-Event", gh))
	if glab != nil {
		mux.Handle("POST /webhooks/gitlab", glab.handler(reg, allowed, log))
	} else {
		mux.HandleFunc("POST /webhooks/gitlab", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "GitLab is off on this server (--gitlab-url)", http.StatusNotImplemented)
		})
	}
	pages, err := pagesHandler(f, q.Store(), log)
	if err != nil {
		q.Close()
		return nil, err
	}
	if pages != nil {
		mux.Handle(web.Prefix, pages)
	}
	mux.Handle("GET /healthz", healthz.Live())
	mux.Handle("GET /readyz", healthz.Ready(q.Store().DB().PingContext, log))
	mux.Handle("GET /metrics", reg.Handler())
	s.handler = mux
	return s, nil
}

// clonePolicy fetches GitHub repositories from the web host of
// --github-api-url and GitLab projects from --gitlab-url, whatever clone
// URL a delivery names; --allow-clone-url-prefix lets tests name local
// repositories.
func clonePolicy(f *serveFlags, githubOn, gitlabOn bool) (*workspace.ClonePolicy, error) {
	p := &workspace.ClonePolicy{Bases: map[string]string{}}
	if githubOn {
		base, err := workspace.GitHubWebBase(f.githubAPIURL)
		if err != nil {
			return nil, usageError("serve: --github-api-url: %v", err)
		}
		p.Bases[bot.ForgeGitHub] = base
	}
	if gitlabOn {
		base := strings.TrimRight(f.gitlabURL, "/")
		base = strings.TrimSuffix(base, "/api/v4")
		p.Bases[bot.ForgeGitLab] = base + "/"
	}
	for a := range strings.SplitSeq(f.allowCloneURLPrefix, ",") {
		if a = strings.TrimSpace(a); a != "" {
			p.Allow = append(p.Allow, a)
		}
	}
	return p, nil
}

// start recovers check runs a crash left behind and starts the workers.
func (s *server) start(ctx context.Context) error {
	// Every worktree a previous run left, then git's records of them (the
	// rescued job could not check out again otherwise).
	if _, err := (workspace.Layout{Root: s.flags.dataDir}).Sweep(ctx, nil); err != nil {
		s.log.Warn("sweeping the worktrees a previous run left", "err", err)
	}
	// A check run still in progress after twice the job timeout (plus a
	// margin) has no job left working on it.
	n, err := s.bot.Recover(ctx, 2*s.flags.jobTimeout+10*time.Minute)
	if err != nil {
		s.log.Warn("recovering check runs", "err", err)
	} else if n > 0 {
		s.log.Info("check runs left in progress concluded", "count", n)
	}
	return s.q.Start(ctx, queue.HandlerFor(s.bot))
}

// stop stops the workers: running jobs get ctx's time to finish, then are
// cancelled and re-queued.
func (s *server) stop(ctx context.Context) error { return s.q.Stop(ctx) }

func (s *server) close() error { return s.q.Close() }

// queueStats is what /metrics reports about the queue.
func (s *server) queueStats(ctx context.Context) (metrics.QueueStats, error) {
	st, err := s.q.Stats(ctx)
	if err != nil {
		return metrics.QueueStats{}, err
	}
	out := metrics.QueueStats{Outcomes: map[string]int64{"run": st.Runs, "succeeded": st.Succeeded, "failed": st.Failed,
		"snoozed": st.Snoozed, "superseded": st.Superseded}}
	for _, d := range st.Depth {
		out.Depth = append(out.Depth, metrics.QueueDepth{Kind: d.Kind, State: d.State, Count: d.Count})
	}
	return out, nil
}

// runServe is `mpgate serve`.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f, err := parseServeFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	srv, err := newServer(ctx, f, log, serverDeps{})
	if err != nil {
		return err
	}
	defer srv.close()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", f.addr, err)
	}
	if err := srv.start(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("starting the workers: %w", err)
	}
	hs := &http.Server{Handler: srv.handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("mpgate serve listening", "addr", ln.Addr().String(), "version", versionString(), "workers", f.workers)
	select {
	case err := <-served:
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.shutdownTimeout)
		defer cancel()
		return errors.Join(fmt.Errorf("serving: %w", err), srv.stop(stopCtx))
	case <-ctx.Done():
	}
	log.Info("shutting down: no new deliveries; running jobs finish or are re-queued")
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.shutdownTimeout)
	defer cancel()
	errHTTP := hs.Shutdown(stopCtx)
	errQueue := srv.stop(stopCtx)
	if errQueue != nil {
		log.Warn("jobs were still running at the deadline: they run again after a restart", "err", errQueue)
	}
	if errHTTP != nil {
		return fmt.Errorf("stopping the HTTP server: %w", errHTTP)
	}
	return nil
}
