// Package coverage reads the line-coverage reports that test runners write and
// turns them into one model: per file (path relative to the repository root),
// which lines are executable and how often each ran.
//
// Formats are detected from content, never from the file name: lcov, Cobertura
// XML, Istanbul coverage-final.json (a coverage map or a single FileCoverage),
// Istanbul coverage-summary.json (totals per file only), Go coverprofiles
// (mode: set|count|atomic), JaCoCo XML and Clover XML.
//
// # What counts as a line
//
// A line is executable when the report says so; it is covered when its hit
// count is greater than zero. Per format, following each ecosystem's own
// reporters so that mpgate agrees with the numbers teams already see:
//
//   - lcov: every DA line. A file that appears in several records (lcov -a
//     style) has its hits added. LF/LH are read only for records without DA
//     lines (summary-only lcov).
//   - Cobertura: every <line> directly under a <class>'s <lines> (method-level
//     <lines> repeat them and are ignored). Classes with the same filename are
//     one file; a line listed twice keeps its highest hits. Line number 0 (seen
//     in real reports) is not a line and is skipped.
//   - Istanbul coverage-final: each statement counts on its start line; a line
//     with several statements keeps the highest count. This is exactly
//     istanbul-lib-coverage's FileCoverage.getLineCoverage, which Istanbul's own
//     lcov, cobertura and json-summary reporters use.
//   - Istanbul coverage-summary: lines.covered / lines.total per file; no line
//     data (File.Lines is nil), so such a report gives project coverage but no
//     patch coverage.
//   - Go coverprofile: identical blocks (same file and positions, as go test
//     -coverpkg writes them once per test binary) are merged first (counts
//     added, or OR-ed in set mode). Then every line from a block's start line to
//     its end line inclusive is executable, and a line shared by several blocks
//     (the line of an if, where one block ends and the next begins) adds their
//     counts (OR in set mode): it is covered when any block on it ran. This is
//     exactly what gocover-cobertura writes (since its "deduplicate lines" fix;
//     the cross-check test holds mpgate to its golden output). Codecov differs
//     on two points: it calls a shared line whose blocks did not all run
//     "partial" and does not count it as a hit, and it leaves out a block's end
//     line when the block ends at column 2 (a lone closing brace).
//   - JaCoCo: every <line nr> of a <sourcefile>; hits = ci (covered
//     instructions), so covered means at least one instruction ran.
//   - Clover: every <line> of type stmt or cond; type method lines are the
//     declaration lines and are not counted, which makes the totals equal to
//     Clover's own statements/coveredstatements metrics.
//
// # Paths
//
// Report.Files is keyed by the path relative to the repository root, "/"
// separated, cleaned, without "./". Absolute paths under Options.RepoRoot
// (backslashes and drive letters of Windows runners included, compared without
// case there) lose that prefix; so do the checkout directories of hosted
// runners (/home/runner/work/<r>/<r>, /Users/runner/work/<r>/<r>,
// D:\a\<r>\<r>, /github/workspace, /home/travis/build/<o>/<r>). Go import
// paths lose Options.ModulePath. Other relative paths are taken relative to
// Options.BasePath (default: the repository root). Cobertura class filenames are joined with
// the <source> that puts them inside the repository (sources that are no
// paths, such as "--source" or "$GOMODCACHE", are ignored). JaCoCo joins the
// package directory and the sourcefile name (com/x/A.java). When
// Options.KnownFiles is given, any path that is still not a known file is
// mapped to the single known file it is a suffix of (longest suffix first;
// an ambiguous suffix maps nothing): this finds src/main/java/com/x/A.java,
// a sub-project's web/src/a.js, or a file under a GitLab /builds/<group>/...
// directory. Paths that cannot be mapped are kept (absolute ones stay
// absolute) and so match no changed line.
//
// # Empty reports
//
// An empty or blank file, and a report without a single file record, is an
// error (ErrEmpty): a gate must not pass on a report that says nothing. A report
// whose files have no executable lines is valid; Percent then says ok=false and
// the gate decides (GateError, never a silent pass).
package coverage

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path"
	"slices"
	"strings"
)

// Format names a coverage report format.
type Format string

// Formats Parse and Detect know.
const (
	FormatLcov            Format = "lcov"
	FormatCobertura       Format = "cobertura"
	FormatIstanbul        Format = "istanbul"         // coverage-final.json
	FormatIstanbulSummary Format = "istanbul-summary" // coverage-summary.json
	FormatGo              Format = "go"
	FormatJaCoCo          Format = "jacoco"
	FormatClover          Format = "clover"
	// FormatMixed is the Format of a Merge of reports in different formats.
	FormatMixed Format = "mixed"
)

// Sentinel errors; test them with errors.Is.
var (
	// ErrEmpty: the report holds no coverage data at all.
	ErrEmpty = errors.New("coverage report is empty")
	// ErrUnknownFormat: the content is none of the known formats.
	ErrUnknownFormat = errors.New("unknown coverage report format")
	// ErrSyntax: the report is in a known format but malformed.
	ErrSyntax = errors.New("malformed coverage report")
)

// Report is the coverage of one or more report files.
type Report struct {
	Format Format
	// Files by normalised path: relative to the repository root, "/"
	// separated, no "./" (see Options).
	Files map[string]*File
}

// File is the coverage of one source file.
type File struct {
	// Path is the normalised path (the key in Report.Files).
	Path string
	// Lines maps a 1-based executable line to its hit count. It is nil for
	// summary-only data (Istanbul coverage-summary.json, lcov without DA).
	Lines map[int]int64
	// Covered and Total count executable lines (Covered: hits > 0). For files
	// with Lines they are derived from Lines.
	Covered, Total int
}

// Options tell Parse how to map the paths in a report onto the repository.
type Options struct {
	// RepoRoot is the absolute path of the repository checkout where the
	// tests ran, if known. Absolute paths under it become relative. CI
	// runners' usual checkout directories (/home/runner/work/<r>/<r>,
	// D:\a\<r>\<r>, /builds/<group>/<project>, /github/workspace, ...) are
	// recognised without it when KnownFiles are given.
	RepoRoot string
	// ModulePath is the Go module path of the repository root
	// (github.com/org/repo); Go import paths under it become relative.
	ModulePath string
	// BasePath is the directory, relative to the repository root, that the
	// report's relative paths are relative to: the directory the tests ran
	// in when it is not the root (a mini-program in miniprogram/ tested from
	// there). It is not applied to absolute paths or Go import paths.
	BasePath string
	// KnownFiles are the repository's files (relative, "/"). When given, a
	// path that is not one of them is mapped to the one known file it is a
	// suffix of, if exactly one (longest suffix first).
	KnownFiles []string
	// MaxLineBytes caps one line of a line-based report (lcov, Go). Default
	// 1 MiB.
	MaxLineBytes int
	// MaxJSONBytes caps a JSON report, which is read whole. Default 1 GiB.
	MaxJSONBytes int64
}

// ParseError says where a report is malformed and what to do about it.
type ParseError struct {
	Name   string // report file name as given to Parse
	Format Format
	Line   int // 1-based; 0 when unknown
	Column int // 1-based; 0 when unknown
	Msg    string
	Err    error // underlying error, if any
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.Name)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	fmt.Fprintf(&b, ": %s report: %s", e.Format, e.Msg)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap lets errors.Is find ErrSyntax (and the cause).
func (e *ParseError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrSyntax, e.Err}
	}
	return []error{ErrSyntax}
}

// headSize is how much of a report Detect gets to see.
const headSize = 16 << 10

// Parse detects the format of the report r (name is used in errors only) and
// parses it. Paths are normalised with opt.
func Parse(name string, r io.Reader, opt Options) (*Report, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(headSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read coverage report %s: %w", name, err)
	}
	format, err := Detect(head)
	if err != nil {
		return nil, fmt.Errorf("coverage report %s: %w", name, err)
	}
	return ParseFormat(name, format, br, opt)
}

// ParseFile opens and parses the report at path (see Parse).
func ParseFile(path string, opt Options) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open coverage report: %w", err)
	}
	defer f.Close()
	return Parse(path, f, opt)
}

// ParseFormat parses r as the given format, without detection.
func ParseFormat(name string, format Format, r io.Reader, opt Options) (*Report, error) {
	p := newParser(name, format, opt)
	rec := &readRecorder{r: r}
	r = rec
	var err error
	switch format {
	case FormatLcov:
		err = p.parseLcov(r)
	case FormatGo:
		err = p.parseGo(r)
	case FormatIstanbul, FormatIstanbulSummary:
		err = p.parseIstanbul(r)
	case FormatCobertura:
		err = p.parseCobertura(r)
	case FormatJaCoCo:
		err = p.parseJaCoCo(r)
	case FormatClover:
		err = p.parseClover(r)
	default:
		return nil, fmt.Errorf("coverage report %s: %w: %q", name, ErrUnknownFormat, format)
	}
	if rec.err != nil {
		// A failing reader, not a malformed report.
		return nil, fmt.Errorf("read coverage report %s: %w", name, rec.err)
	}
	if err != nil {
		return nil, err
	}
	if len(p.rep.Files) == 0 {
		return nil, fmt.Errorf("coverage report %s (%s): %w: no file records; check that the tests ran and wrote coverage for the sources", name, p.rep.Format, ErrEmpty)
	}
	p.rep.finish()
	return p.rep, nil
}

// readRecorder remembers the first error of the underlying reader other than
// io.EOF, so that I/O failures are not reported as malformed reports.
type readRecorder struct {
	r   io.Reader
	err error
}

func (rr *readRecorder) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && rr.err == nil {
		rr.err = err
	}
	return n, err
}

// parser is the state shared by the format readers.
type parser struct {
	name  string
	opt   Options
	rep   *Report
	paths *pathMapper
	// Istanbul: entries of coverage-final and of coverage-summary seen.
	sawFinal, sawSummary bool
}

func newParser(name string, format Format, opt Options) *parser {
	if opt.MaxLineBytes <= 0 {
		opt.MaxLineBytes = 1 << 20
	}
	if opt.MaxJSONBytes <= 0 {
		opt.MaxJSONBytes = 1 << 30
	}
	return &parser{
		name:  name,
		opt:   opt,
		rep:   &Report{Format: format, Files: map[string]*File{}},
		paths: newPathMapper(opt),
	}
}

func (p *parser) errorf(line, col int, cause error, format string, args ...any) error {
	return &ParseError{Name: p.name, Format: p.rep.Format, Line: line, Column: col, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// file returns the File with line data for an already normalised path,
// creating it. Line data replaces a summary read before for the same file.
func (p *parser) file(norm string) *File {
	f := p.rep.Files[norm]
	if f == nil {
		f = &File{Path: norm, Lines: map[int]int64{}}
		p.rep.Files[norm] = f
	}
	if f.Lines == nil {
		f.Lines = map[int]int64{}
		f.Covered, f.Total = 0, 0
	}
	return f
}

// finish derives Covered/Total of every file with line data.
func (r *Report) finish() {
	for _, f := range r.Files {
		f.recount()
	}
}

func (f *File) recount() {
	if f.Lines == nil {
		return
	}
	f.Covered, f.Total = 0, len(f.Lines)
	for _, h := range f.Lines {
		if h > 0 {
			f.Covered++
		}
	}
}

// Totals sums covered and executable lines over all files.
func (r *Report) Totals() (covered, total int) {
	if r == nil {
		return 0, 0
	}
	for _, f := range r.Files {
		covered += f.Covered
		total += f.Total
	}
	return covered, total
}

// Percent is the share of covered lines in percent; ok is false when the
// report has no executable line (a gate must not treat that as a pass).
func (r *Report) Percent() (pct float64, ok bool) {
	c, t := r.Totals()
	if t == 0 {
		return 0, false
	}
	return float64(c) * 100 / float64(t), true
}

// LineLevel reports whether every file carries line data, so that Patch can
// be trusted. Summary-only files (Istanbul coverage-summary.json) do not.
func (r *Report) LineLevel() bool {
	if r == nil {
		return false
	}
	for _, f := range r.Files {
		if f.Lines == nil {
			return false
		}
	}
	return true
}

// Patch is the coverage of the changed lines: of the lines in changed (path
// relative to the repository root → line numbers) that are executable, how
// many are covered. Lines that no report marks executable (comments, blank
// lines, files without coverage) are not counted. Summary-only files have no
// line data and contribute nothing: check LineLevel first.
func (r *Report) Patch(changed map[string][]int) (covered, total int) {
	if r == nil {
		return 0, 0
	}
	for p, lines := range changed {
		f := r.Files[cleanRel(p)]
		if f == nil || f.Lines == nil {
			continue
		}
		seen := make(map[int]bool, len(lines))
		for _, n := range lines {
			if seen[n] {
				continue
			}
			seen[n] = true
			h, ok := f.Lines[n]
			if !ok {
				continue
			}
			total++
			if h > 0 {
				covered++
			}
		}
	}
	return covered, total
}

// SortedPaths returns the file paths in order.
func (r *Report) SortedPaths() []string {
	if r == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(r.Files))
}

// Merge combines reports of the same code base (several test jobs, several
// languages). Hits of a line are added. A file with line data in any report
// keeps line data; a file that is summary-only in every report keeps the
// highest covered and total seen (summaries cannot be combined exactly). The
// inputs are not modified; nil reports are skipped.
func Merge(reports ...*Report) *Report {
	out := &Report{Files: map[string]*File{}}
	for _, r := range reports {
		if r == nil {
			continue
		}
		switch out.Format {
		case "":
			out.Format = r.Format
		case r.Format:
		default:
			out.Format = FormatMixed
		}
		for k, f := range r.Files {
			o := out.Files[k]
			if o == nil {
				o = &File{Path: k}
				out.Files[k] = o
			}
			o.merge(f)
		}
	}
	out.finish()
	return out
}

func (f *File) merge(g *File) {
	if g.Lines == nil {
		if f.Lines == nil {
			f.Covered = max(f.Covered, g.Covered)
			f.Total = max(f.Total, g.Total)
		}
		return
	}
	if f.Lines == nil {
		f.Lines = make(map[int]int64, len(g.Lines))
	}
	for n, h := range g.Lines {
		if old, ok := f.Lines[n]; ok {
			f.Lines[n] = addSat(old, h)
		} else {
			f.Lines[n] = h
		}
	}
}

// addSat adds two non-negative hit counts without overflowing.
func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// cleanRel cleans a relative path as the keys of Report.Files are.
func cleanRel(p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	p = path.Clean(p)
	p = strings.TrimPrefix(p, "./")
	if p == "." {
		return ""
	}
	return p
}

// Detect tells the format of a report from its first bytes (up to 16 KiB is
// plenty). It looks at content only.
func Detect(head []byte) (Format, error) {
	head = bytes.TrimPrefix(head, utf8BOM)
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) == 0 {
		return "", ErrEmpty
	}
	switch trimmed[0] {
	case '<':
		return detectXML(trimmed)
	case '{':
		return detectJSON(trimmed)
	}
	first := firstLine(trimmed)
	if bytes.HasPrefix(first, []byte("mode:")) {
		return FormatGo, nil
	}
	if isLcovLine(first) {
		return FormatLcov, nil
	}
	return "", fmt.Errorf("%w: the first line %q is none of lcov (TN:/SF:), a Go coverprofile (mode: set|count|atomic), XML (Cobertura, JaCoCo, Clover) or JSON (Istanbul)", ErrUnknownFormat, truncate(first, 60))
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return bytes.TrimRight(b, "\r")
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
