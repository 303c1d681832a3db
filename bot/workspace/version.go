package workspace

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// MinGitVersion is the oldest git this package works with: it relies on
// GIT_CONFIG_GLOBAL (2.32), GIT_CONFIG_COUNT (2.31), fetch
// --no-write-fetch-head (2.29) and diff --no-relative (2.28).
const MinGitVersion = "2.32"

// CheckGit finds git and checks its version; call it once at start to fail
// early with a clear message instead of on the first request.
func CheckGit(ctx context.Context) (version string, err error) {
	out, err := git(ctx, "", "version")
	if err != nil {
		return "", fmt.Errorf("git is needed: %w", err)
	}
	major, minor, ok := parseGitVersion(out)
	if !ok {
		return out, fmt.Errorf("cannot read the git version from %q", out)
	}
	wantMajor, wantMinor, _ := parseGitVersion("git version " + MinGitVersion)
	if major < wantMajor || major == wantMajor && minor < wantMinor {
		return out, fmt.Errorf("%s is too old: mpgate needs git %s or newer", out, MinGitVersion)
	}
	return out, nil
}

// parseGitVersion reads "git version 2.39.5", "git version 2.39.3 (Apple
// Git-145)" or "git version 2.41.0.windows.1".
func parseGitVersion(s string) (major, minor int, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(s), "git version ")
	if !found {
		return 0, 0, false
	}
	if f := strings.Fields(rest); len(f) > 0 {
		rest = f[0]
	} else {
		return 0, 0, false
	}
	parts := strings.Split(rest, ".")
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || major < 0 || minor < 0 {
		return 0, 0, false
	}
	return major, minor, true
}
