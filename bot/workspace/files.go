package workspace

import (
	"bytes"
	"context"
	"fmt"
	"sort"
)

// ListFiles returns the files git tracks at rev (repository-relative, "/"),
// sorted: what coverage reports' paths are mapped onto.
func ListFiles(ctx context.Context, repoDir, rev string) ([]string, error) {
	in := &invocation{dir: repoDir, args: []string{"ls-tree", "-r", "-z", "--name-only", "--full-tree", rev}}
	out, err := in.run(ctx)
	if err != nil {
		return nil, fmt.Errorf("list files of %s: %w", rev, err)
	}
	var files []string
	for _, p := range bytes.Split(out, []byte{0}) {
		if len(p) > 0 {
			files = append(files, string(p))
		}
	}
	sort.Strings(files)
	return files, nil
}
