package release

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/config"
)

func TestResolveIdentity(t *testing.T) {
	// The user's global git config, as git finds it.
	global := filepath.Join(t.TempDir(), "gitconfig")
	t.Setenv("GIT_CONFIG_GLOBAL", global)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	r := newRepo(t)
	configured := config.Identity{Name: "Release Bot", Email: "release@example.com"}
	tests := []struct {
		name          string
		env           map[string]string
		configured    config.Identity
		global, local string // git config files' contents
		author, comm  config.Identity
	}{
		{"nothing: the default", nil, config.Identity{}, "", "",
			DefaultIdentity, DefaultIdentity},
		{"global git config", nil, config.Identity{}, "[user]\n\tname = Ada\n\temail = ada@example.com\n", "",
			config.Identity{Name: "Ada", Email: "ada@example.com"}, config.Identity{Name: "Ada", Email: "ada@example.com"}},
		{"repository config over global", nil, config.Identity{}, "[user]\n\tname = Ada\n\temail = ada@example.com\n", "[user]\n\temail = ada@work.example\n",
			config.Identity{Name: "Ada", Email: "ada@work.example"}, config.Identity{Name: "Ada", Email: "ada@work.example"}},
		{"author and committer keys", nil, config.Identity{}, "[user]\n\tname = Ada\n\temail = ada@example.com\n[committer]\n\tname = CI\n", "",
			config.Identity{Name: "Ada", Email: "ada@example.com"}, config.Identity{Name: "CI", Email: "ada@example.com"}},
		{"configured over git config", nil, configured, "[user]\n\tname = Ada\n\temail = ada@example.com\n", "",
			configured, configured},
		{"environment over everything", map[string]string{"GIT_AUTHOR_NAME": "Grace", "GIT_AUTHOR_EMAIL": "grace@example.com",
			"GIT_COMMITTER_EMAIL": "ci@example.com"}, configured, "[user]\n\tname = Ada\n", "",
			config.Identity{Name: "Grace", Email: "grace@example.com"}, config.Identity{Name: "Release Bot", Email: "ci@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(global, []byte(tt.global), 0o644); err != nil {
				t.Fatal(err)
			}
			local := filepath.Join(r.dir, ".git", "config")
			orig, err := os.ReadFile(local)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.WriteFile(local, orig, 0o644) })
			if err := os.WriteFile(local, append(append([]byte{}, orig...), tt.local...), 0o644); err != nil {
				t.Fatal(err)
			}
			getenv := func(k string) string { return tt.env[k] }
			a, c := ResolveIdentity(context.Background(), r.dir, tt.configured, getenv)
			if a != tt.author || c != tt.comm {
				t.Errorf("author %+v committer %+v, want %+v and %+v", a, c, tt.author, tt.comm)
			}
		})
	}
}

// hookPusher pushes with a plain git push, as the CI checkout's git does, so
// the remote's hooks run.
type hookPusher struct{ dir, url string }

func (p hookPusher) Push(ctx context.Context, o PushOptions, refspecs ...string) error {
	args := []string{"push", "--quiet"}
	if o.Atomic {
		args = append(args, "--atomic")
	}
	if o.Force {
		args = append(args, "--force")
	}
	c := exec.CommandContext(ctx, "git", append(append(args, p.url), refspecs...)...)
	c.Dir = p.dir
	c.Env = gitEnv(nil)
	out, err := c.CombinedOutput()
	if err != nil {
		return errors.New(strings.TrimSpace(string(out)))
	}
	return nil
}

// A push the remote refuses (its pre-receive hook: a protected branch, a
// required review) leaves neither the release commit nor its tags in the
// checkout: the changelogs and change files are back as they were, and the
// next run plans the same release. Once accepted, the commit and the tags
// are made as the identity given.
func TestPublishRefusedPushLeavesNoCommit(t *testing.T) {
	ctx := context.Background()
	r := history(t)
	bare := withRemote(t, r)
	hook := filepath.Join(bare, "hooks", "pre-receive")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho 'protected branch: releases need a review' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	head := r.git("rev-parse", "HEAD")
	status := r.git("status", "--porcelain")
	ada := config.Identity{Name: "Ada", Email: "ada@example.com"}
	ci := config.Identity{Name: "CI", Email: "ci@example.com"}
	opts := PublishOptions{Branch: "main", Plan: PlanOptions{Date: testDate}, Author: ada, Committer: ci}
	push := hookPusher{dir: r.dir, url: bare}

	out, err := Publish(ctx, r.dir, config.Default(), push, nil, opts)
	if !errors.Is(err, ErrPush) || !strings.Contains(err.Error(), "protected branch") {
		t.Fatalf("refused push: err = %v", err)
	}
	if out.Applied == nil || out.Applied.Commit == "" {
		t.Fatalf("no release commit was made: %+v", out.Applied)
	}
	if now := r.git("rev-parse", "HEAD"); now != head {
		t.Errorf("HEAD is %s after the refused push, want %s (the release commit %s left behind)", now, head, out.Applied.Commit)
	}
	if branches := r.git("branch", "--contains", out.Applied.Commit); branches != "" {
		t.Errorf("the release commit is on %q", branches)
	}
	if s := r.git("status", "--porcelain"); s != status {
		t.Errorf("work tree after the refused push:\n%s\nbefore:\n%s", s, status)
	}
	if tags := r.git("tag", "--list", "--sort=refname"); tags != "app@v0.1.0\npackagePay@v1.2.0" {
		t.Errorf("local tags after a refused push = %q", tags)
	}
	if got := remoteGit(t, bare, "rev-parse", "main"); got != head {
		t.Errorf("remote main moved to %s", got)
	}

	// The review is done: the same release goes out, as Ada, committed by CI.
	if err := os.Remove(hook); err != nil {
		t.Fatal(err)
	}
	out, err = Publish(ctx, r.dir, config.Default(), push, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := remoteGit(t, bare, "log", "-1", "--format=%an <%ae> / %cn <%ce>", "main"); got != "Ada <ada@example.com> / CI <ci@example.com>" {
		t.Errorf("release commit made as %q", got)
	}
	if got := remoteGit(t, bare, "for-each-ref", "--format=%(taggername) %(taggeremail)", "refs/tags/app@v0.2.0"); got != "CI <ci@example.com>" {
		t.Errorf("tag made by %q", got)
	}
	if head := remoteGit(t, bare, "rev-parse", "main"); head != out.Applied.Commit {
		t.Errorf("remote main = %s, want the release commit %s", head, out.Applied.Commit)
	}
}
