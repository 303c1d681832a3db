package render

import (
	"bytes"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
)

// TestWriteHeadOnly: a head-only result is written exactly as its reports
// (the mpgate.report/v1 contract), a comparison as mpgate.result/v1.
func TestWriteHeadOnly(t *testing.T) {
	t.Parallel()
	one := &checks.Report{Project: "shop", Verdict: checks.VerdictPass}
	two := &checks.Report{Project: "admin", Verdict: checks.VerdictFail}
	tests := []struct {
		name   string
		res    *compare.Result
		format string
		want   func(*bytes.Buffer) error
	}{
		{"one report json", compare.NewHeadOnly([]*checks.Report{one}, []string{"."}), FormatJSON,
			func(b *bytes.Buffer) error { return JSON(b, one) }},
		{"two reports json", compare.NewHeadOnly([]*checks.Report{one, two}, nil), FormatJSON,
			func(b *bytes.Buffer) error { return JSONReports(b, []*checks.Report{one, two}) }},
		{"sarif with roots", compare.NewHeadOnly([]*checks.Report{one, two}, []string{"a", "b"}), FormatSARIF,
			func(b *bytes.Buffer) error {
				return SARIF(b, []*checks.Report{one, two}, []LocationOptions{{Prefix: "a"}, {Prefix: "b"}}, SARIFOptions{})
			}},
		{"comparison json", compare.NewResult(&compare.Comparison{Project: "shop", Head: one}), FormatJSON,
			func(b *bytes.Buffer) error {
				return ResultJSON(b, compare.NewResult(&compare.Comparison{Project: "shop", Head: one}))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got, want bytes.Buffer
			if err := Write(&got, tt.res, WriteOptions{Format: tt.format}); err != nil {
				t.Fatal(err)
			}
			if err := tt.want(&want); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("Write differs:\n%s\nwant\n%s", got.Bytes(), want.Bytes())
			}
		})
	}
	if v := compare.NewHeadOnly([]*checks.Report{one, two}, nil).Verdict; v != checks.VerdictFail {
		t.Errorf("head-only verdict %q, want fail", v)
	}
}
