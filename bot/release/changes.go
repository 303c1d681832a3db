package release

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// ChangesDir holds change files: "<name>.md" with YAML front matter naming
// modules and bumps, then a Markdown summary (the changesets format):
//
//	---
//	payment: minor
//	app: patch
//	---
//	Pay with stored cards.
const ChangesDir = ".changes"

// ErrChangeFile: a change file that cannot be read.
var ErrChangeFile = errors.New("invalid change file")

// ChangeFile is a parsed change file.
type ChangeFile struct {
	Path    string // repository-relative
	Bumps   []ModuleBump
	Summary string
}

// ModuleBump is one front-matter line of a change file.
type ModuleBump struct {
	Module string
	Bump   Bump
}

// maxChangeFile caps a change file.
const maxChangeFile = 64 << 10

// ParseChangeFile parses a change file's content.
func ParseChangeFile(path string, src []byte) (*ChangeFile, error) {
	if len(src) > maxChangeFile {
		return nil, fmt.Errorf("%w %s: larger than %d bytes", ErrChangeFile, path, maxChangeFile)
	}
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	rest, ok := strings.CutPrefix(text, "---\n")
	if !ok {
		return nil, fmt.Errorf("%w %s: must start with a \"---\" line, then \"module: patch|minor|major\" lines, then \"---\"", ErrChangeFile, path)
	}
	var front, body string
	if strings.HasPrefix(rest, "---\n") || rest == "---" {
		front, body = "", strings.TrimPrefix(strings.TrimPrefix(rest, "---"), "\n")
	} else {
		var found bool
		front, body, found = strings.Cut(rest, "\n---\n")
		if !found {
			if f, ok := strings.CutSuffix(rest, "\n---"); ok {
				front, body, found = f, "", true
			}
		}
		if !found {
			return nil, fmt.Errorf("%w %s: front matter not closed by a \"---\" line", ErrChangeFile, path)
		}
	}
	cf := &ChangeFile{Path: path, Summary: strings.TrimSpace(body)}
	if strings.TrimSpace(front) != "" {
		var doc yaml.Node
		dec := yaml.NewDecoder(bytes.NewReader([]byte(front)))
		if err := dec.Decode(&doc); err != nil {
			return nil, fmt.Errorf("%w %s: front matter: %w", ErrChangeFile, path, err)
		}
		if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%w %s: front matter must be \"module: bump\" lines", ErrChangeFile, path)
		}
		m := doc.Content[0]
		seen := map[string]bool{}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode || k.Value == "" {
				return nil, fmt.Errorf("%w %s: line %d: want \"module: patch|minor|major\"", ErrChangeFile, path, k.Line+1)
			}
			b, err := ParseBump(v.Value)
			if err != nil {
				return nil, fmt.Errorf("%w %s: line %d: %w", ErrChangeFile, path, k.Line+1, err)
			}
			if seen[k.Value] {
				return nil, fmt.Errorf("%w %s: line %d: module %q named twice", ErrChangeFile, path, k.Line+1, k.Value)
			}
			seen[k.Value] = true
			cf.Bumps = append(cf.Bumps, ModuleBump{Module: k.Value, Bump: b})
		}
	}
	if len(cf.Bumps) > 0 && cf.Summary == "" {
		return nil, fmt.Errorf("%w %s: no summary after the front matter", ErrChangeFile, path)
	}
	return cf, nil
}

// sectionFor maps a change file's bump to a heading.
func sectionFor(b Bump) Section {
	switch b {
	case BumpMajor:
		return Breaking
	case BumpMinor:
		return Added
	}
	return Fixed
}

// isChangeFile: "<ChangesDir>/<name>.md", not README.md.
func isChangeFile(p string) bool {
	name, ok := strings.CutPrefix(p, ChangesDir+"/")
	return ok && !strings.Contains(name, "/") && strings.HasSuffix(name, ".md") &&
		!strings.EqualFold(name, "README.md") && len(name) > len(".md")
}
