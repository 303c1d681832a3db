// Package pack answers what a platform uploads of a mini-program, which
// package each file belongs to, and how big it is: source bytes, gzip and
// brotli sizes, and an estimate of the bytes uploaded after the platform's own
// processing (minification) under the project's settings.
//
// The size definition is DESIGN.md's: files under the mini-program root whose
// extension is on the platform's upload list, minus the segments the platform
// always leaves out, minus packOptions.ignore, plus packOptions.include (for
// upload-list extensions only), Alipay's uploadExclude/assetsInclude globs
// applied the same way.
package pack

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/platform"
)

// ErrRule: a packOptions rule (or an Alipay glob) that cannot be used.
var ErrRule = errors.New("invalid pack rule")

// RuleError is a rule that cannot be used, with where it stands.
type RuleError struct {
	File string // the project settings file
	// Key is "packOptions.ignore", "packOptions.include", "uploadExclude" or
	// "assetsInclude".
	Key  string
	Rule manifest.PackRule // Type is "glob" for Alipay; Pos is zero when unknown
	Err  error
}

func (e *RuleError) Error() string {
	where := e.File
	if e.Rule.Pos.Line > 0 {
		where = fmt.Sprintf("%s:%d:%d", e.File, e.Rule.Pos.Line, e.Rule.Pos.Col)
	}
	return fmt.Sprintf("%s: %s %s rule %q: %v", where, e.Key, e.Rule.Type, e.Rule.Value, e.Err)
}

func (e *RuleError) Unwrap() []error { return []error{ErrRule, e.Err} }

// Filter decides which files of a mini-program the platform uploads.
type Filter struct {
	p       *platform.Platform
	ignore  []rule
	include []rule
}

// rule is one compiled packOptions rule. WeChat's devtools and miniprogram-ci
// (utils/filerules.js) lower-case both the path and the rule's value, and
// match globs and regexps against the path with and without a leading "/".
type rule struct {
	typ   string
	value string // lower case
	glob  *Glob
	re    *regexp.Regexp
	exact bool // Alipay globs: case-sensitive, no leading-"/" retry
}

// NewFilter builds the filter of platform p under the project settings proj
// (nil: none). A rule that cannot be used is skipped, as WeChat's tools skip
// it, and reported: the error joins one *RuleError per bad rule, and the
// returned Filter is usable all the same.
func NewFilter(p *platform.Platform, proj *manifest.Project) (*Filter, error) {
	if p == nil {
		return nil, errors.New("pack: NewFilter with a nil platform")
	}
	f := &Filter{p: p}
	if proj == nil {
		return f, nil
	}
	var errs []error
	add := func(dst *[]rule, key string, r manifest.PackRule, exact bool) {
		c, err := compileRule(r, exact)
		if err != nil {
			errs = append(errs, &RuleError{File: proj.File, Key: key, Rule: r, Err: err})
			return
		}
		*dst = append(*dst, c)
	}
	for _, r := range proj.PackIgnore {
		add(&f.ignore, "packOptions.ignore", r, false)
	}
	for _, r := range proj.PackInclude {
		add(&f.include, "packOptions.include", r, false)
	}
	for _, g := range proj.UploadExclude {
		add(&f.ignore, "uploadExclude", manifest.PackRule{Type: "glob", Value: g}, true)
	}
	for _, g := range proj.AssetsInclude {
		add(&f.include, "assetsInclude", manifest.PackRule{Type: "glob", Value: g}, true)
	}
	return f, errors.Join(errs...)
}

func compileRule(r manifest.PackRule, exact bool) (rule, error) {
	c := rule{typ: r.Type, value: strings.ToLower(r.Value), exact: exact}
	if exact {
		c.value = r.Value
	}
	switch r.Type {
	case "folder", "file", "suffix", "prefix":
		if c.value == "" {
			return rule{}, errors.New("empty value")
		}
	case "glob":
		g, err := CompileGlob(c.value)
		if err != nil {
			return rule{}, err
		}
		c.glob = g
	case "regexp":
		// JavaScript's new RegExp(value, "igm"). Go's RE2 has no
		// lookaround or backreferences; such a rule is reported.
		re, err := regexp.Compile("(?im)" + c.value)
		if err != nil {
			return rule{}, fmt.Errorf("regular expression: %w", err)
		}
		c.re = re
	default:
		return rule{}, fmt.Errorf("unknown type %q (want folder, file, suffix, prefix, glob or regexp)", r.Type)
	}
	return c, nil
}

// match reports whether the rule matches path (relative to the mini-program
// root, "/"-separated). lower is path in lower case.
func (r rule) match(path, lower string) bool {
	if r.exact {
		return r.glob.Match(path)
	}
	base := lower[strings.LastIndexByte(lower, '/')+1:]
	switch r.typ {
	case "prefix":
		return strings.HasPrefix(base, r.value)
	case "suffix":
		return strings.HasSuffix(base, r.value)
	case "folder":
		v := r.value
		if !strings.HasPrefix(v, "/") {
			v = "/" + v
		}
		if !strings.HasSuffix(v, "/") {
			v += "/"
		}
		return strings.HasPrefix("/"+lower, v)
	case "file":
		return "/"+lower == r.value || (!strings.HasPrefix(r.value, "/") && lower == r.value)
	case "glob":
		return r.glob.Match(lower) || r.glob.Match("/"+lower)
	case "regexp":
		return r.re.MatchString(lower) || r.re.MatchString("/"+lower)
	}
	return false
}

// Excluded reports whether a path segment is one the platform never uploads
// (node_modules, .git, .svn, .DS_Store).
func (f *Filter) Excluded(path string) bool {
	for seg := range strings.SplitSeq(path, "/") {
		for _, x := range f.p.AlwaysExcluded {
			if seg == x {
				return true
			}
		}
	}
	return false
}

// Uploaded reports whether the platform uploads the file at path (relative
// to the mini-program root, "/"-separated): an upload-list extension, not in
// an always-excluded segment, and either matched by an include rule or by no
// ignore rule. The unused-file rule is not applied here.
func (f *Filter) Uploaded(path string) bool {
	if path == "" || f.Excluded(path) {
		return false
	}
	if !f.p.Uploads(path) {
		// Alipay's assetsInclude adds resources of any type.
		return f.assetsIncluded(path)
	}
	lower := strings.ToLower(path)
	for _, r := range f.include {
		if r.match(path, lower) {
			return true
		}
	}
	for _, r := range f.ignore {
		if r.match(path, lower) {
			return false
		}
	}
	return true
}

func (f *Filter) assetsIncluded(path string) bool {
	for _, r := range f.include {
		if r.exact && r.glob.Match(path) {
			return true
		}
	}
	return false
}
