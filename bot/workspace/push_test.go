package workspace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCloneAndPushOverHTTP(t *testing.T) {
	u := newUpstream(t)
	tgit(t, u.bare, "config", "http.receivepack", "true")
	const token = "ghs_pushTOKENvalue"
	srv := newGitHTTPServer(t, filepath.Dir(u.bare), "x-access-token", token)
	url := srv.URL + "/" + filepath.Base(u.bare)
	ctx := ctxT(t)
	m, err := OpenMirror(ctx, t.TempDir(), url, Auth{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "release")
	if err := m.Clone(ctx, dir, u.main); err != nil {
		t.Fatal(err)
	}
	if head := tgit(t, dir, "rev-parse", "HEAD"); head != u.main {
		t.Errorf("clone HEAD = %s, want %s", head, u.main)
	}
	// A tag made in the clone is not in the mirror: a fetch of the mirror
	// (which prunes) cannot take it away before it is pushed.
	tgit(t, dir, "tag", "-a", "-m", "app 1.1.0", "app@v1.1.0")
	if _, ok := refs(t, m.Dir)["refs/tags/app@v1.1.0"]; ok {
		t.Error("a tag made in the clone appeared in the mirror")
	}
	rel := commit(t, dir, "chore(release): app@v1.1.0", map[string]string{"CHANGELOG.md": "# Changelog\n"})
	if err := m.Push(ctx, dir, PushOptions{Force: true}, rel+":refs/heads/mpgate/release"); err != nil {
		t.Fatalf("push: %v", err)
	}
	if err := m.Push(ctx, dir, PushOptions{Atomic: true}, "refs/tags/app@v1.1.0"); err != nil {
		t.Fatalf("push tag: %v", err)
	}
	got := refs(t, u.bare)
	if got["refs/heads/mpgate/release"] != rel || got["refs/tags/app@v1.1.0"] == "" {
		t.Errorf("upstream refs %v", got)
	}

	// A refused token: the error says which permission is needed and never
	// holds the token.
	bad, err := OpenMirror(ctx, t.TempDir(), url, Auth{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	bad.auth.Token = "ghs_wrong"
	err = bad.Push(ctx, dir, PushOptions{}, rel+":refs/heads/other")
	if err == nil || !strings.Contains(err.Error(), "Contents permission") || strings.Contains(err.Error(), "ghs_wrong") {
		t.Errorf("refused push: %v", err)
	}
	if err := m.Push(ctx, dir, PushOptions{}, "--delete", "main"); err == nil {
		t.Error("an option passed as a refspec was accepted")
	}
	if err := m.Push(ctx, dir, PushOptions{}); err == nil {
		t.Error("a push of nothing was accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", "objects", "info", "alternates")); err != nil {
		t.Errorf("the clone does not share the mirror's objects: %v", err)
	}
}
