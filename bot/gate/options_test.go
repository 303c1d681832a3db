package gate

import (
	"context"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/config"
)

// grownRepo is a repository on a feature branch that grows packageA by 2 KB
// (+20%) and adds an uncovered line: the size and patch gates fail.
func grownRepo(t *testing.T) *repo {
	t.Helper()
	r := newRepo(t)
	r.Commit("base", program(map[string]string{".gitignore": "dist/\n"}))
	r.Git("checkout", "-q", "-b", "feature")
	r.Commit("grow", map[string]string{
		"src/packageA/assets/big.png": strings.Repeat("q", 2000),
		"src/packageA/util.js":        "module.exports = 1\n",
		"coverage/lcov.info":          "SF:src/app.js\nDA:1,1\nend_of_record\nSF:src/packageA/util.js\nDA:1,0\nend_of_record\n",
	})
	return r
}

func gatesByRule(res interface{ AllGates() []checks.Gate }) map[string]checks.Gate {
	out := map[string]checks.Gate{}
	for _, g := range res.AllGates() {
		out[g.Rule] = g
	}
	return out
}

func TestInformationalGatesAndApproveLabel(t *testing.T) {
	r := grownRepo(t)
	const build = "projects:\n  - name: shop\n    root: dist\n    build: rm -rf dist && cp -r src dist\n"
	tests := []struct {
		name    string
		gates   string
		labels  []string
		verdict string
		check   func(t *testing.T, gs map[string]checks.Gate)
	}{
		{"both gates block", "gates:\n  coverage: {report: coverage/lcov.info, patch_min: 80%}\n", nil, checks.VerdictFail,
			func(t *testing.T, gs map[string]checks.Gate) {
				if gs[checks.GateSize].Informational || gs[checks.GateSize].Status != checks.GateFail {
					t.Errorf("size %+v", gs[checks.GateSize])
				}
			}},
		{"informational", "gates:\n  size: {informational: true}\n  coverage: {report: coverage/lcov.info, patch_min: 80%, informational: true}\n", nil, checks.VerdictPass,
			func(t *testing.T, gs map[string]checks.Gate) {
				for _, rule := range []string{checks.GateSize, checks.GatePatch} {
					g := gs[rule]
					if g.Status != checks.GateFail || !g.Informational || !strings.Contains(g.Summary, "(informational: does not fail the check)") {
						t.Errorf("%s: %+v", rule, g)
					}
				}
			}},
		{"only coverage informational", "gates:\n  coverage: {report: coverage/lcov.info, patch_min: 80%, informational: true}\n", nil, checks.VerdictFail, nil},
		{"approve label", "gates:\n  coverage: {report: coverage/lcov.info, patch_min: 80%, informational: true}\n", []string{"bug", config.DefaultApproveSizeLabel}, checks.VerdictPass,
			func(t *testing.T, gs map[string]checks.Gate) {
				if g := gs[checks.GateSize]; g.Status != checks.GatePass || !strings.Contains(g.Summary, "approved by label mpgate:approve-size (the request carries the label mpgate:approve-size): packageA +") {
					t.Errorf("size %+v", g)
				}
			}},
		{"configured label", "gates:\n  size: {approve_label: size-ok}\n", []string{config.DefaultApproveSizeLabel}, checks.VerdictFail, nil},
		{"label turned off", "gates:\n  size: {approve_label: \"\"}\n", []string{""}, checks.VerdictFail, nil},
		{"configured label present", "gates:\n  size: {approve_label: size-ok}\n", []string{"size-ok"}, checks.VerdictPass, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(build+tc.gates), ".mpgate.yml")
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), Spec{RepoDir: r.Dir, BaseRef: "main", Config: cfg, Labels: tc.labels})
			if err != nil {
				t.Fatal(err)
			}
			gs := gatesByRule(res)
			if res.Verdict != tc.verdict {
				t.Errorf("verdict %s, want %s; gates %+v", res.Verdict, tc.verdict, gs)
			}
			if tc.check != nil {
				tc.check(t, gs)
			}
		})
	}
}

func TestAbsoluteGatesWithoutBase(t *testing.T) {
	r := grownRepo(t)
	cfg, err := config.Parse([]byte("projects:\n  - name: shop\n    root: dist\n    build: rm -rf dist && cp -r src dist\n"+
		"gates:\n  coverage: {report: coverage/lcov.info, min: 80%, max_drop: 1%, patch_min: 80%}\n  changelog: {enabled: true}\n"), ".mpgate.yml")
	if err != nil {
		t.Fatal(err)
	}
	// A run with neither --base nor a base report: the coverage minimum
	// fails (50%), growth, patch and changelog are skipped, not errors.
	res, err := Run(context.Background(), Spec{RepoDir: r.Dir, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	gs := gatesByRule(res)
	if g := gs[checks.GateCov]; g.Status != checks.GateFail || !strings.Contains(g.Summary, "50.00% (minimum 80%); drop skipped: no base") {
		t.Errorf("coverage %+v", g)
	}
	for _, rule := range []string{checks.GatePatch, checks.GateSize, checks.GateChangelog} {
		if g := gs[rule]; g.Status != checks.GateSkip || !strings.Contains(g.Summary, "skipped: no base") {
			t.Errorf("%s %+v", rule, g)
		}
	}
	if res.Verdict != checks.VerdictFail {
		t.Errorf("verdict %s", res.Verdict)
	}
	// Absolute, from a subdirectory of the repository: the same gates.
	abs := Absolute(context.Background(), Spec{RepoDir: r.Dir + "/src", Config: cfg})
	if len(abs) != 3 || abs[0].Rule != checks.GateCov || abs[0].Status != checks.GateFail || abs[1].Status != checks.GateSkip {
		t.Errorf("absolute gates %+v", abs)
	}
}

// TestBaseReportRevision: a stored base report that names its commit lets
// the patch gate know the changed lines (it errored before); one whose
// commit is unknown still says why.
func TestBaseReportRevision(t *testing.T) {
	r := grownRepo(t)
	cfg, err := config.Parse([]byte("projects:\n  - name: shop\n    root: dist\n    build: rm -rf dist && cp -r src dist\n"+
		"gates:\n  coverage: {report: coverage/lcov.info, patch_min: 80%}\n"), ".mpgate.yml")
	if err != nil {
		t.Fatal(err)
	}
	mainSHA := r.Git("rev-parse", "main")
	// The base report as `mpgate check` writes it on main.
	r.Git("checkout", "-q", "main")
	baseRes, err := Run(context.Background(), Spec{RepoDir: r.Dir, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	base := baseRes.Projects[0].Head
	StampRevision(context.Background(), r.Dir, []*checks.Report{base})
	if base.Revision != mainSHA {
		t.Fatalf("stamped revision %q, want %s", base.Revision, mainSHA)
	}
	r.Git("checkout", "-q", "feature")
	res, err := Run(context.Background(), Spec{RepoDir: r.Dir, Config: cfg, BaseReports: map[string]*checks.Report{"shop": base}})
	if err != nil {
		t.Fatal(err)
	}
	if res.BaseRev != mainSHA {
		t.Errorf("base rev %q, want the report's %s", res.BaseRev, mainSHA)
	}
	if g := gatesByRule(res)[checks.GatePatch]; g.Status != checks.GateFail || !strings.Contains(g.Summary, "of 1 changed lines") {
		t.Errorf("patch gate %+v", g)
	}
	base.Revision = strings.Repeat("ab", 20)
	res, err = Run(context.Background(), Spec{RepoDir: r.Dir, Config: cfg, BaseReports: map[string]*checks.Report{"shop": base}})
	if err != nil {
		t.Fatal(err)
	}
	if g := gatesByRule(res)[checks.GatePatch]; g.Status != checks.GateError {
		t.Errorf("patch gate with an unknown revision %+v", g)
	}
}

func TestStampRevisionSkipsDirtyTree(t *testing.T) {
	r := grownRepo(t)
	rep := &checks.Report{}
	r.Write(map[string]string{"src/new.js": "x\n"})
	StampRevision(context.Background(), r.Dir, []*checks.Report{rep})
	if rep.Revision != "" {
		t.Errorf("a dirty tree's report names %s", rep.Revision)
	}
	StampRevision(context.Background(), t.TempDir(), []*checks.Report{rep})
	if rep.Revision != "" {
		t.Errorf("a directory outside git names %s", rep.Revision)
	}
}
