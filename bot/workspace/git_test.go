package workspace

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestGitErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  *GitError
		want string
	}{
		{
			name: "subcommand after global options",
			err:  &GitError{Args: []string{"-c", "a=b", "-C", "/x", "fetch", "origin"}, ExitCode: 128, Stderr: "fatal: nope"},
			want: "git fetch (exit 128): fatal: nope",
		},
		{
			name: "no stderr",
			err:  &GitError{Args: []string{"merge-base", "a", "b"}, ExitCode: -1, Err: errors.New("signal: killed")},
			want: "git merge-base: signal: killed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRedaction(t *testing.T) {
	in := &invocation{args: []string{"fetch", "https://h/?t=SECRET"}, redact: []string{"SECRET", ""}}
	err := in.fail(errors.New("exit SECRET"), []byte("fatal: SECRET rejected\n"))
	var ge *GitError
	if !errors.As(err, &ge) {
		t.Fatalf("err = %T, want *GitError", err)
	}
	for _, s := range append([]string{ge.Error(), ge.Stderr, ge.Err.Error()}, ge.Args...) {
		if strings.Contains(s, "SECRET") {
			t.Errorf("secret left in %q", s)
		}
	}
	if ge.Stderr != "fatal: *** rejected" {
		t.Errorf("Stderr = %q", ge.Stderr)
	}
}

func TestBaseEnv(t *testing.T) {
	t.Setenv("GIT_DIR", "/elsewhere")
	t.Setenv("GITHUB_TOKEN", "secret")
	env := baseEnv([]string{"EXTRA=1"})
	has := map[string]bool{}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		has[k] = true
	}
	for _, k := range []string{"GIT_TERMINAL_PROMPT", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL", "LC_ALL", "EXTRA"} {
		if !has[k] {
			t.Errorf("%s missing from git's environment", k)
		}
	}
	for _, k := range []string{"GIT_DIR", "GITHUB_TOKEN"} {
		if has[k] {
			t.Errorf("%s passed to git", k)
		}
	}
}

func TestCancelledGit(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := RevParse(ctx, t.TempDir(), "HEAD")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestParseGitVersion(t *testing.T) {
	tests := []struct {
		in           string
		major, minor int
		ok           bool
	}{
		{"git version 2.39.5", 2, 39, true},
		{"git version 2.39.3 (Apple Git-145)", 2, 39, true},
		{"git version 2.41.0.windows.1\n", 2, 41, true},
		{"git version 10.0", 10, 0, true},
		{"git version 2", 0, 0, false},
		{"git version x.y", 0, 0, false},
		{"hub version 2.14", 0, 0, false},
		{"git version ", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			major, minor, ok := parseGitVersion(tt.in)
			if major != tt.major || minor != tt.minor || ok != tt.ok {
				t.Errorf("parseGitVersion = %d.%d %v, want %d.%d %v", major, minor, ok, tt.major, tt.minor, tt.ok)
			}
		})
	}
	v, err := CheckGit(t.Context())
	if err != nil || !strings.HasPrefix(v, "git version ") {
		t.Errorf("CheckGit = %q, %v (the tests need git %s or newer)", v, err, MinGitVersion)
	}
}
