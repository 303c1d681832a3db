package workspace

import (
	"context"
	"fmt"
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
