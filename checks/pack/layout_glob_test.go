package pack

import (
	"slices"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/manifest"
)

func sub(root, name string, independent bool) manifest.Subpackage {
	s := manifest.Subpackage{Root: manifest.Str{Value: root}, RawRoot: root, Independent: independent}
	if name != "" {
		s.Name = &manifest.Str{Value: name}
	}
	return s
}

func TestLayout(t *testing.T) {
	t.Parallel()
	app := &manifest.App{
		Subpackages: []manifest.Subpackage{
			sub("pack", "", false),
			sub("package", "pk", true),
			sub("package/deep", "", false),
			sub("pages/goods/", "", false), // trailing slash, normalised here too
			sub("pack", "dup", false),      // duplicate root: first wins
		},
		Workers: &manifest.Workers{Path: manifest.Str{Value: "./workers/"}, IsSubpackage: true},
	}
	l := NewLayout(app)
	want := []PackageInfo{
		{Name: MainPackage, Kind: checks.KindMain},
		{Name: "pack", Root: "pack", Kind: checks.KindSubpackage},
		{Name: "package", Alias: "pk", Root: "package", Kind: checks.KindSubpackage, Independent: true},
		{Name: "package/deep", Root: "package/deep", Kind: checks.KindSubpackage},
		{Name: "pages/goods", Root: "pages/goods", Kind: checks.KindSubpackage},
		{Name: "workers", Root: "workers", Kind: checks.KindWorkers},
	}
	if got := l.Packages(); !slices.Equal(got, want) {
		t.Errorf("Packages() =\n%+v\nwant\n%+v", got, want)
	}
	tests := []struct{ path, want string }{
		{"pack/a.js", "pack"},
		{"package/a.js", "package"},
		{"packageX/a.js", MainPackage},
		{"pack", "pack"},
		{"package/deep/x/y.js", "package/deep"},
		{"package/deeper/y.js", "package"},
		{"pages/goods/list.js", "pages/goods"},
		{"pages/goodsx.js", MainPackage},
		{"workers/w.js", "workers"},
		{"app.js", MainPackage},
		{"", MainPackage},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			if got := l.PackageOf(tt.path); got != tt.want {
				t.Errorf("PackageOf(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
	if p, ok := l.Package("package"); !ok || p.Alias != "pk" {
		t.Errorf("Package(package) = %+v, %v", p, ok)
	}
	if got := NewLayout(nil).Packages(); len(got) != 1 || got[0].Name != MainPackage {
		t.Errorf("NewLayout(nil) = %+v", got)
	}
	// Workers not packed as a subpackage belong to the main package.
	l2 := NewLayout(&manifest.App{Workers: &manifest.Workers{Path: manifest.Str{Value: "workers"}}})
	if got := l2.PackageOf("workers/a.js"); got != MainPackage {
		t.Errorf("PackageOf(workers/a.js) = %q without isSubpackage", got)
	}
}

func TestGlob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		match   []string
		nomatch []string
	}{
		{"*.js", []string{"a.js", "x.y.js"}, []string{"a/b.js", ".a.js", "a.jsx"}},
		{"**", []string{"a", "a/b/c"}, []string{".git/x", "a/.b"}},
		{"a/**", []string{"a/b", "a/b/c.js"}, []string{"a", "b/a/c", "a/.x/y"}},
		{"a/**/b.js", []string{"a/b.js", "a/x/b.js", "a/x/y/b.js"}, []string{"a/.x/b.js", "b.js"}},
		{"**/*.test.js", []string{"a.test.js", "x/y/a.test.js"}, []string{"x/.y/a.test.js", "a.test.jsx"}},
		{".*", []string{".eslintrc", ".x.js"}, []string{"a", "x/.y"}},
		{"a?c", []string{"abc", "a-c"}, []string{"ac", "a/c", "abbc"}},
		{"[abc].js", []string{"a.js", "c.js"}, []string{"d.js", "ab.js"}},
		{"[a-c]x[!0-9]", []string{"bxz"}, []string{"bx1", "dxz"}},
		{"[^a]*", []string{"b", "bcd"}, []string{"a", "abc"}},
		{"[[:digit:]]*", []string{"1a"}, []string{"a1"}},
		{"{a,b}/*.js", []string{"a/x.js", "b/y.js"}, []string{"c/x.js", "{a,b}/x.js"}},
		{"x{1..3}", []string{"x1", "x2", "x3"}, []string{"x4", "x0"}},
		{"x{a..c}y", []string{"xby"}, []string{"xdy"}},
		{"{a}", []string{"{a}"}, []string{"a"}},
		{"a{,.min}.js", []string{"a.js", "a.min.js"}, []string{"a.max.js"}},
		{"{a,{b,c}d}", []string{"a", "bd", "cd"}, []string{"b", "ad"}},
		{`\*.js`, []string{"*.js"}, []string{"a.js"}},
		{"[unclosed", []string{"[unclosed"}, []string{"u"}},
		{"!*.js", []string{"a.wxml", "a/b.js"}, []string{"a.js"}},
		{"#comment", nil, []string{"#comment", "a"}},
		{"", []string{""}, []string{"a"}},
		{"a/*/c", []string{"a/b/c"}, []string{"a/c", "a/b/d/c", "a/.b/c"}},
		{"/static/**", []string{"/static/a.png"}, []string{"static/a.png"}},
		{"页面/*.js", []string{"页面/首页.js"}, []string{"page/a.js"}},
		{"?.js", []string{"页.js"}, []string{"ab.js"}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			g, err := CompileGlob(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if g.String() != tt.pattern {
				t.Errorf("String() = %q", g.String())
			}
			for _, p := range tt.match {
				if !g.Match(p) {
					t.Errorf("%q does not match %q", tt.pattern, p)
				}
			}
			for _, p := range tt.nomatch {
				if g.Match(p) {
					t.Errorf("%q matches %q", tt.pattern, p)
				}
			}
		})
	}
}

func TestGlobErrors(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"+(a|b)", "a/@(x)", "x/!(y).js", "{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}{s,t}{u,v}"} {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			if _, err := CompileGlob(p); err == nil {
				t.Errorf("CompileGlob(%q) succeeded", p)
			}
		})
	}
}

// FuzzGlob: compiling and matching never panic, and a pattern without magic
// characters matches itself.
func FuzzGlob(f *testing.F) {
	for _, s := range []string{"**/*.js", "a/{b,c}/[!d]?", "{1..10..2}", "[[:alpha:]-z]", "\\", "{", "[", "!#", "a/**/"} {
		f.Add(s, "a/b/c.js")
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		g, err := CompileGlob(pattern)
		if err != nil {
			return
		}
		g.Match(path)
		plain := true
		for _, c := range pattern {
			switch c {
			case '*', '?', '[', ']', '{', '}', '\\', '!', '#', '(', ')', '+', '@':
				plain = false
			}
		}
		if plain && pattern != "" && !g.Match(pattern) {
			t.Errorf("plain pattern %q does not match itself", pattern)
		}
	})
}
