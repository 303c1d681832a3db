package main

import (
	"bufio"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
)

// TestExamples runs the real engine through the CLI on the repository's
// examples: shop passes, shop-broken fails with exactly the findings its
// expected.txt lists ("RULE file:line").
func TestExamples(t *testing.T) {
	t.Run("shop passes", func(t *testing.T) {
		got := runArgs(t, nil, "check", "--format", "json", "../../examples/shop")
		if got.code != 0 {
			t.Fatalf("exit code %d, stderr %s\n%s", got.code, got.stderr, got.stdout)
		}
		var r checks.Report
		if err := json.Unmarshal([]byte(got.stdout), &r); err != nil {
			t.Fatal(err)
		}
		if r.Schema != checks.Schema || r.Platform != "wechat" || r.Root != "miniprogram" || len(r.Packages) < 2 || r.Verdict != checks.VerdictPass {
			t.Errorf("report = %+v", r)
		}
	})
	t.Run("shop-broken fails with expected.txt", func(t *testing.T) {
		f, err := os.Open("../../examples/shop-broken/expected.txt")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		want := map[string]bool{}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" {
				want[line] = true
			}
		}
		got := runArgs(t, nil, "check", "--format=json", "../../examples/shop-broken")
		if got.code != 1 {
			t.Fatalf("exit code %d, stderr %s", got.code, got.stderr)
		}
		var r checks.Report
		if err := json.Unmarshal([]byte(got.stdout), &r); err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, d := range r.Diagnostics {
			have[d.Rule+" "+d.File+":"+strconv.Itoa(d.Line)] = true
		}
		for w := range want {
			if !have[w] {
				t.Errorf("missing %s", w)
			}
		}
		for h := range have {
			if !want[h] {
				t.Errorf("unexpected %s", h)
			}
		}
		if !strings.Contains(got.stderr, "check failed:") {
			t.Errorf("stderr = %q", got.stderr)
		}
	})
	t.Run("text report of shop-broken fits 80 columns", func(t *testing.T) {
		got := runArgs(t, nil, "check", "../../examples/shop-broken")
		for _, line := range strings.Split(got.stdout, "\n") {
			if n := len([]rune(line)); n > 80 {
				t.Errorf("line of %d columns: %q", n, line)
			}
		}
	})
}
