package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/analyze"
	"github.com/mpgate/mpgate/checks/platform"
)

type result struct {
	err            error
	code           int
	stdout, stderr string
}

func runArgs(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	report(&stderr, err)
	return result{err: err, code: exitCode(err), stdout: stdout.String(), stderr: stderr.String()}
}

// call records one call of the fake engine.
type call struct {
	dir string
	opt analyze.Options
}

// fakeEngine replaces analyze.Run for the test with one returning report(dir).
func fakeEngine(t *testing.T, report func(dir string) *checks.Report) *[]call {
	t.Helper()
	var calls []call
	saved := analyzeRun
	analyzeRun = func(ctx context.Context, dir string, opt analyze.Options) (*checks.Report, error) {
		calls = append(calls, call{dir, opt})
		if opt.Progress != nil {
			opt.Progress("scan", 1, 2)
		}
		return report(dir), nil
	}
	t.Cleanup(func() { analyzeRun = saved })
	return &calls
}

func passing(dir string) *checks.Report {
	return &checks.Report{
		Schema: checks.Schema, Platform: "wechat",
		Packages:   []checks.Package{{Name: checks.MainPackage, Kind: checks.KindMain, Bytes: 1000, UploadBytes: 900, Files: 3, Limit: 2 << 20}},
		TotalBytes: 1000, TotalUploadBytes: 900,
		Limits:    checks.Limits{Package: 2 << 20, Total: 30 << 20, Warn: 90},
		SizeBasis: checks.BasisBytes,
		Diagnostics: []checks.Diagnostic{
			checks.New(checks.MP304, "", 0, 0, "__APP__ uses 95% of its limit", ""),
		},
		Verdict: checks.VerdictPass,
	}
}

func failing(dir string) *checks.Report {
	r := passing(dir)
	r.Diagnostics = append(r.Diagnostics, checks.New(checks.MP201, "packageA/a.js", 3, 13, "packageA requires packageB/x.js synchronously", "use require.async"))
	r.Verdict = checks.VerdictFail
	return r
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestUsage(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file.txt")
	writeFile(t, file, "x")
	tests := []struct {
		name       string
		args       []string
		code       int
		wantOut    string // in stdout
		wantErr    string // in stderr
		wantNotErr bool   // stderr must be empty
	}{
		{"no command", nil, 2, "", "Usage:", false},
		{"help", []string{"help"}, 0, "mpgate check [flags] [DIR]", "", true},
		{"-h", []string{"-h"}, 0, "Exit codes:", "", true},
		{"--help", []string{"--help"}, 0, "Usage:", "", true},
		{"help check", []string{"help", "check"}, 0, "--format", "", true},
		{"help unknown", []string{"help", "deploy"}, 2, "", `unknown command "deploy"`, false},
		{"check -h", []string{"check", "-h"}, 0, "--no-color", "", true},
		{"check --help", []string{"check", "--help"}, 0, "--project string", "", true},
		{"version", []string{"version"}, 0, "mpgate ", "", true},
		{"version with args", []string{"version", "x"}, 2, "", "no arguments", false},
		{"unknown command", []string{"chek"}, 2, "", `unknown command "chek"; run 'mpgate help'`, false},
		{"flag before command", []string{"--format", "json"}, 2, "", "flags come after it", false},
		{"unknown flag", []string{"check", "--colour"}, 2, "", "flag provided but not defined: -colour (see 'mpgate check -h')", false},
		{"flag without value", []string{"check", "--format"}, 2, "", "flag needs an argument: -format", false},
		{"bad format", []string{"check", "--format", "xml", dir}, 2, "", `--format "xml": want text, json, markdown, sarif or codequality`, false},
		{"bad platform", []string{"check", "--platform", "weixin", dir}, 2, "", `--platform "weixin"`, false},
		{"two dirs", []string{"check", dir, dir}, 2, "", "one directory at a time", false},
		{"missing dir", []string{"check", filepath.Join(dir, "nope")}, 2, "", "cannot read directory " + filepath.Join(dir, "nope") + ": no such directory", false},
		{"file as dir", []string{"check", file}, 2, "", "not a directory", false},
		{"missing config", []string{"check", "--config", filepath.Join(dir, "none.yml"), dir}, 2, "", "none.yml: no such file", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeEngine(t, passing)
			got := runArgs(t, nil, tt.args...)
			if got.code != tt.code {
				t.Errorf("exit code = %d, want %d (err %v)", got.code, tt.code, got.err)
			}
			if !strings.Contains(got.stdout, tt.wantOut) {
				t.Errorf("stdout does not contain %q:\n%s", tt.wantOut, got.stdout)
			}
			if !strings.Contains(got.stderr, tt.wantErr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.wantErr, got.stderr)
			}
			if tt.wantNotErr && got.stderr != "" {
				t.Errorf("stderr = %q, want nothing", got.stderr)
			}
		})
	}
}

func TestUnreadableDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any directory")
	}
	dir := filepath.Join(t.TempDir(), "locked")
	if err := os.Mkdir(dir, 0o000); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	got := runArgs(t, nil, "check", dir)
	if got.code != 2 || !strings.Contains(got.stderr, "cannot read directory") {
		t.Errorf("code %d, stderr %q", got.code, got.stderr)
	}
}

func TestBadConfig(t *testing.T) {
	tests := []struct {
		name, config string
		want         []string
	}{
		{"unknown key", "projects:\n  - name: shop\n    limit: {package: 2MB}\n",
			[]string{".mpgate.yml:3: unknown key \"limit\" in projects[0]; valid keys: name, platform, root, build, install, limits", "docs/config.md"}},
		{"bad unit and platform", "projects:\n  - platform: weixin\n    limits: {package: 2 MiBs}\n",
			[]string{".mpgate.yml:3: projects[0].limits.package"}},
		{"bad platform", "projects:\n  - platform: weixin\n", []string{".mpgate.yml:2: projects[0].platform \"weixin\""}},
		{"not yaml", "projects: [\n", []string{".mpgate.yml", "invalid YAML"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := fakeEngine(t, passing)
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, ".mpgate.yml"), tt.config)
			got := runArgs(t, nil, "check", dir)
			if got.code != 2 {
				t.Errorf("exit code = %d, want 2", got.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(got.stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, got.stderr)
				}
			}
			if len(*calls) != 0 {
				t.Errorf("engine ran %d times on a bad config", len(*calls))
			}
		})
	}
}

func TestCheckWiring(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ".mpgate.yml"), `projects:
  - name: shop
    platform: alipay
    root: apps/shop
    limits: {package: 3MB}
  - name: admin
    root: apps/admin
    build: npm run build:admin
`)
	if err := os.MkdirAll(filepath.Join(dir, "apps", "shop"), 0o755); err != nil {
		t.Fatal(err)
	}

	t.Run("project flags reach the engine", func(t *testing.T) {
		calls := fakeEngine(t, passing)
		got := runArgs(t, nil, "check", dir, "--project", "shop", "--root", "miniprogram", "--platform", "qq")
		if got.code != 0 {
			t.Fatalf("exit code %d: %s", got.code, got.stderr)
		}
		if len(*calls) != 1 {
			t.Fatalf("engine ran %d times, want 1", len(*calls))
		}
		c := (*calls)[0]
		if c.dir != filepath.Join(dir, "apps", "shop") {
			t.Errorf("dir = %q", c.dir)
		}
		if c.opt.Platform != platform.QQ || c.opt.Root != "miniprogram" {
			t.Errorf("options = %+v", c.opt)
		}
		if c.opt.Limits.Package != 3<<20 || c.opt.Limits.MainPackage != 3<<20 {
			t.Errorf("limits = %+v", c.opt.Limits)
		}
		if c.opt.Progress != nil {
			t.Error("progress callback set although stderr is no terminal")
		}
		if c.opt.BuildOutput {
			t.Error("BuildOutput set for a project without build")
		}
		if !strings.Contains(got.stdout, "project shop") {
			t.Errorf("report lacks the project name:\n%s", got.stdout)
		}
	})
	t.Run("platform from config", func(t *testing.T) {
		calls := fakeEngine(t, passing)
		runArgs(t, nil, "check", "--project=shop", dir)
		if len(*calls) != 1 || (*calls)[0].opt.Platform != platform.Alipay {
			t.Errorf("calls = %+v", *calls)
		}
	})
	t.Run("unknown project", func(t *testing.T) {
		fakeEngine(t, passing)
		got := runArgs(t, nil, "check", dir, "--project", "web")
		if got.code != 2 || !strings.Contains(got.stderr, `no project "web" in `+filepath.Join(dir, ".mpgate.yml")+`; its projects: "shop", "admin"`) {
			t.Errorf("code %d, stderr %q", got.code, got.stderr)
		}
	})
	t.Run("missing build output names the build", func(t *testing.T) {
		fakeEngine(t, passing)
		got := runArgs(t, nil, "check", dir)
		if got.code != 2 || !strings.Contains(got.stderr, `project admin: cannot read directory`) ||
			!strings.Contains(got.stderr, `built by "npm run build:admin": run the build first`) {
			t.Errorf("code %d, stderr %q", got.code, got.stderr)
		}
	})
	t.Run("explicit config elsewhere", func(t *testing.T) {
		calls := fakeEngine(t, passing)
		other := filepath.Join(t.TempDir(), "ci.yml")
		writeFile(t, other, "projects:\n  - root: apps/shop\n    platform: douyin\n")
		got := runArgs(t, nil, "check", "--config", other, dir)
		if got.code != 0 || len(*calls) != 1 || (*calls)[0].opt.Platform != platform.Douyin {
			t.Errorf("code %d, calls %+v, stderr %s", got.code, *calls, got.stderr)
		}
	})
}

func TestCheckOutputs(t *testing.T) {
	dir := t.TempDir()
	two := t.TempDir()
	writeFile(t, filepath.Join(two, ".mpgate.yml"), "projects:\n  - {name: a, root: a}\n  - {name: b, root: b}\n")
	for _, sub := range []string{"a", "b"} {
		if err := os.Mkdir(filepath.Join(two, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		engine func(string) *checks.Report
		args   []string
		env    map[string]string
		code   int
		check  func(t *testing.T, r result)
	}{
		{"text pass with warning", passing, []string{"check", dir}, nil, 0, func(t *testing.T, r result) {
			if !strings.Contains(r.stdout, "Verdict: PASS") || !strings.Contains(r.stdout, "MP304") {
				t.Errorf("stdout:\n%s", r.stdout)
			}
			if strings.Contains(r.stdout, "\x1b[") {
				t.Error("colour on a non-terminal")
			}
		}},
		{"text fail", failing, []string{"check", dir}, nil, 1, func(t *testing.T, r result) {
			if !strings.Contains(r.stdout, "packageA/a.js:3:13 MP201") {
				t.Errorf("stdout:\n%s", r.stdout)
			}
			if !strings.Contains(r.stderr, "check failed: 1 error diagnostic") {
				t.Errorf("stderr: %s", r.stderr)
			}
		}},
		{"json single is the contract", passing, []string{"check", "--format", "json", dir}, nil, 0, func(t *testing.T, r result) {
			var m map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, r.stdout)
			}
			if m["schema"] != checks.Schema || m["gates"] == nil {
				t.Errorf("json = %v", m)
			}
		}},
		{"json several projects", passing, []string{"check", two, "--format=json"}, nil, 0, func(t *testing.T, r result) {
			var m struct {
				Schema  string          `json:"schema"`
				Reports []checks.Report `json:"reports"`
				Verdict string          `json:"verdict"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if m.Schema != "mpgate.reports/v1" || len(m.Reports) != 2 || m.Verdict != "pass" ||
				m.Reports[0].Project != "a" || m.Reports[1].Project != "b" {
				t.Errorf("json = %+v", m)
			}
		}},
		{"text several projects, one failing", func(dir string) *checks.Report {
			if strings.HasSuffix(dir, "b") {
				return failing(dir)
			}
			return passing(dir)
		}, []string{"check", two}, nil, 1, func(t *testing.T, r result) {
			if !strings.Contains(r.stdout, "Overall verdict: FAIL (2 projects)") {
				t.Errorf("stdout:\n%s", r.stdout)
			}
			if !strings.Contains(r.stderr, "check failed: b: 1 error diagnostic") {
				t.Errorf("stderr: %s", r.stderr)
			}
		}},
		{"sarif with project paths", failing, []string{"check", "--format", "sarif", two}, nil, 1, func(t *testing.T, r result) {
			if !strings.Contains(r.stdout, `"version": "2.1.0"`) || !strings.Contains(r.stdout, `"uri": "b/packageA/a.js"`) {
				t.Errorf("stdout:\n%s", r.stdout)
			}
		}},
		{"codequality", failing, []string{"check", "--format", "codequality", dir}, nil, 1, func(t *testing.T, r result) {
			var issues []map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &issues); err != nil || len(issues) != 2 {
				t.Errorf("issues %v, err %v:\n%s", issues, err, r.stdout)
			}
		}},
		{"markdown", passing, []string{"check", "--format", "markdown", dir}, nil, 0, func(t *testing.T, r result) {
			if !strings.HasPrefix(r.stdout, "### mpgate") || !strings.Contains(r.stdout, "| Package |") {
				t.Errorf("stdout:\n%s", r.stdout)
			}
		}},
		{"failed gate", func(dir string) *checks.Report {
			r := passing(dir)
			r.Gates = []checks.Gate{{Name: "size-delta", Status: checks.GateFail, Summary: "+7%"}}
			return r
		}, []string{"check", dir}, nil, 1, func(t *testing.T, r result) {
			if !strings.Contains(r.stderr, "1 failed gate") {
				t.Errorf("stderr: %s", r.stderr)
			}
		}},
		{"gate error fails too", func(dir string) *checks.Report {
			r := passing(dir)
			r.Gates = []checks.Gate{{Name: "coverage", Status: checks.GateError, Summary: "no report"}}
			return r
		}, []string{"check", dir}, nil, 1, func(t *testing.T, r result) {}},
		{"width from COLUMNS", passing, []string{"check", dir}, map[string]string{"COLUMNS": "120"}, 0, func(t *testing.T, r result) {
			if !strings.Contains(r.stdout, "Verdict") {
				t.Errorf("stdout:\n%s", r.stdout)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeEngine(t, tt.engine)
			got := runArgs(t, tt.env, tt.args...)
			if got.code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %s)", got.code, tt.code, got.stderr)
			}
			tt.check(t, got)
		})
	}
}

func TestOutputFile(t *testing.T) {
	fakeEngine(t, failing)
	dir := t.TempDir()
	out := filepath.Join(t.TempDir(), "report.json")
	got := runArgs(t, map[string]string{}, "check", "--format", "json", "--output", out, dir)
	if got.code != 1 {
		t.Fatalf("exit code %d: %s", got.code, got.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != got.stdout {
		t.Errorf("file and stdout differ:\n%s\n---\n%s", data, got.stdout)
	}
	got = runArgs(t, nil, "check", "--output", filepath.Join(dir, "no", "such", "dir", "r.txt"), dir)
	if got.code != 2 || !strings.Contains(got.stderr, "--output") {
		t.Errorf("unwritable output: code %d, stderr %s", got.code, got.stderr)
	}
}

func TestEngineError(t *testing.T) {
	saved := analyzeRun
	t.Cleanup(func() { analyzeRun = saved })
	analyzeRun = func(ctx context.Context, dir string, opt analyze.Options) (*checks.Report, error) {
		return nil, fmt.Errorf("walking %s: %w", dir, analyze.ErrNotADirectory)
	}
	dir := t.TempDir()
	got := runArgs(t, nil, "check", dir)
	if got.code != 2 || !strings.Contains(got.stderr, "analysing "+dir+": walking") {
		t.Errorf("code %d, stderr %s", got.code, got.stderr)
	}

	analyzeRun = func(ctx context.Context, dir string, opt analyze.Options) (*checks.Report, error) {
		return nil, ctx.Err()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"check", dir}, func(string) string { return "" }, &stdout, &stderr)
	if !errors.Is(err, context.Canceled) || exitCode(err) != exitCanceled {
		t.Errorf("canceled run: err %v, code %d", err, exitCode(err))
	}
	report(&stderr, err)
	if stderr.String() != "mpgate: interrupted\n" {
		t.Errorf("stderr = %q", stderr.String())
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"usage", usageError("bad"), 2},
		{"fail", &exitError{code: 1, err: errors.New("x")}, 1},
		{"wrapped", fmt.Errorf("outer: %w", &exitError{code: 1, err: errors.New("x")}), 1},
		{"canceled", fmt.Errorf("analysing: %w", context.Canceled), 130},
		{"other", errors.New("disk full"), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args       []string
		positional []string
		format     string
	}{
		{[]string{"dir", "--format", "json"}, []string{"dir"}, "json"},
		{[]string{"--format", "json", "dir"}, []string{"dir"}, "json"},
		{[]string{"--", "--format"}, []string{"--format"}, "text"},
		{[]string{"a", "--", "-b"}, []string{"a", "-b"}, "text"},
		{nil, nil, "text"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var f checkFlags
			got, err := parseInterspersed(newCheckFlagSet(&f), tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(tt.positional, "|") || f.Format != tt.format {
				t.Errorf("got %q format %q, want %q format %q", got, f.Format, tt.positional, tt.format)
			}
		})
	}
}

func TestColorNeedsTerminal(t *testing.T) {
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file is a terminal")
	}
}
