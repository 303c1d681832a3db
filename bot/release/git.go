package release

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// gitEnv keeps the parent's environment minimal, as bot/workspace does: no
// user or system config, no prompts, no pager, C locale.
func gitEnv(extra []string) []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "GIT_EXEC_PATH"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	env = append(env,
		"GIT_TERMINAL_PROMPT=0",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_PAGER=cat",
		"LC_ALL=C",
	)
	return append(env, extra...)
}

// runGit runs git in dir; stdin may be nil.
func runGit(ctx context.Context, dir string, env []string, stdin []byte, args ...string) (string, error) {
	full := append([]string{"-c", "core.hooksPath=" + os.DevNull, "-c", "core.quotePath=false", "-c", "tag.gpgSign=false", "-c", "commit.gpgSign=false"}, args...)
	c := exec.CommandContext(ctx, "git", full...)
	c.Dir = dir
	c.Env = gitEnv(env)
	c.WaitDelay = 10 * time.Second
	if stdin != nil {
		c.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("git %s: %w", args[0], ctx.Err())
		}
		msg := strings.TrimSpace(errb.String())
		var ee *exec.ExitError
		if errors.As(err, &ee) && msg != "" {
			return "", fmt.Errorf("git %s (exit %d): %s: %w", args[0], ee.ExitCode(), msg, err)
		}
		return "", fmt.Errorf("git %s: %w", args[0], err)
	}
	return out.String(), nil
}

// logEntry is one commit of a range.
type logEntry struct {
	SHA     string
	Parents []string
	Message string
	Files   []string
}

// gitLog lists the commits reachable from head and not from base (all of
// head's history when base is empty), newest first, with the files each
// changed. Merge commits are left out: the commits they merge carry the
// messages and the files (a "Merge pull request" message would count the
// request's changes twice).
func gitLog(ctx context.Context, dir, base, head string) ([]logEntry, error) {
	rng := head
	if base != "" {
		rng = base + ".." + head
	}
	out, err := runGit(ctx, dir, nil, nil, "log", "-z", "--no-merges", "--name-only", "--no-renames",
		"--format=%x1e%H%x1f%P%x1f%B%x1f", rng, "--")
	if err != nil {
		return nil, fmt.Errorf("list commits %s: %w", rng, err)
	}
	var entries []logEntry
	for rec := range strings.SplitSeq(out, "\x1e") {
		if rec == "" {
			continue
		}
		f := strings.SplitN(rec, "\x1f", 4)
		if len(f) != 4 {
			return nil, fmt.Errorf("list commits %s: unexpected record %q", rng, truncate(rec))
		}
		e := logEntry{SHA: f[0], Parents: strings.Fields(f[1]), Message: f[2]}
		for p := range strings.SplitSeq(f[3], "\x00") {
			p = strings.Trim(p, "\n")
			if p != "" {
				e.Files = append(e.Files, p)
			}
		}
		entries = append(entries, e)
	}
	return entries, nil
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// revParse resolves rev to a commit, "" when it does not exist.
func revParse(ctx context.Context, dir, rev string) (string, error) {
	out, err := runGit(ctx, dir, nil, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			return "", nil
		}
		return "", fmt.Errorf("resolve %s: %w", rev, err)
	}
	return strings.TrimSpace(out), nil
}

// mergedTags lists the tags reachable from head.
func mergedTags(ctx context.Context, dir, head string) ([]string, error) {
	out, err := runGit(ctx, dir, nil, nil, "tag", "--list", "--merged", head)
	if err != nil {
		return nil, fmt.Errorf("list tags merged into %s: %w", head, err)
	}
	return strings.Fields(out), nil
}

// tagExists reports whether refs/tags/name exists anywhere.
func tagExists(ctx context.Context, dir, name string) (bool, error) {
	out, err := runGit(ctx, dir, nil, nil, "for-each-ref", "--format=%(refname)", "refs/tags/"+name)
	if err != nil {
		return false, fmt.Errorf("look up tag %s: %w", name, err)
	}
	return strings.TrimSpace(out) != "", nil
}
