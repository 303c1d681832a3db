package release

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/config"
)

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"1.2.3", "1.2.3", true},
		{"0.0.0", "0.0.0", true},
		{"1.2.3-rc.1+build.5", "1.2.3-rc.1+build.5", true},
		{"10.20.30-alpha-1.0", "10.20.30-alpha-1.0", true},
		{"01.2.3", "", false},
		{"1.2", "", false},
		{"v1.2.3", "", false},
		{"1.2.3-01", "", false},
		{"1.2.3-", "", false},
		{"1.2.3-a..b", "", false},
		{"1.2.3+", "", false},
		{"1.2.x", "", false},
		{"99999999999999999999.0.0", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			v, err := ParseVersion(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseVersion(%q) err = %v, want ok=%v", tc.in, err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrVersion) {
				t.Errorf("error %v is not ErrVersion", err)
			}
			if tc.ok && v.String() != tc.want {
				t.Errorf("String() = %q, want %q", v, tc.want)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	// Semantic Versioning 2.0.0 §11's example order.
	order := []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0"}
	for i := range order {
		for j := range order {
			a, _ := ParseVersion(order[i])
			b, _ := ParseVersion(order[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := a.Compare(b); got != want {
				t.Errorf("%s vs %s = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
	a, _ := ParseVersion("1.0.0+a")
	b, _ := ParseVersion("1.0.0+b")
	if a.Compare(b) != 0 {
		t.Error("build metadata must not count")
	}
}

func TestNext(t *testing.T) {
	for _, tc := range []struct {
		cur  string
		bump Bump
		want string
	}{
		{"0.0.0", BumpPatch, "0.1.0"},
		{"0.0.0", BumpMajor, "0.1.0"},
		{"0.0.0", BumpNone, "0.0.0"},
		{"0.3.1", BumpPatch, "0.3.2"},
		{"0.3.1", BumpMinor, "0.4.0"},
		{"0.3.1", BumpMajor, "0.4.0"}, // breaking in 0.x bumps minor
		{"1.2.3", BumpPatch, "1.2.4"},
		{"1.2.3", BumpMinor, "1.3.0"},
		{"1.2.3", BumpMajor, "2.0.0"},
		{"1.2.0-rc.1", BumpPatch, "1.2.0"},
		{"1.2.3+b", BumpPatch, "1.2.4"},
	} {
		t.Run(tc.cur+"+"+tc.bump.String(), func(t *testing.T) {
			v, err := ParseVersion(tc.cur)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Next(tc.bump).String(); got != tc.want {
				t.Errorf("Next = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseCommit(t *testing.T) {
	for _, tc := range []struct {
		msg      string
		want     Commit
		sec      Section
		bump     Bump
		entry    bool
		parseErr bool
	}{
		{msg: "feat(payment): stored cards", want: Commit{Type: "feat", Scope: "payment", Description: "stored cards"}, sec: Added, bump: BumpMinor, entry: true},
		{msg: "fix: rounding", want: Commit{Type: "fix", Description: "rounding"}, sec: Fixed, bump: BumpPatch, entry: true},
		{msg: "feat!: new API", want: Commit{Type: "feat", Breaking: true, Description: "new API"}, sec: Breaking, bump: BumpMajor, entry: true},
		{msg: "Refactor(x)!: y", want: Commit{Type: "refactor", Scope: "x", Breaking: true, Description: "y"}, sec: Breaking, bump: BumpMajor, entry: true},
		{msg: "fix: a\n\nbody\n\nBREAKING CHANGE: config renamed", want: Commit{Type: "fix", Breaking: true, Description: "a", BreakingNote: "config renamed"}, sec: Breaking, bump: BumpMajor, entry: true},
		{msg: "perf: faster", want: Commit{Type: "perf", Description: "faster"}, sec: Changed, bump: BumpPatch, entry: true},
		{msg: "chore: deps", want: Commit{Type: "chore", Description: "deps"}},
		{msg: "Update README", parseErr: true},
		{msg: "feat:missing space", parseErr: true},
		{msg: "feat(): empty scope", parseErr: true},
		{msg: "feat(a: unclosed", parseErr: true},
		{msg: "fix: ", parseErr: true},
		{msg: "", parseErr: true},
	} {
		t.Run(tc.msg, func(t *testing.T) {
			c, err := ParseCommit(tc.msg)
			if tc.parseErr {
				if !errors.Is(err, ErrNotConventional) {
					t.Fatalf("err = %v, want ErrNotConventional", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c != tc.want {
				t.Errorf("got %+v, want %+v", c, tc.want)
			}
			sec, bump, ok := c.Classify()
			if ok != tc.entry || sec != tc.sec || bump != tc.bump {
				t.Errorf("Classify = %q %v %v, want %q %v %v", sec, bump, ok, tc.sec, tc.bump, tc.entry)
			}
		})
	}
}

func TestParseBlock(t *testing.T) {
	desc := "Fixes totals.\n\n```js\npayment: fix: not a block\n```\n\n```changelog\n" +
		"payment: fix: rounding of totals\n# a comment\n- app: feat(home)!: new banner\nnonsense\nx y: fix: z\n```\nafter: fix: outside\n"
	lines, errs, found := ParseBlock(desc)
	if !found {
		t.Fatal("block not found")
	}
	var got []string
	for _, l := range lines {
		got = append(got, l.Module+"|"+l.Commit.Type+"|"+l.Commit.Scope+"|"+l.Commit.Description)
	}
	want := []string{"payment|fix||rounding of totals", "app|feat|home|new banner"}
	if !slices.Equal(got, want) {
		t.Errorf("lines = %q, want %q", got, want)
	}
	if !lines[1].Commit.Breaking {
		t.Error("feat! must be breaking")
	}
	if len(errs) != 2 || errs[0].Line != 11 || errs[1].Line != 12 {
		t.Errorf("errs = %+v, want lines 11 and 12", errs)
	}
	for _, tc := range []struct {
		name, desc string
		found      bool
	}{
		{"none", "no block here", false},
		{"empty", "~~~~ changelog\n~~~~\n", true},
		{"indented code is not a fence", "    ```changelog\n    app: fix: x\n", false},
		{"unclosed runs to the end", "```changelog\napp: fix: x", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, found := ParseBlock(tc.desc)
			if found != tc.found {
				t.Errorf("found = %v, want %v", found, tc.found)
			}
		})
	}
}

func TestParseChangeFile(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		bumps     []ModuleBump
		summary   string
		ok        bool
	}{
		{"two modules", "---\npayment: minor\napp: patch\n---\nPay with stored cards.\n", []ModuleBump{{"payment", BumpMinor}, {"app", BumpPatch}}, "Pay with stored cards.", true},
		{"crlf", "---\r\napp: major\r\n---\r\nDropped v1 API.\r\n", []ModuleBump{{"app", BumpMajor}}, "Dropped v1 API.", true},
		{"empty front matter", "---\n---\n", nil, "", true},
		{"no front matter", "Just text\n", nil, "", false},
		{"unclosed", "---\napp: patch\n", nil, "", false},
		{"bad bump", "---\napp: huge\n---\nx\n", nil, "", false},
		{"no summary", "---\napp: patch\n---\n", nil, "", false},
		{"list", "---\n- app\n---\nx\n", nil, "", false},
		{"twice", "---\napp: patch\napp: minor\n---\nx\n", nil, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cf, err := ParseChangeFile(".changes/x.md", []byte(tc.src))
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if err != nil {
				if !errors.Is(err, ErrChangeFile) {
					t.Errorf("%v is not ErrChangeFile", err)
				}
				return
			}
			if !slices.Equal(cf.Bumps, tc.bumps) || cf.Summary != tc.summary {
				t.Errorf("got %+v %q, want %+v %q", cf.Bumps, cf.Summary, tc.bumps, tc.summary)
			}
		})
	}
}

func TestTagTemplate(t *testing.T) {
	for _, tc := range []struct {
		tmpl, module string
		tags         []string
		latest       string
		next         string
	}{
		{"{module}@v{version}", "payment", []string{"payment@v1.2.0", "payment@v1.10.0", "payment@v1.9.9", "app@v9.0.0", "payment@vx", "payment@v01.0.0"}, "payment@v1.10.0", "payment@v1.10.1"},
		{"packagePay/v{version}", "payment", []string{"packagePay/v0.3.0", "packagePay/v0.3.0-rc.1", "v9.0.0"}, "packagePay/v0.3.0", "packagePay/v0.3.1"},
		{"{module}/v{version}", "packagePay", []string{"packagePay/v2.0.0"}, "packagePay/v2.0.0", "packagePay/v2.0.1"},
		{"release-{module}-{version}-final", "app", []string{"release-app-1.0.0-final", "release-app-1.0.0-rc.1-final"}, "release-app-1.0.0-final", "release-app-1.0.1-final"},
		{"{module}@v{version}", "app", nil, "", "app@v0.1.0"},
	} {
		t.Run(tc.tmpl, func(t *testing.T) {
			tt, err := ParseTagTemplate(tc.tmpl, tc.module)
			if err != nil {
				t.Fatal(err)
			}
			tag, v, ok := tt.Latest(tc.tags)
			if tag != tc.latest || ok != (tc.latest != "") {
				t.Errorf("Latest = %q %v, want %q", tag, ok, tc.latest)
			}
			if got := tt.Tag(v.Next(BumpPatch)); got != tc.next {
				t.Errorf("next tag = %q, want %q", got, tc.next)
			}
		})
	}
	for _, bad := range []string{"{module}", "{version}{version}", "{module}@{ver}{version}", "a b{version}"} {
		t.Run("invalid "+bad, func(t *testing.T) {
			if _, err := ParseTagTemplate(bad, "m"); !errors.Is(err, ErrTagTemplate) {
				t.Errorf("err = %v, want ErrTagTemplate", err)
			}
		})
	}
}

func TestInsertSection(t *testing.T) {
	v := Version{Major: 1, Minor: 3}
	sec := "## [1.3.0] - 2026-11-21\n\n### Fixed\n\n- rounding\n"
	for _, tc := range []struct{ name, old string }{
		{"new", ""},
		{"title and intro", "# Changelog\n\nAll changes.\n\n## [1.2.0] - 2026-01-01\n\n### Added\n\n- cards\n"},
		{"no title", "## [1.2.0] - 2026-01-01\n\n- cards\n"},
		{"title only", "# Changelog\n"},
		{"fenced heading", "# Changelog\n\n```\n## not a heading\n```\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := InsertSection(tc.old, sec, v)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "insert-"+strings.ReplaceAll(tc.name, " ", "-")+".md", got)
		})
	}
	t.Run("exists", func(t *testing.T) {
		if _, err := InsertSection("# Changelog\n\n"+sec, sec, v); !errors.Is(err, ErrSectionExists) {
			t.Errorf("err = %v, want ErrSectionExists", err)
		}
	})
}

func TestRenderSection(t *testing.T) {
	entries := []Entry{
		{Module: "payment", Section: Fixed, Text: "rounding of totals", Request: 13},
		{Module: "payment", Section: Added, Scope: "cards", Text: "stored cards", Commit: "0123456789abcdef"},
		{Module: "payment", Section: Breaking, Scope: "payment", Text: "new API:\nold calls removed", Request: 15},
		{Module: "payment", Section: Changed, Text: "faster totals", File: ".changes/x.md"},
	}
	checkGolden(t, "section.md", RenderSection(Version{Major: 2}, "2026-11-21", entries))
}

func TestRouter(t *testing.T) {
	var mods []*Module
	for _, m := range []struct {
		name  string
		paths []string
	}{
		{"app", []string{"**"}},
		{"payment", []string{"packagePay/**"}},
		{"payment-sub", []string{"packagePay/sub/**"}},
		{"shared", []string{"packagePay/**/*.wxss"}},
		{"first", []string{"lib/a/**"}},
		{"second", []string{"lib/a/*.js"}},
	} {
		mod, err := newModule(m.name, m.paths, "", DefaultTag)
		if err != nil {
			t.Fatal(err)
		}
		mods = append(mods, mod)
	}
	r := NewRouter(mods)
	for _, tc := range []struct{ file, want string }{
		{"pages/index/index.js", "app"},
		{"packagePay/pages/pay.js", "payment"},
		{"packagePay/sub/x.js", "payment-sub"},
		{"packagePay/a.wxss", "payment"}, // same prefix length: first listed wins
		{"lib/a/x.js", "first"},          // tie: first listed wins
		{".changes/x.md", ""},            // dot-directories belong to no "**"
	} {
		t.Run(tc.file, func(t *testing.T) {
			got := ""
			if m := r.Module(tc.file); m != nil {
				got = m.Name
			}
			if got != tc.want {
				t.Errorf("Module(%q) = %q, want %q", tc.file, got, tc.want)
			}
		})
	}
}

func TestDefaultModules(t *testing.T) {
	dir := t.TempDir()
	for p, c := range map[string]string{
		"apps/shop/project.config.json": `{"miniprogramRoot": "./src/", "appid": "touristappid"}`,
		"apps/shop/src/app.json":        `{"pages": ["pages/index/index"], "subpackages": [{"root": "packageA/", "pages": ["p"]}, {"root": "./pkgs/b", "name": "b", "pages": ["p"]}]}`,
	} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := config.Default()
	cfg.Projects[0].Root = "apps/shop"
	cfg.Release.Tag = "{module}/v{version}"
	mods, err := Modules(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range mods {
		got = append(got, m.Name+" "+strings.Join(m.Paths, ",")+" "+m.Changelog+" "+m.Tag)
	}
	want := []string{
		"app apps/shop/src/** apps/shop/src/CHANGELOG.md {module}/v{version}",
		"packageA apps/shop/src/packageA/** apps/shop/src/packageA/CHANGELOG.md {module}/v{version}",
		"pkgs/b apps/shop/src/pkgs/b/** apps/shop/src/pkgs/b/CHANGELOG.md {module}/v{version}",
	}
	if !slices.Equal(got, want) {
		t.Errorf("modules:\n%q\nwant\n%q", got, want)
	}
	r := NewRouter(mods)
	if m := r.Module("apps/shop/src/pkgs/b/p.js"); m == nil || m.Name != "pkgs/b" {
		t.Errorf("routed to %v", m)
	}
	if m := r.Module("apps/shop/README.md"); m != nil {
		t.Errorf("a file outside the mini-program root routed to %s", m.Name)
	}
	t.Run("no app.json", func(t *testing.T) {
		if _, err := Modules(t.TempDir(), nil); !errors.Is(err, ErrModules) {
			t.Errorf("err = %v, want ErrModules", err)
		}
	})
}

func TestUnreleasedStaysOnTop(t *testing.T) {
	old := "# Changelog\n\n## [Unreleased]\n\n- wip\n\n## [1.2.0] - 2026-01-01\n\n- cards\n"
	got, err := InsertSection(old, "## [1.3.0] - 2026-11-21\n\n- x\n", Version{Major: 1, Minor: 3})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "insert-unreleased.md", got)
	v, notes, ok := TopSection(got, "m", nil)
	if !ok || v.String() != "1.3.0" || notes != "- x\n" {
		t.Errorf("TopSection = %v %q %v", v, notes, ok)
	}
}

func TestGate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		needs  []ModuleNeed
		err    error
		status string
		inSum  string
	}{
		{"pass", nil, nil, "pass", "every changed module"},
		{"fail", []ModuleNeed{{Module: "app"}, {Module: "packagePay"}}, nil, "fail", "app, packagePay"},
		{"error", nil, errors.New("boom"), "error", "boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := Gate(tc.needs, tc.err)
			if g.Rule != "GATE-CHANGELOG" || g.Status != tc.status || !strings.Contains(g.Summary, tc.inSum) {
				t.Errorf("Gate = %+v", g)
			}
		})
	}
}
