package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestActionsPinned keeps every third-party action of the action and the
// release workflow pinned by full commit hash, the version in a comment
// (`uses: owner/repo@<40 hex> # v1.2.3`): a tag can be moved by whoever
// controls the action's repository, a commit cannot.
func TestActionsPinned(t *testing.T) {
	uses := regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)
	pinned := regexp.MustCompile(`^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$`)
	version := regexp.MustCompile(`^\s*#\s*v\d+\.\d+\.\d+\b`)
	for _, f := range []string{"../../action.yml", "../../.github/workflows/release.yml"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for i, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			m := uses.FindStringSubmatch(line)
			if m == nil || strings.HasPrefix(m[1], "./") {
				continue
			}
			n++
			if !pinned.MatchString(m[1]) {
				t.Errorf("%s:%d: %s is not pinned by a full commit hash", f, i+1, m[1])
			}
			if !version.MatchString(m[2]) {
				t.Errorf("%s:%d: %s has no `# vX.Y.Z` comment naming the pinned version", f, i+1, m[1])
			}
		}
		if n == 0 {
			t.Errorf("%s: no `uses:` found; the test reads the wrong file", f)
		}
	}
}
