package sandbox

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestGitDirs(t *testing.T) {
	root := t.TempDir()
	mirror := filepath.Join(root, "mirrors", "shop.git")
	admin := filepath.Join(mirror, "worktrees", "head")
	wt := filepath.Join(root, "jobs", "1", "head")
	for _, d := range []string{admin, wt, filepath.Join(root, "plain", ".git"), filepath.Join(root, "outside-admin")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(admin, "commondir"), "../..\n")
	write(t, filepath.Join(admin, "gitdir"), filepath.Join(wt, ".git")+"\n")
	write(t, filepath.Join(root, "outside-admin", "gitdir"), filepath.Join(wt, ".git")+"\n")
	// Another worktree's administrative directory points at that worktree.
	other := filepath.Join(mirror, "worktrees", "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(other, "commondir"), "../..\n")
	write(t, filepath.Join(other, "gitdir"), filepath.Join(root, "jobs", "2", "head", ".git")+"\n")
	// A directory the build would like to read: no gitdir file pointing back.
	secret := filepath.Join(root, "secrets")
	if err := os.MkdirAll(secret, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		gitFile string // content of wt/.git; "" for none
		want    []string
	}{
		{"linked worktree of a mirror", "gitdir: " + admin + "\n", []string{mirror}},
		{"relative gitdir", "gitdir: ../../../mirrors/shop.git/worktrees/head\n", []string{mirror}},
		{"no commondir: the gitdir alone", "gitdir: " + filepath.Join(root, "outside-admin") + "\n", []string{filepath.Join(root, "outside-admin")}},
		{"gitdir inside the worktree needs nothing", "gitdir: .gitmeta\n", nil},
		{"gitdir is a parent of the worktree", "gitdir: " + root + "\n", nil},
		{"gitdir is /", "gitdir: /\n", nil},
		{"rewritten to a directory that does not point back", "gitdir: " + secret + "\n", nil},
		{"rewritten to another worktree's", "gitdir: " + other + "\n", nil},
		{"missing gitdir", "gitdir: " + filepath.Join(root, "nope") + "\n", nil},
		{"not a gitdir line", "ref: refs/heads/main\n", nil},
		{"two lines", "gitdir: " + admin + "\ngitdir: /\n", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_ = os.Remove(filepath.Join(wt, ".git"))
			_ = os.RemoveAll(filepath.Join(wt, ".gitmeta"))
			if tt.gitFile != "" {
				write(t, filepath.Join(wt, ".git"), tt.gitFile)
			}
			if tt.name == "gitdir inside the worktree needs nothing" {
				if err := os.MkdirAll(filepath.Join(wt, ".gitmeta"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if got := GitDirs(wt); !slices.Equal(got, tt.want) {
				t.Errorf("GitDirs = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run(".git directory", func(t *testing.T) {
		if got := GitDirs(filepath.Join(root, "plain")); got != nil {
			t.Errorf("GitDirs = %q, want nil (the metadata is in the worktree)", got)
		}
	})
}

func FuzzParseGitFile(f *testing.F) {
	f.Add([]byte("gitdir: /data/mirrors/x.git/worktrees/head\n"))
	f.Add([]byte("gitdir: ../x\r\n"))
	f.Add([]byte("gitdir: \n"))
	f.Add([]byte("gitdir: a\nb"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, ok := parseGitFile(b)
		if ok && (p == "" || slices.Contains([]byte(p), '\n') || slices.Contains([]byte(p), 0)) {
			t.Fatalf("parseGitFile(%q) = %q", b, p)
		}
		c, ok := parseCommondir(b)
		if ok && (c == "" || slices.Contains([]byte(c), '\n')) {
			t.Fatalf("parseCommondir(%q) = %q", b, c)
		}
	})
}
