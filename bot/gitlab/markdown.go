package gitlab

import (
	"strings"
	"unicode/utf8"
)

// EscapeMarkdown escapes, in the Markdown text of s, what GitLab
// reads as references or maths and GitHub does not: "!123" (a merge
// request), "~word" (a label), "%word" (a milestone), "&123" (an epic) and
// "$" (inline maths). Code spans, fenced code blocks, HTML comments, HTML
// tags, entities and link destinations are left alone; a character
// already escaped stays as it is. Markdown text gets a backslash; the
// text of an HTML line (GitLab does not read backslash escapes there)
// gets a zero-width space after the character instead.
func EscapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/32)
	fence := ""   // the open code fence, "" outside one
	html := false // inside an HTML block (until a blank line)
	for len(s) > 0 {
		line, rest, _ := strings.Cut(s, "\n")
		nl := len(line) < len(s)
		s = rest
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		switch {
		case fence != "":
			if indent < 4 && strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]+" ") == "" {
				fence = ""
			}
			b.WriteString(line)
		case indent < 4 && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")):
			n := 0
			for n < len(trimmed) && trimmed[n] == trimmed[0] {
				n++
			}
			fence = trimmed[:n]
			b.WriteString(line)
		case indent >= 4:
			b.WriteString(line) // an indented code block (or continuation)
		case strings.TrimSpace(line) == "":
			html = false
			b.WriteString(line)
		default:
			if !html && indent == 0 && strings.HasPrefix(trimmed, "<") {
				// An HTML block starts; a comment's ends with its "-->".
				html = !strings.HasPrefix(trimmed, "<!--") || !strings.Contains(trimmed, "-->")
				escapeLine(&b, line, true)
				break
			}
			escapeLine(&b, line, html)
		}
		if nl {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// escapeLine escapes one line of Markdown (html: the line starts an HTML
// block, so a zero-width space is the escape).
func escapeLine(b *strings.Builder, line string, html bool) {
	// Past the last '>' or ')' no tag or link destination can close: no
	// search from there (keeps a line of many "<a" linear).
	lastGT, lastParen := strings.LastIndexByte(line, '>'), strings.LastIndexByte(line, ')')
	for i := 0; i < len(line); {
		if n := verbatim(line, i, lastGT, lastParen); n > 0 {
			b.WriteString(line[i : i+n])
			i += n
			continue
		}
		c := line[i]
		if escapable(line, i) && !(html && strings.HasPrefix(line[i+1:], "\u200b")) {
			if html {
				b.WriteByte(c)
				b.WriteString("\u200b")
			} else {
				b.WriteByte('\\')
				b.WriteByte(c)
			}
		} else {
			b.WriteByte(c)
		}
		i++
	}
}

// verbatim is the length of what starts at line[i] and is kept as it is:
// an escape, a code span (or an unclosed run of backticks), an HTML comment
// (to the end of the line when it does not close on it), a run of tildes,
// an HTML tag or autolink, a link destination or an entity; 0 when none
// does. lastGT and lastParen are the line's last '>' and ')'.
func verbatim(line string, i, lastGT, lastParen int) int {
	c := line[i]
	switch {
	case c == '\\' && i+1 < len(line):
		// An escape: the backslash and the escaped character.
		_, n := utf8.DecodeRuneInString(line[i+1:])
		return 1 + n
	case c == '`':
		j := i
		for j < len(line) && line[j] == '`' {
			j++
		}
		run := j - i
		if end := closingRun(line[j:], run); end >= 0 {
			return run + end + run
		}
		return run
	case strings.HasPrefix(line[i:], "<!--"):
		end := strings.Index(line[i+4:], "-->")
		if end < 0 {
			return len(line) - i
		}
		return 4 + end + 3
	case c == '~' && i+1 < len(line) && line[i+1] == '~':
		// Strikethrough (~~) or a fence-like run: not a label.
		j := i
		for j < len(line) && line[j] == '~' {
			j++
		}
		return j - i
	case c == '<' && i < lastGT && (isASCIILetter(line[i+1]) || line[i+1] == '/'):
		// An HTML tag or an autolink: up to its '>'.
		if end := strings.IndexByte(line[i:], '>'); end > 0 {
			return end + 1
		}
	case c == ']' && i < lastParen && line[i+1] == '(':
		// A link destination: up to its ')'.
		if end := strings.IndexByte(line[i:], ')'); end > 0 {
			return end + 1
		}
	case c == '&' && i+1 < len(line) && (isASCIILetter(line[i+1]) || line[i+1] == '#'):
		// An entity (&amp;, &#33;) is not an epic reference.
		if end := strings.IndexByte(line[i:min(i+34, len(line))], ';'); end > 1 && isEntityName(line[i+1:i+end]) {
			return end + 1
		}
	}
	return 0
}

// closingRun finds a run of exactly n backticks in s (a code span's end).
func closingRun(s string, n int) int {
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '`' {
			j++
		}
		if j-i == n {
			return i
		}
		i = j
	}
	return -1
}

// escapable: line[i] starts a GitLab reference or inline maths.
func escapable(line string, i int) bool {
	c := line[i]
	if c == '$' {
		return true
	}
	if c != '!' && c != '~' && c != '%' && c != '&' {
		return false
	}
	if i+1 >= len(line) {
		return false
	}
	n := line[i+1]
	switch c {
	case '!', '&':
		return n >= '0' && n <= '9'
	default:
		return isASCIILetter(n) || (n >= '0' && n <= '9') || n == '_' || n == '"'
	}
}

func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// isEntityName: "amp", "#33", "#x21".
func isEntityName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isASCIILetter(c) || (c >= '0' && c <= '9') || (i == 0 && c == '#')) {
			return false
		}
	}
	return true
}
