package cilog

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCILogBuildGroups(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "shop-head.log")
	// A build may print workflow commands: inside the group they must not
	// be obeyed.
	writeFile(t, logPath, "npm ci\n::add-mask::secret\n::error::forged\nbuild failed")
	at := time.Unix(1700000000, 0)
	tests := []struct {
		name string
		env  map[string]string
		keep bool
		want string
	}{
		{"github", map[string]string{"GITHUB_ACTIONS": "true"}, true,
			"::group::mpgate: build of shop%25 (head): exit 2 after 3s\n::stop-commands::TOKEN\n" +
				"npm ci\n::add-mask::secret\n::error::forged\nbuild failed\n::TOKEN::\n::endgroup::\n" +
				"mpgate: build of shop% (head): exit 2 after 3s; full log: " + logPath + "\n"},
		{"gitlab", map[string]string{"GITLAB_CI": "true"}, false,
			"\x1b[0Ksection_start:1700000000:mpgate_build_1[collapsed=true]\r\x1b[0Kmpgate: build of shop% (head): exit 2 after 3s\n" +
				"npm ci\n::add-mask::secret\n::error::forged\nbuild failed\n" +
				"\x1b[0Ksection_end:1700000000:mpgate_build_1\r\x1b[0K\n"},
		{"plain, kept", nil, true, "mpgate: build of shop% (head): exit 2 after 3s; full log: " + logPath + "\n"},
		{"plain", nil, false, "mpgate: build of shop% (head): exit 2 after 3s\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			l := New(&b, func(k string) string { return tt.env[k] }, tt.keep)
			l.now = func() time.Time { return at }
			l.token = func() string { return "TOKEN" }
			l.Build("build of shop% (head):\nexit 2 after 3s", logPath)
			if b.String() != tt.want {
				t.Errorf("got\n%q\nwant\n%q", b.String(), tt.want)
			}
		})
	}
}

func TestCILogLongLogShowsItsEnd(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "big.log")
	var big strings.Builder
	for i := 0; big.Len() <= MaxGroupBytes+1000; i++ {
		fmt.Fprintf(&big, "line %d\n", i)
	}
	big.WriteString("the end")
	writeFile(t, logPath, big.String())
	var b bytes.Buffer
	l := New(&b, func(k string) string { return map[string]string{"GITHUB_ACTIONS": "true"}[k] }, false)
	l.Build("build", logPath)
	out := b.String()
	if !strings.Contains(out, "\nthe end\n") || !strings.Contains(out, "bytes are only in "+logPath) {
		t.Errorf("the end of the log or the note is missing: %q … %q", out[:200], out[len(out)-200:])
	}
	if len(out) > MaxGroupBytes+1000 {
		t.Errorf("%d bytes shown, more than the cap of %d", len(out), MaxGroupBytes)
	}
}

func TestDefaultBuildLogDir(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"GITHUB_ACTIONS": "true", "RUNNER_TEMP": "/r/tmp"}, "/r/tmp/mpgate-build-logs"},
		{map[string]string{"GITLAB_CI": "true", "CI_PROJECT_DIR": "/builds/g/p"}, "/builds/g/p/mpgate-build-logs"},
		{map[string]string{"GITHUB_ACTIONS": "true"}, ""},
		{map[string]string{"CI": "true"}, ""},
	} {
		if got := DefaultBuildLogDir(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.env, got, tt.want)
		}
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
