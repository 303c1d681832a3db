package workspace

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// diffArgs pin every option that shapes the patch text, so that no
// repository config (diff.noprefix, diff.external, textconv drivers,
// diff.relative, colour) changes what parseDiff reads.
var diffArgs = []string{
	"diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv", "--no-relative",
	"-M", "--src-prefix=a/", "--dst-prefix=b/", "--diff-filter=ACMRT",
}

// ChangedLines returns, per file of head, the lines (1-based, ascending) that
// head added or changed relative to base: what patch coverage and "lint
// changed lines only" look at. Paths are relative to the repository root,
// with "/". A renamed file is listed under its new path (with only the lines
// edited in the rename); deleted and binary files are not listed; a new file
// lists all its lines.
func ChangedLines(ctx context.Context, repoDir, base, head string) (map[string][]int, error) {
	sb, sh, err := resolvePair(ctx, repoDir, base, head)
	if err != nil {
		return nil, fmt.Errorf("changed lines: %w", err)
	}
	args := append(append([]string(nil), diffArgs...), sb, sh, "--")
	in := &invocation{dir: repoDir, args: args}
	c := in.cmd(ctx)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	stdout, err := c.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("changed lines %s..%s: %w", base, head, err)
	}
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("changed lines %s..%s: %w", base, head, in.fail(err, nil))
	}
	lines, perr := ParseDiff(stdout)
	if perr != nil {
		// Drain so that git is not blocked writing, then reap it.
		_, _ = io.Copy(io.Discard, stdout)
	}
	werr := c.Wait()
	if werr != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("changed lines %s..%s: %w", base, head, ctx.Err())
		}
		return nil, fmt.Errorf("changed lines %s..%s: %w", base, head, in.fail(werr, stderr.Bytes()))
	}
	if perr != nil {
		return nil, fmt.Errorf("changed lines %s..%s: %w", base, head, perr)
	}
	return lines, nil
}

func resolvePair(ctx context.Context, repoDir, base, head string) (string, string, error) {
	sb, err := RevParse(ctx, repoDir, base)
	if err != nil {
		return "", "", err
	}
	sh, err := RevParse(ctx, repoDir, head)
	if err != nil {
		return "", "", err
	}
	return sb, sh, nil
}

// maxLinePrefix is how much of a diff line ParseDiff keeps: enough for any
// header; content lines only need their first byte.
const maxLinePrefix = 64 << 10

// ParseDiff reads a unified git patch (as `git diff --unified=0 -M` prints it,
// with the a/ and b/ prefixes) and returns the new-side lines of every hunk
// per new path. It counts the lines of each hunk, so content that looks like
// a header ("+++ x" added, "--- y" removed) is never taken for one. Quoted
// paths (git's C-style quoting) are unquoted.
func ParseDiff(r io.Reader) (map[string][]int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	p := &diffParser{out: map[string][]int{}}
	for n := 1; ; n++ {
		line, err := readLine(br)
		if err == io.EOF && line == nil {
			break
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("read diff: %w", err)
		}
		if p.inHunk() {
			err = p.hunkLine(line)
		} else {
			err = p.headerLine(line)
		}
		if err != nil {
			return nil, fmt.Errorf("diff line %d: %w", n, err)
		}
	}
	if p.inHunk() {
		return nil, fmt.Errorf("diff ends inside a hunk (%d removed and %d added lines missing)", p.oldLeft, p.newLeft)
	}
	for path, ls := range p.out {
		slices.Sort(ls)
		p.out[path] = slices.Compact(ls)
	}
	return p.out, nil
}

// diffParser is ParseDiff's state between lines.
type diffParser struct {
	out     map[string][]int
	path    string // new path of the current file; "" when none (deleted)
	inFile  bool
	oldLeft int // lines of the current hunk still to read
	newLeft int
	lineNo  int // new-side number of the hunk's next line
}

func (p *diffParser) inHunk() bool { return p.oldLeft > 0 || p.newLeft > 0 }

// hunkLine reads a line inside a hunk, counting it against the header's
// counts; an added line's number goes to the current path.
func (p *diffParser) hunkLine(line []byte) error {
	if len(line) == 0 {
		return errors.New("empty line inside a hunk")
	}
	switch line[0] {
	case '-':
		if p.oldLeft == 0 {
			return errors.New("more removed lines than the hunk header says")
		}
		p.oldLeft--
	case '+':
		if p.newLeft == 0 {
			return errors.New("more added lines than the hunk header says")
		}
		p.newLeft--
		if p.path != "" {
			p.out[p.path] = append(p.out[p.path], p.lineNo)
		}
		p.lineNo++
	case ' ':
		if p.oldLeft == 0 || p.newLeft == 0 {
			return errors.New("context line beyond the hunk")
		}
		p.oldLeft--
		p.newLeft--
		p.lineNo++
	case '\\':
		// "\ No newline at end of file"
	default:
		return fmt.Errorf("unexpected %q inside a hunk", truncate(line))
	}
	return nil
}

// headerLine reads a line outside a hunk: a file's header, whose "+++" line
// names the new path, or a hunk's header, which starts a hunk.
func (p *diffParser) headerLine(line []byte) error {
	switch {
	case bytes.HasPrefix(line, []byte("diff --git ")):
		p.path, p.inFile = "", true
	case !p.inFile:
		// Anything before the first file header (nothing, from git diff).
	case bytes.HasPrefix(line, []byte("+++ ")):
		path, err := diffPath(line[4:], "b/")
		if err != nil {
			return err
		}
		p.path = path
	case bytes.HasPrefix(line, []byte("@@ ")):
		o, nw, start, err := parseHunkHeader(line)
		if err != nil {
			return err
		}
		p.oldLeft, p.newLeft, p.lineNo = o, nw, start
	case bytes.HasPrefix(line, []byte("\\ ")):
		// "\ No newline at end of file" after a hunk's last line.
	default:
		// Extended headers: index, mode, similarity, rename from/to,
		// "--- a/x", "Binary files ... differ".
	}
	return nil
}

// readLine returns the next line without its "\n" (and without a "\r" before
// it), keeping at most maxLinePrefix bytes of a very long line.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf) < maxLinePrefix {
			room := maxLinePrefix - len(buf)
			if len(chunk) < room {
				room = len(chunk)
			}
			buf = append(buf, chunk[:room]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(buf) == 0 {
			return nil, io.EOF
		}
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		if buf == nil {
			buf = []byte{}
		}
		return buf, err
	}
}

// parseHunkHeader reads "@@ -a[,b] +c[,d] @@..." and returns b, d and c.
func parseHunkHeader(line []byte) (oldCount, newCount, newStart int, err error) {
	rest, ok := bytes.CutPrefix(line, []byte("@@ -"))
	if !ok {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q", truncate(line))
	}
	oldRange, rest, ok := bytes.Cut(rest, []byte(" +"))
	if !ok {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q", truncate(line))
	}
	newRange, _, ok := bytes.Cut(rest, []byte(" @@"))
	if !ok {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q", truncate(line))
	}
	_, oldCount, err = parseRange(oldRange)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q: %w", truncate(line), err)
	}
	newStart, newCount, err = parseRange(newRange)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q: %w", truncate(line), err)
	}
	if newCount > 0 && newStart < 1 {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q: added lines start at line %d", truncate(line), newStart)
	}
	return oldCount, newCount, newStart, nil
}

// maxHunkLines bounds a hunk's declared size so that a corrupt header cannot
// make line numbers overflow.
const maxHunkLines = 1 << 30

// parseRange reads "start[,count]"; count defaults to 1.
func parseRange(b []byte) (start, count int, err error) {
	s, c, hasCount := bytes.Cut(b, []byte(","))
	start, err = strconv.Atoi(string(s))
	if err != nil || start < 0 || start > maxHunkLines {
		return 0, 0, fmt.Errorf("bad line number %q", s)
	}
	count = 1
	if hasCount {
		count, err = strconv.Atoi(string(c))
		if err != nil || count < 0 || count > maxHunkLines {
			return 0, 0, fmt.Errorf("bad line count %q", c)
		}
	}
	return start, count, nil
}

// diffPath reads the path of a "+++ " line: "/dev/null", prefix+path, or a
// C-quoted "\"prefix+path\"". Git appends a tab when the name has a space.
func diffPath(b []byte, prefix string) (string, error) {
	s := string(b)
	if s == "/dev/null" {
		return "", nil
	}
	if strings.HasPrefix(s, `"`) {
		u, err := unquoteC(s)
		if err != nil {
			return "", fmt.Errorf("bad quoted path %s: %w", truncate(b), err)
		}
		s = u
	} else {
		s = strings.TrimSuffix(s, "\t")
	}
	p, ok := strings.CutPrefix(s, prefix)
	if !ok || p == "" {
		return "", fmt.Errorf("path %q does not start with %q", s, prefix)
	}
	return p, nil
}

// unquoteC undoes git's quote_c_style: a double-quoted string with \a \b \t
// \n \v \f \r \" \\ and three-digit octal escapes (bytes of UTF-8 names).
// Anything after the closing quote (git's tab) is ignored.
func unquoteC(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' {
		return "", errors.New("not quoted")
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			return b.String(), nil
		case '\\':
			i++
			if i >= len(s) {
				return "", errors.New("unterminated escape")
			}
			switch e := s[i]; e {
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'v':
				b.WriteByte('\v')
			case 'f':
				b.WriteByte('\f')
			case 'r':
				b.WriteByte('\r')
			case '"', '\\':
				b.WriteByte(e)
			default:
				if i+3 > len(s) {
					return "", fmt.Errorf("bad escape \\%c", e)
				}
				v, err := strconv.ParseUint(s[i:i+3], 8, 8)
				if err != nil {
					return "", fmt.Errorf("bad escape \\%s", s[i:i+3])
				}
				b.WriteByte(byte(v))
				i += 2
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", errors.New("missing closing quote")
}

func truncate(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

// Change is one file that differs between two commits.
type Change struct {
	Status  byte   // 'A' added, 'M' modified, 'D' deleted, 'R' renamed, 'C' copied, 'T' type changed
	Path    string // path in head (for 'D', the deleted path)
	OldPath string // path in base, for 'R' and 'C'
}

// Changes lists the files that differ between base and head, renames
// detected, in git's order (by path).
func Changes(ctx context.Context, repoDir, base, head string) ([]Change, error) {
	sb, sh, err := resolvePair(ctx, repoDir, base, head)
	if err != nil {
		return nil, fmt.Errorf("changed files: %w", err)
	}
	in := &invocation{dir: repoDir, args: []string{"diff", "--name-status", "-z", "-M", "--no-ext-diff", "--no-relative", sb, sh, "--"}}
	out, err := in.run(ctx)
	if err != nil {
		return nil, fmt.Errorf("changed files %s..%s: %w", base, head, err)
	}
	cs, err := parseNameStatus(out)
	if err != nil {
		return nil, fmt.Errorf("changed files %s..%s: %w", base, head, err)
	}
	return cs, nil
}

// parseNameStatus reads `git diff --name-status -z` output: a status field
// ("M", "R087", …) then one path, or two for renames and copies, each NUL
// terminated.
func parseNameStatus(out []byte) ([]Change, error) {
	fields := strings.Split(string(out), "\x00")
	if n := len(fields); n > 0 && fields[n-1] == "" {
		fields = fields[:n-1]
	}
	var cs []Change
	for i := 0; i < len(fields); {
		st := fields[i]
		if st == "" {
			return nil, fmt.Errorf("empty status at field %d", i)
		}
		c := Change{Status: st[0]}
		switch c.Status {
		case 'R', 'C':
			if i+2 >= len(fields) {
				return nil, fmt.Errorf("status %s without two paths", st)
			}
			c.OldPath, c.Path = fields[i+1], fields[i+2]
			if c.OldPath == "" {
				return nil, fmt.Errorf("status %s with an empty path", st)
			}
			i += 3
		case 'A', 'M', 'D', 'T', 'U', 'X':
			if i+1 >= len(fields) {
				return nil, fmt.Errorf("status %s without a path", st)
			}
			c.Path = fields[i+1]
			i += 2
		default:
			return nil, fmt.Errorf("unknown status %q", st)
		}
		if c.Path == "" {
			return nil, fmt.Errorf("status %s with an empty path", st)
		}
		cs = append(cs, c)
	}
	return cs, nil
}

// ChangedFiles returns the sorted repository-relative paths ("/") that
// differ between base and head: added, modified, type-changed and deleted
// files, and for a rename both the old and the new path (both directories
// changed). Use Changes for the kind of each change.
func ChangedFiles(ctx context.Context, repoDir, base, head string) ([]string, error) {
	cs, err := Changes(ctx, repoDir, base, head)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var paths []string
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	for _, c := range cs {
		if c.Status == 'R' {
			add(c.OldPath)
		}
		add(c.Path)
	}
	sort.Strings(paths)
	return paths, nil
}
