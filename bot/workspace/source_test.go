package workspace

import (
	"errors"
	"strings"
	"testing"
)

func TestGitHubWebBase(t *testing.T) {
	tests := []struct{ api, want string }{
		{"https://api.github.com/", "https://github.com/"},
		{"https://api.github.com", "https://github.com/"},
		{"https://ghe.example/api/v3/", "https://ghe.example/"},
		{"https://ghe.example/api/v3", "https://ghe.example/"},
		{"https://api.octocorp.ghe.com/", "https://octocorp.ghe.com/"},
		{"http://127.0.0.1:4000/", "http://127.0.0.1:4000/"},
		{"http://127.0.0.1:4000/prefix/api/v3/", "http://127.0.0.1:4000/prefix/"},
	}
	for _, tt := range tests {
		got, err := GitHubWebBase(tt.api)
		if err != nil || got != tt.want {
			t.Errorf("GitHubWebBase(%q) = %q, %v; want %q", tt.api, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "ftp://x", "api.github.com", "https://"} {
		if got, err := GitHubWebBase(bad); err == nil {
			t.Errorf("GitHubWebBase(%q) = %q, want an error", bad, got)
		}
	}
}

func TestClonePolicySource(t *testing.T) {
	p := &ClonePolicy{
		Bases: map[string]string{"github": "https://github.com/", "gitlab": "https://gitlab.example/gl/"},
		Allow: []string{"/srv/test-repos", "http://127.0.0.1:9/"},
	}
	tests := []struct {
		name, forge, full, payload string
		want                       string
		token                      bool
		err                        string // "" = no error
	}{
		{"github as the payload says", "github", "o/r", "https://github.com/o/r.git", "https://github.com/o/r.git", true, ""},
		{"payload path ignored", "github", "o/r", "https://github.com/evil/other.git", "https://github.com/o/r.git", true, ""},
		{"no payload URL", "github", "o/r", "", "https://github.com/o/r.git", true, ""},
		{"host case and default port", "github", "o/r", "https://GitHub.com:443/o/r", "https://github.com/o/r.git", true, ""},
		{"gitlab nested group", "gitlab", "g/sub/r", "https://gitlab.example/gl/g/sub/r.git", "https://gitlab.example/gl/g/sub/r.git", true, ""},
		{"another host", "github", "o/r", "https://attacker.example/o/r.git", "", false, "not on https://github.com"},
		{"another scheme", "github", "o/r", "http://github.com/o/r.git", "", false, "not on https://github.com"},
		{"another port", "gitlab", "g/r", "https://gitlab.example:8443/g/r.git", "", false, "not on https://gitlab.example"},
		{"user info is not a host", "github", "o/r", "https://github.com@attacker.example/o/r.git", "", false, "not on"},
		{"local path refused", "github", "o/r", "/etc", "", false, "not on"},
		{"file URL refused", "github", "o/r", "file:///srv/other", "", false, "not on"},
		{"scp-like refused", "github", "o/r", "git@github.com:o/r.git", "", false, "not on"},
		{"allowed local path", "github", "o/r", "/srv/test-repos/o/r", "/srv/test-repos/o/r", false, ""},
		{"allowed prefix is a path boundary", "github", "o/r", "/srv/test-repos-evil/r", "", false, "not on"},
		{"allowed loopback server gets the token", "gitlab", "g/r", "http://127.0.0.1:9/g/r.git", "http://127.0.0.1:9/g/r.git", true, ""},
		{"forge without a base", "bitbucket", "o/r", "https://bitbucket.org/o/r", "", false, "no bitbucket server"},
		{"dot-dot name", "github", "o/..", "https://github.com/o/r", "", false, "not owner/name"},
		{"single segment", "github", "r", "https://github.com/r", "", false, "not owner/name"},
		{"odd characters", "github", "o/r?x=1", "https://github.com/o/r", "", false, "holds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, token, err := p.Source(tt.forge, tt.full, tt.payload)
			if tt.err != "" {
				if err == nil || !errors.Is(err, ErrCloneSource) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Source = %q, %v; want an ErrCloneSource containing %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want || token != tt.token {
				t.Fatalf("Source = %q, %v, %v; want %q, %v", got, token, err, tt.want, tt.token)
			}
		})
	}
}
