package workspace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxAttributesFile caps an attributes file read by CheckoutKey.
const maxAttributesFile = 1 << 20

// CheckoutKey returns what decides the files a checkout of rev in repoDir
// writes (AddWorktree), as bytes to hash: the object name of rev's tree
// (every path, blob, mode, symbolic link and gitlink of the commit), and
// what git applies to the blobs on the way out — the repository's
// configuration (filters such as Git LFS's, core.autocrlf, core.eol,
// core.symlinks; git runs here without the system's and the user's
// configuration files, see baseEnv), $GIT_DIR/info/attributes and the
// attributes file of the user (core.attributesFile, else
// $XDG_CONFIG_HOME/git/attributes or ~/.config/git/attributes). Two
// checkouts with the same key hold the same files with the same modes.
//
// A filter runs a program whose output git does not know in advance: when
// the repository configures one (filter.*), the second result is false and
// a checkout must not be skipped on the strength of this key.
func CheckoutKey(ctx context.Context, repoDir, rev string) ([]byte, bool, error) {
	if err := checkRev(rev); err != nil {
		return nil, false, err
	}
	tree, err := git(ctx, repoDir, "rev-parse", "--verify", "--quiet", rev+"^{tree}")
	if err != nil {
		return nil, false, fmt.Errorf("tree of %s: %w", rev, err)
	}
	if !isHexName(tree) {
		return nil, false, fmt.Errorf("tree of %s: git printed %q, not an object name", rev, tree)
	}
	conf, err := git(ctx, repoDir, "config", "-z", "--list")
	if err != nil {
		var ge *GitError
		if !errors.As(err, &ge) || ge.ExitCode != 1 { // 1: nothing set
			return nil, false, fmt.Errorf("configuration of %s: %w", repoDir, err)
		}
		conf = ""
	}
	deterministic := true
	var attrFile string
	for kv := range strings.SplitSeq(conf, "\x00") {
		k, v, _ := strings.Cut(kv, "\n")
		k = strings.ToLower(k)
		if strings.HasPrefix(k, "filter.") {
			deterministic = false
		}
		if k == "core.attributesfile" {
			attrFile = v
		}
	}
	info, err := git(ctx, repoDir, "rev-parse", "--path-format=absolute", "--git-path", "info/attributes")
	if err != nil {
		return nil, false, fmt.Errorf("attributes of %s: %w", repoDir, err)
	}
	if attrFile == "" {
		if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
			attrFile = filepath.Join(x, "git", "attributes")
		} else if h, err := os.UserHomeDir(); err == nil {
			attrFile = filepath.Join(h, ".config", "git", "attributes")
		}
	} else if strings.HasPrefix(attrFile, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			attrFile = filepath.Join(h, attrFile[2:])
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "tree %s\x00config %d\x00%s\x00", tree, len(conf), conf)
	for _, p := range []string{info, attrFile} {
		data, err := readSmall(p)
		if err != nil {
			return nil, false, fmt.Errorf("attributes of %s: %w", repoDir, err)
		}
		fmt.Fprintf(&b, "attributes %d\x00%s\x00", len(data), data)
	}
	return b.Bytes(), deterministic, nil
}

// readSmall reads a file of up to maxAttributesFile bytes; a missing one
// (or no name) is empty.
func readSmall(p string) ([]byte, error) {
	if p == "" {
		return nil, nil
	}
	data, err := os.ReadFile(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	case len(data) > maxAttributesFile:
		return nil, fmt.Errorf("%s: more than %d bytes", p, maxAttributesFile)
	}
	return data, nil
}
