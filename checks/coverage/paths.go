package coverage

import (
	"path"
	"strings"
)

// pathMapper turns the paths a report names into paths relative to the
// repository root. Results are cached per raw path: reports repeat them.
type pathMapper struct {
	root    string // normalised RepoRoot, no trailing "/"
	rootCI  bool   // root is a Windows path: compare case-insensitively
	module  string
	base    string // BasePath, cleaned
	known   map[string]bool
	byBase  map[string][]string
	cache   map[string]string
	hasKnow bool
}

func newPathMapper(opt Options) *pathMapper {
	m := &pathMapper{
		module: strings.TrimSuffix(opt.ModulePath, "/"),
		base:   cleanRel(opt.BasePath),
		cache:  map[string]string{},
	}
	if opt.RepoRoot != "" {
		m.root = strings.TrimSuffix(slashes(opt.RepoRoot), "/")
		m.rootCI = hasDrive(m.root)
	}
	if len(opt.KnownFiles) > 0 {
		m.hasKnow = true
		m.known = make(map[string]bool, len(opt.KnownFiles))
		m.byBase = map[string][]string{}
		for _, f := range opt.KnownFiles {
			f = cleanRel(f)
			if f == "" || m.known[f] {
				continue
			}
			m.known[f] = true
			b := path.Base(f)
			m.byBase[b] = append(m.byBase[b], f)
		}
	}
	return m
}

// slashes turns backslashes into slashes and drops a file:// scheme.
func slashes(p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	if rest, ok := strings.CutPrefix(p, "file://"); ok {
		p = rest
		// file:///C:/x → /C:/x → C:/x
		if len(p) >= 3 && p[0] == '/' && hasDrive(p[1:]) {
			p = p[1:]
		}
	}
	return p
}

// hasDrive reports whether p starts with a Windows drive ("C:/" or "C:").
func hasDrive(p string) bool {
	if len(p) < 2 || p[1] != ':' {
		return false
	}
	c := p[0] | 0x20
	return c >= 'a' && c <= 'z' && (len(p) == 2 || p[2] == '/')
}

func isAbs(p string) bool { return strings.HasPrefix(p, "/") || hasDrive(p) }

// normalizeBytes is normalize without allocating for a path seen before.
func (m *pathMapper) normalizeBytes(raw []byte) string {
	if v, ok := m.cache[string(raw)]; ok {
		return v
	}
	return m.normalize(string(raw))
}

// normalize maps one path of a report.
func (m *pathMapper) normalize(raw string) string {
	if v, ok := m.cache[raw]; ok {
		return v
	}
	v := m.normalizeUncached(raw)
	m.cache[raw] = v
	return v
}

func (m *pathMapper) normalizeUncached(raw string) string {
	p := slashes(raw)
	if rel, ok := m.underRoot(p); ok {
		return m.known1(rel)
	}
	if isAbs(p) {
		if rel, ok := stripRunner(p); ok {
			if !m.hasKnow || m.known[cleanRel(rel)] {
				return cleanRel(rel)
			}
			// The runner prefix was right but the file is not known as
			// is: try the suffix match on the whole path below.
		}
		if m.hasKnow {
			if k, ok := m.suffix(cleanAbs(p)); ok {
				return k
			}
		}
		return cleanAbs(p)
	}
	if m.module != "" {
		if rest, ok := strings.CutPrefix(p, m.module+"/"); ok {
			return m.known1(rest)
		}
	}
	if m.base != "" {
		p = m.base + "/" + p
	}
	return m.known1(p)
}

// known1 cleans a relative path and, when it is not a known file, maps it to
// the one known file it is a suffix of.
func (m *pathMapper) known1(rel string) string {
	rel = cleanRel(rel)
	if !m.hasKnow || m.known[rel] {
		return rel
	}
	if k, ok := m.suffix(rel); ok {
		return k
	}
	return rel
}

// underRoot cuts RepoRoot off p.
func (m *pathMapper) underRoot(p string) (string, bool) {
	if m.root == "" {
		return "", false
	}
	n := len(m.root)
	if len(p) <= n || p[n] != '/' {
		return "", false
	}
	if m.rootCI {
		if !strings.EqualFold(p[:n], m.root) {
			return "", false
		}
	} else if p[:n] != m.root {
		return "", false
	}
	return p[n+1:], true
}

// stripRunner cuts the checkout directory of the common hosted CI runners:
// GitHub Actions (/home/runner/work/<repo>/<repo>, /Users/runner/work/...,
// D:/a/<repo>/<repo>, /github/workspace in container actions) and Travis
// (/home/travis/build/<owner>/<repo>).
func stripRunner(p string) (string, bool) {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	var skip int
	switch {
	case len(parts) > 5 && parts[0] == "home" && parts[1] == "runner" && parts[2] == "work":
		skip = 5
	case len(parts) > 5 && parts[0] == "Users" && parts[1] == "runner" && parts[2] == "work":
		skip = 5
	case len(parts) > 4 && hasDrive(parts[0]+"/") && parts[1] == "a":
		skip = 4
	case len(parts) > 2 && parts[0] == "github" && parts[1] == "workspace":
		skip = 2
	case len(parts) > 5 && parts[0] == "home" && parts[1] == "travis" && parts[2] == "build":
		skip = 5
	default:
		return "", false
	}
	return strings.Join(parts[skip:], "/"), true
}

// suffix finds the single known file that p ends with, trying the longest
// suffix of p first. An ambiguous suffix stops the search: a shorter one would
// only be more ambiguous.
func (m *pathMapper) suffix(p string) (string, bool) {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if len(parts) == 0 {
		return "", false
	}
	cands := m.byBase[parts[len(parts)-1]]
	if len(cands) == 0 {
		return "", false
	}
	for k := len(parts); k >= 1; k-- {
		suf := strings.Join(parts[len(parts)-k:], "/")
		var found string
		n := 0
		for _, c := range cands {
			if c == suf || strings.HasSuffix(c, "/"+suf) {
				found = c
				n++
			}
		}
		switch {
		case n == 1:
			return found, true
		case n > 1:
			return "", false
		}
	}
	return "", false
}

// cleanAbs cleans an absolute path that could not be made relative.
func cleanAbs(p string) string {
	if hasDrive(p) {
		return p[:2] + path.Clean("/"+p[2:])
	}
	return path.Clean(p)
}

// joinSource joins a Cobertura <source> and a class filename.
func joinSource(src, file string) string {
	src = slashes(strings.TrimSpace(src))
	file = slashes(file)
	if src == "" || src == "." || isAbs(file) {
		return file
	}
	return strings.TrimSuffix(src, "/") + "/" + file
}
