package workspace

import (
	"slices"
	"testing"
)

func TestListFiles(t *testing.T) {
	dir := newRepo(t)
	sha := commit(t, dir, "files", map[string]string{"src/a.js": "a\n", "b c.txt": "b\n", "dir/ünï.js": "u\n"})
	got, err := ListFiles(ctxT(t), dir, sha)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"b c.txt", "dir/ünï.js", "src/a.js"}
	if !slices.Equal(got, want) {
		t.Errorf("ListFiles = %q, want %q", got, want)
	}
	if _, err := ListFiles(ctxT(t), dir, "no-such-rev"); err == nil {
		t.Error("no error for an unknown revision")
	}
}
