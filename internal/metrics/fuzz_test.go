package metrics

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzWrite checks that any help text and label value give exactly one
// line per sample and two per family: nothing a label holds can break the
// exposition format.
func FuzzWrite(f *testing.F) {
	f.Add("Help.", "event", "pull_request")
	f.Add("a \\ b\nc", "v", "quote \" \\ \n end")
	f.Add("", "__bad", "x")
	f.Add("h", "9x", "\r\n\x00")
	f.Fuzz(func(t *testing.T, help, label, value string) {
		fams := []Family{{Name: "mpgate_fuzz_total", Help: help, Type: Counter,
			Samples: []Sample{{Labels: []string{label, value}, Value: 1}, {Value: 2}}}}
		var buf bytes.Buffer
		if err := Write(&buf, fams); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		_, ok := formatLabels([]string{label, value})
		want := 3
		if ok {
			want = 4
		}
		if len(lines) != want {
			t.Fatalf("%d lines, want %d:\n%s", len(lines), want, out)
		}
		for _, l := range lines[2:] {
			if !strings.HasPrefix(l, "mpgate_fuzz_total") {
				t.Errorf("sample line %q", l)
			}
		}
	})
}
