package cirelease

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/bot/release"
)

func TestForgeFromEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string // "" = no error
		nil_ bool
	}{
		{"outside CI", map[string]string{}, "", true},
		{"github bad repository", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "x"}, `GITHUB_REPOSITORY "x" is not owner/name`, true},
		{"github no token", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r"}, "no GitHub token", true},
		{"github", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": "t"}, "", false},
		{"gitlab no token", map[string]string{"GITLAB_CI": "true"}, "no GitLab token", true},
		{"gitlab bad project id", map[string]string{"GITLAB_CI": "true", "CI_JOB_TOKEN": "t", "CI_PROJECT_ID": "x"}, `CI_PROJECT_ID "x"`, true},
		{"gitlab job token", map[string]string{"GITLAB_CI": "true", "CI_JOB_TOKEN": "t", "CI_PROJECT_ID": "7",
			"CI_PROJECT_PATH": "g/p", "CI_API_V4_URL": "https://gitlab.example.com/api/v4"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pub, err := Forge(func(k string) string { return tt.env[k] }, "", nil, nil)
			if tt.want == "" && err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && (!errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("err = %v, want a usage error with %q", err, tt.want)
			}
			if (pub == nil) != tt.nil_ {
				t.Errorf("publisher %v, want nil %v", pub, tt.nil_)
			}
		})
	}
}

func TestBranch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() // no repository: HEAD names no branch
	ctx := context.Background()
	if b, err := Branch(ctx, dir, "release", nil); err != nil || b != "release" {
		t.Errorf("flag: %q, %v", b, err)
	}
	env := map[string]string{"CI_COMMIT_BRANCH": "main"}
	if b, err := Branch(ctx, dir, "", func(k string) string { return env[k] }); err != nil || b != "main" {
		t.Errorf("GitLab's branch: %q, %v", b, err)
	}
	if _, err := Branch(ctx, dir, "", func(string) string { return "" }); !errors.Is(err, ErrUsage) {
		t.Errorf("no branch known: %v, want a usage error", err)
	}
}

func TestPrintApplied(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	PrintApplied(&b, &release.Applied{DryRun: true, Message: "chore(release): app@v1.0.0",
		Tags:  []release.AppliedTag{{Name: "app@v1.0.0"}},
		Files: map[string]string{"b/CHANGELOG.md": "B\n", "a/CHANGELOG.md": "A\n"}})
	want := "would release: chore(release): app@v1.0.0\nwould tag app@v1.0.0\nwould write a/CHANGELOG.md\nwould write b/CHANGELOG.md\n" +
		"\n--- a/CHANGELOG.md\nA\n\n--- b/CHANGELOG.md\nB\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestPrintPublishedNothing(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	PrintPublished(&b, &release.Published{Plan: &release.ReleasePlan{}}, Published{Branch: "main", Remote: "origin"})
	if b.String() != "nothing to release\n" {
		t.Errorf("got %q", b.String())
	}
	b.Reset()
	PrintPublished(&b, nil, Published{})
	if b.Len() != 0 {
		t.Errorf("nil wrote %q", b.String())
	}
}
