package graph

import (
	"encoding/json"
	"path"
	"slices"
	"strings"

	"github.com/mpgate/mpgate/checks/manifest"
)

// Files is what the graph needs of the file tree. Paths are relative to the
// mini-program root with "/".
type Files interface {
	Exists(path string) bool
	IsDir(path string) bool
	ReadFile(path string, max int64) ([]byte, error)
}

// resolver turns a request written in one file into a file of the tree.
type resolver struct {
	files   Files
	aliases []manifest.Alias // longest key first
	// scriptExts are tried, in order, after a JS request without a match.
	scriptExts []string
	// slashRelative: a JS request starting with "/" is read relative to
	// the requiring file's directory with the "/" dropped, as WeChat's
	// resolver does (see docs/platforms.md); elsewhere it is root-absolute.
	slashRelative bool
	// noDirIndex: a JS path of the program (not an npm package) is the file
	// as written or with a script extension added, never dir/index.js, as
	// WeChat's resolver does (see docs/platforms.md).
	noDirIndex bool
	// pathNpmFallback: a JS path that names no file of the program is
	// looked up under miniprogram_npm too, from the requiring file's
	// directory up to the root, with "./" and a leading "/" dropped:
	// require('./threejs-miniprogram') finds
	// miniprogram_npm/threejs-miniprogram/index.js, as WeChat's resolver
	// does (its code-analyse resolvePath falls back to the npm lookup for
	// every request; docs/platforms.md).
	pathNpmFallback bool
	// npmHome is the directory name bare requests are looked up in, from
	// the requiring file's directory up to the root: "miniprogram_npm"
	// (WeChat's "Build npm" output) or "node_modules" where the platform
	// loads installed packages itself (Alipay). Empty means
	// "miniprogram_npm".
	npmHome string
	// pkgMain: a package directory in node_modules resolves through its
	// package.json "main" before its index.js, as Node does.
	pkgMain bool
	// buildsNpm: the platform runs npm packages from what "Build npm"
	// writes into miniprogram_npm (WeChat, QQ, Douyin), so a path into a
	// package directory that is not there means npm is not built.
	buildsNpm bool
}

// maxPackageJSON caps the package.json read for "main".
const maxPackageJSON = 1 << 20

func (r *resolver) npmDirName() string {
	if r.npmHome == "" {
		return "miniprogram_npm"
	}
	return r.npmHome
}

// errLeavesRoot marks a request that climbs above the mini-program root.
const leavesRoot = "\x00leaves-root"

// join resolves req against the directory dir, the way the platforms do:
// "/x" from the root, anything else relative to dir. It returns leavesRoot
// when the result would climb above the root.
func join(dir, req string) string {
	var p string
	if strings.HasPrefix(req, "/") {
		p = path.Clean(strings.TrimLeft(req, "/"))
	} else {
		p = path.Clean(path.Join(dir, req))
	}
	if p == ".." || strings.HasPrefix(p, "../") {
		return leavesRoot
	}
	if p == "." {
		return ""
	}
	return p
}

// alias applies resolveAlias: keys and values end with "/*"; the longest
// matching key wins; the value is relative to the mini-program root.
func (r *resolver) alias(req string) (string, bool) {
	for _, a := range r.aliases {
		key := strings.TrimSuffix(a.From.Value, "*")
		if key == "" || !strings.HasPrefix(req, key) {
			continue
		}
		to := strings.TrimSuffix(a.To, "*")
		return "/" + strings.TrimLeft(to, "/") + req[len(key):], true
	}
	return "", false
}

// isBare reports whether req names a module rather than a path.
func isBare(req string) bool {
	return !strings.HasPrefix(req, "/") && !strings.HasPrefix(req, "./") && !strings.HasPrefix(req, "../") &&
		req != "." && req != ".."
}

// script resolves a JS require/import from the file at from. It tries the
// path as written, with the script extensions, as a directory's index, and for
// bare names the miniprogram_npm directories from the file's directory up to
// the root (Node style, which is what WeChat's DevTools does).
func (r *resolver) script(from, req string) (string, bool) {
	dir := path.Dir(from)
	if dir == "." {
		dir = ""
	}
	p := join(dir, req)
	if a, ok := r.alias(req); ok {
		req, p = a, join("", a)
	} else if r.slashRelative && strings.HasPrefix(req, "/") {
		p = join(dir, strings.TrimLeft(req, "/"))
	}
	if p != leavesRoot {
		if f, ok := r.scriptPath(p, !r.noDirIndex); ok {
			return f, true
		}
	}
	if isBare(req) {
		if f, ok := r.npm(dir, req, r.scriptFile); ok {
			return f, true
		}
	} else if r.pathNpmFallback {
		if name := path.Clean(strings.TrimLeft(req, "/")); name != ".." && !strings.HasPrefix(name, "../") && name != "." {
			if f, ok := r.npm(dir, name, r.scriptFile); ok {
				return f, true
			}
		}
	}
	return "", false
}

// scriptFile resolves an npm package path: the file, with an extension, or
// the directory's index.
func (r *resolver) scriptFile(p string) (string, bool) {
	if f, ok := r.scriptPath(p, false); ok {
		return f, true
	}
	if r.pkgMain && r.files.IsDir(p) {
		if m := r.packageMain(p); m != "" {
			if f, ok := r.scriptPath(m, true); ok {
				return f, true
			}
		}
	}
	return r.scriptPath(p, true)
}

// packageMain returns the file named by dir/package.json's "main",
// relative to the root ("" when there is none, it cannot be read, or it
// leaves dir).
func (r *resolver) packageMain(dir string) string {
	src, err := r.files.ReadFile(dir+"/package.json", maxPackageJSON)
	if err != nil {
		return ""
	}
	var pkg struct {
		Main string `json:"main"`
	}
	if json.Unmarshal(src, &pkg) != nil || pkg.Main == "" {
		return ""
	}
	m := path.Clean(path.Join(dir, pkg.Main))
	if !strings.HasPrefix(m, dir+"/") {
		return ""
	}
	return m
}

func (r *resolver) scriptPath(p string, index bool) (string, bool) {
	if p != "" && r.files.Exists(p) && !r.files.IsDir(p) {
		return p, true
	}
	for _, ext := range r.scriptExts {
		if p != "" && r.files.Exists(p+ext) && !r.files.IsDir(p+ext) {
			return p + ext, true
		}
	}
	if !index {
		return "", false
	}
	for _, ext := range r.scriptExts {
		idx := strings.TrimPrefix(p+"/index"+ext, "/")
		if r.files.Exists(idx) {
			return idx, true
		}
	}
	return "", false
}

// npm looks req up in miniprogram_npm (or node_modules, npmHome)
// directories from dir up to the root.
func (r *resolver) npm(dir, req string, try func(string) (string, bool)) (string, bool) {
	name := r.npmDirName()
	for {
		base := name
		if dir != "" {
			base = dir + "/" + name
		}
		if r.files.IsDir(base) {
			if f, ok := try(base + "/" + req); ok {
				return f, true
			}
		}
		if dir == "" {
			return "", false
		}
		dir = path.Dir(dir)
		if dir == "." {
			dir = ""
		}
	}
}

// withExt resolves a template, style or script-module request: relative to
// from's directory or "/"-absolute; ext is added when the request has no
// extension of its own.
func (r *resolver) withExt(from, req, ext string) (string, bool) {
	dir := path.Dir(from)
	if dir == "." {
		dir = ""
	}
	if a, ok := r.alias(req); ok {
		req = a
	}
	p := join(dir, req)
	if p == leavesRoot || p == "" {
		return "", false
	}
	if r.files.Exists(p) && !r.files.IsDir(p) {
		return p, true
	}
	if ext != "" && path.Ext(p) != ext && r.files.Exists(p+ext) {
		return p + ext, true
	}
	return "", false
}

// component resolves a usingComponents path to the component's stem (the
// path without extension shared by its .json, .js, template and style).
func (r *resolver) component(from, req string, has func(stem string) bool) (string, bool) {
	dir := path.Dir(from)
	if dir == "." {
		dir = ""
	}
	try := func(p string) (string, bool) {
		if p == "" || p == leavesRoot {
			return "", false
		}
		if has(p) {
			return p, true
		}
		if has(p + "/index") {
			return p + "/index", true
		}
		return "", false
	}
	if s, ok := try(join(dir, req)); ok {
		return s, true
	}
	if isBare(req) {
		return r.npm(dir, req, try)
	}
	return "", false
}

// stripQuery drops a URL's query ("?…") and fragment ("#…").
func stripQuery(req string) string {
	if i := strings.IndexAny(req, "?#"); i >= 0 {
		return req[:i]
	}
	return req
}

// npmPackage names the npm package a bare request asks for ("@scope/name"
// or "name"), or "" when req is not bare or reads as a path of the program
// (its first segment is a directory next to from or at the root).
func (r *resolver) npmPackage(from, req string) string {
	if name, ok := r.unbuiltNpmPath(from, req); ok {
		return name
	}
	if !isBare(req) || req == "" || strings.Contains(req, ":") {
		return "" // npm names hold no ':'; "ext://…" and the like are no package
	}
	parts := strings.SplitN(req, "/", 3)
	name := parts[0]
	if strings.HasPrefix(name, "@") {
		if len(parts) < 2 || parts[1] == "" {
			return ""
		}
		name += "/" + parts[1]
	}
	dir := path.Dir(from)
	if dir == "." {
		dir = ""
	}
	if p := join(dir, parts[0]); p != leavesRoot && p != "" && r.files.IsDir(p) {
		return ""
	}
	if r.files.IsDir(parts[0]) {
		return ""
	}
	return name
}

// unbuiltNpmPath recognises a path written into a miniprogram_npm directory
// ("/miniprogram_npm/m-ui/mx-dialog/index", "../../miniprogram_npm/m-ui/…",
// "miniprogram_npm/tdesign-miniprogram/button/button" in app.json) whose
// package directory is not there: npm is not built, the same cause as a
// bare request of the package, and reported with it (one MP215 per
// package) rather than as one MP210 per path. It returns the package's
// name. A package directory that exists but lacks the path stays MP210.
func (r *resolver) unbuiltNpmPath(from, req string) (string, bool) {
	if !r.buildsNpm {
		return "", false
	}
	segs := strings.Split(req, "/")
	i := slices.Index(segs, "miniprogram_npm")
	if i < 0 || i+1 >= len(segs) || segs[i+1] == "" {
		return "", false
	}
	name := segs[i+1]
	n := i + 2
	if strings.HasPrefix(name, "@") {
		if i+2 >= len(segs) || segs[i+2] == "" {
			return "", false
		}
		name += "/" + segs[i+2]
		n++
	}
	prefix := strings.Join(segs[:n], "/")
	dir := path.Dir(from)
	if dir == "." {
		dir = ""
	}
	// Relative (and bare, which WeChat reads relative to the file first)
	// from the file, "/"-absolute and bare from the root.
	candidates := []string{join(dir, prefix)}
	if !strings.HasPrefix(prefix, ".") {
		candidates = append(candidates, join("", "/"+strings.TrimLeft(prefix, "/")))
	}
	for _, p := range candidates {
		if p == leavesRoot || r.files.IsDir(p) {
			return "", false
		}
	}
	return name, true
}

// npmDir returns the nearest built directory of package name seen from
// from's directory ("" when none).
func (r *resolver) npmDir(from, name string) string {
	dir := path.Dir(from)
	if dir == "." {
		dir = ""
	}
	d, _ := r.npm(dir, name, func(p string) (string, bool) { return p, r.files.IsDir(p) })
	return d
}
