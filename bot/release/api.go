package release

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/checks/modules"
)

// maxAPIScript caps a public script read to compare APIs.
const maxAPIScript = 4 << 20

// APIChange is what a stretch of history does to one module's public API
// (docs/modules.md): the exports of its public scripts and the components
// among them.
type APIChange struct {
	Module  string
	Changes []modules.Change
	// Unparsed are public scripts at the newer revision that do not parse:
	// their API is unknown.
	Unparsed []string
	// Need is the bump the changes ask for: major for a breaking change,
	// minor for any other; BumpNone without changes.
	Need Bump
}

// APIChanges compares the public API of the modules (all, or those named
// in only) at from with their API at to, both read from git objects of the
// repository at repoDir. Modules are the config's, with their public
// entries, or the default ones (every script of a module is public).
// Modules without changes or unparsed scripts are left out.
func APIChanges(ctx context.Context, repoDir string, cfg *config.Config, from, to string, only ...string) ([]APIChange, error) {
	mods, err := apiModules(repoDir, cfg)
	if err != nil {
		return nil, err
	}
	router := modules.NewRouter(mods)
	fromFiles, err := workspace.ListFiles(ctx, repoDir, from)
	if err != nil {
		return nil, err
	}
	toFiles, err := workspace.ListFiles(ctx, repoDir, to)
	if err != nil {
		return nil, err
	}
	var out []APIChange
	for _, m := range mods {
		if len(only) > 0 && !slices.Contains(only, m.Name) {
			continue
		}
		then, err := surfaceAt(ctx, repoDir, from, m.PublicScripts(fromFiles, router))
		if err != nil {
			return nil, fmt.Errorf("module %s at %.12s: %w", m.Name, from, err)
		}
		now, err := surfaceAt(ctx, repoDir, to, m.PublicScripts(toFiles, router))
		if err != nil {
			return nil, fmt.Errorf("module %s at %.12s: %w", m.Name, to, err)
		}
		c := APIChange{Module: m.Name, Changes: modules.Diff(then, now), Unparsed: now.Unparsed}
		for _, ch := range c.Changes {
			c.Need = max(c.Need, BumpMinor)
			if ch.Breaking {
				c.Need = BumpMajor
			}
		}
		if len(c.Changes) > 0 || len(c.Unparsed) > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

// apiModules are the config's modules with their public entries, or the
// default ones.
func apiModules(repoDir string, cfg *config.Config) ([]*modules.Module, error) {
	if cfg != nil && len(cfg.Modules) > 0 {
		var out []*modules.Module
		for _, m := range cfg.Modules {
			mod, err := modules.New(m.Name, m.Paths, m.Public)
			if err != nil {
				return nil, err
			}
			out = append(out, mod)
		}
		return out, nil
	}
	rms, err := Modules(repoDir, cfg)
	if err != nil {
		return nil, err
	}
	out := make([]*modules.Module, 0, len(rms))
	for _, m := range rms {
		out = append(out, m.files)
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

// apiNotes are the release notes' lines on API changes, breaking first.
func apiNotes(c *APIChange) string {
	if c == nil || len(c.Changes) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("**API changes** since the previous release:\n")
	for _, ch := range c.Changes {
		if ch.Breaking {
			fmt.Fprintf(&b, "- **breaking:** `%s`: %s\n", ch.Where, ch.What)
		} else {
			fmt.Fprintf(&b, "- `%s`: %s\n", ch.Where, ch.What)
		}
	}
	return b.String()
}
