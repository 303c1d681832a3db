package analyze

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
)

// TestExamples runs the engine on the bundled examples: shop passes without a
// finding, shop-broken yields exactly the findings its expected.txt lists.
func TestExamples(t *testing.T) {
	ctx := context.Background()
	rep, err := Run(ctx, "../../examples/shop", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != checks.VerdictPass || len(rep.Diagnostics) != 0 {
		t.Errorf("examples/shop: verdict %s, findings:\n%s", rep.Verdict, dump(rep.Diagnostics))
	}
	if rep.Platform != "wechat" || rep.Root != "miniprogram" || len(rep.Packages) != 4 {
		t.Errorf("examples/shop: platform %s root %q packages %d", rep.Platform, rep.Root, len(rep.Packages))
	}

	rep, err = Run(ctx, "../../examples/shop-broken", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../examples/shop-broken/expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range rep.Diagnostics {
		got = append(got, fmt.Sprintf("%s %s:%d", d.Rule, d.File, d.Line))
	}
	slices.Sort(got)
	wantLines := strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(want)), " ", "\x00"))
	for i := range wantLines {
		wantLines[i] = strings.ReplaceAll(wantLines[i], "\x00", " ")
	}
	slices.Sort(wantLines)
	if !slices.Equal(got, wantLines) {
		t.Errorf("examples/shop-broken findings differ from expected.txt\n got:\n  %s\n want:\n  %s",
			strings.Join(got, "\n  "), strings.Join(wantLines, "\n  "))
	}
	if rep.Verdict != checks.VerdictFail {
		t.Errorf("examples/shop-broken passed")
	}
}
