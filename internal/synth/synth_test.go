package synth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// treeHash hashes every path and content under dir, in path order.
func treeHash(t *testing.T, dir string) (string, int, int64) {
	t.Helper()
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	sort.Strings(paths)
	h := sha256.New()
	var total int64
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		r, _ := filepath.Rel(dir, p)
		h.Write([]byte(filepath.ToSlash(r) + "\x00"))
		h.Write(b)
		total += int64(len(b))
	}
	return hex.EncodeToString(h.Sum(nil)), len(paths), total
}

func generate(t *testing.T, opt Options) (string, Stats) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "p")
	st, err := Generate(dir, opt)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opt, err)
	}
	return dir, st
}

func TestGenerateSmall(t *testing.T) {
	opt := Options{Seed: 7, Files: 300, Subpackages: 5}
	dir, st := generate(t, opt)
	_, n, total := treeHash(t, dir)

	t.Run("counts", func(t *testing.T) {
		if st.Files != n || st.Files != opt.Files {
			t.Errorf("Stats.Files = %d, on disk %d, asked %d", st.Files, n, opt.Files)
		}
		if st.Bytes != total {
			t.Errorf("Stats.Bytes = %d, on disk %d", st.Bytes, total)
		}
		if st.Subpackages != 5 || st.Independent != 1 {
			t.Errorf("subpackages %d (independent %d), want 5 (1)", st.Subpackages, st.Independent)
		}
		for _, ext := range []string{".js", ".json", ".wxml", ".wxss", ".wxs", ".png"} {
			if st.ByExt[ext] == 0 {
				t.Errorf("no %s files", ext)
			}
		}
		if len(st.PackageBytes) != 6 {
			t.Errorf("PackageBytes has %d packages, want 6", len(st.PackageBytes))
		}
		want := opt.Files * DefaultBytesPer
		if st.Bytes < int64(want)*8/10 || st.Bytes > int64(want)*12/10 {
			t.Errorf("total %d bytes, want about %d", st.Bytes, want)
		}
	})

	t.Run("app.json lists every page that exists", func(t *testing.T) {
		checkPages(t, filepath.Join(dir, st.Root), st.Pages)
	})

	t.Run("components resolve", func(t *testing.T) {
		checkComponents(t, filepath.Join(dir, st.Root))
	})

	t.Run("images are incompressible PNGs", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(dir, st.Root, "images", "img0.png"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "\x89PNG\r\n\x1a\n") {
			t.Errorf("img0.png does not start with the PNG signature")
		}
	})
}

func TestGenerateDeterministic(t *testing.T) {
	tests := []struct {
		name string
		a, b Options
		same bool
	}{
		{"same seed", Options{Seed: 3, Files: 300, Subpackages: 4}, Options{Seed: 3, Files: 300, Subpackages: 4}, true},
		{"zero seed is the default", Options{Files: 300, Subpackages: 4}, Options{Seed: DefaultSeed, Files: 300, Subpackages: 4}, true},
		{"other seed", Options{Seed: 3, Files: 300, Subpackages: 4}, Options{Seed: 4, Files: 300, Subpackages: 4}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			da, _ := generate(t, tt.a)
			db, _ := generate(t, tt.b)
			ha, _, _ := treeHash(t, da)
			hb, _, _ := treeHash(t, db)
			if (ha == hb) != tt.same {
				t.Errorf("hashes %s and %s: same = %v, want %v", ha[:12], hb[:12], ha == hb, tt.same)
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "x"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string
		opt  Options
		want string
	}{
		{"too few files", filepath.Join(t.TempDir(), "a"), Options{Files: 10}, "too few"},
		{"too many subpackages", filepath.Join(t.TempDir(), "b"), Options{Files: 300, Subpackages: 40}, "cannot fill"},
		{"not empty", full, Options{Files: 300, Subpackages: 2}, "not empty"},
		{"over the cap", filepath.Join(t.TempDir(), "c"), Options{Files: 300, Subpackages: 2, PackageCap: 1000}, "over the cap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(tt.dir, tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Generate: err = %v, want it to mention %q", err, tt.want)
			}
			if tt.want == "over the cap" && !errors.Is(err, ErrPackageTooLarge) {
				t.Errorf("err %v is not ErrPackageTooLarge", err)
			}
		})
	}
}

// TestGenerateDefaultScale checks the benchmark's promise: at least 20,000
// files and 30 MB, 40 subpackages, every package under 2 MB.
func TestGenerateDefaultScale(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 34 MB")
	}
	dir, st := generate(t, Options{})
	if st.Files < 20000 || st.Bytes < 30<<20 {
		t.Errorf("%d files, %d bytes; want ≥ 20,000 files and ≥ 30 MB", st.Files, st.Bytes)
	}
	if st.Subpackages != 40 || st.Independent != 4 {
		t.Errorf("%d subpackages (%d independent), want 40 (4)", st.Subpackages, st.Independent)
	}
	for name, b := range st.PackageBytes {
		if b >= 2<<20*9/10 {
			t.Errorf("package %s holds %d bytes, want under 90%% of 2 MB", name, b)
		}
	}
	checkPages(t, filepath.Join(dir, st.Root), st.Pages)
}

type appJSON struct {
	Pages       []string `json:"pages"`
	SubPackages []struct {
		Root        string   `json:"root"`
		Pages       []string `json:"pages"`
		Independent bool     `json:"independent"`
		Entry       string   `json:"entry"`
	} `json:"subPackages"`
	PreloadRule map[string]struct {
		Packages []string `json:"packages"`
	} `json:"preloadRule"`
}

// checkPages parses app.json and compares its pages with the page files on
// disk (a page is a directory under some pages/ holding index.js).
func checkPages(t *testing.T, root string, wantPages int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "app.json"))
	if err != nil {
		t.Fatal(err)
	}
	var app appJSON
	if err := json.Unmarshal(b, &app); err != nil {
		t.Fatalf("app.json is not valid JSON: %v", err)
	}
	declared := map[string]bool{}
	for _, p := range app.Pages {
		declared[p] = true
	}
	for _, s := range app.SubPackages {
		r := strings.TrimSuffix(s.Root, "/")
		for _, p := range s.Pages {
			declared[r+"/"+p] = true
		}
		if s.Independent && s.Entry == "" {
			t.Errorf("independent %s has no entry", r)
		}
	}
	if len(declared) != wantPages {
		t.Errorf("app.json declares %d pages, Stats.Pages = %d", len(declared), wantPages)
	}
	for p := range declared {
		for _, ext := range []string{".js", ".json", ".wxml", ".wxss"} {
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p+ext))); err != nil {
				t.Errorf("declared page %s has no %s file", p, ext)
			}
		}
	}
	for key := range app.PreloadRule {
		if !declared[key] {
			t.Errorf("preloadRule key %s is not a page", key)
		}
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "index.js" {
			return err
		}
		r, _ := filepath.Rel(root, p)
		stem := strings.TrimSuffix(filepath.ToSlash(r), ".js")
		if strings.Contains(stem, "pages/") && !declared[stem] {
			t.Errorf("page %s exists but app.json does not list it", stem)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkComponents resolves every usingComponents entry of every JSON file
// and checks that a component from another subpackage has a placeholder.
func checkComponents(t *testing.T, root string) {
	t.Helper()
	var app appJSON
	b, err := os.ReadFile(filepath.Join(root, "app.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &app); err != nil {
		t.Fatal(err)
	}
	pkgOf := func(p string) string {
		for _, s := range app.SubPackages {
			r := strings.TrimSuffix(s.Root, "/")
			if strings.HasPrefix(p, r+"/") {
				return r
			}
		}
		return ""
	}
	seen := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".json" {
			return err
		}
		var doc struct {
			UsingComponents      map[string]string `json:"usingComponents"`
			ComponentPlaceholder map[string]string `json:"componentPlaceholder"`
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		r, _ := filepath.Rel(root, p)
		from := filepath.ToSlash(r)
		for tag, ref := range doc.UsingComponents {
			seen++
			stem := path.Join(path.Dir(from), ref)
			if strings.HasPrefix(ref, "/") {
				stem = strings.TrimPrefix(ref, "/")
			}
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(stem+".js"))); err != nil {
				t.Errorf("%s: component %s → %s does not resolve", from, tag, ref)
			}
			fp, tp := pkgOf(from), pkgOf(stem)
			if tp != "" && tp != fp && doc.ComponentPlaceholder[tag] == "" {
				t.Errorf("%s: component %s from %s without a placeholder", from, tag, tp)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Error("no usingComponents entries at all")
	}
}

func TestRel(t *testing.T) {
	tests := []struct{ from, to, want string }{
		{"pages/a/index.js", "utils/m1.js", "../../utils/m1.js"},
		{"pages/a/index.js", "pages/a/x.js", "./x.js"},
		{"app.js", "utils/m1.js", "./utils/m1.js"},
		{"pkg/pages/a/index.wxml", "pkg/templates/t1.wxml", "../../templates/t1.wxml"},
		{"pkg/utils/deep/er/m8.js", "utils/m0.js", "../../../../utils/m0.js"},
		{"pkg/utils/m1.js", "pkg/utils/deep/er/m8.js", "./deep/er/m8.js"},
	}
	for _, tt := range tests {
		t.Run(tt.from+"→"+tt.to, func(t *testing.T) {
			got := rel(tt.from, tt.to)
			if got != tt.want {
				t.Errorf("rel = %q, want %q", got, tt.want)
			}
			if j := path.Join(path.Dir(tt.from), got); j != tt.to {
				t.Errorf("joining back gives %q", j)
			}
		})
	}
}
