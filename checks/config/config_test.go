package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/platform"
)

func TestParseValid(t *testing.T) {
	t.Parallel()
	full := `projects:                      # one or more mini-programs in the repository
  - name: shop
    platform: wechat
    root: dist/shop/
    build: "npm ci && npm run build:shop"
    limits: {package: 2MB, main: 1.5MB, total: 30MB, preload: 2048KiB, warn: 90%}
  - name: admin
    root: ./admin
gates:
  size: {max_growth: 5%, max_growth_bytes: 50KB}
  lint: {report: reports/eslint.json, command: npm run lint, fail_on: warning, changed_lines_only: false}
  coverage: {report: coverage/lcov.info, min: 70%, max_drop: 1%, patch_min: 85.5%}
modules:
  - {name: payment, paths: ["packagePay/**"], changelog: packagePay/CHANGELOG.md}
  - {name: core, paths: ["utils/**", "app.js"], tag: "core-v{version}"}
release: {tag: "{module}@v{version}", pr: false}
trust: {build_forks: after_approval}
`
	tests := []struct {
		name  string
		input string
		check func(t *testing.T, c *Config)
	}{
		{"empty file gives defaults", "", func(t *testing.T, c *Config) {
			want := Default()
			want.File = "x.yml"
			if !reflect.DeepEqual(c, want) {
				t.Errorf("got %+v, want defaults %+v", c, want)
			}
		}},
		{"comment only gives defaults", "# nothing yet\n", func(t *testing.T, c *Config) {
			if len(c.Projects) != 1 || c.Projects[0].Root != "." || c.Projects[0].Platform != "" {
				t.Errorf("projects = %+v, want one detected project at .", c.Projects)
			}
		}},
		{"full sketch", full, func(t *testing.T, c *Config) {
			if len(c.Projects) != 2 {
				t.Fatalf("projects = %d, want 2", len(c.Projects))
			}
			shop := c.Projects[0]
			if shop.Name != "shop" || shop.Platform != platform.WeChat || shop.Root != "dist/shop" || shop.Line != 2 {
				t.Errorf("shop = %+v", shop)
			}
			wantLimits := checks.Limits{Package: 2 << 20, MainPackage: 3 << 19, Total: 30 << 20, Preload: 2 << 20, Warn: 90}
			if got := shop.CheckLimits(); got != wantLimits {
				t.Errorf("limits = %+v, want %+v", got, wantLimits)
			}
			if c.Projects[1].Root != "admin" || c.Projects[1].Platform != "" || c.Projects[1].Line != 7 {
				t.Errorf("admin = %+v", c.Projects[1])
			}
			g := c.Gates
			if *g.Size.MaxGrowth != 5 || *g.Size.MaxGrowthBytes != 50<<10 {
				t.Errorf("size gate = %v %v", *g.Size.MaxGrowth, *g.Size.MaxGrowthBytes)
			}
			if g.Lint.FailOn != FailOnWarning || g.Lint.ChangedLinesOnly || g.Lint.Command != "npm run lint" {
				t.Errorf("lint gate = %+v", g.Lint)
			}
			if *g.Coverage.Min != 70 || *g.Coverage.MaxDrop != 1 || *g.Coverage.PatchMin != 85.5 {
				t.Errorf("coverage gate = %v %v %v", *g.Coverage.Min, *g.Coverage.MaxDrop, *g.Coverage.PatchMin)
			}
			if len(c.Modules) != 2 || c.Modules[1].Tag != "core-v{version}" || c.Modules[0].Line != 14 {
				t.Errorf("modules = %+v", c.Modules)
			}
			if c.Release.PR || c.Trust.BuildForks != BuildForksAfterApproval {
				t.Errorf("release/trust = %+v %+v", c.Release, c.Trust)
			}
		}},
		{"partial gates keep other defaults", "gates:\n  size:\n    max_growth_bytes: 10KB\n", func(t *testing.T, c *Config) {
			if c.Gates.Size.MaxGrowth == nil || *c.Gates.Size.MaxGrowth != 5 {
				t.Errorf("max_growth = %v, want the default 5%%", c.Gates.Size.MaxGrowth)
			}
			if *c.Gates.Size.MaxGrowthBytes != 10<<10 || *c.Gates.Coverage.Min != 80 {
				t.Errorf("gates = %+v", c.Gates)
			}
		}},
		{"null turns a bound off", "gates:\n  size: {max_growth: null}\n  coverage: {patch_min: ~}\n", func(t *testing.T, c *Config) {
			if c.Gates.Size.MaxGrowth != nil || c.Gates.Coverage.PatchMin != nil {
				t.Errorf("bounds = %v %v, want nil", c.Gates.Size.MaxGrowth, c.Gates.Coverage.PatchMin)
			}
			if *c.Gates.Coverage.Min != 80 {
				t.Errorf("min = %v, want 80", *c.Gates.Coverage.Min)
			}
		}},
		{"null limit keeps the platform default", "projects:\n  - limits: {package: null}\n", func(t *testing.T, c *Config) {
			if c.Projects[0].Limits.Package != 0 {
				t.Errorf("package = %v", c.Projects[0].Limits.Package)
			}
		}},
		{"merge keys", "x: &d {platform: alipay, root: a}\n", nil},
		{"changelog gate off by default", "trust: {build_forks: never}\n", func(t *testing.T, c *Config) {
			if c.Gates.Changelog != (ChangelogGate{Label: "no-changelog"}) {
				t.Errorf("changelog gate = %+v, want off with the no-changelog label", c.Gates.Changelog)
			}
		}},
		{"changelog gate on keeps the default label", "gates:\n  changelog: {enabled: true}\n", func(t *testing.T, c *Config) {
			if c.Gates.Changelog != (ChangelogGate{Enabled: true, Label: "no-changelog"}) {
				t.Errorf("changelog gate = %+v", c.Gates.Changelog)
			}
		}},
		{"changelog gate with its own label", "gates:\n  changelog:\n    enabled: true\n    label: skip-changelog\n", func(t *testing.T, c *Config) {
			if c.Gates.Changelog != (ChangelogGate{Enabled: true, Label: "skip-changelog"}) {
				t.Errorf("changelog gate = %+v", c.Gates.Changelog)
			}
		}},
		{"single project without name", "projects:\n  - root: miniprogram\n", func(t *testing.T, c *Config) {
			if c.Projects[0].Root != "miniprogram" || c.Projects[0].Name != "" {
				t.Errorf("project = %+v", c.Projects[0])
			}
		}},
		{"root dot", "projects:\n  - root: .\n    platform: douyin\n", func(t *testing.T, c *Config) {
			if c.Projects[0].Root != "." || c.Projects[0].Platform != platform.Douyin {
				t.Errorf("project = %+v", c.Projects[0])
			}
		}},
		{"yaml anchors and merge", "projects:\n  - &base {name: a, platform: qq, root: a}\n  - <<: *base\n    name: b\n    root: b\n", func(t *testing.T, c *Config) {
			if len(c.Projects) != 2 || c.Projects[1].Platform != platform.QQ || c.Projects[1].Name != "b" {
				t.Errorf("projects = %+v", c.Projects)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse([]byte(tt.input), "x.yml")
			if tt.check == nil {
				if err == nil {
					t.Fatalf("Parse succeeded, want an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.File != "x.yml" {
				t.Errorf("File = %q", c.File)
			}
			tt.check(t, c)
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		line  int
		want  string // substring of the message
	}{
		{"unknown key in project", "projects:\n  - name: shop\n    limit: {package: 2MB}\n", 3,
			`x.yml:3: unknown key "limit" in projects[0]; valid keys: name, platform, root, build, install, limits`},
		{"unknown top-level key", "project:\n  - root: .\n", 1,
			`unknown key "project" at the top level; valid keys: projects, gates, modules, boundaries, release, trust`},
		{"unknown gate", "gates:\n  sizes: {}\n", 2, `unknown key "sizes" in gates; valid keys: size, lint, coverage`},
		{"unknown limit", "projects:\n  - limits:\n      pkg: 2MB\n", 3, `in projects[0].limits; valid keys: package, main, total, preload, warn`},
		{"install empty", "projects:\n  - build: npm run build\n    install: \"  \"\n", 3, `projects[0].install is empty; write the command that installs the dependencies (npm ci), or auto`},
		{"install without build", "projects:\n  - root: dist\n    install: npm ci\n", 3, `projects[0].install needs a build`},
		{"size without unit", "projects:\n  - limits: {package: 2048}\n", 2, `projects[0].limits.package: size "2048" has no unit`},
		{"size bad unit", "projects:\n  - limits:\n      total: 2 MiBs\n", 3, `unknown unit "MiBs"`},
		{"size bits", "gates: {size: {max_growth_bytes: 5Mb}}\n", 1, `ambiguous`},
		{"size negative", "projects:\n  - limits: {package: -2MB}\n", 2, `invalid size "-2MB"`},
		{"size zero", "projects:\n  - limits: {package: 0MB}\n", 2, `must be more than 0`},
		{"size list", "projects:\n  - limits: {package: [2MB]}\n", 2, `want a size such as 2MB, got a list`},
		{"percent without sign", "gates:\n  size:\n    max_growth: 5\n", 3, `has no percent sign`},
		{"percent over 100", "gates:\n  coverage:\n    min: 120%\n", 3, `gates.coverage.min is 120%; want a share from 0% to 100%`},
		{"warn zero", "projects:\n  - limits: {warn: 0%}\n", 2, `warn is 0%`},
		{"bad platform", "projects:\n  - platform: weixin\n", 2,
			`projects[0].platform "weixin" is not a platform; valid values: wechat, alipay, douyin, baidu, qq`},
		{"platform case", "projects:\n  - platform: WeChat\n", 2, `(write "wechat", in lower case)`},
		{"duplicate names", "projects:\n  - {name: a, root: x}\n  - {name: a, root: y}\n", 3, `project name "a" used twice (first at line 2)`},
		{"missing name with several", "projects:\n  - root: x\n  - {name: b, root: y}\n", 2, `projects[0] has no name`},
		{"empty root", "projects:\n  - root: \"\"\n", 2, `projects[0].root is empty`},
		{"root outside", "projects:\n  - root: ../other\n", 2, `must stay inside the repository`},
		{"root absolute", "projects:\n  - root: /srv/app\n", 2, `must be relative`},
		{"empty projects", "projects: []\n", 1, `projects is empty`},
		{"duplicate key", "trust: {build_forks: never}\ntrust: {build_forks: always}\n", 2, `key "trust" appears twice at the top level (first at line 1)`},
		{"bool", "release: {pr: yes}\n", 1, `release.pr: want true or false, got "yes"`},
		{"string gets list", "projects:\n  - name: [a]\n", 2, `projects[0].name: want a string, got a list`},
		{"projects mapping", "projects:\n  name: a\n", 2, `projects: want a list, got a mapping`},
		{"top level list", "- a\n", 1, `the config: want a mapping with the keys projects`},
		{"fail_on", "gates: {lint: {report: a.json, fail_on: fatal}}\n", 1, `gates.lint.fail_on is "fatal"`},
		{"lint command without report", "gates:\n  lint:\n    command: npm run lint\n", 3, `needs gates.lint.report`},
		{"changelog label empty", "gates:\n  changelog:\n    enabled: true\n    label: \"\"\n", 4, `gates.changelog.label is empty`},
		{"changelog unknown key", "gates:\n  changelog: {enable: true}\n", 2, `unknown key "enable" in gates.changelog; valid keys: enabled, label`},
		{"changelog enabled not a boolean", "gates:\n  changelog: {enabled: [x]}\n", 2, `gates.changelog.enabled`},
		{"build forks", "trust:\n  build_forks: sometimes\n", 2, `valid values: never, after_approval, always`},
		{"identity without email", "release:\n  identity: {name: Bot}\n", 2, `release.identity needs both name and email`},
		{"identity email", "release:\n  identity: {name: Bot, email: bot at example.com}\n", 2, `is not an e-mail address`},
		{"identity with brackets", "release:\n  identity: {name: Bot <x>, email: b@x}\n", 2, `may not contain <, >`},
		{"tag without version", "release:\n  tag: \"{module}\"\n", 2, `has no {version}`},
		{"tag unknown placeholder", "release:\n  tag: \"{name}@{version}\"\n", 2, `uses {name}`},
		{"tag collision", "modules:\n  - {name: a, paths: [a/**]}\n  - {name: b, paths: [b/**]}\nrelease:\n  tag: \"v{version}\"\n", 5, `would collide`},
		{"module without paths", "modules:\n  - name: a\n", 2, `modules[0] has no paths`},
		{"module bad glob", "modules:\n  - {name: a, paths: [\"a/[\"]}\n", 2, `not a valid glob`},
		{"module duplicate", "modules:\n  - {name: a, paths: [x]}\n  - {name: a, paths: [y]}\n", 3, `module name "a" used twice`},
		{"invalid yaml", "projects:\n  - name: a\n\troot: b\n", 2, `x.yml:2: invalid YAML: found a tab character that violates indentation`},
		{"invalid yaml indent", "projects:\n  - name: a\n   root: b\n", 1, `invalid YAML`},
		{"two documents", "trust: {build_forks: never}\n---\ntrust: {}\n", 2, `a second YAML document`},
		{"total under package", "projects:\n  - limits: {package: 4MB, total: 2MB}\n", 2, `total (2MB) is less than projects[0].limits.package (4MB)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse([]byte(tt.input), "x.yml")
			if err == nil {
				t.Fatalf("Parse succeeded with %+v, want an error containing %q", c, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false for %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if e.File != "x.yml" || e.Line != tt.line {
				t.Errorf("first error at %s:%d, want x.yml:%d (%v)", e.File, e.Line, tt.line, err)
			}
		})
	}
}

func TestParseReportsEveryError(t *testing.T) {
	_, err := Parse([]byte("projects:\n  - platform: nope\n    limit: 1\ntrust: {build_forks: maybe}\n"), "m.yml")
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("err = %v, want Errors", err)
	}
	// The shape errors stop before validation: the unknown key is reported
	// and the rest waits for a file that decodes.
	if len(es) != 1 || es[0].Line != 3 {
		t.Errorf("errors = %v", es)
	}
	_, err = Parse([]byte("projects:\n  - platform: nope\ntrust: {build_forks: maybe}\n"), "m.yml")
	if !errors.As(err, &es) || len(es) != 2 || es[0].Line != 2 || es[1].Line != 3 {
		t.Errorf("errors = %v, want two, at lines 2 and 3", err)
	}
}

func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	b.WriteString("modules:\n  - {name: m, paths: *a8}\n")
	_, err := Parse([]byte(b.String()), "bomb.yml")
	if err == nil {
		t.Fatal("Parse succeeded, want an error")
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, DefaultFile)
	if err := os.WriteFile(good, []byte("projects:\n  - {name: a, root: app}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yml")
	if err := os.WriteFile(bad, []byte("trust:\n  build_fork: never\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()

	t.Run("explicit file", func(t *testing.T) {
		c, err := Load(good)
		if err != nil || c.Projects[0].Root != "app" || c.File != good {
			t.Fatalf("Load = %+v, %v", c, err)
		}
	})
	t.Run("explicit missing file is an error", func(t *testing.T) {
		_, err := Load(filepath.Join(empty, "nope.yml"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("err = %v, want ErrNotExist", err)
		}
	})
	t.Run("invalid file names file and line", func(t *testing.T) {
		_, err := Load(bad)
		if err == nil || !strings.Contains(err.Error(), bad+":2: unknown key \"build_fork\" in trust; valid keys: build_forks") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("directory given as file", func(t *testing.T) {
		if _, err := Load(dir); err == nil {
			t.Fatal("Load(dir) succeeded")
		}
	})
	t.Run("LoadDir with file", func(t *testing.T) {
		c, err := LoadDir(dir)
		if err != nil || c.Projects[0].Name != "a" {
			t.Fatalf("LoadDir = %+v, %v", c, err)
		}
	})
	t.Run("LoadDir without file gives defaults", func(t *testing.T) {
		c, err := LoadDir(empty)
		if err != nil || !reflect.DeepEqual(c, Default()) {
			t.Fatalf("LoadDir = %+v, %v", c, err)
		}
	})
	t.Run("LoadDir with .mpgate.yaml asks for a rename", func(t *testing.T) {
		alt := t.TempDir()
		if err := os.WriteFile(filepath.Join(alt, ".mpgate.yaml"), []byte("trust: {}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadDir(alt)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "rename") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("Load default path", func(t *testing.T) {
		t.Chdir(empty)
		c, err := Load("")
		if err != nil || !reflect.DeepEqual(c, Default()) {
			t.Fatalf("Load(\"\") = %+v, %v", c, err)
		}
	})
}

func TestProjectLookup(t *testing.T) {
	c, err := Parse([]byte("projects:\n  - {name: a, root: x}\n  - {name: b, root: y}\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.ProjectNames(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("names = %v", got)
	}
	if p, ok := c.Project("b"); !ok || p.Root != "y" {
		t.Errorf("Project(b) = %+v, %v", p, ok)
	}
	if _, ok := c.Project("c"); ok {
		t.Error("Project(c) found")
	}
	if c.File != DefaultFile {
		t.Errorf("File = %q", c.File)
	}
}

func TestCheckLimitsPackageAppliesToMain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Limits
		want checks.Limits
	}{
		{"none", Limits{}, checks.Limits{}},
		{"package only", Limits{Package: 3 << 20}, checks.Limits{Package: 3 << 20, MainPackage: 3 << 20}},
		{"both", Limits{Package: 3 << 20, Main: 4 << 20}, checks.Limits{Package: 3 << 20, MainPackage: 4 << 20}},
		{"warn", Limits{Warn: 80}, checks.Limits{Warn: 80}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := (Project{Limits: tt.in}).CheckLimits(); got != tt.want {
				t.Errorf("CheckLimits = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSizeGateOptions(t *testing.T) {
	cfg, err := Parse([]byte("gates:\n  size:\n    noise_floor: 2KB\n    limits:\n      main: 1.5MB\n      \"package*\": 50%\n"), "x.yml")
	if err != nil {
		t.Fatal(err)
	}
	g := cfg.Gates.Size
	if g.NoiseFloor == nil || *g.NoiseFloor != 2048 {
		t.Errorf("noise_floor = %v", g.NoiseFloor)
	}
	if b := g.Limits["main"]; b.Bytes != 1536<<10 || b.Share != 0 {
		t.Errorf("limits.main = %+v", b)
	}
	if b := g.Limits["package*"]; b.Share != 50 || b.Of(2<<20) != 1<<20 {
		t.Errorf("limits[package*] = %+v", b)
	}
	def, _ := Parse(nil, "x.yml")
	if def.Gates.Size.NoiseFloor == nil || *def.Gates.Size.NoiseFloor != DefaultNoiseFloor {
		t.Errorf("default noise floor = %v, want 1KB", def.Gates.Size.NoiseFloor)
	}
	off, err := Parse([]byte("gates: {size: {noise_floor: null}}\n"), "x.yml")
	if err != nil || off.Gates.Size.NoiseFloor != nil {
		t.Errorf("noise_floor: null = %v, %v", off.Gates.Size.NoiseFloor, err)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"gates: {size: {limits: {packageA: 0%}}}", "x.yml:1: gates.size.limits[\"packageA\"]: budget \"0%\""},
		{"gates: {size: {limits: {packageA: 150%}}}", "at most 100%"},
		{"gates: {size: {limits: {packageA: 200}}}", "has no unit"},
		{"gates: {size: {limits: {\"[\": 1KB}}}", "not a valid glob"},
		{"gates: {size: {limits: {packageA: null}}}", "remove the key"},
		{"gates: {size: {limits: [1KB]}}", "want a mapping"},
		{"gates:\n  size:\n    limits:\n      a: 1KB\n      a: 2KB\n", "x.yml:5: key \"a\" appears twice"},
		{"gates: {size: {noise_floor: 1}}", "has no unit"},
	} {
		_, err := Parse([]byte(tc.yaml), "x.yml")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

func TestParseInstall(t *testing.T) {
	c, err := Parse([]byte("projects:\n  - name: a\n    install: auto\n    build: npm run build\n  - name: b\n    install: pnpm install --frozen-lockfile\n    build: pnpm build\n  - name: c\n    build: make\n"), "x.yml")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"auto", "pnpm install --frozen-lockfile", ""} {
		if got := c.Projects[i].Install; got != want {
			t.Errorf("projects[%d].install = %q, want %q", i, got, want)
		}
	}
}
