package gittest

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCommits(t *testing.T) {
	r := New(t, At(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	ids := r.Commits(
		Commit{Message: "base", Files: Files{"a.txt": "a\n", "dir/b.txt": "b\n"}},
		Commit{Branch: "feature", Message: "drop b", Files: Files{"dir/b.txt": ""}},
		Commit{Branch: "main", Message: "empty"},
	)
	if len(ids) != 3 || ids[0] == ids[1] || ids[1] == ids[2] {
		t.Fatalf("commit ids %v: want three different", ids)
	}
	tests := []struct {
		rev, want string
	}{
		{"main~1", ids[0]},
		{"main", ids[2]},
		{"feature", ids[1]},
		{"feature~1", ids[0]},
	}
	for _, tt := range tests {
		if got := r.Git("rev-parse", tt.rev); got != tt.want {
			t.Errorf("%s = %.12s, want %.12s", tt.rev, got, tt.want)
		}
	}
	if got := r.Git("ls-tree", "-r", "--name-only", "feature"); got != "a.txt" {
		t.Errorf("files of feature: %q, want only a.txt", got)
	}
	if got := r.Git("log", "-1", "--format=%an <%ae> %aI %cI", ids[1]); got != "Dev <dev@example.com> 2026-01-02T03:04:05+00:00 2026-01-02T03:04:05+00:00" {
		t.Errorf("author and dates: %q", got)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, "dir", "b.txt")); err != nil {
		t.Errorf("main's work tree lost dir/b.txt: %v", err)
	}
	// The same history at the same date has the same ids.
	again := New(t, At(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	if id := again.Commit("base", Files{"a.txt": "a\n", "dir/b.txt": "b\n"}); id != ids[0] {
		t.Errorf("same commit, id %.12s then %.12s", ids[0], id)
	}
}
