package checkrun

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/config"
)

func examples(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"shop", "shop-broken"} {
		if err := os.CopyFS(filepath.Join(dir, name), os.DirFS(filepath.Join("..", "examples", name))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestRunHeadOnly runs the real engine on the examples without a base:
// the result is head-only, one comparison per project with its root, and
// fails the check for the broken example alone.
func TestRunHeadOnly(t *testing.T) {
	t.Parallel()
	dir := examples(t)
	cfg := &config.Config{Projects: []config.Project{{Name: "shop", Root: "shop"}, {Name: "broken", Root: "shop-broken"}}}
	tests := []struct {
		project string
		fails   string
	}{
		{"shop", ""},
		{"broken", "error diagnostic"},
		{"", "broken: "},
	}
	for _, tt := range tests {
		t.Run(tt.project, func(t *testing.T) {
			t.Parallel()
			res, err := Run(context.Background(), Spec{Dir: dir, Config: cfg, Project: tt.project})
			if err != nil {
				t.Fatal(err)
			}
			if !res.HeadOnly {
				t.Fatal("a check without a base is not head-only")
			}
			for _, c := range res.Projects {
				if c.Head == nil || c.Base != nil || c.PathPrefix == "" {
					t.Errorf("project %q: head %v, base %v, prefix %q", c.Project, c.Head != nil, c.Base != nil, c.PathPrefix)
				}
			}
			why := Failures(res)
			if (tt.fails == "") != (why == "") || !strings.Contains(why, tt.fails) {
				t.Errorf("Failures = %q, want it to contain %q", why, tt.fails)
			}
		})
	}
}

func TestRunUsageErrors(t *testing.T) {
	t.Parallel()
	dir := examples(t)
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"unknown project", Spec{Dir: dir, Project: "nope", Config: &config.Config{Projects: []config.Project{{Name: "shop", Root: "shop"}}}},
			`no project "nope" in the default config; its projects: "shop"`},
		{"missing root", Spec{Dir: dir, Config: &config.Config{Projects: []config.Project{{Name: "app", Root: "dist", Build: "npm run build"}}}},
			`it is built by "npm run build": run the build first`},
		{"base outside git", Spec{Dir: dir, Compare: true, BaseRef: "main", Config: &config.Config{Projects: []config.Project{{Root: "shop"}}}},
			"usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tt.spec
			if s.Compare {
				s.Top = dir
			}
			_, err := Run(context.Background(), s)
			if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a usage error with %q", err, tt.want)
			}
		})
	}
}

func TestReadBaseReports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, data string
		projects   []string
		err        string
	}{
		{"one.json", `{"schema":"` + checks.Schema + `","project":"shop"}`, []string{"shop"}, ""},
		{"many.json", `{"schema":"mpgate.reports/v1","reports":[{"project":"a"},{"project":"b"}]}`, []string{"a", "b"}, ""},
		{"result.json", `{"schema":"mpgate.result/v1"}`, nil, "is not a report"},
		{"junk.json", `not json`, nil, "not a JSON report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadBaseReports(write(tt.name, tt.data))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tt.projects {
				if got[p] == nil {
					t.Errorf("no report for %q in %v", p, got)
				}
			}
		})
	}
}
