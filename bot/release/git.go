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
	// Messages and files come from two listings so that no delimiter has to
	// be trusted inside a message: with -z, "<sha>NUL<message>NUL" pairs (git
	// refuses NUL in messages), then "<sha>NUL" followed by the commit's
	// files, NUL-terminated, the first one after a newline.
	msgs, err := runGit(ctx, dir, nil, nil, "log", "-z", "--no-merges", "--format=%H%x00%P%x00%B", rng, "--")
	if err != nil {
		return nil, fmt.Errorf("list commits %s: %w", rng, err)
	}
	var entries []logEntry
	tok := strings.Split(strings.TrimSuffix(msgs, "\x00"), "\x00")
	if len(tok) == 1 && tok[0] == "" {
		return nil, nil
	}
	if len(tok)%3 != 0 {
		return nil, fmt.Errorf("list commits %s: %d fields, not sha, parents and message triples", rng, len(tok))
	}
	for i := 0; i < len(tok); i += 3 {
		if !isSHA(tok[i]) {
			return nil, fmt.Errorf("list commits %s: %q is not a commit", rng, truncate(tok[i]))
		}
		entries = append(entries, logEntry{SHA: tok[i], Parents: strings.Fields(tok[i+1]), Message: tok[i+2]})
	}
	files, err := runGit(ctx, dir, nil, nil, "log", "-z", "--no-merges", "--name-only", "--no-renames", "--format=%H", rng, "--")
	if err != nil {
		return nil, fmt.Errorf("list changed files of %s: %w", rng, err)
	}
	cur := -1
	for _, t := range strings.Split(files, "\x00") {
		if cur+1 < len(entries) && t == entries[cur+1].SHA {
			cur++
			continue
		}
		t = strings.TrimPrefix(t, "\n")
		if t == "" {
			continue
		}
		if cur < 0 {
			return nil, fmt.Errorf("list changed files of %s: file %q before any commit", rng, truncate(t))
		}
		entries[cur].Files = append(entries[cur].Files, t)
	}
	if cur != len(entries)-1 {
		return nil, fmt.Errorf("list changed files of %s: %d of %d commits listed", rng, cur+1, len(entries))
	}
	return entries, nil
}

func isSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
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
