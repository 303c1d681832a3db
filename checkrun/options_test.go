package checkrun

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/config"
)

func TestOptionsValidate(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name       string
		o          Options
		positional []string
		wantErr    string // a prefix; "" = valid
		wantFormat string
	}{
		{"text", Options{Format: "text"}, []string{dir}, "", "text"},
		{"md is markdown", Options{Format: "md"}, []string{dir}, "", "markdown"},
		{"unknown format", Options{Format: "xml"}, nil, `check: --format "xml": want text`, ""},
		{"unknown platform", Options{Format: "json", Platform: "palm"}, nil, `check: --platform "palm"`, ""},
		{"two directories", Options{Format: "json"}, []string{dir, dir}, "check: one directory at a time, got 2", ""},
		{"no such directory", Options{Format: "json"}, []string{filepath.Join(dir, "nope")}, "cannot read directory", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.o.Validate(tt.positional)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrUsage) || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("Validate = %q, %v; want ErrUsage %q…", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != dir || tt.o.Format != tt.wantFormat {
				t.Errorf("Validate = %q, %v, format %q; want %q, format %q", got, err, tt.o.Format, dir, tt.wantFormat)
			}
		})
	}
}

func TestOptionsLabelList(t *testing.T) {
	o := Options{Labels: " a, ,b ,", PRLabels: []string{"x,y"}}
	if got := o.LabelList(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("--labels: %q, want [a b]", got)
	}
	o.Labels = ""
	if got := o.LabelList(); !slices.Equal(got, []string{"x,y"}) {
		t.Errorf("the event's labels: %q, want [x,y] (a name may hold a comma)", got)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, config.DefaultFile)
	if err := os.WriteFile(bad, []byte("nonsense: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ dir, file, want string }{
		{dir, "", "invalid config:\n"},
		{dir, filepath.Join(dir, "missing.yml"), "--config " + filepath.Join(dir, "missing.yml") + ": no such file"},
	} {
		_, err := LoadConfig(tt.dir, tt.file)
		if err == nil || !errors.Is(err, ErrUsage) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("LoadConfig(%q, %q) = %v, want ErrUsage %q…", tt.dir, tt.file, err, tt.want)
		}
	}
	if _, err := LoadConfig(t.TempDir(), ""); err != nil {
		t.Errorf("no config file: %v, want the defaults", err)
	}
}

func TestCoverageFromEnv(t *testing.T) {
	top := t.TempDir()
	t.Chdir(top)
	cfg := &config.Config{}
	if err := CoverageFromEnv(cfg, top, "coverage/lcov.info"); err != nil || cfg.Gates.Coverage.Report != "coverage/lcov.info" {
		t.Errorf("inside: %v, report %q", err, cfg.Gates.Coverage.Report)
	}
	if err := CoverageFromEnv(cfg, top, "../elsewhere.info"); err == nil || !errors.Is(err, ErrUsage) {
		t.Errorf("outside the repository: %v, want ErrUsage", err)
	}
	cfg.Gates.Coverage.Report = "kept"
	if err := CoverageFromEnv(cfg, top, ""); err != nil || cfg.Gates.Coverage.Report != "kept" {
		t.Errorf("unset: %v, report %q; want it kept", err, cfg.Gates.Coverage.Report)
	}
}
