package config

import (
	"errors"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"projects:\n  - name: shop\n    platform: wechat\n    root: dist/shop\n    limits: {package: 2MB, warn: 90%}\n",
		"gates:\n  size: {max_growth: 5%, max_growth_bytes: 50KB}\n  coverage: {min: 80%}\n",
		"modules:\n  - {name: a, paths: [\"a/**\"]}\nrelease: {tag: \"{module}@v{version}\", pr: true}\n",
		"projects:\n  - &b {name: a, root: a}\n  - <<: *b\n    name: b\n",
		"trust: {build_forks: never}\n---\n",
		"- [a, b]\n",
		"gates:\n  changelog: {enabled: true, label: skip-changelog}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "f.yml")
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}
			if !strings.HasPrefix(err.Error(), "f.yml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if len(c.Projects) == 0 {
			t.Fatal("no projects after a successful Parse")
		}
		if strings.TrimSpace(c.Gates.Changelog.Label) == "" {
			t.Fatal("no changelog label after a successful Parse")
		}
		for _, p := range c.Projects {
			if p.Root == "" || strings.HasPrefix(p.Root, "../") || p.Root == ".." {
				t.Fatalf("bad root %q", p.Root)
			}
		}
	})
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"2MB", "1.5 KB", "300B", "2048", "-1", ".", "1e9GB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSize(s)
		if err == nil && (v < 0 || v > maxSize) {
			t.Fatalf("ParseSize(%q) = %d out of range", s, v)
		}
	})
}

func FuzzParsePercent(f *testing.F) {
	for _, s := range []string{"5%", "0.5 %", "5", "%", "-1%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParsePercent(s)
		if err == nil && (v < 0 || v > 1e6) {
			t.Fatalf("ParsePercent(%q) = %v out of range", s, v)
		}
	})
}
