package gitlab

import "testing"

func TestEscapeMarkdown(t *testing.T) {
	for in, want := range map[string]string{
		"packageA grew; see !12 and ~size": `packageA grew; see \!12 and \~size`,
		"`!12` in code":                    "`!12` in code",
		"cost $5 and %milestone":           `cost \$5 and \%milestone`,
	} {
		if got := EscapeMarkdown(in); got != want {
			t.Errorf("EscapeMarkdown(%q) = %q, want %q", in, got, want)
		}
	}
}
