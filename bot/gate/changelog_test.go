package gate

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/analyze"
	"github.com/mpgate/mpgate/checks/config"
)

// TestChangelogGate: with gates.changelog on, a request touching a module
// needs an entry (GATE-CHANGELOG among the repository's gates).
func TestChangelogGate(t *testing.T) {
	r := newRepo(t)
	files := program(nil)
	// The source is the mini-program: zero-config modules are its
	// subpackage (packageA) and app.
	files[".mpgate.yml"] = "projects:\n  - name: shop\n    root: src\ngates:\n  changelog: {enabled: true}\n"
	r.Commit("base", files)
	r.Git("checkout", "-q", "-b", "feature")
	r.Commit("wip", map[string]string{"src/packageA/pages/a/a.js": "Page({data: {}})\n"})
	cfg := loadConfig(t, r.Dir)

	tests := []struct {
		name   string
		spec   Spec
		status string
		want   string // in the summary
	}{
		{"no entry", Spec{Title: "Update the page", Body: "Some text."}, checks.GateFail, "no changelog entry for packageA"},
		{"conventional title", Spec{Title: "fix(a): empty data"}, checks.GatePass, "every changed module"},
		{"changelog block", Spec{Title: "Update", Body: "Text.\n\n```changelog\npackageA: feat: data\n```\n"}, checks.GatePass, "every changed module"},
		{"block for another module", Spec{Title: "Update", Body: "```changelog\napp: feat: data\n```\n"}, checks.GateFail, "packageA"},
		{"label", Spec{Title: "Update", Labels: []string{"bug", "no-changelog"}}, checks.GatePass, "every changed module"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.spec
			s.RepoDir, s.BaseRef, s.Config = r.Dir, "main", cfg
			res, err := Run(context.Background(), s)
			if err != nil {
				t.Fatal(err)
			}
			g, ok := findGate(res.Gates, checks.GateChangelog)
			if !ok {
				t.Fatalf("no changelog gate in %+v", res.Gates)
			}
			if g.Status != tc.status || !strings.Contains(g.Summary, tc.want) || g.Name != "changelog" {
				t.Errorf("gate = %+v, want %s with %q", g, tc.status, tc.want)
			}
			if (res.Verdict == checks.VerdictFail) != (tc.status == checks.GateFail) {
				t.Errorf("verdict %s with the changelog gate %s", res.Verdict, g.Status)
			}
		})
	}

	t.Run("bare mirror with a head worktree (server mode)", func(t *testing.T) {
		bare := filepath.Join(t.TempDir(), "mirror.git")
		r.Git("clone", "-q", "--bare", r.Dir, bare)
		head := r.Git("rev-parse", "feature")
		wt := filepath.Join(t.TempDir(), "head")
		r.Git("--git-dir", bare, "worktree", "add", "-q", "--detach", wt, head)
		res, err := Run(context.Background(), Spec{RepoDir: bare, HeadDir: wt, HeadRev: head, BaseRef: "main", Config: cfg,
			Title: "Update", Body: "```changelog\npackageA: fix: data\n```"})
		if err != nil {
			t.Fatal(err)
		}
		if g, _ := findGate(res.Gates, checks.GateChangelog); g.Status != checks.GatePass {
			t.Errorf("gate = %+v, want pass", g)
		}
		res, err = Run(context.Background(), Spec{RepoDir: bare, HeadDir: wt, HeadRev: head, BaseRef: "main", Config: cfg, Title: "Update"})
		if err != nil {
			t.Fatal(err)
		}
		if g, _ := findGate(res.Gates, checks.GateChangelog); g.Status != checks.GateFail {
			t.Errorf("gate = %+v, want fail", g)
		}
	})
	t.Run("configured label", func(t *testing.T) {
		c := *cfg
		c.Gates.Changelog.Label = "skip-changelog"
		res, err := Run(context.Background(), Spec{RepoDir: r.Dir, BaseRef: "main", Config: &c, Title: "Update", Labels: []string{"no-changelog"}})
		if err != nil {
			t.Fatal(err)
		}
		if g, _ := findGate(res.Gates, checks.GateChangelog); g.Status != checks.GateFail || !strings.Contains(g.Summary, "label skip-changelog") {
			t.Errorf("gate = %+v, want a failure naming skip-changelog", g)
		}
	})
	t.Run("no base is a skip", func(t *testing.T) {
		res, err := Run(context.Background(), Spec{RepoDir: r.Dir, Config: cfg, Title: "Update"})
		if err != nil {
			t.Fatal(err)
		}
		if g, ok := findGate(res.Gates, checks.GateChangelog); !ok || g.Status != checks.GateSkip || !strings.Contains(g.Summary, "--base") {
			t.Errorf("gate = %+v (present %v), want a skip that says to give a base", g, ok)
		}
	})
	t.Run("disabled adds no gate", func(t *testing.T) {
		c := *cfg
		c.Gates.Changelog.Enabled = false
		res, err := Run(context.Background(), Spec{RepoDir: r.Dir, BaseRef: "main", Config: &c, Title: "Update"})
		if err != nil {
			t.Fatal(err)
		}
		if g, ok := findGate(res.Gates, checks.GateChangelog); ok {
			t.Errorf("disabled gate reported: %+v", g)
		}
	})
	t.Run("unreadable modules are an error, not a pass", func(t *testing.T) {
		// The project's root does not exist: there is no mini-program to
		// read the modules from (the engine is stubbed out).
		c := *cfg
		c.Projects = append([]config.Project(nil), cfg.Projects...)
		c.Projects[0].Root = "missing"
		res, err := Run(context.Background(), Spec{RepoDir: r.Dir, BaseRef: "main", Config: &c, Title: "Update",
			Analyze: func(context.Context, string, analyze.Options) (*checks.Report, error) { return &checks.Report{}, nil }})
		if err != nil {
			t.Fatal(err)
		}
		if g, _ := findGate(res.Gates, checks.GateChangelog); g.Status != checks.GateError || !strings.Contains(g.Summary, "could not be checked") {
			t.Errorf("gate = %+v, want error", g)
		}
	})
}

func findGate(gates []checks.Gate, rule string) (checks.Gate, bool) {
	for _, g := range gates {
		if g.Rule == rule {
			return g, true
		}
	}
	return checks.Gate{}, false
}
