package release

import (
	"bytes"
	"cmp"
	"context"
	"os"
	"os/exec"
	"strings"

	"github.com/mpgate/mpgate/checks/config"
)

// ResolveIdentity returns who the release commit and tags are made as when
// a person (or a CI job) runs mpgate release in repoDir. Each field is the
// first found of:
//
//  1. the environment: GIT_AUTHOR_NAME, GIT_AUTHOR_EMAIL for the author,
//     GIT_COMMITTER_NAME, GIT_COMMITTER_EMAIL for the committer (as git
//     itself reads them);
//  2. configured (release.identity of .mpgate.yml), for both;
//  3. the user's git configuration as git reads it in repoDir (global and
//     repository config): author.name or committer.name, else user.name,
//     and the same for the e-mail;
//  4. DefaultIdentity.
//
// getenv reads the environment (os.Getenv in the CLI).
func ResolveIdentity(ctx context.Context, repoDir string, configured config.Identity, getenv func(string) string) (author, committer config.Identity) {
	gitConfig := func(keys ...string) string {
		for _, k := range keys {
			if v := userGitConfig(ctx, repoDir, k); v != "" {
				return v
			}
		}
		return ""
	}
	author = config.Identity{
		Name:  cmp.Or(getenv("GIT_AUTHOR_NAME"), configured.Name, gitConfig("author.name", "user.name"), DefaultIdentity.Name),
		Email: cmp.Or(getenv("GIT_AUTHOR_EMAIL"), configured.Email, gitConfig("author.email", "user.email"), DefaultIdentity.Email),
	}
	committer = config.Identity{
		Name:  cmp.Or(getenv("GIT_COMMITTER_NAME"), configured.Name, gitConfig("committer.name", "user.name"), DefaultIdentity.Name),
		Email: cmp.Or(getenv("GIT_COMMITTER_EMAIL"), configured.Email, gitConfig("committer.email", "user.email"), DefaultIdentity.Email),
	}
	return author, committer
}

// userGitConfig reads one key of the git configuration as the user's git
// sees it in dir (unlike runGit, which leaves the global config out); ""
// when unset or unreadable.
func userGitConfig(ctx context.Context, dir, key string) string {
	c := exec.CommandContext(ctx, "git", "config", "--get", key)
	c.Dir = dir
	c.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	var out bytes.Buffer
	c.Stdout = &out
	if err := c.Run(); err != nil {
		return ""
	}
	return strings.TrimSpace(out.String())
}
