package main

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	// repoPathRE finds repository paths in the text: a top directory of the
	// repository, then a path.
	repoPathRE = regexp.MustCompile(`(?:^|[\s` + "`" + `(\["'])((?:cmd|checks|bot|docs|schema|internal|webhooks|scripts|examples)/[A-Za-z0-9_./-]*[A-Za-z0-9_/-])`)
)

// notInRepo are paths the docs name that are not the repository's, on
// purpose, with why.
var notInRepo = map[string]string{
	"schema/dist/app.js": "docs/rules.md: a file of WeChat's miniprogram-ci package",
	"scripts/build.js":   "docs/rules.md: a user's build script, in an example",
	"examples/shop/miniprogram/packageGoods/images/banner2.png": "README.md: the file its example command creates",
}

// docFiles lists the Markdown the repository publishes: README.md and
// docs/*.md.
func docFiles(t *testing.T, root string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join(root, "README.md"))
	if len(files) < 10 {
		t.Fatalf("only %d documents found", len(files))
	}
	return files
}

// TestDocsMentionExistingFiles: every relative link of the docs and every
// repository path they name (cmd/mpgate/check.go, schema/…, examples/shop)
// is a file or directory of the repository, and none points outside it.
func TestDocsMentionExistingFiles(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	exists := func(rel string) bool {
		_, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
		return err == nil
	}
	checked := 0
	for _, file := range docFiles(t, root) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := filepath.Rel(root, file)
		name = filepath.ToSlash(name)
		for i, line := range strings.Split(string(data), "\n") {
			where := name + ":" + itoa(i+1)
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				target, _, _ = strings.Cut(target, "#")
				rel := path.Join(path.Dir(name), target)
				checked++
				if rel == ".." || strings.HasPrefix(rel, "../") {
					t.Errorf("%s: the link %s leaves the repository", where, m[1])
					continue
				}
				if !exists(rel) {
					t.Errorf("%s: the link %s points at %s, which is not in the repository", where, m[1], rel)
				}
			}
			for _, m := range repoPathRE.FindAllStringSubmatch(line, -1) {
				p := strings.TrimRight(m[1], "./")
				if _, ok := notInRepo[p]; ok || p == "" || strings.ContainsAny(p, "*{<") || strings.Contains(line, p+"*") {
					continue
				}
				checked++
				if !exists(p) {
					t.Errorf("%s: names %s, which is not in the repository", where, p)
				}
			}
			if strings.Contains(line, "../shared") || strings.Contains(line, "/work/") {
				t.Errorf("%s: points at a path outside the repository: %s", where, strings.TrimSpace(line))
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d mentions checked: the patterns find nothing", checked)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
