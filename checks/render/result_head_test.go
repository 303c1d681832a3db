package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/compare"
)

// The header names the revisions compared; a dirty work tree is named as
// such, not as the commit it is on (which may be the base too).
func TestResultHeaderRevisions(t *testing.T) {
	const sha = "1111111aaaaaaa"
	tests := []struct {
		name         string
		base, head   string
		workingTree  bool
		wantTerminal string
		wantMarkdown string
	}{
		{"commits", sha, "2222222bbbbbbb", false, "mpgate · 1111111aaaaa → 2222222bbbbb", "base `1111111aaaaa` → head `2222222bbbbb`"},
		{"working tree on the base", sha, sha, true, "mpgate · 1111111aaaaa → working tree (on 1111111aaaaa)", "base `1111111aaaaa` → working tree (on `1111111aaaaa`)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := compare.NewResult()
			res.BaseRev, res.HeadRev, res.HeadWorkingTree = tt.base, tt.head, tt.workingTree
			res.Finish()
			var term, md bytes.Buffer
			if err := ResultTerminal(&term, res, TerminalOptions{Width: 100}); err != nil {
				t.Fatal(err)
			}
			if first, _, _ := strings.Cut(term.String(), "\n"); first != tt.wantTerminal {
				t.Errorf("terminal header %q, want %q", first, tt.wantTerminal)
			}
			if err := ResultMarkdown(&md, res, ResultOptions{}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(md.String(), tt.wantMarkdown) {
				t.Errorf("markdown lacks %q:\n%s", tt.wantMarkdown, md.String())
			}
		})
	}
}
