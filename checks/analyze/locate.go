package analyze

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/platform"
	"github.com/mpgate/mpgate/checks/tree"
)

// maxParentLevels is how far up Run looks for the project settings of a
// mini-program root it was pointed at directly.
const maxParentLevels = 3

// parentProject finds the project settings file named pconf in a parent of
// dir (up to maxParentLevels up) whose miniprogramRoot is dir: running on
// the mini-program root itself then still uses the project's settings
// (packOptions, minification, unused-file filtering). It returns the parent
// and the settings' path relative to dir ("../project.config.json").
func parentProject(dir, pconf string, p *platform.Platform) (string, string, bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", false
	}
	child := abs
	for range maxParentLevels {
		parent := filepath.Dir(child)
		if parent == child {
			return "", "", false
		}
		child = parent
		src, err := tree.ReadFileIn(parent, pconf, maxManifest)
		if err != nil {
			continue
		}
		proj, _ := manifest.ParseProject(src, pconf, p)
		if proj == nil || proj.MiniprogramRoot == "" {
			return "", "", false // the nearest project is not this one's
		}
		rel, err := filepath.Rel(parent, abs)
		if err != nil {
			return "", "", false
		}
		if path.Clean(filepath.ToSlash(rel)) != path.Clean(strings.Trim(proj.MiniprogramRoot, "/")) {
			return "", "", false
		}
		up, err := filepath.Rel(abs, filepath.Join(parent, pconf))
		if err != nil {
			return "", "", false
		}
		return parent, filepath.ToSlash(up), true
	}
	return "", "", false
}

// Where a mini-program is probably found, when the analysed directory has no
// manifest: files that mark a project or a mini-program root.
var projectMarkers = []string{"project.config.json", "mini.project.json", "project.swan.json", "app.json"}

const (
	maxLocateDepth = 3
	maxLocateDirs  = 2000
	maxCandidates  = 5
)

// candidates lists directories below dir (up to maxLocateDepth levels, not
// dir itself) that hold a project settings file or an app.json: where the
// mini-program probably is. A project settings file with miniprogramRoot
// names that root instead. Paths are slash-separated, relative to dir,
// nearest first.
func candidates(dir string) []string {
	type item struct {
		rel   string
		depth int
	}
	var found []string
	seen := map[string]bool{}
	add := func(rel string) {
		if rel != "" && rel != "." && !seen[rel] {
			seen[rel] = true
			found = append(found, rel)
		}
	}
	queue := []item{{"", 0}}
	visited := 0
	for len(queue) > 0 && visited < maxLocateDirs && len(found) < maxCandidates {
		it := queue[0]
		queue = queue[1:]
		visited++
		entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(it.rel)))
		if err != nil {
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() {
				if it.depth < maxLocateDepth && !skipLocate(name) {
					queue = append(queue, item{path.Join(it.rel, name), it.depth + 1})
				}
				continue
			}
			if it.rel == "" || !slices.Contains(projectMarkers, name) {
				continue
			}
			if name == "app.json" {
				add(it.rel)
				continue
			}
			if root := miniprogramRoot(filepath.Join(dir, filepath.FromSlash(it.rel), name), name); root != "" {
				add(path.Join(it.rel, root))
			} else {
				add(it.rel)
			}
		}
	}
	return found
}

func skipLocate(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules" || name == "miniprogram_npm"
}

// miniprogramRoot reads the miniprogramRoot of a project settings file ("").
func miniprogramRoot(file, name string) string {
	// Through tree.ReadFileIn: a link out of its folder, a device or a FIFO
	// is refused, and at most maxManifest bytes are read.
	src, err := tree.ReadFileIn(filepath.Dir(file), filepath.Base(file), maxManifest)
	if err != nil {
		return ""
	}
	proj, _ := manifest.ParseProject(src, name, nil)
	if proj == nil {
		return ""
	}
	return strings.Trim(proj.MiniprogramRoot, "/")
}
