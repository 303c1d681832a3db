package analyze

import (
	"path"
	"sync"

	"github.com/mpgate/mpgate/checks/graph"
	"github.com/mpgate/mpgate/checks/tree"
)

// npmView is the tree as Alipay's packer sees it: the walk does not list
// node_modules (it can hold a hundred thousand files), but Alipay loads
// installed npm packages from there, so paths inside it are looked up on
// demand, through the tree's os.Root (tree.StatSkipped), and remembered.
// Only the packages the program actually requests are ever touched.
type npmView struct {
	graph.Files
	t *tree.Tree

	mu   sync.Mutex
	stat map[string]npmStat
}

type npmStat struct{ ok, dir bool }

func newNpmView(files graph.Files, t *tree.Tree) *npmView {
	return &npmView{Files: files, t: t, stat: map[string]npmStat{}}
}

func (v *npmView) lookup(p string) (npmStat, bool) {
	if !v.inNodeModules(p) {
		return npmStat{}, false // the walk answers
	}
	v.mu.Lock()
	s, ok := v.stat[p]
	v.mu.Unlock()
	if ok {
		return s, true
	}
	_, dir, found := v.t.StatSkipped(p)
	s = npmStat{ok: found, dir: dir}
	v.mu.Lock()
	v.stat[p] = s
	v.mu.Unlock()
	return s, true
}

// inNodeModules reports whether p is, or lies in, a node_modules directory
// the walk skipped.
func (v *npmView) inNodeModules(p string) bool {
	for _, d := range v.t.Skipped {
		if path.Base(d) != "node_modules" {
			continue
		}
		if p == d || len(p) > len(d) && p[:len(d)] == d && p[len(d)] == '/' {
			return true
		}
	}
	return false
}

func (v *npmView) Exists(p string) bool {
	if s, ok := v.lookup(p); ok {
		return s.ok
	}
	return v.Files.Exists(p)
}

func (v *npmView) IsDir(p string) bool {
	if s, ok := v.lookup(p); ok {
		return s.ok && s.dir
	}
	return v.Files.IsDir(p)
}
