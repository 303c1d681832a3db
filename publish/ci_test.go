package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestDetectCI(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want CI
	}{
		{"none", nil, NoCI},
		{"GitHub Actions", map[string]string{"GITHUB_ACTIONS": "true", "CI": "true"}, GitHubActions},
		{"GitLab CI", map[string]string{"GITLAB_CI": "true", "CI": "true"}, GitLabCI},
		{"GitHub wins", map[string]string{"GITHUB_ACTIONS": "true", "GITLAB_CI": "true"}, GitHubActions},
		{"only CI", map[string]string{"CI": "true"}, NoCI},
		{"not true", map[string]string{"GITHUB_ACTIONS": "1", "GITLAB_CI": "yes"}, NoCI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectCI(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("DetectCI = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	forbidden := Mark(fmt.Errorf("github: create check run: %w", fs.ErrPermission), ErrForbidden)
	tests := []struct {
		name    string
		err     error
		text    string
		matches []error
		not     []error
	}{
		{"usage", Usagef("check --post: GITHUB_SHA %q", "x"), `check --post: GITHUB_SHA "x"`, []error{ErrUsage}, []error{ErrForbidden}},
		{"marked", forbidden, "github: create check run: permission denied", []error{ErrForbidden, fs.ErrPermission}, []error{ErrUsage, ErrUnauthorized}},
		{"marked and wrapped", fmt.Errorf("posting: %w", forbidden), "posting: github: create check run: permission denied", []error{ErrForbidden}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Error() != tt.text {
				t.Errorf("text %q, want %q", tt.err.Error(), tt.text)
			}
			for _, m := range tt.matches {
				if !errors.Is(tt.err, m) {
					t.Errorf("does not match %v", m)
				}
			}
			for _, m := range tt.not {
				if errors.Is(tt.err, m) {
					t.Errorf("matches %v", m)
				}
			}
		})
	}
	if Mark(nil, ErrForbidden) != nil {
		t.Error("Mark(nil) is not nil")
	}
}

func TestNames(t *testing.T) {
	for _, tt := range []struct{ in, check, file string }{
		{"", "mpgate", ""},
		{"shop", "mpgate (shop)", "shop"},
		{"apps/shop admin", "mpgate (apps/shop admin)", "apps_shop_admin"},
		{"商城-v2.1", "mpgate (商城-v2.1)", "__-v2.1"},
	} {
		if got := CheckNameFor(tt.in); got != tt.check {
			t.Errorf("CheckNameFor(%q) = %q, want %q", tt.in, got, tt.check)
		}
		if got := SafeFileName(tt.in); got != tt.file {
			t.Errorf("SafeFileName(%q) = %q, want %q", tt.in, got, tt.file)
		}
	}
}
