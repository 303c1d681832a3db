package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/health"
	"github.com/mpgate/mpgate/bot/store"
)

// Prefix is where the pages are served: Prefix for the organisation,
// Prefix+"repo/FORGE/OWNER/NAME" for a repository.
const Prefix = "/pages/"

// RepoPath is the path of repo's page.
func RepoPath(repo bot.Repo) string {
	return Prefix + "repo/" + url.PathEscape(repo.Forge) + "/" + escapePath(repo.FullName())
}

func escapePath(full string) string {
	parts := strings.Split(full, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// Viewer is a signed-in user.
type Viewer struct {
	// Forge is the forge the user signed in with (bot.ForgeGitHub, …).
	Forge string
	Login string
	// token is the user's forge token (Auth's sessions).
	token string
}

// Access decides who sees what: the same rights as on the repository's
// forge. An implementation asks the forge with the viewer's own token.
type Access interface {
	// Viewer is the user signed in on r; ok false for an anonymous one.
	Viewer(r *http.Request) (v Viewer, ok bool)
	// CanRead reports whether v may read repo on its forge. A repository
	// of another forge than v's is not readable.
	CanRead(ctx context.Context, v Viewer, repo bot.Repo) (bool, error)
}

// Config configures the pages.
type Config struct {
	Store  health.Runs
	Access Access
	// SignIn is where an anonymous viewer is sent, with the page to come
	// back to.
	SignIn func(next string) string
	// Period is how far back the charts and the organisation's report go
	// (default 90 days).
	Period time.Duration
	// Runs is how many latest runs a repository page lists (default 20).
	Runs   int
	Now    func() time.Time
	Logger *slog.Logger
}

// Handler serves the pages under Prefix.
func Handler(cfg Config) (http.Handler, error) {
	if cfg.Store == nil || cfg.Access == nil || cfg.SignIn == nil {
		return nil, errors.New("web: Store, Access and SignIn are required")
	}
	if cfg.Period == 0 {
		cfg.Period = 90 * 24 * time.Hour
	}
	if cfg.Runs == 0 {
		cfg.Runs = 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	p := &pages{cfg: cfg}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Prefix+"{$}", p.org)
	mux.HandleFunc("GET "+Prefix+"repo/{forge}/{path...}", p.repo)
	if a, ok := cfg.Access.(interface{ Routes(*http.ServeMux) }); ok {
		a.Routes(mux) // Auth's sign-in endpoints
	}
	return mux, nil
}

type pages struct{ cfg Config }

// viewer returns the signed-in user, or sends an anonymous one to sign in.
func (p *pages) viewer(w http.ResponseWriter, r *http.Request) (Viewer, bool) {
	v, ok := p.cfg.Access.Viewer(r)
	if !ok {
		http.Redirect(w, r, p.cfg.SignIn(r.URL.RequestURI()), http.StatusFound)
	}
	return v, ok
}

func (p *pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrSignedOut) {
		http.Redirect(w, r, p.cfg.SignIn(r.URL.RequestURI()), http.StatusFound)
		return
	}
	p.cfg.Logger.Error("page", "path", r.URL.Path, "err", err)
	http.Error(w, "The page could not be made; the server's log says why.", http.StatusInternalServerError)
}

// notFound is the answer for a repository the viewer may not read as for
// one that does not exist: nothing tells them apart.
func notFound(w http.ResponseWriter) {
	http.Error(w, "404 page not found", http.StatusNotFound)
}

func (p *pages) readable(ctx context.Context, v Viewer) ([]store.RepoEntry, error) {
	repos, err := p.cfg.Store.RunRepos(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.RepoEntry
	for _, e := range repos {
		ok, err := p.cfg.Access.CanRead(ctx, v, e.Repo)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}

func (p *pages) org(w http.ResponseWriter, r *http.Request) {
	v, ok := p.viewer(w, r)
	if !ok {
		return
	}
	repos, err := p.readable(r.Context(), v)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	keep := map[string]bool{}
	for _, e := range repos {
		keep[e.Key] = true
	}
	now := p.cfg.Now()
	rep, err := health.Build(r.Context(), p.cfg.Store, now.Add(-p.cfg.Period), now, func(e store.RepoEntry) bool { return keep[e.Key] })
	if err != nil {
		p.fail(w, r, err)
		return
	}
	links := map[string]string{}
	for _, e := range repos {
		links[e.Key] = RepoPath(e.Repo)
	}
	p.render(w, r, "org", map[string]any{"Viewer": v, "Report": rep, "Links": links})
}

// repoPage is what the repository template shows.
type repoPage struct {
	Viewer   Viewer
	Repo     bot.Repo
	Charts   []Chart
	Coverage *Chart
	Runs     []store.Run
	Since    time.Time
}

func (p *pages) repo(w http.ResponseWriter, r *http.Request) {
	v, ok := p.viewer(w, r)
	if !ok {
		return
	}
	forge, full := r.PathValue("forge"), r.PathValue("path")
	repo, ok := store.ParseRepoKey(forge + ":" + full)
	if !ok {
		notFound(w)
		return
	}
	ctx := r.Context()
	repos, err := p.cfg.Store.RunRepos(ctx)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	key := store.RepoKey(repo)
	found := false
	for _, e := range repos {
		if e.Key == key {
			repo, found = e.Repo, true
		}
	}
	if !found {
		notFound(w)
		return
	}
	if ok, err := p.cfg.Access.CanRead(ctx, v, repo); err != nil {
		p.fail(w, r, err)
		return
	} else if !ok {
		notFound(w)
		return
	}
	since := p.cfg.Now().Add(-p.cfg.Period)
	branch, err := p.cfg.Store.Runs(ctx, store.RunQuery{Repo: key, Since: since, BranchOnly: true})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	all, err := p.cfg.Store.Runs(ctx, store.RunQuery{Repo: key, Since: since})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	latest, err := p.cfg.Store.Runs(ctx, store.RunQuery{Repo: key, Latest: true, Limit: p.cfg.Runs})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	page := repoPage{Viewer: v, Repo: repo, Charts: sizeCharts(branch), Runs: latest, Since: since}
	var cov []Point
	for _, run := range all {
		if run.Coverage != nil {
			cov = append(cov, Point{At: run.FinishedAt, Value: *run.Coverage})
		}
	}
	if len(cov) > 0 {
		page.Coverage = &Chart{Title: "Line coverage", Max: 100, Format: func(f float64) string { return fmt.Sprintf("%.0f%%", f) },
			Series: []Series{{Name: "coverage", Class: "coverage", Points: cov}}}
	}
	p.render(w, r, "repo", page)
}

// sizeCharts draws one chart per package: its size and upload size at each
// push to the default branch, and its latest limit.
func sizeCharts(runs []store.Run) []Chart {
	type key struct{ project, name string }
	charts := map[key]*Chart{}
	var order []key
	for _, run := range runs {
		for _, pk := range run.Packages {
			k := key{pk.Project, pk.Name}
			c := charts[k]
			if c == nil {
				title := pk.Name
				if pk.Project != "" {
					title = pk.Project + " · " + pk.Name
				}
				c = &Chart{Title: title, Format: health.BytesFloat, Series: []Series{
					{Name: "size", Class: "bytes"}, {Name: "upload size", Class: "upload"}}}
				charts[k] = c
				order = append(order, k)
			}
			c.Series[0].Points = append(c.Series[0].Points, Point{run.FinishedAt, float64(pk.Bytes)})
			c.Series[1].Points = append(c.Series[1].Points, Point{run.FinishedAt, float64(pk.UploadBytes)})
			c.Limit = float64(pk.Limit)
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].project != order[j].project {
			return order[i].project < order[j].project
		}
		return order[i].name < order[j].name
	})
	out := make([]Chart, 0, len(order))
	for _, k := range order {
		out = append(out, *charts[k])
	}
	return out
}

func (p *pages) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		p.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The pages hold private data: never cached by a shared cache, never
	// framed, no script at all.
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	_, _ = w.Write([]byte(b.String()))
}
