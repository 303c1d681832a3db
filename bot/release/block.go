package release

import (
	"fmt"
	"strings"
)

// BlockLine is one line of a ```changelog block in a request's description:
// "payment: fix: rounding of totals".
type BlockLine struct {
	Module string
	Commit Commit
	Line   int // 1-based line in the description
}

// BlockError is a line of a changelog block that could not be read.
type BlockError struct {
	Line int
	Text string
	Msg  string
}

func (e BlockError) Error() string {
	return fmt.Sprintf("changelog block line %d %q: %s", e.Line, e.Text, e.Msg)
}

// maxBlockLine caps a line of a description that is looked at.
const maxBlockLine = 2000

// ParseBlock finds every fenced code block whose info string is "changelog"
// (``` or ~~~ fences of three or more, as in CommonMark) in a request's
// description and reads one entry per non-empty line: "module: type: text",
// where "type: text" is a Conventional Commits header ("payment: feat!: new
// API" is breaking). Lines starting with "#" or "//" are comments. found says
// whether a block was present at all (an empty block is an explicit "no
// entries"). Lines that cannot be read are returned as errors; the others
// still count.
func ParseBlock(desc string) (lines []BlockLine, errs []BlockError, found bool) {
	var fence string // the open fence of a changelog block, "" outside
	var other string // the open fence of another code block
	for n, raw := range strings.Split(desc, "\n") {
		lineNo := n + 1
		line := strings.TrimRight(raw, "\r")
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		switch {
		case other != "":
			if indent < 4 && isClosingFence(trimmed, other) {
				other = ""
			}
			continue
		case fence != "":
			if indent < 4 && isClosingFence(trimmed, fence) {
				fence = ""
				continue
			}
		default:
			if indent >= 4 {
				continue
			}
			f, info, ok := openingFence(trimmed)
			if !ok {
				continue
			}
			if strings.EqualFold(firstWord(info), "changelog") {
				fence = f
				found = true
			} else {
				other = f
			}
			continue
		}
		text := strings.TrimSpace(line)
		if text == "" || strings.HasPrefix(text, "#") || strings.HasPrefix(text, "//") {
			continue
		}
		if len(text) > maxBlockLine {
			errs = append(errs, BlockError{Line: lineNo, Text: text[:80] + "…", Msg: "line too long"})
			continue
		}
		text = strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(text, "- "), "* "), " ")
		mod, rest, ok := strings.Cut(text, ":")
		mod = strings.TrimSpace(mod)
		if !ok || mod == "" || strings.ContainsAny(mod, " \t") {
			errs = append(errs, BlockError{Line: lineNo, Text: text, Msg: `want "module: type: description", e.g. "payment: fix: rounding of totals"`})
			continue
		}
		c, err := ParseCommit(strings.TrimSpace(rest))
		if err != nil {
			errs = append(errs, BlockError{Line: lineNo, Text: text, Msg: `after the module name, want a Conventional Commits header such as "fix: rounding of totals" or "feat!: new API"`})
			continue
		}
		lines = append(lines, BlockLine{Module: mod, Commit: c, Line: lineNo})
	}
	return lines, errs, found
}

// openingFence reads a CommonMark fence opener: three or more backticks or
// tildes, then the info string (which may not contain a backtick for a
// backtick fence).
func openingFence(s string) (fence, info string, ok bool) {
	if s == "" || (s[0] != '`' && s[0] != '~') {
		return "", "", false
	}
	n := 0
	for n < len(s) && s[n] == s[0] {
		n++
	}
	if n < 3 {
		return "", "", false
	}
	info = strings.TrimSpace(s[n:])
	if s[0] == '`' && strings.Contains(info, "`") {
		return "", "", false
	}
	return s[:n], info, true
}

// isClosingFence: at least as many of the same fence character, nothing else.
func isClosingFence(s, open string) bool {
	s = strings.TrimRight(s, " \t")
	if len(s) < len(open) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != open[0] {
			return false
		}
	}
	return true
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t{"); i >= 0 {
		return s[:i]
	}
	return s
}
