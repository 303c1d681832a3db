package release

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ChangelogTitle heads a changelog file.
const ChangelogTitle = "# Changelog"

// changelogIntro follows the title of a new changelog.
const changelogIntro = "All notable changes to this module are documented in this file.\n" +
	"The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),\n" +
	"and this module adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).\n"

// RenderSection renders a Keep a Changelog section for version v released on
// date ("2006-01-02"): "## [v] - date", then one "### Heading" per kind of
// change in the order Breaking, Added, Changed, Fixed, each entry a bullet
// with its scope in bold and its request number or short commit after it.
func RenderSection(v Version, date string, entries []Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## [%s] - %s\n", v, date)
	b.WriteString(renderEntries(entries))
	return b.String()
}

func renderEntries(entries []Entry) string {
	var b strings.Builder
	for _, sec := range sectionOrder {
		first := true
		for _, e := range entries {
			if e.Section != sec {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n### %s\n\n", sec)
				first = false
			}
			b.WriteString("- ")
			if e.Scope != "" && e.Scope != e.Module {
				fmt.Fprintf(&b, "**%s:** ", e.Scope)
			}
			b.WriteString(oneEntry(e.Text))
			switch {
			case e.Request > 0:
				b.WriteString(" (#" + strconv.Itoa(e.Request) + ")")
			case len(e.Commit) >= 7:
				b.WriteString(" (" + e.Commit[:7] + ")")
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// oneEntry indents continuation lines of a multi-line entry under its bullet.
func oneEntry(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	return strings.ReplaceAll(s, "\n", "\n  ")
}

// notes are the release notes of a module: its section without the heading,
// and the size change when known.
func notes(m *ModulePlan) string {
	_, body, _ := strings.Cut(m.Section, "\n")
	body = strings.TrimLeft(body, "\n")
	if m.Size != nil {
		body += "\n" + sizeLine(*m.Size) + "\n"
	}
	if api := apiNotes(m.API); api != "" {
		body += "\n" + api
	}
	return body
}

func sizeLine(s SizeChange) string {
	line := fmt.Sprintf("**Size:** %s → %s (%s", humanBytes(s.Then), humanBytes(s.Now), signedBytes(s.Now-s.Then))
	if s.Then > 0 {
		line += fmt.Sprintf(", %+.1f%%", float64(s.Now-s.Then)*100/float64(s.Then))
	}
	return line + ") since the previous release"
}

func humanBytes(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	var s string
	switch {
	case n >= 1<<20:
		s = fmt.Sprintf("%.2f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		s = fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	default:
		s = fmt.Sprintf("%d B", n)
	}
	if neg {
		return "-" + s
	}
	return s
}

func signedBytes(d int64) string {
	if d >= 0 {
		return "+" + humanBytes(d)
	}
	return humanBytes(d)
}

// ErrSectionExists: the changelog already has a section for the version.
var ErrSectionExists = errors.New("changelog already has a section for this version")

// InsertSection puts section at the top of a changelog's content: after the
// "# Changelog" title and the paragraphs before the first "## " heading (and
// below a "## [Unreleased]" section, which Keep a Changelog keeps first). An
// empty or title-less changelog gets the title (and for a new file a short
// introduction). A section for the same version already present is
// ErrSectionExists.
func InsertSection(old, section string, v Version) (string, error) {
	old = strings.ReplaceAll(old, "\r\n", "\n")
	heading := "## [" + v.String() + "]"
	first, _, _ := strings.Cut(section, "\n")
	owner := headingOwner(first)
	lines := strings.Split(old, "\n")
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, heading) {
			// In a changelog shared by modules, "## [1.0.0] - date (app)"
			// and "## [1.0.0] - date (payment)" are different releases.
			if o := headingOwner(t); o != "" && owner != "" && o != owner {
				continue
			}
			return "", fmt.Errorf("%w: %s", ErrSectionExists, heading)
		}
	}
	section = strings.TrimRight(section, "\n") + "\n"
	if strings.TrimSpace(old) == "" {
		return ChangelogTitle + "\n\n" + changelogIntro + "\n" + section, nil
	}
	inFence := false
	titled := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		if strings.HasPrefix(t, "# ") && !titled {
			titled = true
			continue
		}
		if strings.HasPrefix(t, "## ") {
			if isUnreleased(t) {
				continue // "## [Unreleased]" stays on top
			}
			head := strings.Join(lines[:i], "\n")
			tail := strings.Join(lines[i:], "\n")
			if !titled {
				head = ChangelogTitle + "\n\n" + head
			}
			return strings.TrimRight(head, "\n") + "\n\n" + section + "\n" + tail, nil
		}
	}
	body := strings.TrimRight(old, "\n")
	if !titled {
		body = ChangelogTitle + "\n\n" + body
	}
	if inFence {
		body += "\n" + unclosedFence(lines) // the section must not land in a code block
	}
	return body + "\n\n" + section, nil
}

// headingOwner is the "(module)" at the end of a section heading, if any.
func headingOwner(h string) string {
	h = strings.TrimSpace(h)
	if !strings.HasSuffix(h, ")") {
		return ""
	}
	i := strings.LastIndex(h, " (")
	if i < 0 {
		return ""
	}
	return h[i+2 : len(h)-1]
}

// isUnreleased: a "## [Unreleased]" or "## Unreleased" heading.
func isUnreleased(heading string) bool {
	h := strings.TrimSpace(strings.TrimPrefix(heading, "##"))
	h = strings.TrimPrefix(h, "[")
	return len(h) >= len("unreleased") && strings.EqualFold(h[:len("unreleased")], "unreleased")
}

// unclosedFence returns a line closing the last open code fence of lines.
func unclosedFence(lines []string) string {
	fence := "```"
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = t[:3]
		}
	}
	return fence
}
