package workspace

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func tenLines(changeAt int) string {
	var b strings.Builder
	for i := 1; i <= 10; i++ {
		if i == changeAt {
			b.WriteString("changed line\n")
			continue
		}
		b.WriteString("const line" + string(rune('0'+i%10)) + " = 'some long enough content for rename detection';\n")
	}
	return b.String()
}

// changeRepo has a base commit and a head commit with every kind of change.
func changeRepo(t *testing.T) (dir, base, head string) {
	t.Helper()
	dir = newRepo(t)
	base = commit(t, dir, "base", map[string]string{
		"edit.js":     "1\n2\n3\n4\n5\n",
		"add.js":      "a\nb\n",
		"del.js":      "a\nb\nc\n",
		"mixed.js":    "a\nb\nc\nd\n",
		"old/name.js": tenLines(0),
		"gone.js":     "bye\n",
		"image.png":   "\x89PNG\r\n\x1a\n\x00\x00\x00\x01",
		"crlf.txt":    "a\r\nb\r\nc\r\n",
		"tricky.js":   "x\n-- a/x\ny\n",
		"nonl.js":     "a\nb",
		"script.sh":   "echo hi\n",
	})
	if err := os.Remove(filepath.Join(dir, "gone.js")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "old/name.js")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "script.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	head = commit(t, dir, "head", map[string]string{
		"edit.js":        "1\nTWO\n3\n4\n5\n",
		"add.js":         "a\nb\nc\nd\n",
		"del.js":         "a\nc\n",
		"mixed.js":       "x\na\nc\nd\ne\n",
		"new/name.js":    tenLines(5),
		"new.js":         "one\ntwo\nthree\n",
		"image.png":      "\x89PNG\r\n\x1a\n\x00\x00\x00\x02",
		"crlf.txt":       "a\r\nB\r\nc\r\n",
		"tricky.js":      "x\n++ b/evil\ny\n",
		"nonl.js":        "a\nb\nc",
		"with space.js":  "s\n",
		"中文.js":          "zh\n",
		"sub/dir/d.wxml": "<view/>\n<text/>\n",
	})
	return dir, base, head
}

func TestChangedLines(t *testing.T) {
	dir, base, head := changeRepo(t)
	got, err := ChangedLines(ctxT(t), dir, base, head)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		"edit.js":        {2},
		"add.js":         {3, 4},
		"mixed.js":       {1, 5},
		"new/name.js":    {5},
		"new.js":         {1, 2, 3},
		"crlf.txt":       {2},
		"tricky.js":      {2},
		"nonl.js":        {2, 3},
		"with space.js":  {1},
		"中文.js":          {1},
		"sub/dir/d.wxml": {1, 2},
	}
	for _, tt := range []struct {
		name string
		path string
	}{
		{"edit", "edit.js"}, {"addition", "add.js"}, {"edit and addition", "mixed.js"},
		{"rename with an edit", "new/name.js"}, {"new file", "new.js"}, {"CRLF", "crlf.txt"},
		{"content that looks like headers", "tricky.js"}, {"no newline at end", "nonl.js"},
		{"space in name", "with space.js"}, {"non-ASCII name", "中文.js"}, {"nested", "sub/dir/d.wxml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(got[tt.path], want[tt.path]) {
				t.Errorf("%s: got %v, want %v", tt.path, got[tt.path], want[tt.path])
			}
		})
	}
	for _, absent := range []string{"del.js", "gone.js", "old/name.js", "image.png", "script.sh", "evil", "x"} {
		t.Run("absent "+absent, func(t *testing.T) {
			if ls, ok := got[absent]; ok {
				t.Errorf("%s listed with lines %v", absent, ls)
			}
		})
	}
	if len(got) != len(want) {
		t.Errorf("got %d files, want %d: %v", len(got), len(want), got)
	}

	t.Run("same commit", func(t *testing.T) {
		got, err := ChangedLines(ctxT(t), dir, head, head)
		if err != nil || len(got) != 0 {
			t.Fatalf("got %v, %v; want nothing", got, err)
		}
	})
	t.Run("unknown base", func(t *testing.T) {
		if _, err := ChangedLines(ctxT(t), dir, "origin/main", head); err == nil || !strings.Contains(err.Error(), "fetch-depth") {
			t.Fatalf("err = %v, want an unknown-revision error with a fetch hint", err)
		}
	})
}

// A repository config that would change git's patch text must not change
// what we read.
func TestChangedLinesIgnoresRepoDiffConfig(t *testing.T) {
	dir, base, head := changeRepo(t)
	want, err := ChangedLines(ctxT(t), dir, base, head)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range [][2]string{
		{"diff.noprefix", "true"}, {"diff.mnemonicPrefix", "true"}, {"color.ui", "always"},
		{"color.diff", "always"}, {"diff.external", "false"}, {"diff.renames", "false"},
		{"diff.relative", "true"}, {"core.quotePath", "false"},
	} {
		tgit(t, dir, "config", kv[0], kv[1])
	}
	got, err := ChangedLines(ctxT(t), dir, base, head)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with diff config: %v\nwithout: %v", got, want)
	}
}

func TestChangedFiles(t *testing.T) {
	dir, base, head := changeRepo(t)
	got, err := ChangedFiles(ctxT(t), dir, base, head)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"add.js", "crlf.txt", "del.js", "edit.js", "gone.js", "image.png", "mixed.js", "new.js",
		"new/name.js", "nonl.js", "old/name.js", "script.sh", "sub/dir/d.wxml", "tricky.js",
		"with space.js", "中文.js",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ChangedFiles =\n%q\nwant\n%q", got, want)
	}

	cs, err := Changes(ctxT(t), dir, base, head)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]Change{}
	for _, c := range cs {
		byPath[c.Path] = c
	}
	for _, tt := range []struct {
		path    string
		status  byte
		oldPath string
	}{
		{"new/name.js", 'R', "old/name.js"},
		{"gone.js", 'D', ""},
		{"new.js", 'A', ""},
		{"edit.js", 'M', ""},
		{"script.sh", 'M', ""},
		{"中文.js", 'A', ""},
	} {
		t.Run(tt.path, func(t *testing.T) {
			c, ok := byPath[tt.path]
			if !ok || c.Status != tt.status || c.OldPath != tt.oldPath {
				t.Errorf("change of %s = %+v (found %v), want status %c old path %q", tt.path, c, ok, tt.status, tt.oldPath)
			}
		})
	}
}

func TestParseDiff(t *testing.T) {
	tests := []struct {
		name    string
		diff    string
		want    map[string][]int
		wantErr string
	}{
		{name: "empty", diff: "", want: map[string][]int{}},
		{
			name: "two hunks",
			diff: "diff --git a/a.js b/a.js\nindex 1..2 100644\n--- a/a.js\n+++ b/a.js\n" +
				"@@ -2 +2 @@\n-x\n+y\n@@ -10,0 +11,2 @@ func\n+p\n+q\n",
			want: map[string][]int{"a.js": {2, 11, 12}},
		},
		{
			name: "quoted path with tab and octal",
			diff: "diff --git \"a/t\\tb\" \"b/t\\tb\"\nnew file mode 100644\n--- /dev/null\n+++ \"b/t\\tb\\344\\270\\255\"\n@@ -0,0 +1 @@\n+x\n",
			want: map[string][]int{"t\tb中": {1}},
		},
		{
			name: "space in name has a trailing tab",
			diff: "diff --git a/my file b/my file\n--- a/my file\t\n+++ b/my file\t\n@@ -1 +1 @@\n-a\n+b\n",
			want: map[string][]int{"my file": {1}},
		},
		{
			name: "deleted file",
			diff: "diff --git a/a b/a\ndeleted file mode 100644\n--- a/a\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n",
			want: map[string][]int{},
		},
		{
			name: "binary",
			diff: "diff --git a/i.png b/i.png\nindex 1..2 100644\nBinary files a/i.png and b/i.png differ\n",
			want: map[string][]int{},
		},
		{
			name: "header lookalikes inside a hunk",
			diff: "diff --git a/t b/t\n--- a/t\n+++ b/t\n@@ -2,2 +2,2 @@\n--- a/x\n-diff --git a/q b/q\n+++ b/evil\n+@@ -1 +1 @@\n",
			want: map[string][]int{"t": {2, 3}},
		},
		{
			name: "no newline markers",
			diff: "diff --git a/n b/n\n--- a/n\n+++ b/n\n@@ -2 +2,2 @@\n-b\n\\ No newline at end of file\n+b\n+c\n\\ No newline at end of file\n",
			want: map[string][]int{"n": {2, 3}},
		},
		{
			name: "CRLF content",
			diff: "diff --git a/c b/c\r\n--- a/c\r\n+++ b/c\r\n@@ -2 +2 @@\r\n-b\r\n+B\r\n",
			want: map[string][]int{"c": {2}},
		},
		{
			name:    "truncated hunk",
			diff:    "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n-a\n+b\n",
			wantErr: "ends inside a hunk",
		},
		{
			name:    "bad hunk header",
			diff:    "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -x +1 @@\n+b\n",
			wantErr: "bad hunk header",
		},
		{
			name:    "huge count",
			diff:    "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1,99999999999999999999 @@\n+b\n",
			wantErr: "bad line count",
		},
		{
			name:    "path without prefix",
			diff:    "diff --git a/a b/a\n--- a/a\n+++ a\n@@ -1 +1 @@\n-a\n+b\n",
			wantErr: "does not start with",
		},
		{
			name:    "garbage in hunk",
			diff:    "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1 @@\n?a\n+b\n",
			wantErr: "unexpected",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDiff(strings.NewReader(tt.diff))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseDiffLongLine(t *testing.T) {
	long := strings.Repeat("x", 3*maxLinePrefix)
	diff := "diff --git a/m.js b/m.js\n--- a/m.js\n+++ b/m.js\n@@ -1 +1,2 @@\n-" + long + "\n+" + long + "\n+end\n"
	got, err := ParseDiff(strings.NewReader(diff))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string][]int{"m.js": {1, 2}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func FuzzParseDiff(f *testing.F) {
	f.Add("diff --git a/a.js b/a.js\n--- a/a.js\n+++ b/a.js\n@@ -2 +2 @@\n-x\n+y\n@@ -10,0 +11,2 @@\n+p\n+q\n")
	f.Add("diff --git a/t b/t\n--- /dev/null\n+++ \"b/t\\tb\\344\"\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n")
	f.Add("diff --git a/i b/i\nBinary files a/i and b/i differ\n")
	f.Add("@@ -1 +1 @@\n+x\n")
	f.Fuzz(func(t *testing.T, diff string) {
		got, err := ParseDiff(strings.NewReader(diff))
		if err != nil {
			return
		}
		for p, ls := range got {
			if p == "" {
				t.Fatalf("empty path in %v", got)
			}
			for i, l := range ls {
				if l < 1 {
					t.Fatalf("%s: line %d < 1", p, l)
				}
				if i > 0 && ls[i-1] >= l {
					t.Fatalf("%s: lines not strictly ascending: %v", p, ls)
				}
			}
		}
	})
}

func TestParseNameStatus(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Change
		wantErr bool
	}{
		{name: "empty", in: ""},
		{name: "kinds", in: "M\x00a\x00R087\x00o\x00n\x00D\x00d\x00", want: []Change{{'M', "a", ""}, {'R', "n", "o"}, {'D', "d", ""}}},
		{name: "rename without second path", in: "R100\x00o\x00", wantErr: true},
		{name: "unknown status", in: "Z\x00a\x00", wantErr: true},
		{name: "empty status", in: "\x00a\x00", wantErr: true},
		{name: "empty path", in: "M\x00\x00", wantErr: true},
		{name: "empty old path", in: "R100\x00\x00n\x00", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseNameStatus([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestUnquoteC(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: `"a"`, want: "a"},
		{in: `"a\"b\\c"`, want: `a"b\c`},
		{in: `"\a\b\t\n\v\f\r"`, want: "\a\b\t\n\v\f\r"},
		{in: `"\344\270\255"`, want: "中"},
		{in: "\"x\"\t", want: "x"},
		{in: `"\400"`, wantErr: true},
		{in: `"\9"`, wantErr: true},
		{in: `"abc`, wantErr: true},
		{in: `"\`, wantErr: true},
		{in: `abc`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := unquoteC(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("unquoteC(%q) = %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func FuzzParseNameStatus(f *testing.F) {
	f.Add([]byte("M\x00a\x00R087\x00o\x00n\x00D\x00d\x00"))
	f.Add([]byte("C100\x00a\x00"))
	f.Fuzz(func(t *testing.T, in []byte) {
		cs, err := parseNameStatus(in)
		if err != nil {
			return
		}
		for _, c := range cs {
			if c.Path == "" {
				t.Fatalf("empty path in %+v", c)
			}
			if twoPaths := c.Status == 'R' || c.Status == 'C'; twoPaths != (c.OldPath != "") {
				t.Fatalf("old path of %+v", c)
			}
		}
	})
}
