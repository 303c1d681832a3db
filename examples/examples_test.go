// Package examples_test checks the bundled examples against the engine: the
// shop is clean, and shop-broken produces exactly the diagnostics listed in
// shop-broken/expected.txt.
package examples_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/analyze"
)

func run(t *testing.T, dir string) *checks.Report {
	t.Helper()
	r, err := analyze.Run(context.Background(), dir, analyze.Options{})
	if err != nil {
		t.Fatalf("analyze %s: %v", dir, err)
	}
	return r
}

func line(d checks.Diagnostic) string {
	return fmt.Sprintf("%s %s:%d", d.Rule, d.File, d.Line)
}

func TestShopIsClean(t *testing.T) {
	r := run(t, "shop")
	for _, d := range r.Diagnostics {
		t.Errorf("unexpected diagnostic %s (%s): %s", line(d), d.Severity, d.Message)
	}
	if r.Verdict != checks.VerdictPass {
		t.Errorf("verdict %q, want %q", r.Verdict, checks.VerdictPass)
	}
	if r.Root != "miniprogram" {
		t.Errorf("root %q, want miniprogram (from project.config.json)", r.Root)
	}
	want := map[string]bool{"__APP__": false, "packageGoods": false, "packageOrder": false, "packageActivity": true}
	if len(r.Packages) != len(want) {
		t.Errorf("%d packages, want %d", len(r.Packages), len(want))
	}
	for _, p := range r.Packages {
		indep, ok := want[p.Name]
		if !ok {
			t.Errorf("unexpected package %q", p.Name)
			continue
		}
		if p.Independent != indep {
			t.Errorf("package %s independent = %v, want %v", p.Name, p.Independent, indep)
		}
	}
}

func TestShopBrokenMatchesExpected(t *testing.T) {
	f, err := os.Open(filepath.Join("shop-broken", "expected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			want = append(want, s)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	r := run(t, "shop-broken")
	var got []string
	for _, d := range r.Diagnostics {
		got = append(got, line(d))
	}
	slices.Sort(want)
	slices.Sort(got)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing diagnostic %s", w)
		}
	}
	for _, d := range r.Diagnostics {
		if !slices.Contains(want, line(d)) {
			t.Errorf("unexpected diagnostic %s: %s", line(d), d.Message)
		}
	}
	if r.Verdict != checks.VerdictFail {
		t.Errorf("verdict %q, want %q", r.Verdict, checks.VerdictFail)
	}
}
