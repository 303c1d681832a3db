package config

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	yaml "go.yaml.in/yaml/v3"

	"github.com/mpgate/mpgate/checks/platform"
)

// Error is one problem in a config file, at a line (0 when it concerns the
// file as a whole).
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Errors are all the problems found in a config file, in line order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find each *Error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// ErrInvalid is matched (errors.Is) by every error Parse returns for a file
// that is not a valid config.
var ErrInvalid = errors.New("invalid config")

// Is makes errors.Is(err, ErrInvalid) true.
func (es Errors) Is(target error) bool { return target == ErrInvalid }

// maxNodes bounds the YAML nodes walked, aliases expanded: a config has a few
// hundred; this stops alias bombs.
const maxNodes = 100000

// Parse parses and validates a config; file names it in messages. An empty
// document gives the defaults.
func Parse(data []byte, file string) (*Config, error) {
	if file == "" {
		file = DefaultFile
	}
	root, err := OneDocument(data)
	var de *DocumentError
	switch {
	case errors.As(err, &de) && de.Second:
		return nil, Errors{{File: file, Line: de.Line, Column: de.Column, Msg: "a second YAML document; the config is one document (remove the \"---\")"}}
	case errors.As(err, &de):
		return nil, Errors{{File: file, Line: de.Line, Msg: de.Msg}}
	case err != nil:
		return nil, err
	case root == nil:
		cfg := Default()
		cfg.File = file
		return cfg, nil
	}
	w := &walker{file: file, pos: map[string]position{}, null: map[string]bool{}}
	w.walk(root, reflect.TypeOf(Config{}), "")
	if len(w.errs) > 0 {
		return nil, w.errors()
	}

	cfg := Default()
	kdec := yaml.NewDecoder(bytes.NewReader(data))
	kdec.KnownFields(true)
	if err := kdec.Decode(cfg); err != nil {
		// The walk above accepts only what decodes; this is a backstop.
		return nil, Errors{{File: file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	cfg.File = file
	w.validate(cfg)
	if len(w.errs) > 0 {
		return nil, w.errors()
	}
	return cfg, nil
}

type position struct{ line, col int }

type walker struct {
	file  string
	errs  []*Error
	pos   map[string]position // key path ("projects[0].root") → where its value stands
	null  map[string]bool     // key paths whose value is null
	nodes int
}

func (w *walker) errorf(line, col int, format string, args ...any) {
	w.errs = append(w.errs, &Error{File: w.file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
}

func (w *walker) errors() Errors {
	sort.SliceStable(w.errs, func(i, j int) bool { return w.errs[i].Line < w.errs[j].Line })
	return Errors(w.errs)
}

// at returns the position recorded for path, or its nearest recorded parent.
func (w *walker) at(p string) position {
	for {
		if pos, ok := w.pos[p]; ok {
			return pos
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			return w.pos[""]
		}
		p = p[:i]
	}
}

func (w *walker) errAt(p, format string, args ...any) {
	pos := w.at(p)
	w.errorf(pos.line, pos.col, format, args...)
}

var (
	sizeType    = reflect.TypeOf(Size(0))
	percentType = reflect.TypeOf(Percent(0))
	budgetType  = reflect.TypeOf(Budget{})
)

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func where(p string) string {
	if p == "" {
		return "at the top level"
	}
	return "in " + p
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// yamlKeys lists the yaml keys of a struct type in field order.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if k := yamlKey(t.Field(i)); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

func yamlKey(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if yamlKey(t.Field(i)) == key {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

func join(p, key string) string {
	if p == "" {
		return key
	}
	return p + "." + key
}

// walk checks node n against type t: every key known, every value of the
// right shape, sizes and shares with their units. It records where each value
// stands for the validation that follows.
func (w *walker) walk(n *yaml.Node, t reflect.Type, p string) {
	w.nodes++
	if w.nodes > maxNodes {
		if w.nodes == maxNodes+1 {
			w.errorf(n.Line, n.Column, "the file is too complex (more than %d values with aliases expanded)", maxNodes)
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return
		}
		n = n.Alias
	}
	if _, ok := w.pos[p]; !ok {
		w.pos[p] = position{n.Line, n.Column}
	}
	if isNull(n) {
		w.null[p] = true
		return // null keeps the default (or turns an optional bound off)
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == sizeType:
		if n.Kind != yaml.ScalarNode {
			w.errorf(n.Line, n.Column, "%s: want a size such as 2MB, got %s", p, kindName(n))
			return
		}
		if _, err := ParseSize(n.Value); err != nil {
			w.errorf(n.Line, n.Column, "%s: %v", p, err)
		}
		return
	case t == percentType:
		if n.Kind != yaml.ScalarNode {
			w.errorf(n.Line, n.Column, "%s: want a share such as 5%%, got %s", p, kindName(n))
			return
		}
		if _, err := ParsePercent(n.Value); err != nil {
			w.errorf(n.Line, n.Column, "%s: %v", p, err)
		}
		return
	case t == budgetType:
		if n.Kind != yaml.ScalarNode {
			w.errorf(n.Line, n.Column, "%s: want a size such as 200KB or a share of the platform's limit such as 50%%, got %s", p, kindName(n))
			return
		}
		if _, err := ParseBudget(n.Value); err != nil {
			w.errorf(n.Line, n.Column, "%s: %v", p, err)
		}
		return
	}
	switch t.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			w.errorf(n.Line, n.Column, "%s: want a string, got %s", p, kindName(n))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			w.errorf(n.Line, n.Column, "%s: want true or false, got %s", p, kindName(n))
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.errorf(n.Line, n.Column, "%s: want a list, got %s", p, kindName(n))
			return
		}
		for i, c := range n.Content {
			w.walk(c, t.Elem(), p+"["+strconv.Itoa(i)+"]")
		}
	case reflect.Struct:
		w.walkMapping(n, t, p, map[string]int{})
	case reflect.Map:
		w.walkMap(n, t, p)
	default:
		w.errorf(n.Line, n.Column, "%s: unsupported value", p)
	}
}

func (w *walker) walkMapping(n *yaml.Node, t reflect.Type, p string, seen map[string]int) {
	if n.Kind != yaml.MappingNode {
		what := p
		if what == "" {
			what = "the config"
		}
		w.errorf(n.Line, n.Column, "%s: want a mapping with the keys %s, got %s", what, strings.Join(yamlKeys(t), ", "), kindName(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
			w.walkMerge(v, t, p, seen)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			w.errorf(k.Line, k.Column, "a key %s must be a plain word; valid keys: %s", where(p), strings.Join(yamlKeys(t), ", "))
			continue
		}
		f, ok := fieldByKey(t, k.Value)
		if !ok {
			w.errorf(k.Line, k.Column, "unknown key %q %s; valid keys: %s", k.Value, where(p), strings.Join(yamlKeys(t), ", "))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			w.errorf(k.Line, k.Column, "key %q appears twice %s (first at line %d)", k.Value, where(p), first)
			continue
		}
		seen[k.Value] = k.Line
		child := join(p, k.Value)
		w.pos[child] = position{k.Line, k.Column}
		w.walk(v, f.Type, child)
	}
}

// walkMap checks a mapping from names or globs (gates.size.limits) to
// values of t's element type.
func (w *walker) walkMap(n *yaml.Node, t reflect.Type, p string) {
	if n.Kind != yaml.MappingNode {
		w.errorf(n.Line, n.Column, "%s: want a mapping from package names or globs to values, got %s", p, kindName(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			w.errorf(k.Line, k.Column, "%s: a key must be a package name or a glob", p)
			continue
		}
		if k.Value == "" {
			w.errorf(k.Line, k.Column, "%s: a key is empty; write a package name or a glob", p)
			continue
		}
		if _, err := path.Match(k.Value, ""); err != nil {
			w.errorf(k.Line, k.Column, "%s: %q is not a valid glob: %v", p, k.Value, err)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			w.errorf(k.Line, k.Column, "key %q appears twice in %s (first at line %d)", k.Value, p, first)
			continue
		}
		seen[k.Value] = k.Line
		child := p + "[" + strconv.Quote(k.Value) + "]"
		w.pos[child] = position{k.Line, k.Column}
		if isNull(v) {
			w.errorf(v.Line, v.Column, "%s: want a size or a share, got null (remove the key instead)", child)
			continue
		}
		w.walk(v, t.Elem(), child)
	}
}

// walkMerge handles YAML merge keys ("<<: *defaults").
func (w *walker) walkMerge(v *yaml.Node, t reflect.Type, p string, seen map[string]int) {
	w.nodes++
	if w.nodes > maxNodes {
		return
	}
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.MappingNode:
		// Keys from a merge may be overridden: give them their own seen set.
		w.walkMapping(v, t, p, map[string]int{})
	case yaml.SequenceNode:
		for _, c := range v.Content {
			w.walkMerge(c, t, p, seen)
		}
	default:
		w.errorf(v.Line, v.Column, "%s: a merge (<<) needs a mapping", p)
	}
}

// validate checks the values' meaning and fills the defaults that depend on
// what the file says.
func (w *walker) validate(c *Config) {
	w.validateProjects(c)
	w.validateGates(&c.Gates)
	w.validateModules(c)
	w.validateBoundaries(c)
	if c.Release.Tag == "" {
		w.errAt("release.tag", "release.tag is empty; write a template such as \"{module}@v{version}\"")
	} else if err := checkTagTemplate(c.Release.Tag); err != nil {
		w.errAt("release.tag", "release.tag: %v", err)
	} else if len(c.Modules) > 1 && !strings.Contains(c.Release.Tag, "{module}") {
		w.errAt("release.tag", "release.tag %q has no {module}: the tags of different modules would collide", c.Release.Tag)
	}
	if id := c.Release.Identity; id != (Identity{}) {
		switch {
		case strings.TrimSpace(id.Name) == "" || strings.TrimSpace(id.Email) == "":
			w.errAt("release.identity", "release.identity needs both name and email (as git does), e.g. {name: Release Bot, email: release@example.com}")
		case strings.ContainsAny(id.Name+id.Email, "<>\n\x00"):
			w.errAt("release.identity", "release.identity: name and email may not contain <, > or a line break")
		case !strings.Contains(id.Email, "@") || strings.IndexFunc(id.Email, unicode.IsSpace) >= 0:
			w.errAt("release.identity.email", "release.identity.email %q is not an e-mail address", id.Email)
		}
	}
	switch c.Trust.BuildForks {
	case BuildForksNever, BuildForksAfterApproval, BuildForksAlways:
	default:
		w.errAt("trust.build_forks", "trust.build_forks is %q; valid values: %s, %s, %s", c.Trust.BuildForks, BuildForksNever, BuildForksAfterApproval, BuildForksAlways)
	}
}

func (w *walker) validateProjects(c *Config) {
	if _, given := w.pos["projects"]; given && len(c.Projects) == 0 {
		w.errAt("projects", "projects is empty; declare at least one project or remove the key")
		c.Projects = []Project{{Root: "."}}
		return
	}
	names := map[string]int{}
	for i := range c.Projects {
		pr := &c.Projects[i]
		p := "projects[" + strconv.Itoa(i) + "]"
		pr.Line = w.at(p).line
		if pr.Name == "" && len(c.Projects) > 1 {
			w.errAt(p, "%s has no name; with several projects each needs a name", p)
		}
		if pr.Name != "" {
			if strings.ContainsAny(pr.Name, " \t\n/\\") {
				w.errAt(p+".name", "%s.name %q: use letters, digits, '-', '_' or '.' only", p, pr.Name)
			}
			if first, dup := names[pr.Name]; dup {
				w.errAt(p+".name", "project name %q used twice (first at line %d)", pr.Name, first)
			} else {
				names[pr.Name] = w.at(p + ".name").line
			}
		}
		if pr.Platform != "" {
			if _, ok := platform.Get(pr.Platform); !ok {
				hint := "(or omit it to detect)"
				if lower := platform.ID(strings.ToLower(string(pr.Platform))); lower != pr.Platform {
					if _, ok := platform.Get(lower); ok {
						hint = fmt.Sprintf("(write %q, in lower case)", lower)
					}
				}
				w.errAt(p+".platform", "%s.platform %q is not a platform; valid values: %s %s", p, pr.Platform, platformList(), hint)
			}
		}
		_, rootGiven := w.pos[p+".root"]
		switch {
		case pr.Root == "" && rootGiven:
			w.errAt(p+".root", "%s.root is empty; write \".\" for the repository's root, or omit the key", p)
		case pr.Root == "":
			pr.Root = "."
		default:
			clean, err := cleanRel(pr.Root)
			if err != nil {
				w.errAt(p+".root", "%s.root %q: %v", p, pr.Root, err)
			}
			pr.Root = clean
		}
		if _, given := w.pos[p+".install"]; given {
			switch {
			case strings.TrimSpace(pr.Install) == "":
				w.errAt(p+".install", "%s.install is empty; write the command that installs the dependencies (npm ci), or auto to choose it from the lockfile, or omit the key", p)
			case pr.Build == "":
				w.errAt(p+".install", "%s.install needs a build: the install step prepares the build; add the build command or remove install", p)
			}
		}
		w.validateLimits(pr.Limits, p+".limits")
	}
}

func platformList() string {
	var ids []string
	for _, pl := range platform.All() {
		ids = append(ids, string(pl.ID))
	}
	return strings.Join(ids, ", ")
}

// cleanRel cleans a repository-relative path; it must stay inside.
func cleanRel(s string) (string, error) {
	s = strings.ReplaceAll(s, "\\", "/")
	if strings.HasPrefix(s, "/") || (len(s) > 1 && s[1] == ':') {
		return s, errors.New("must be relative to the repository")
	}
	c := path.Clean(s)
	if c == ".." || strings.HasPrefix(c, "../") {
		return s, errors.New("must stay inside the repository")
	}
	// "a/../b" stays inside, but an editor's schema cannot tell it from
	// "a/../../b": the path is written without "..".
	if slices.Contains(strings.Split(s, "/"), "..") {
		return s, fmt.Errorf("must not contain \"..\" (write %q)", c)
	}
	return c, nil
}

func (w *walker) validateLimits(l Limits, p string) {
	for _, s := range []struct {
		key string
		v   Size
	}{{"package", l.Package}, {"main", l.Main}, {"total", l.Total}, {"preload", l.Preload}} {
		if _, given := w.pos[p+"."+s.key]; given && !w.null[p+"."+s.key] && s.v <= 0 {
			w.errAt(p+"."+s.key, "%s.%s must be more than 0 (omit it for the platform's default)", p, s.key)
		}
	}
	if l.Package > 0 && l.Total > 0 && l.Total < l.Package {
		w.errAt(p+".total", "%s.total (%s) is less than %s.package (%s)", p, l.Total, p, l.Package)
	}
	if _, given := w.pos[p+".warn"]; given && !w.null[p+".warn"] && (l.Warn <= 0 || l.Warn > 100) {
		w.errAt(p+".warn", "%s.warn is %s; want a share above 0%% and at most 100%%", p, l.Warn)
	}
}

func (w *walker) checkShare(p string, v *Percent, max Percent) {
	if v != nil && (*v < 0 || *v > max) {
		w.errAt(p, "%s is %s; want a share from 0%% to %s", p, *v, max)
	}
}

func (w *walker) validateGates(g *Gates) {
	w.checkShare("gates.size.max_growth", g.Size.MaxGrowth, 10000)
	if f := g.Size.NoiseFloor; f != nil && *f < 0 {
		w.errAt("gates.size.noise_floor", "gates.size.noise_floor must not be negative")
	}
	w.checkShare("gates.coverage.min", g.Coverage.Min, 100)
	w.checkShare("gates.coverage.max_drop", g.Coverage.MaxDrop, 100)
	w.checkShare("gates.coverage.patch_min", g.Coverage.PatchMin, 100)
	switch g.Lint.FailOn {
	case FailOnError, FailOnWarning:
	default:
		w.errAt("gates.lint.fail_on", "gates.lint.fail_on is %q; valid values: %s, %s", g.Lint.FailOn, FailOnError, FailOnWarning)
	}
	if strings.TrimSpace(g.Changelog.Label) == "" {
		w.errAt("gates.changelog.label", "gates.changelog.label is empty; name the label that exempts a request (default %q)", DefaultNoChangelogLabel)
	}
	if g.Lint.Command != "" && g.Lint.Report == "" {
		w.errAt("gates.lint.command", "gates.lint.command needs gates.lint.report: the JSON file the command writes")
	}
	for _, r := range []struct{ key, v string }{{"gates.lint.report", g.Lint.Report}, {"gates.coverage.report", g.Coverage.Report}} {
		if r.v != "" {
			if _, err := cleanRel(r.v); err != nil {
				w.errAt(r.key, "%s %q: %v", r.key, r.v, err)
			}
		}
	}
}

func (w *walker) validateModules(c *Config) {
	names := map[string]int{}
	for i := range c.Modules {
		m := &c.Modules[i]
		p := "modules[" + strconv.Itoa(i) + "]"
		m.Line = w.at(p).line
		switch {
		case m.Name == "":
			w.errAt(p, "%s has no name", p)
		case strings.ContainsAny(m.Name, " \t\n~^:?*[\\"):
			w.errAt(p+".name", "%s.name %q cannot be part of a git tag", p, m.Name)
		default:
			if first, dup := names[m.Name]; dup {
				w.errAt(p+".name", "module name %q used twice (first at line %d)", m.Name, first)
			} else {
				names[m.Name] = w.at(p + ".name").line
			}
		}
		if len(m.Paths) == 0 {
			w.errAt(p, "%s has no paths; list the globs of its files, e.g. [\"packagePay/**\"]", p)
		}
		w.validateGlobs(m.Paths, p+".paths")
		w.validateGlobs(m.Public, p+".public")
		if m.Changelog != "" {
			if _, err := cleanRel(m.Changelog); err != nil {
				w.errAt(p+".changelog", "%s.changelog %q: %v", p, m.Changelog, err)
			}
		}
		if m.Tag != "" {
			if err := checkTagTemplate(m.Tag); err != nil {
				w.errAt(p+".tag", "%s.tag: %v", p, err)
			}
		}
	}
}

// validateGlobs checks repository-relative globs.
func (w *walker) validateGlobs(globs []string, p string) {
	for j, g := range globs {
		gp := p + "[" + strconv.Itoa(j) + "]"
		if g == "" {
			w.errAt(gp, "%s is empty", gp)
			continue
		}
		if _, err := cleanRel(g); err != nil {
			w.errAt(gp, "%s %q: %v", gp, g, err)
		}
		if _, err := path.Match(g, ""); err != nil {
			w.errAt(gp, "%s %q is not a valid glob: %v", gp, g, err)
		}
	}
}

// validateBoundaries checks the boundaries section. Module names are
// checked against the configured modules when there are any; the default
// modules (one per subpackage) are known only when the program is read.
func (w *walker) validateBoundaries(c *Config) {
	b := &c.Boundaries
	known := func(p, glob string) {
		if _, err := path.Match(glob, ""); err != nil {
			w.errAt(p, "%s %q is not a valid glob of module names: %v", p, glob, err)
			return
		}
		if len(c.Modules) == 0 {
			return
		}
		for _, m := range c.Modules {
			if ok, _ := path.Match(glob, m.Name); ok {
				return
			}
		}
		w.errAt(p, "%s %q names no module of modules:; the modules are %s", p, glob, moduleNames(c.Modules))
	}
	for i := range b.Layers {
		l := &b.Layers[i]
		p := "boundaries.layers[" + strconv.Itoa(i) + "]"
		l.Line = w.at(p).line
		if len(l.Modules) == 0 {
			w.errAt(p, "%s has no modules; list the names (or globs of names) of its modules", p)
		}
		for j, g := range l.Modules {
			known(p+".modules["+strconv.Itoa(j)+"]", g)
		}
	}
	for i := range b.Rules {
		r := &b.Rules[i]
		p := "boundaries.rules[" + strconv.Itoa(i) + "]"
		r.Line = w.at(p).line
		if r.From == "" {
			w.errAt(p, "%s has no from; name the module (or a glob of names) it is about", p)
		} else {
			known(p+".from", r.From)
		}
		if _, given := w.pos[p+".allow"]; given && !w.null[p+".allow"] && r.Allow == nil {
			r.Allow = []string{} // allow: [] forbids every other module
		}
		if r.Allow == nil && len(r.Forbid) == 0 {
			w.errAt(p, "%s has neither allow nor forbid; list the modules it may use (allow) or may not use (forbid); allow: [] forbids every other module", p)
		}
		for j, g := range r.Allow {
			known(p+".allow["+strconv.Itoa(j)+"]", g)
		}
		for j, g := range r.Forbid {
			known(p+".forbid["+strconv.Itoa(j)+"]", g)
		}
	}
	w.validateGlobs(b.PlatformAPI.Adapters, "boundaries.platform_api.adapters")
}

func moduleNames(ms []Module) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return strings.Join(names, ", ")
}

// checkTagTemplate accepts templates whose only placeholders are {module}
// and {version}, and that contain {version}.
func checkTagTemplate(t string) error {
	hasVersion := false
	for rest := t; rest != ""; {
		open := strings.IndexByte(rest, '{')
		closeAt := strings.IndexByte(rest, '}')
		if open < 0 {
			if closeAt >= 0 {
				return fmt.Errorf("%q has a '}' without '{'", t)
			}
			break
		}
		if closeAt >= 0 && closeAt < open {
			return fmt.Errorf("%q has a '}' without '{'", t)
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return fmt.Errorf("%q has a '{' without '}'", t)
		}
		switch name := rest[open+1 : open+end]; name {
		case "version":
			hasVersion = true
		case "module":
		default:
			return fmt.Errorf("%q uses {%s}; the placeholders are {module} and {version}", t, name)
		}
		rest = rest[open+end+1:]
	}
	if !hasVersion {
		return fmt.Errorf("%q has no {version}", t)
	}
	if strings.ContainsAny(t, " \t\n~^:?*[\\") {
		return fmt.Errorf("%q cannot be a git tag (no spaces or ~^:?*[\\)", t)
	}
	return nil
}
