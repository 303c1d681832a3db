package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Dirty reports whether the work tree at dir has changes git would show:
// modified, staged or untracked files (ignored files do not count).
func Dirty(ctx context.Context, dir string) (bool, error) {
	out, err := git(ctx, dir, "status", "--porcelain", "--untracked-files=normal")
	if err != nil {
		return false, fmt.Errorf("work tree status: %w", err)
	}
	return out != "", nil
}

// snapshotIdentity names the commit WorkingTreeCommit makes; its fixed date
// makes the same tree on the same parent the same commit.
var snapshotIdentity = []string{
	"GIT_AUTHOR_NAME=mpgate", "GIT_AUTHOR_EMAIL=mpgate@localhost",
	"GIT_COMMITTER_NAME=mpgate", "GIT_COMMITTER_EMAIL=mpgate@localhost",
	"GIT_AUTHOR_DATE=1970-01-01T00:00:00Z", "GIT_COMMITTER_DATE=1970-01-01T00:00:00Z",
}

// WorkingTreeCommit records the work tree at dir as a commit whose parent is
// HEAD and returns its object name: tracked files as they are on disk
// (staged or not, deletions included) and untracked files git does not
// ignore. Neither the index, the work tree nor any ref is changed: the
// files are staged in a copy of the index, and the commit is referenced by
// nothing (git gc prunes it). Diffs against it are the diffs of the work
// tree, untracked files included, which `git diff BASE` alone leaves out.
func WorkingTreeCommit(ctx context.Context, dir string) (string, error) {
	top, err := Toplevel(ctx, dir)
	if err != nil {
		return "", fmt.Errorf("snapshot of the work tree: %w", err)
	}
	head, err := RevParse(ctx, top, "HEAD")
	if err != nil {
		return "", fmt.Errorf("snapshot of the work tree %s: %w", top, err)
	}
	indexPath, err := git(ctx, top, "rev-parse", "--path-format=absolute", "--git-path", "index")
	if err != nil {
		return "", fmt.Errorf("snapshot of the work tree %s: %w", top, err)
	}
	tmp, err := os.MkdirTemp("", "mpgate-index-")
	if err != nil {
		return "", fmt.Errorf("snapshot of the work tree %s: %w", top, err)
	}
	defer os.RemoveAll(tmp)
	index := filepath.Join(tmp, "index")
	// A copy of the real index keeps its stat cache: unchanged files are not
	// hashed again. Without one (nothing staged yet) HEAD's tree is read.
	env := []string{"GIT_INDEX_FILE=" + index}
	if err := copyFile(indexPath, index); errors.Is(err, fs.ErrNotExist) {
		if _, err := (&invocation{dir: top, args: []string{"read-tree", head}, env: env}).run(ctx); err != nil {
			return "", fmt.Errorf("snapshot of the work tree %s: %w", top, err)
		}
	} else if err != nil {
		return "", fmt.Errorf("snapshot of the work tree %s: copy the index: %w", top, err)
	}
	steps := [][]string{
		{"add", "--all", "--", "."},
		{"write-tree"},
	}
	var tree []byte
	for _, args := range steps {
		if tree, err = (&invocation{dir: top, args: args, env: env}).run(ctx); err != nil {
			return "", fmt.Errorf("snapshot of the work tree %s: %w", top, err)
		}
	}
	treeID := strings.TrimSpace(string(tree))
	out, err := (&invocation{dir: top, env: snapshotIdentity,
		args: []string{"commit-tree", "--no-gpg-sign", "-p", head, "-m", "mpgate: work tree of " + top, treeID}}).run(ctx)
	if err != nil {
		return "", fmt.Errorf("snapshot of the work tree %s: %w", top, err)
	}
	sha := strings.TrimSpace(string(out))
	if !isHexName(sha) {
		return "", fmt.Errorf("snapshot of the work tree %s: git commit-tree printed %q, not an object name", top, sha)
	}
	return sha, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
