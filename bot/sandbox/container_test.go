package sandbox

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestContainerArgs(t *testing.T) {
	wt := t.TempDir()
	argv := []string{"/bin/sh", "-c", "npm ci && npm run build"}
	base := []string{"run", "--rm", "--init", "--name", "mpgate-build-t"}
	isolation := []string{
		"--cap-drop", "ALL",
		"--security-opt", "no-new-privileges",
		"--read-only", "--tmpfs", "/tmp",
		"--user", "1000:1000",
		"--hostname", Hostname,
		"-v", wt + ":" + wt,
		"-w", wt,
	}
	cat := func(parts ...[]string) []string { return slices.Concat(parts...) }
	tests := []struct {
		name string
		c    Container
		env  []string
		want []string
	}{
		{
			name: "no network by default",
			c:    Container{Image: "node:22-bookworm", User: "1000:1000"},
			env:  []string{"PATH=/usr/local/bin:/usr/bin:/bin"},
			want: cat(base, []string{"--network", "none"}, isolation,
				[]string{"-e", "HOME=/tmp", "-e", "PATH=/usr/local/bin:/usr/bin:/bin", "node:22-bookworm"}, argv),
		},
		{
			name: "network",
			c:    Container{Image: "node:22", User: "1000:1000", Network: true},
			want: cat(base, isolation, []string{"-e", "HOME=/tmp", "node:22"}, argv),
		},
		{
			name: "secrets dropped, HOME in the worktree kept",
			c:    Container{Image: "node:22", User: "1000:1000"},
			env:  []string{"GITHUB_TOKEN=x", "HOME=" + wt + "/.home", "CI=true"},
			want: cat(base, []string{"--network", "none"}, isolation,
				[]string{"-e", "CI=true", "-e", "HOME=" + wt + "/.home", "node:22"}, argv),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.Args("mpgate-build-t", wt, argv, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("args\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestContainerGit(t *testing.T) {
	root := t.TempDir()
	admin := filepath.Join(root, "mirror.git", "worktrees", "head")
	wt := filepath.Join(root, "head")
	if err := os.MkdirAll(admin, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(admin, "commondir"), "../..\n")
	write(t, filepath.Join(wt, ".git"), "gitdir: "+admin+"\n")
	write(t, filepath.Join(admin, "gitdir"), filepath.Join(wt, ".git")+"\n")
	mount := filepath.Join(root, "mirror.git") + ":" + filepath.Join(root, "mirror.git") + ":ro"
	for _, noGit := range []bool{false, true} {
		args, err := (&Container{Image: "node", User: "1:1", NoGit: noGit}).Args("n", wt, []string{"true"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(pairs(args, "-v"), mount); got == noGit {
			t.Errorf("NoGit=%v: mirror mounted %v in %q", noGit, got, args)
		}
	}
}

func TestContainerArgsErrors(t *testing.T) {
	wt := t.TempDir()
	argv := []string{"true"}
	tests := []struct {
		name     string
		c        Container
		cname    string
		worktree string
		argv     []string
		want     string
	}{
		{"no image", Container{}, "n", wt, argv, "no image"},
		{"image like an option", Container{Image: "--privileged"}, "n", wt, argv, "looks like an option"},
		{"no name", Container{Image: "node"}, "", wt, argv, "no name"},
		{"no worktree", Container{Image: "node"}, "n", "", argv, "no worktree"},
		{"empty command", Container{Image: "node"}, "n", wt, nil, "empty command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.Args(tt.cname, tt.worktree, tt.argv, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestContainerDefaultUserAndName(t *testing.T) {
	c := &Container{Image: "node"}
	n1, n2 := c.name(), c.name()
	if !strings.HasPrefix(n1, "mpgate-build-") || n1 == n2 {
		t.Errorf("names %q, %q: want unique mpgate-build-…", n1, n2)
	}
	args, err := c.Args(n1, t.TempDir(), []string{"true"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := pairs(args, "--user")
	if len(u) != 1 || !strings.Contains(u[0], ":") {
		t.Errorf("--user %q, want mpgate's uid:gid", u)
	}
}

func TestClientEnv(t *testing.T) {
	got := clientEnv([]string{"PATH=/bin", "DOCKER_HOST=unix:///run/user/1000/docker.sock", "MPGATE_GITHUB_KEY=x", "NPM_TOKEN=y", "HOME=/home/m"})
	want := []string{"DOCKER_HOST=unix:///run/user/1000/docker.sock", "HOME=/home/m", "PATH=/bin"}
	if !slices.Equal(got, want) {
		t.Errorf("clientEnv = %q, want %q", got, want)
	}
	if got := clientEnv(nil); len(got) != 1 || !strings.HasPrefix(got[0], "PATH=") {
		t.Errorf("clientEnv(nil) = %q", got)
	}
}
