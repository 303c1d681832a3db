package release

import (
	"errors"
	"strings"
)

// ErrNotConventional: a message whose first line is not a Conventional
// Commits header ("type(scope)!: description").
var ErrNotConventional = errors.New("not a Conventional Commits header")

// Commit is a parsed Conventional Commits message.
type Commit struct {
	Type  string // lower-cased: "feat", "fix", …
	Scope string // "" when absent
	// Breaking is set by "!" before the colon or a BREAKING CHANGE footer.
	Breaking bool
	// Description is the header's text after ": ".
	Description string
	// BreakingNote is the text of the BREAKING CHANGE footer, if any.
	BreakingNote string
}

// maxHeader caps a header: a longer first line is not a title.
const maxHeader = 1000

// ParseCommit parses a commit message (or a request title, optionally
// followed by a body) per Conventional Commits 1.0.0: the first line is
// "type(scope)!: description"; a footer "BREAKING CHANGE: text" or
// "BREAKING-CHANGE: text" in the body also marks the change breaking.
func ParseCommit(msg string) (Commit, error) {
	header, body, _ := strings.Cut(strings.TrimLeft(msg, "\r\n"), "\n")
	header = strings.TrimRight(header, "\r \t")
	if len(header) > maxHeader {
		return Commit{}, ErrNotConventional
	}
	var c Commit
	i := 0
	for i < len(header) && isTypeChar(header[i]) {
		i++
	}
	if i == 0 {
		return Commit{}, ErrNotConventional
	}
	c.Type = strings.ToLower(header[:i])
	rest := header[i:]
	if strings.HasPrefix(rest, "(") {
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return Commit{}, ErrNotConventional
		}
		c.Scope = strings.TrimSpace(rest[1:end])
		if c.Scope == "" || strings.ContainsAny(c.Scope, "()") {
			return Commit{}, ErrNotConventional
		}
		rest = rest[end+1:]
	}
	if strings.HasPrefix(rest, "!") {
		c.Breaking = true
		rest = rest[1:]
	}
	if !strings.HasPrefix(rest, ": ") {
		return Commit{}, ErrNotConventional
	}
	c.Description = strings.TrimSpace(rest[2:])
	if c.Description == "" {
		return Commit{}, ErrNotConventional
	}
	for line := range strings.SplitSeq(body, "\n") {
		line = strings.TrimRight(line, "\r")
		for _, key := range []string{"BREAKING CHANGE:", "BREAKING-CHANGE:"} {
			if note, ok := strings.CutPrefix(line, key); ok {
				c.Breaking = true
				if c.BreakingNote == "" {
					c.BreakingNote = strings.TrimSpace(note)
				}
			}
		}
	}
	return c, nil
}

func isTypeChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_'
}

// Section is a Keep a Changelog heading.
type Section string

// Sections, in the order a changelog section lists them.
const (
	Breaking Section = "Breaking"
	Added    Section = "Added"
	Changed  Section = "Changed"
	Fixed    Section = "Fixed"
)

// sectionOrder is the order of headings in a rendered section.
var sectionOrder = []Section{Breaking, Added, Changed, Fixed}

// Classify says where a commit type goes: feat → Added (minor), fix → Fixed
// (patch), perf, refactor and revert → Changed (patch); a breaking change of
// any type → Breaking (major). Other types (chore, docs, test, ci, build,
// style, …) make no entry: ok is false.
func (c Commit) Classify() (sec Section, bump Bump, ok bool) {
	if c.Breaking {
		return Breaking, BumpMajor, true
	}
	switch c.Type {
	case "feat", "feature":
		return Added, BumpMinor, true
	case "fix":
		return Fixed, BumpPatch, true
	case "perf", "refactor", "revert":
		return Changed, BumpPatch, true
	}
	return "", BumpNone, false
}

// Text is the entry text of the commit: the description, and for a breaking
// change with a footer, the footer's note after it.
func (c Commit) Text() string {
	if c.BreakingNote != "" && c.BreakingNote != c.Description {
		return c.Description + ": " + c.BreakingNote
	}
	return c.Description
}
