// Package serverconfig reads the configuration file of `mpgate serve`
// (--config server.yml, MPGATE_CONFIG): the serve settings by name, which
// the flags and the environment override, and the repository allowlist,
// which only the file holds. It is strict like .mpgate.yml: an unknown key,
// a value of the wrong kind or a key given twice is an error naming the
// file and the line. docs/github-app.md documents the keys;
// schema/mpgate-server.schema.json describes them for editors.
package serverconfig

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/mpgate/mpgate/bot/sandbox"
	"github.com/mpgate/mpgate/checks/config"
)

// Error is one problem in a server config file, at a line (0 when it
// concerns the file as a whole).
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Errors are all the problems of a file, in line order.
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

// ErrInvalid is matched (errors.Is) by every error Parse returns for a
// file that is not a valid server config.
var ErrInvalid = errors.New("invalid server config")

// Is makes errors.Is(err, ErrInvalid) true.
func (es Errors) Is(target error) bool { return target == ErrInvalid }

// Config is a parsed server config file.
type Config struct {
	File string
	// Settings are the serve settings the file gives, by the name of the
	// serve flag they set, as that flag's text (already validated).
	Settings map[string]string
	// Lines are where each setting stands, by flag name.
	Lines map[string]int
	// Repositories is the allowlist; nil when the file has no
	// repositories key (every repository is served).
	Repositories *Allowlist
}

// kind is how a setting's text is checked.
type kind int

const (
	kindString kind = iota
	kindURL
	kindCount    // an integer ≥ min
	kindDuration // > 0
	kindSize     // 4GiB; 0 is no limit
	kindNetwork  // none, install, all
	kindSandbox  // auto, bwrap, container
)

// Key is one setting of the file.
type Key struct {
	// Path is the key in the file: "builds.memory".
	Path string
	// Flag is the serve flag it sets: "build-memory".
	Flag string
	kind kind
	min  int
}

// Keys are the settings of the file, in the order of the docs. The
// repositories lists are not among them: no flag sets them.
var Keys = []Key{
	{Path: "addr", Flag: "addr"},
	{Path: "data_dir", Flag: "data-dir"},
	{Path: "database_url", Flag: "database-url", kind: kindURL},
	{Path: "shutdown_timeout", Flag: "shutdown-timeout", kind: kindDuration},
	{Path: "github.app_id", Flag: "github-app-id", kind: kindCount, min: 1},
	{Path: "github.private_key_file", Flag: "github-private-key-file"},
	{Path: "github.webhook_secret_file", Flag: "github-webhook-secret-file"},
	{Path: "github.api_url", Flag: "github-api-url", kind: kindURL},
	{Path: "github.app_slug", Flag: "github-app-slug"},
	{Path: "github.oauth_client_id", Flag: "github-oauth-client-id"},
	{Path: "github.oauth_client_secret_file", Flag: "github-oauth-client-secret-file"},
	{Path: "gitlab.url", Flag: "gitlab-url", kind: kindURL},
	{Path: "gitlab.token_file", Flag: "gitlab-token-file"},
	{Path: "gitlab.webhook_secret_file", Flag: "gitlab-webhook-secret-file"},
	{Path: "gitlab.webhook_signing_token_file", Flag: "gitlab-webhook-signing-token-file"},
	{Path: "gitlab.oauth_client_id", Flag: "gitlab-oauth-client-id"},
	{Path: "gitlab.oauth_client_secret_file", Flag: "gitlab-oauth-client-secret-file"},
	{Path: "pages.public_url", Flag: "public-url", kind: kindURL},
	{Path: "pages.session_key_file", Flag: "pages-session-key-file"},
	{Path: "queue.event_workers", Flag: "event-workers", kind: kindCount, min: 1},
	{Path: "queue.max_attempts", Flag: "max-attempts", kind: kindCount, min: 1},
	{Path: "queue.job_lease", Flag: "job-lease", kind: kindDuration},
	{Path: "builds.concurrency", Flag: "workers", kind: kindCount, min: 1},
	{Path: "builds.timeout", Flag: "job-timeout", kind: kindDuration},
	{Path: "builds.memory", Flag: "build-memory", kind: kindSize},
	{Path: "builds.processes", Flag: "build-processes", kind: kindCount, min: 0},
	{Path: "builds.disk", Flag: "build-disk", kind: kindSize},
	{Path: "builds.network", Flag: "build-network", kind: kindNetwork},
	{Path: "builds.sandbox", Flag: "build-sandbox", kind: kindSandbox},
	{Path: "builds.image", Flag: "build-image"},
	{Path: "builds.runtime", Flag: "build-runtime"},
}

// Repository lists, by forge.
const (
	pathRepositories = "repositories"
	pathGitHub       = "repositories.github"
	pathGitLab       = "repositories.gitlab"
)

// Paths are every key path of the file, sections and lists included
// (for the schema's test and the docs').
func Paths() []string {
	set := map[string]bool{pathRepositories: true, pathGitHub: true, pathGitLab: true}
	for _, k := range Keys {
		set[k.Path] = true
		if sec, _, ok := strings.Cut(k.Path, "."); ok {
			set[sec] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// children are the keys valid directly under path ("" is the top level),
// in the order of Keys.
func children(path string) []string {
	var out []string
	add := func(name string) {
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	prefix := ""
	if path != "" {
		prefix = path + "."
	}
	for _, p := range append(keyPaths(), pathGitHub, pathGitLab) {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, ".")
		add(name)
	}
	return out
}

func keyPaths() []string {
	out := make([]string, len(Keys))
	for i, k := range Keys {
		out[i] = k.Path
	}
	return out
}

func lookup(path string) (Key, bool) {
	for _, k := range Keys {
		if k.Path == path {
			return k, true
		}
	}
	return Key{}, false
}

// Load reads and parses the file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the server config: %w", err)
	}
	return Parse(data, path)
}

// Parse parses and validates a server config; file names it in messages.
// An empty file sets nothing.
func Parse(data []byte, file string) (*Config, error) {
	cfg := &Config{File: file, Settings: map[string]string{}, Lines: map[string]int{}}
	// The repository config's strict reading: one document, its root.
	root, err := config.OneDocument(data)
	var de *config.DocumentError
	switch {
	case errors.As(err, &de) && de.Second:
		return nil, Errors{{File: file, Line: de.Line, Msg: `a second YAML document; the server config is one document (remove the "---")`}}
	case errors.As(err, &de):
		return nil, Errors{{File: file, Line: de.Line, Msg: de.Msg}}
	case err != nil:
		return nil, err
	case root == nil:
		return cfg, nil
	}
	p := &parser{file: file, cfg: cfg}
	p.mapping(root, "")
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
		return nil, p.errs
	}
	return cfg, nil
}

type parser struct {
	file string
	cfg  *Config
	errs Errors
}

func (p *parser) errorf(line int, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func where(path string) string {
	if path == "" {
		return "at the top level"
	}
	return "in " + path
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.ShortTag() == "!!null" {
		return "empty"
	}
	return fmt.Sprintf("%q", n.Value)
}

// mapping walks a section: every key known, none twice.
func (p *parser) mapping(n *yaml.Node, path string) {
	valid := children(path)
	if n.Kind != yaml.MappingNode {
		name := path
		if name == "" {
			name = "the server config"
		}
		p.errorf(n.Line, "%s is %s; want a mapping of %s", name, describe(n), strings.Join(valid, ", "))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		if k.Kind != yaml.ScalarNode || !slices.Contains(valid, name) {
			p.errorf(k.Line, "unknown key %q %s; valid keys: %s", name, where(path), strings.Join(valid, ", "))
			continue
		}
		if first, ok := seen[name]; ok {
			p.errorf(k.Line, "%q given twice %s (first at line %d)", name, where(path), first)
			continue
		}
		seen[name] = k.Line
		full := name
		if path != "" {
			full = path + "." + name
		}
		switch {
		case full == pathGitHub || full == pathGitLab:
			p.repositories(v, full)
		case full == pathRepositories:
			if p.cfg.Repositories == nil {
				p.cfg.Repositories = &Allowlist{}
			}
			p.mapping(v, full)
		default:
			if key, ok := lookup(full); ok {
				p.setting(v, key)
			} else {
				p.mapping(v, full)
			}
		}
	}
}

// setting checks one value and records it as its flag's text.
func (p *parser) setting(n *yaml.Node, k Key) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		p.errorf(n.Line, "%s is %s; want %s", k.Path, describe(n), want(k))
		return
	}
	v := strings.TrimSpace(n.Value)
	if err := check(k, v); err != nil {
		p.errorf(n.Line, "%s %q: %v", k.Path, n.Value, err)
		return
	}
	p.cfg.Settings[k.Flag] = v
	p.cfg.Lines[k.Flag] = n.Line
}

func want(k Key) string {
	switch k.kind {
	case kindURL:
		return "a URL"
	case kindCount:
		return fmt.Sprintf("a whole number, at least %d", k.min)
	case kindDuration:
		return "a duration (90s, 30m, 1h)"
	case kindSize:
		return "a size (512MiB, 4GiB; 0: no limit)"
	case kindNetwork:
		return "none, install or all"
	case kindSandbox:
		return "auto, bwrap or container"
	}
	return "a string"
}

func check(k Key, v string) error {
	switch k.kind {
	case kindString:
		if v == "" {
			return errors.New("empty; want " + want(k))
		}
	case kindURL:
		u, err := url.Parse(v)
		if err != nil || u.Scheme == "" || u.Host == "" && u.Scheme != "postgres" && u.Scheme != "postgresql" {
			return fmt.Errorf("not a URL with a scheme and a host")
		}
	case kindCount:
		n, err := strconv.Atoi(v)
		if err != nil || n < k.min {
			return fmt.Errorf("want %s", want(k))
		}
	case kindDuration:
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("want %s", want(k))
		}
	case kindSize:
		var s sandbox.Size
		if err := s.Set(v); err != nil {
			return fmt.Errorf("want %s: %w", want(k), err)
		}
	case kindNetwork:
		var np sandbox.NetworkPolicy
		if err := np.Set(v); err != nil {
			return fmt.Errorf("want %s", want(k))
		}
	case kindSandbox:
		var sk sandbox.Kind
		if err := sk.Set(v); err != nil {
			return fmt.Errorf("want %s", want(k))
		}
	}
	return nil
}

// repositories reads one forge's allowlist.
func (p *parser) repositories(n *yaml.Node, path string) {
	forge := strings.TrimPrefix(path, pathRepositories+".")
	if n.Kind != yaml.SequenceNode {
		p.errorf(n.Line, "%s is %s; want a list of %s", path, describe(n), patternHelp(forge))
		return
	}
	for i, e := range n.Content {
		if e.Kind != yaml.ScalarNode || e.ShortTag() == "!!null" {
			p.errorf(e.Line, "%s[%d] is %s; want %s", path, i, describe(e), patternHelp(forge))
			continue
		}
		pat, err := parsePattern(forge, e.Value)
		if err != nil {
			p.errorf(e.Line, "%s[%d] %q: %v", path, i, e.Value, err)
			continue
		}
		p.cfg.Repositories.add(forge, pat)
	}
}
