package gate

import (
	"context"
	"fmt"
	"strings"

	"github.com/mpgate/mpgate/bot/release"
	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/modules"
)

// maxAPIScript caps a public script read for the API gate.
const maxAPIScript = 4 << 20

// moduleAPI is what a request does to one module's public API.
type moduleAPI struct {
	name     string
	changes  []modules.Change
	unparsed []string
	need     release.Bump
	planned  release.Bump
}

// apiGate is GATE-API: every module whose public API the request changes
// (from the merge-base to diffHead) needs at least the version bump the
// change asks for — major for a breaking change, minor for an addition —
// among the request's changelog entries (release.Preview: its title, the
// changelog block of its description, its change files). Without a base
// there is no request: the gate is skipped and says so.
func apiGate(ctx context.Context, s Spec, cfg *config.Config, res *compare.Result, diffHead, headDir string, say func(string, ...any)) checks.Gate {
	g := checks.Gate{Name: "api", Rule: checks.GateAPI}
	if res.BaseRev == "" {
		g.Status, g.Summary = checks.GateSkip, "skipped: no base (run with a base, mpgate check --base, to compare module APIs)"
		return g
	}
	say("comparing module APIs")
	mods, err := apiChanges(ctx, s, cfg, res.BaseRev, diffHead, headDir)
	if err != nil {
		g.Status, g.Summary = checks.GateError, "module APIs could not be compared: "+err.Error()
		return g
	}
	return apiVerdict(g, mods)
}

// apiChanges compares every module's public API at the merge-base of base
// and head with head's, and reads the bump the request plans for each.
func apiChanges(ctx context.Context, s Spec, cfg *config.Config, base, head, headDir string) ([]moduleAPI, error) {
	from := base
	if mb, err := workspace.MergeBase(ctx, headDir, base, head); err == nil {
		from = mb
	}
	mods, err := apiModules(headDir, cfg)
	if err != nil {
		return nil, err
	}
	router := modules.NewRouter(mods)
	baseFiles, err := workspace.ListFiles(ctx, headDir, from)
	if err != nil {
		return nil, err
	}
	headFiles, err := workspace.ListFiles(ctx, headDir, head)
	if err != nil {
		return nil, err
	}
	previews, err := release.Preview(ctx, headDir, from, head, cfg, s.Title+"\n"+s.Body, s.Labels)
	if err != nil {
		return nil, err
	}
	planned := map[string]release.Bump{}
	for _, p := range previews {
		for _, e := range p.Entries {
			planned[p.Module] = max(planned[p.Module], e.Bump)
		}
	}
	var out []moduleAPI
	for _, m := range mods {
		bs, err := surfaceAt(ctx, headDir, from, m.PublicScripts(baseFiles, router))
		if err != nil {
			return nil, fmt.Errorf("module %s at the base: %w", m.Name, err)
		}
		hs, err := surfaceAt(ctx, headDir, head, m.PublicScripts(headFiles, router))
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", m.Name, err)
		}
		ma := moduleAPI{name: m.Name, changes: modules.Diff(bs, hs), unparsed: hs.Unparsed, planned: planned[m.Name]}
		for _, c := range ma.changes {
			need := release.BumpMinor
			if c.Breaking {
				need = release.BumpMajor
			}
			ma.need = max(ma.need, need)
		}
		if len(ma.changes) > 0 || len(ma.unparsed) > 0 {
			out = append(out, ma)
		}
	}
	return out, nil
}

// apiModules are the modules of the config with their public entries, or
// the default ones (one per subpackage).
func apiModules(headDir string, cfg *config.Config) ([]*modules.Module, error) {
	var out []*modules.Module
	if len(cfg.Modules) > 0 {
		for _, m := range cfg.Modules {
			mod, err := modules.New(m.Name, m.Paths, m.Public)
			if err != nil {
				return nil, err
			}
			out = append(out, mod)
		}
		return out, nil
	}
	rms, err := release.Modules(headDir, cfg)
	if err != nil {
		return nil, err
	}
	for _, m := range rms {
		mod, err := modules.New(m.Name, m.Paths, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, mod)
	}
	return out, nil
}

func surfaceAt(ctx context.Context, repoDir, rev string, scripts []string) (*modules.Surface, error) {
	blobs, err := workspace.ReadBlobs(ctx, repoDir, rev, scripts, maxAPIScript)
	if err != nil {
		return nil, err
	}
	return modules.SurfaceOf(scripts, func(f string) ([]byte, error) { return blobs[f], nil })
}

// apiVerdict judges the modules' API changes against their planned bumps.
func apiVerdict(g checks.Gate, mods []moduleAPI) checks.Gate {
	var short, ok []string
	for _, m := range mods {
		if len(m.changes) == 0 {
			continue
		}
		if m.planned >= m.need {
			ok = append(ok, fmt.Sprintf("%s %s (%s)", m.name, m.planned, countChanges(m.changes)))
			continue
		}
		short = append(short, fmt.Sprintf("%s needs a %s version, the request plans %s: %s", m.name, m.need, bumpName(m.planned), listChanges(m.changes, 3)))
	}
	var unparsed []string
	for _, m := range mods {
		unparsed = append(unparsed, m.unparsed...)
	}
	switch {
	case len(short) > 0:
		g.Status = checks.GateFail
		g.Summary = strings.Join(short, "; ") + ". Mark the change in the request: a `feat!:` title or a `BREAKING CHANGE:` footer for a major version, `feat:` for a minor one, or a change file (docs/releases.md)"
	case len(ok) > 0:
		g.Status, g.Summary = checks.GatePass, "API changes match the planned versions: "+strings.Join(ok, "; ")
	default:
		g.Status, g.Summary = checks.GatePass, "no module's public API changed"
	}
	if len(unparsed) > 0 {
		g.Summary += fmt.Sprintf(" (not parsed, API unknown: %s)", strings.Join(unparsed, ", "))
	}
	return g
}

func bumpName(b release.Bump) string {
	if b == release.BumpNone {
		return "no release"
	}
	return "a " + b.String() + " one"
}

func countChanges(cs []modules.Change) string {
	breaking := 0
	for _, c := range cs {
		if c.Breaking {
			breaking++
		}
	}
	return fmt.Sprintf("%d breaking, %d other API change(s)", breaking, len(cs)-breaking)
}

// listChanges names the first n changes (breaking first) and how many more.
func listChanges(cs []modules.Change, n int) string {
	var parts []string
	for i, c := range cs {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(cs)-n))
			break
		}
		parts = append(parts, c.String())
	}
	return strings.Join(parts, ", ")
}
