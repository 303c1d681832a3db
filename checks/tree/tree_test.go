package tree

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// build creates files (path → content) under a new temp dir and returns it.
func build(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func symlink(t testing.TB, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symlinks not supported here: %v", err)
	}
}

func paths(t *Tree) []string {
	var out []string
	for _, f := range t.Files {
		out = append(out, f.Path)
	}
	return out
}

func problems(t *Tree) []string {
	var out []string
	for _, p := range t.Problems {
		out = append(out, p.Path+" "+p.Kind.String())
	}
	return out
}

func TestWalk(t *testing.T) {
	t.Parallel()
	outside := build(t, map[string]string{"secret.js": "x", "d/a.js": "y"})
	tests := []struct {
		name     string
		files    map[string]string
		links    map[string]string // link path → target (relative to link, or absolute with "OUT/" prefix)
		want     []string
		problems []string
		skipped  []string
		dirs     []string
	}{
		{
			name: "plain files sorted, skipped dirs not descended",
			files: map[string]string{
				"app.json": "{}", "pages/index/index.js": "1", "pages/index/index.wxml": "<view/>",
				"node_modules/x/index.js": "x", ".git/HEAD": "ref", ".svn/entries": "e",
				"miniprogram_npm/x/index.js": "x", ".eslintrc.js": "{}", "a/node_modules/b.js": "b",
			},
			want: []string{".eslintrc.js", "app.json", "miniprogram_npm/x/index.js", "pages/index/index.js",
				"pages/index/index.wxml"},
			skipped: []string{".git", ".svn", "a/node_modules", "node_modules"},
			dirs:    []string{"", "pages", "pages/index", "miniprogram_npm/x", "a"},
		},
		{
			name:  "symlinked file inside is listed at its own path",
			files: map[string]string{"utils/util.js": "abc"},
			links: map[string]string{"lib/util.js": "../utils/util.js"},
			want:  []string{"lib/util.js", "utils/util.js"},
		},
		{
			name:  "symlinked directory inside is walked",
			files: map[string]string{"shared/a.js": "a", "shared/b/c.js": "c"},
			links: map[string]string{"pkg/shared": "../shared"},
			want:  []string{"pkg/shared/a.js", "pkg/shared/b/c.js", "shared/a.js", "shared/b/c.js"},
			dirs:  []string{"pkg/shared", "pkg/shared/b"},
		},
		{
			name:     "symlinks outside are not followed",
			files:    map[string]string{"app.js": ""},
			links:    map[string]string{"secret.js": "OUT/secret.js", "d": "OUT/d", "up": "../"},
			want:     []string{"app.js"},
			problems: []string{"d symlink leads outside the root", "secret.js symlink leads outside the root", "up symlink leads outside the root"},
		},
		{
			name:     "dangling symlink",
			files:    map[string]string{"app.js": ""},
			links:    map[string]string{"gone.js": "nothere.js"},
			want:     []string{"app.js"},
			problems: []string{"gone.js dangling symlink"},
		},
		{
			name:     "directory loop",
			files:    map[string]string{"a/x.js": "x"},
			links:    map[string]string{"a/self": ".", "a/b/up": "../.."},
			want:     []string{"a/x.js"},
			problems: []string{"a/b/up symlink loop", "a/self symlink loop"},
		},
		{
			name:     "link chain loop",
			files:    map[string]string{"app.js": ""},
			links:    map[string]string{"l1": "l2", "l2": "l1"},
			want:     []string{"app.js"},
			problems: []string{"l1 symlink loop", "l2 symlink loop"},
		},
		{
			name:    "symlink named node_modules is skipped",
			files:   map[string]string{"vendor/x.js": "x"},
			links:   map[string]string{"node_modules": "vendor"},
			want:    []string{"vendor/x.js"},
			skipped: []string{"node_modules"},
		},
		{
			name:  "non-UTF-8 names",
			files: map[string]string{"img/\xff\xfe.png": "p", "页面/首页.js": "1"},
			want:  []string{"img/\xff\xfe.png", "页面/首页.js"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := build(t, tt.files)
			for link, target := range tt.links {
				if rest, ok := strings.CutPrefix(target, "OUT/"); ok {
					target = filepath.Join(outside, rest)
				}
				symlink(t, target, filepath.Join(dir, filepath.FromSlash(link)))
			}
			tr, err := Walk(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := paths(tr); !slices.Equal(got, tt.want) {
				t.Errorf("files = %q, want %q", got, tt.want)
			}
			if got := problems(tr); !slices.Equal(got, tt.problems) {
				t.Errorf("problems = %q, want %q", got, tt.problems)
			}
			if !slices.Equal(tr.Skipped, tt.skipped) {
				t.Errorf("skipped = %q, want %q", tr.Skipped, tt.skipped)
			}
			for _, d := range tt.dirs {
				if !tr.IsDir(d) || !tr.Exists(d) {
					t.Errorf("IsDir(%q) = false", d)
				}
			}
			for _, f := range tr.Files {
				got, ok := tr.Lookup(f.Path)
				if !ok || got != f {
					t.Errorf("Lookup(%q) = %v, %v", f.Path, got, ok)
				}
				if tr.IsDir(f.Path) {
					t.Errorf("IsDir(%q) = true for a file", f.Path)
				}
				b, err := tr.ReadFile(f.Path, -1)
				if err != nil {
					t.Errorf("ReadFile(%q): %v", f.Path, err)
				} else if int64(len(b)) != f.Size {
					t.Errorf("ReadFile(%q) read %d bytes, size %d", f.Path, len(b), f.Size)
				}
			}
		})
	}
}

func TestWalkSizes(t *testing.T) {
	dir := build(t, map[string]string{"a.js": "12345", "b/c.wxml": "", "b/d.png": strings.Repeat("x", 1000)})
	tr, err := Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []File{{"a.js", 5}, {"b/c.wxml", 0}, {"b/d.png", 1000}}
	if !slices.Equal(tr.Files, want) {
		t.Errorf("files = %v, want %v", tr.Files, want)
	}
	if _, ok := tr.Lookup("b"); ok {
		t.Error("Lookup of a directory succeeded")
	}
	if tr.Exists("missing.js") || tr.IsDir("missing") {
		t.Error("missing path exists")
	}
	for _, p := range []string{"", ".", "b", "b/"} {
		if !tr.IsDir(p) {
			t.Errorf("IsDir(%q) = false", p)
		}
	}
}

func TestWalkRootErrors(t *testing.T) {
	t.Parallel()
	file := filepath.Join(build(t, map[string]string{"f": "x"}), "f")
	tests := []struct {
		name string
		dir  string
	}{
		{"missing", filepath.Join(t.TempDir(), "nope")},
		{"a file", file},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Walk(context.Background(), tt.dir)
			if !errors.Is(err, ErrRoot) {
				t.Errorf("err = %v, want ErrRoot", err)
			}
		})
	}
}

func TestWalkCancelled(t *testing.T) {
	dir := build(t, map[string]string{"a/b.js": "x"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Walk(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestWalkRootThroughSymlink(t *testing.T) {
	real := build(t, map[string]string{"app.js": "x", "u/a.js": "a"})
	link := filepath.Join(t.TempDir(), "root")
	symlink(t, real, link)
	symlink(t, "../app.js", filepath.Join(real, "u", "app.js"))
	tr, err := Walk(context.Background(), link)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := paths(tr), []string{"app.js", "u/a.js", "u/app.js"}; !slices.Equal(got, want) {
		t.Errorf("files = %q, want %q (problems %q)", got, want, problems(tr))
	}
}

func TestUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permission bits do not stop root from reading, so no unreadable directory can be made")
	}
	dir := build(t, map[string]string{"ok.js": "x", "locked/a.js": "a"})
	locked := filepath.Join(dir, "locked")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	tr, err := Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := problems(tr), []string{"locked unreadable"}; !slices.Equal(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
	if got, want := paths(tr), []string{"ok.js"}; !slices.Equal(got, want) {
		t.Errorf("files = %q, want %q", got, want)
	}
}

func TestOpenRefusesEscape(t *testing.T) {
	t.Parallel()
	outside := build(t, map[string]string{"secret.js": "secret"})
	dir := build(t, map[string]string{"app.js": "app", "sub/x.js": "x"})
	symlink(t, filepath.Join(outside, "secret.js"), filepath.Join(dir, "out.js"))
	tr, err := Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	// A link created after the walk must not escape either.
	symlink(t, filepath.Join(outside, "secret.js"), filepath.Join(dir, "late.js"))
	tests := []struct {
		path    string
		wantErr error // nil: any error
	}{
		{"../" + filepath.Base(outside) + "/secret.js", ErrInvalidPath},
		{"sub/../../secret.js", ErrInvalidPath},
		{"/etc/passwd", ErrInvalidPath},
		{"sub//x.js", ErrInvalidPath},
		{"out.js", nil},
		{"late.js", nil},
		{"sub", ErrIsDir},
		{"", ErrIsDir},
		{"missing.js", os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			rc, err := tr.Open(tt.path)
			if err == nil {
				rc.Close()
				t.Fatalf("Open(%q) succeeded", tt.path)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Open(%q) = %v, want %v", tt.path, err, tt.wantErr)
			}
			if _, err := tr.ReadFile(tt.path, -1); err == nil {
				t.Errorf("ReadFile(%q) succeeded", tt.path)
			}
		})
	}
	rc, err := tr.Open("sub/x.js")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, _ := io.ReadAll(rc); string(b) != "x" {
		t.Errorf("read %q", b)
	}
}

func TestReadFileMax(t *testing.T) {
	dir := build(t, map[string]string{"a.js": "0123456789"})
	tr, err := Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		max     int64
		wantErr bool
	}{{-1, false}, {10, false}, {100, false}, {9, true}, {0, true}}
	for _, tt := range tests {
		b, err := tr.ReadFile("a.js", tt.max)
		if tt.wantErr {
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("max %d: err = %v, want ErrTooLarge", tt.max, err)
			}
			continue
		}
		if err != nil || string(b) != "0123456789" {
			t.Errorf("max %d: %q, %v", tt.max, b, err)
		}
	}
}

func TestCloseThenRead(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.js"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := tr.ReadFile("a.js", -1); err != nil || string(b) != "a" {
		t.Fatalf("read before close: %q %v", b, err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.ReadFile("a.js", -1); err == nil {
		t.Error("read after Close succeeded")
	}
}
