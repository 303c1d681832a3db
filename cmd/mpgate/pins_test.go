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

// TestReleaseBuildsWithNewestGo: the release workflow's jobs (govulncheck
// and the build) take the newest patch release of go.mod's Go line, not
// go.mod's minimum. A binary carries the standard library it was built
// with, and on 2026-12-06 that of Go 1.26.8 had vulnerabilities the server
// reaches (net/http, crypto/tls; docs/deploy.md): the govulncheck job
// would refuse the release, or the binaries would carry them.
func TestReleaseBuildsWithNewestGo(t *testing.T) {
	data, err := os.ReadFile("../../.github/workflows/release.yml")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod: no go directive")
	}
	wf := string(data)
	setups := strings.Count(wf, "actions/setup-go@")
	if setups == 0 {
		t.Fatal("release.yml: no setup-go step; the test reads the wrong file")
	}
	if strings.Contains(wf, "go-version-file") {
		t.Error("release.yml: setup-go reads go.mod's minimum Go; want the newest patch release of its line")
	}
	want := `go-version: "` + string(m[1]) + `"`
	if n := strings.Count(wf, want); n != setups {
		t.Errorf("release.yml: %d of %d setup-go steps say %s", n, setups, want)
	}
	if n := strings.Count(wf, "check-latest: true"); n != setups {
		t.Errorf("release.yml: %d of %d setup-go steps say check-latest: true", n, setups)
	}
}
