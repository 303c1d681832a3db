package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// forkedRepo: main c1-c2-c3, feature forked at c2 with f1-f2.
type forked struct {
	dir                string
	c1, c2, c3, f1, f2 string
}

func forkedRepo(t *testing.T) forked {
	t.Helper()
	r := forked{dir: newRepo(t)}
	r.c1 = commit(t, r.dir, "c1", map[string]string{"app.js": "a\n"})
	r.c2 = commit(t, r.dir, "c2", map[string]string{"app.js": "a\nb\n"})
	tgit(t, r.dir, "checkout", "--quiet", "-b", "feature")
	r.f1 = commit(t, r.dir, "f1", map[string]string{"feature.js": "f\n"})
	r.f2 = commit(t, r.dir, "f2", map[string]string{"feature.js": "f\ng\n"})
	tgit(t, r.dir, "checkout", "--quiet", "main")
	r.c3 = commit(t, r.dir, "c3 (main moved on)", map[string]string{"other.js": "o\n"})
	return r
}

func TestMergeBase(t *testing.T) {
	r := forkedRepo(t)
	ctx := ctxT(t)
	tests := []struct {
		name, a, b, want string
	}{
		{"fork point, not the base tip", "main", "feature", r.c2},
		{"symmetric", "feature", "main", r.c2},
		{"shas", r.c3, r.f2, r.c2},
		{"ancestor", r.c1, "feature", r.c1},
		{"same", "feature", "feature", r.f2},
		{"expression", "main~1", "feature", r.c2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MergeBase(ctx, r.dir, tt.a, tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("MergeBase(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.want)
			}
			if got == r.c3 {
				t.Errorf("merge base is the base branch's tip")
			}
		})
	}
}

func TestMergeBaseErrors(t *testing.T) {
	r := forkedRepo(t)
	ctx := ctxT(t)
	tgit(t, r.dir, "checkout", "--quiet", "--orphan", "lonely")
	commit(t, r.dir, "unrelated", map[string]string{"x": "x\n"})
	tgit(t, r.dir, "checkout", "--quiet", "main")

	tests := []struct {
		name, a, b string
		is         error
		contains   []string
	}{
		{"unknown ref", "origin/main", "feature", ErrUnknownRevision, []string{`"origin/main"`, "fetch-depth: 0", "git fetch origin main"}},
		{"option injection", "--output=/tmp/x", "feature", ErrUnknownRevision, []string{"starts with '-'"}},
		{"empty", "", "feature", ErrUnknownRevision, nil},
		{"unrelated histories", "lonely", "main", ErrNoMergeBase, []string{"unrelated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := MergeBase(ctx, r.dir, tt.a, tt.b)
			if !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want %v", err, tt.is)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

// A shallow CI checkout of the head only: the base is unknown and the error
// says the clone is shallow and how to fetch.
func TestMergeBaseShallowClone(t *testing.T) {
	r := forkedRepo(t)
	ctx := ctxT(t)
	clone := filepath.Join(t.TempDir(), "clone")
	tgit(t, r.dir, "clone", "--quiet", "--depth=1", "--branch=feature", "file://"+r.dir, clone)
	_, err := MergeBase(ctx, clone, "origin/main", "HEAD")
	if !errors.Is(err, ErrUnknownRevision) {
		t.Fatalf("err = %v, want ErrUnknownRevision", err)
	}
	for _, s := range []string{"shallow", "fetch-depth: 0"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	// Fetching main at depth 1 makes the ref known but the fork point still
	// unreachable.
	tgit(t, clone, "fetch", "--quiet", "--depth=1", "origin", "main:refs/remotes/origin/main")
	_, err = MergeBase(ctx, clone, "origin/main", "HEAD")
	if !errors.Is(err, ErrNoMergeBase) || !strings.Contains(err.Error(), "shallow") {
		t.Fatalf("err = %v, want ErrNoMergeBase mentioning shallow", err)
	}
}

func TestRevParse(t *testing.T) {
	r := forkedRepo(t)
	ctx := ctxT(t)
	tests := []struct {
		rev  string
		want string
		is   error
	}{
		{rev: "HEAD", want: r.c3},
		{rev: "main", want: r.c3},
		{rev: "feature~1", want: r.f1},
		{rev: r.c1[:10], want: r.c1},
		{rev: r.c2, want: r.c2},
		{rev: "nope", is: ErrUnknownRevision},
		{rev: "-h", is: ErrUnknownRevision},
		{rev: "main\nfeature", is: ErrUnknownRevision},
		{rev: "HEAD^{tree}", is: ErrUnknownRevision},
	}
	for _, tt := range tests {
		t.Run(tt.rev, func(t *testing.T) {
			got, err := RevParse(ctx, r.dir, tt.rev)
			if tt.is != nil {
				if !errors.Is(err, tt.is) {
					t.Fatalf("RevParse(%q) err = %v, want %v", tt.rev, err, tt.is)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("RevParse(%q) = %q, %v; want %q", tt.rev, got, err, tt.want)
			}
		})
	}
	t.Run("not a repository", func(t *testing.T) {
		_, err := RevParse(ctx, t.TempDir(), "HEAD")
		if !errors.Is(err, ErrNotRepository) {
			t.Fatalf("err = %v, want ErrNotRepository", err)
		}
	})
}

func TestToplevel(t *testing.T) {
	r := forkedRepo(t)
	ctx := ctxT(t)
	sub := filepath.Join(r.dir, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	want, err := filepath.EvalSymlinks(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{r.dir, sub} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got, err := Toplevel(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("Toplevel(%s) = %s, want %s", dir, got, want)
			}
		})
	}
	t.Run("not a repository", func(t *testing.T) {
		_, err := Toplevel(ctx, t.TempDir())
		if !errors.Is(err, ErrNotRepository) {
			t.Fatalf("err = %v, want ErrNotRepository", err)
		}
	})
}

func TestGitIgnoresInheritedGitEnv(t *testing.T) {
	// mpgate run from a git hook inherits GIT_DIR; it must not leak into the
	// commands it runs on other repositories.
	r := forkedRepo(t)
	other := newRepo(t)
	t.Setenv("GIT_DIR", filepath.Join(other, ".git"))
	got, err := RevParse(ctxT(t), r.dir, "main")
	if err != nil || got != r.c3 {
		t.Fatalf("RevParse with GIT_DIR set = %q, %v; want %s", got, err, r.c3)
	}
}

// A checkout owned by another user (a container CI job running as root on
// the runner's checkout) works when the user's own git config trusts it with
// safe.directory, although mpgate otherwise ignores that config.
func TestDubiousOwnershipHonoursUserSafeDirectory(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give the repository to another user")
	}
	r := forkedRepo(t)
	if err := filepath.Walk(r.dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, 54321, 54321)
	}); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_GLOBAL", "")
	os.Unsetenv("GIT_CONFIG_GLOBAL")

	t.Run("untrusted", func(t *testing.T) {
		_, err := RevParse(ctxT(t), r.dir, "main")
		if err == nil || !strings.Contains(err.Error(), "dubious ownership") {
			t.Fatalf("err = %v, want git's dubious ownership error", err)
		}
	})
	t.Run("trusted by the user's config", func(t *testing.T) {
		write(t, home, map[string]string{".gitconfig": "[safe]\n\tdirectory = " + r.dir + "\n"})
		got, err := RevParse(ctxT(t), r.dir, "main")
		if err != nil || got != r.c3 {
			t.Fatalf("RevParse = %q, %v; want %s", got, err, r.c3)
		}
	})
}
