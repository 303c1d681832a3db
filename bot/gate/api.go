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

// moduleAPI is what a request does to one module's public API, and the
// bump it plans for it.
type moduleAPI struct {
	release.APIChange
	planned release.Bump
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
	changes, err := release.APIChanges(ctx, headDir, cfg, from, head)
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
	out := make([]moduleAPI, 0, len(changes))
	for _, c := range changes {
		out = append(out, moduleAPI{APIChange: c, planned: planned[c.Module]})
	}
	return out, nil
}

// apiVerdict judges the modules' API changes against their planned bumps.
func apiVerdict(g checks.Gate, mods []moduleAPI) checks.Gate {
	var short, ok []string
	for _, m := range mods {
		if len(m.Changes) == 0 {
			continue
		}
		if m.planned >= m.Need {
			ok = append(ok, fmt.Sprintf("%s %s (%s)", m.Module, m.planned, countChanges(m.Changes)))
			continue
		}
		short = append(short, fmt.Sprintf("%s needs a %s version, the request plans %s: %s", m.Module, m.Need, bumpName(m.planned), listChanges(m.Changes, 3)))
	}
	var unparsed []string
	for _, m := range mods {
		unparsed = append(unparsed, m.Unparsed...)
	}
	switch {
	case len(short) > 0:
		g.Status = checks.GateFail
		g.Summary = strings.Join(short, "; ") + ". Plan the version in the request: a `feat!:` title (or a `BREAKING CHANGE:` footer) for a major one, `feat:` for a minor one, or a .changes/ file naming the module and `major` or `minor`"
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
