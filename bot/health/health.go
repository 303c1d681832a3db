// Package health computes the engineering health report from the runs the
// server recorded (bot/store's mpgate_runs): per repository, its packages
// against their limits at the default branch's latest push, the gates' pass
// rate, build failures, line coverage, and the time from a failing run to
// the next green one. `mpgate report health` writes it as Markdown or JSON
// (Schema; the shape is documented in docs/pages.md).
package health

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store"
	"github.com/mpgate/mpgate/checks"
)

// Schema names the JSON shape of Report.
const Schema = "mpgate.health/v1"

// Runs is what the report reads of the store (*store.Store has it).
type Runs interface {
	Runs(ctx context.Context, q store.RunQuery) ([]store.Run, error)
	RunRepos(ctx context.Context) ([]store.RepoEntry, error)
}

// Report is the engineering health report over [Since, Until).
type Report struct {
	Schema       string       `json:"schema"`
	Since        time.Time    `json:"since"`
	Until        time.Time    `json:"until"`
	Repositories []Repository `json:"repositories"`
	// Total adds up every repository's runs (Packages and Coverage are
	// per repository only).
	Total Stats `json:"total"`
}

// Repository is one repository's part of the report.
type Repository struct {
	// Key is the store's key ("github:owner/name"); Forge and FullName
	// name it on its forge.
	Key      string `json:"key"`
	Forge    string `json:"forge"`
	FullName string `json:"fullName"`
	Stats
	// Packages are the packages at the latest push to the default branch
	// with their limits (none when no push was measured in the period).
	Packages []Package `json:"packages"`
	// Coverage is the line coverage of the first and the last run in the
	// period that read one (nil when none did).
	Coverage *Coverage `json:"coverage"`
}

// Stats are counts over runs.
type Stats struct {
	// Runs counts evaluations: request heads and default-branch pushes.
	Runs int `json:"runs"`
	// Passed and Failed count runs concluded success and failure (or
	// timed out); the others (neutral, action required) are neither.
	Passed int `json:"passed"`
	Failed int `json:"failed"`
	// BuildFailures counts runs in which a project could not be built or
	// analysed.
	BuildFailures int `json:"buildFailures"`
	// Gates are the pass rates per gate name, by name.
	Gates []GateStats `json:"gates"`
	// TimeToGreen measures, per request (and for the default branch), the
	// time from a failing run to the next passing one.
	TimeToGreen Durations `json:"timeToGreen"`
}

// GateStats is one gate's results: gates that passed and that blocked
// (failed or could not be evaluated, not informational); skipped and
// informational results are not counted.
type GateStats struct {
	Name     string  `json:"name"`
	Passed   int     `json:"passed"`
	Failed   int     `json:"failed"`
	PassRate float64 `json:"passRate"`
}

// Durations summarises times to green, in seconds. Count 0: none measured
// (Median and Max are then 0). Open counts failures not yet followed by a
// passing run at Until.
type Durations struct {
	Count         int   `json:"count"`
	MedianSeconds int64 `json:"medianSeconds"`
	MaxSeconds    int64 `json:"maxSeconds"`
	Open          int   `json:"open"`
}

// Package is one package's size against its limit.
type Package struct {
	Project     string `json:"project"`
	Name        string `json:"name"`
	Bytes       int64  `json:"bytes"`
	UploadBytes int64  `json:"uploadBytes"`
	Limit       int64  `json:"limit"`
	// Basis is what the limit is judged on: "bytes" or "uploadBytes".
	Basis string `json:"basis"`
	// UsedPercent is the judged size over the limit (0 without a limit).
	UsedPercent float64 `json:"usedPercent"`
}

// Coverage is line coverage in percent.
type Coverage struct {
	First float64 `json:"first"`
	Last  float64 `json:"last"`
}

// Build computes the report over [since, until) for the repositories keep
// accepts (nil: all).
func Build(ctx context.Context, src Runs, since, until time.Time, keep func(store.RepoEntry) bool) (*Report, error) {
	repos, err := src.RunRepos(ctx)
	if err != nil {
		return nil, err
	}
	rep := &Report{Schema: Schema, Since: since.UTC(), Until: until.UTC(), Repositories: []Repository{}}
	var all []store.Run
	for _, e := range repos {
		if keep != nil && !keep(e) {
			continue
		}
		runs, err := src.Runs(ctx, store.RunQuery{Repo: e.Key, Since: since})
		if err != nil {
			return nil, err
		}
		runs = slices.DeleteFunc(runs, func(r store.Run) bool { return !r.FinishedAt.Before(until) })
		if len(runs) == 0 {
			continue
		}
		all = append(all, runs...)
		r := Repository{Key: e.Key, Forge: e.Repo.Forge, FullName: e.Repo.FullName(), Stats: stats(runs), Packages: []Package{}}
		for i := len(runs) - 1; i >= 0; i-- {
			if runs[i].PR == 0 && len(runs[i].Packages) > 0 {
				r.Packages = packages(runs[i].Packages)
				break
			}
		}
		for _, run := range runs {
			if run.Coverage == nil {
				continue
			}
			if r.Coverage == nil {
				r.Coverage = &Coverage{First: *run.Coverage}
			}
			r.Coverage.Last = *run.Coverage
		}
		rep.Repositories = append(rep.Repositories, r)
	}
	rep.Total = stats(all)
	return rep, nil
}

func failing(conclusion string) bool {
	return conclusion == bot.ConclusionFailure || conclusion == bot.ConclusionTimedOut
}

// stats counts runs ordered by repository, then time.
func stats(runs []store.Run) Stats {
	s := Stats{Gates: []GateStats{}}
	gates := map[string]*GateStats{}
	type series struct {
		repo string
		pr   int
	}
	failedAt := map[series]time.Time{}
	var ttg []int64
	for _, r := range runs {
		s.Runs++
		switch {
		case r.Conclusion == bot.ConclusionSuccess:
			s.Passed++
		case failing(r.Conclusion):
			s.Failed++
		}
		if r.BuildFailed {
			s.BuildFailures++
		}
		for _, g := range r.Gates {
			if g.Informational || (g.Status != checks.GatePass && g.Status != checks.GateFail && g.Status != checks.GateError) {
				continue
			}
			gs := gates[g.Name]
			if gs == nil {
				gs = &GateStats{Name: g.Name}
				gates[g.Name] = gs
			}
			if g.Status == checks.GatePass {
				gs.Passed++
			} else {
				gs.Failed++
			}
		}
		k := series{r.Repo, r.PR}
		t, open := failedAt[k]
		switch {
		case failing(r.Conclusion) && !open:
			failedAt[k] = r.FinishedAt
		case r.Conclusion == bot.ConclusionSuccess && open:
			ttg = append(ttg, int64(r.FinishedAt.Sub(t)/time.Second))
			delete(failedAt, k)
		}
	}
	for _, g := range gates {
		g.PassRate = float64(g.Passed) / float64(g.Passed+g.Failed)
		s.Gates = append(s.Gates, *g)
	}
	sort.Slice(s.Gates, func(i, j int) bool { return s.Gates[i].Name < s.Gates[j].Name })
	s.TimeToGreen.Open = len(failedAt)
	if len(ttg) > 0 {
		slices.Sort(ttg)
		s.TimeToGreen.Count = len(ttg)
		s.TimeToGreen.MaxSeconds = ttg[len(ttg)-1]
		if n := len(ttg); n%2 == 1 {
			s.TimeToGreen.MedianSeconds = ttg[n/2]
		} else {
			s.TimeToGreen.MedianSeconds = (ttg[n/2-1] + ttg[n/2]) / 2
		}
	}
	return s
}

func packages(ps []bot.PackageRecord) []Package {
	out := make([]Package, 0, len(ps))
	for _, p := range ps {
		q := Package{Project: p.Project, Name: p.Name, Bytes: p.Bytes, UploadBytes: p.UploadBytes, Limit: p.Limit, Basis: p.Basis}
		if q.Basis == "" {
			q.Basis = "bytes"
		}
		if p.Limit > 0 {
			size := p.Bytes
			if q.Basis == "uploadBytes" {
				size = p.UploadBytes
			}
			q.UsedPercent = float64(size) * 100 / float64(p.Limit)
		}
		out = append(out, q)
	}
	return out
}

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteMarkdown writes the report for people: a summary table of every
// repository, then each repository's packages and gates.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Engineering health, %s to %s\n\n", r.Since.Format("2006-01-02"), r.Until.Format("2006-01-02"))
	if len(r.Repositories) == 0 {
		b.WriteString("No runs were recorded in this period.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	b.WriteString("| repository | runs | passed | failed | build failures | coverage | time to green (median / max) | still failing |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|\n")
	row := func(name string, s Stats, cov *Coverage) {
		c := "–"
		if cov != nil {
			c = fmt.Sprintf("%.1f%% (%+.1f)", cov.Last, cov.Last-cov.First)
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s | %s | %d |\n", name, s.Runs, s.Passed, s.Failed, s.BuildFailures, c, ttgText(s.TimeToGreen), s.TimeToGreen.Open)
	}
	for _, repo := range r.Repositories {
		row(mdEscape(repo.Forge+":"+repo.FullName), repo.Stats, repo.Coverage)
	}
	row("**all**", r.Total, nil)
	if len(r.Total.Gates) > 0 {
		b.WriteString("\n## Gates\n\n| gate | passed | failed | pass rate |\n|---|--:|--:|--:|\n")
		for _, g := range r.Total.Gates {
			fmt.Fprintf(&b, "| %s | %d | %d | %.0f%% |\n", mdEscape(g.Name), g.Passed, g.Failed, g.PassRate*100)
		}
	}
	for _, repo := range r.Repositories {
		if len(repo.Packages) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s: packages at the default branch\n\n| project | package | size | upload size | limit | used |\n|---|---|--:|--:|--:|--:|\n", mdEscape(repo.FullName))
		for _, p := range repo.Packages {
			used, limit := "–", "–"
			if p.Limit > 0 {
				used, limit = fmt.Sprintf("%.0f%% of %s", p.UsedPercent, basisName(p.Basis)), Bytes(p.Limit)
			}
			project := p.Project
			if project == "" {
				project = "(root)"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", mdEscape(project), mdEscape(p.Name), Bytes(p.Bytes), Bytes(p.UploadBytes), limit, used)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func basisName(b string) string {
	if b == "uploadBytes" {
		return "upload size"
	}
	return "size"
}

func ttgText(d Durations) string {
	if d.Count == 0 {
		return "–"
	}
	return Duration(d.MedianSeconds) + " / " + Duration(d.MaxSeconds)
}

// Duration writes seconds for people: 45s, 12m, 3h05m, 2d04h.
func Duration(sec int64) string {
	switch {
	case sec < 60:
		return fmt.Sprintf("%ds", sec)
	case sec < 3600:
		return fmt.Sprintf("%dm", sec/60)
	case sec < 86400:
		return fmt.Sprintf("%dh%02dm", sec/3600, sec%3600/60)
	default:
		return fmt.Sprintf("%dd%02dh", sec/86400, sec%86400/3600)
	}
}

// Bytes writes a size for people, in KiB (mini-program limits are in MiB
// and sizes in the hundreds of KiB).
func Bytes(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/1024)
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

// BytesFloat is Bytes for a chart's axis.
func BytesFloat(f float64) string { return Bytes(int64(f)) }
