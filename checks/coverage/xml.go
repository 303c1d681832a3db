package coverage

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// The XML formats are read token by token with encoding/xml, which neither
// fetches DTDs (JaCoCo and Cobertura name one in DOCTYPE) nor expands
// external entities. Memory stays flat: only the current element path and
// the per-file line maps are kept.

// newXMLDecoder returns a strict decoder that also reads Latin-1 and ASCII
// documents (some Java tools declare ISO-8859-1).
func newXMLDecoder(r io.Reader) *xml.Decoder {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "us-ascii", "ascii", "utf8":
			return in, nil
		case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252":
			return &latin1Reader{r: bufio.NewReader(in)}, nil
		}
		return nil, fmt.Errorf("unsupported XML encoding %q; write the report as UTF-8", label)
	}
	return dec
}

// latin1Reader decodes ISO-8859-1 to UTF-8.
type latin1Reader struct {
	r   *bufio.Reader
	buf []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(l.buf) > 0 {
			c := copy(p[n:], l.buf)
			l.buf = l.buf[c:]
			n += c
			continue
		}
		b, err := l.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if b < utf8.RuneSelf {
			p[n] = b
			n++
			continue
		}
		l.buf = utf8.AppendRune(l.buf[:0], rune(b))
	}
	return n, nil
}

// detectXML tells Cobertura, Clover and JaCoCo apart by the root element and
// its attributes or first child.
func detectXML(head []byte) (Format, error) {
	dec := xml.NewDecoder(bytes.NewReader(head))
	// Element names are ASCII in every encoding detection needs to know;
	// Parse reports an unsupported encoding.
	dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	var root string
	for {
		tok, err := dec.Token()
		if err != nil {
			if root == "coverage" {
				return FormatCobertura, nil // cut off: Cobertura is the common one
			}
			return "", fmt.Errorf("%w: XML without a known root element (want <coverage> of Cobertura or Clover, or JaCoCo's <report>)", ErrUnknownFormat)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root == "" {
			root = se.Name.Local
			switch root {
			case "report":
				return FormatJaCoCo, nil
			case "coverage":
				for _, a := range se.Attr {
					switch a.Name.Local {
					case "line-rate", "lines-valid", "lines-covered", "branch-rate":
						return FormatCobertura, nil
					case "generated", "clover":
						return FormatClover, nil
					}
				}
				continue
			default:
				return "", fmt.Errorf("%w: XML root <%s> is none of <coverage> (Cobertura, Clover) or <report> (JaCoCo)", ErrUnknownFormat, root)
			}
		}
		if se.Name.Local == "project" {
			return FormatClover, nil
		}
		return FormatCobertura, nil
	}
}

// xmlWalker is the token loop shared by the XML formats.
type xmlWalker struct {
	p     *parser
	dec   *xml.Decoder
	stack []string
}

func (p *parser) newXMLWalker(r io.Reader) *xmlWalker {
	return &xmlWalker{p: p, dec: newXMLDecoder(r)}
}

// maxXMLDepth bounds nesting; real reports nest a handful of levels.
const maxXMLDepth = 256

// walk calls start for each element (with its parent's name) and text for
// character data. It checks the root element is want.
func (w *xmlWalker) walk(want string, start func(se xml.StartElement, parent string) error, end func(name string), text func([]byte)) error {
	sawRoot := false
	for {
		tok, err := w.dec.Token()
		if errors.Is(err, io.EOF) {
			if !sawRoot {
				return w.errAt(nil, "no <%s> element", want)
			}
			return nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return w.p.errorf(se.Line, 0, nil, "invalid XML: %s", se.Msg)
			}
			return w.errAt(err, "invalid XML")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			parent := ""
			if len(w.stack) > 0 {
				parent = w.stack[len(w.stack)-1]
			} else {
				if sawRoot {
					return w.errAt(nil, "a second root element <%s>", t.Name.Local)
				}
				if t.Name.Local != want {
					return w.errAt(nil, "root element is <%s>, want <%s>", t.Name.Local, want)
				}
				sawRoot = true
			}
			if len(w.stack) >= maxXMLDepth {
				return w.errAt(nil, "elements nested deeper than %d", maxXMLDepth)
			}
			w.stack = append(w.stack, t.Name.Local)
			if err := start(t, parent); err != nil {
				return err
			}
		case xml.EndElement:
			if len(w.stack) > 0 {
				w.stack = w.stack[:len(w.stack)-1]
			}
			if end != nil {
				end(t.Name.Local)
			}
		case xml.CharData:
			if text != nil {
				text(t)
			}
		}
	}
}

func (w *xmlWalker) errAt(cause error, format string, args ...any) error {
	line, col := w.dec.InputPos()
	return w.p.errorf(line, col, cause, format, args...)
}

func attr(se xml.StartElement, name string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// lineAttrs reads a line number and hit count attribute pair. skip is true
// for line number 0, which some tools write and which is no line.
func (w *xmlWalker) lineAttrs(se xml.StartElement, numAttr, hitsAttr string) (line int, hits int64, skip bool, err error) {
	ns, ok := attr(se, numAttr)
	if !ok {
		return 0, 0, false, w.errAt(nil, "<%s> without %s", se.Name.Local, numAttr)
	}
	ns = strings.TrimSpace(ns)
	if ns == "0" {
		return 0, 0, true, nil
	}
	line, ok = parseLineNo([]byte(ns))
	if !ok {
		return 0, 0, false, w.errAt(nil, "<%s %s=%q>: not a positive line number", se.Name.Local, numAttr, ns)
	}
	hs, ok := attr(se, hitsAttr)
	if !ok {
		return 0, 0, false, w.errAt(nil, "<%s> without %s", se.Name.Local, hitsAttr)
	}
	hits, ok = parseHits(strings.TrimSpace(hs))
	if !ok {
		return 0, 0, false, w.errAt(nil, "<%s %s=%q>: not a non-negative count", se.Name.Local, hitsAttr, hs)
	}
	return line, hits, false, nil
}

// setMax records hits for a line, keeping the highest of repeated entries.
func setMax(f *File, line int, hits int64) {
	if old, ok := f.Lines[line]; !ok || old < hits {
		f.Lines[line] = hits
	}
}

// parseCobertura reads Cobertura XML: <sources><source>, then
// <packages><package><classes><class filename><lines><line number hits>.
func (p *parser) parseCobertura(r io.Reader) error {
	w := p.newXMLWalker(r)
	var sources []string
	var inSource bool
	var src strings.Builder
	var cur *File
	resolved := map[string]string{}
	return w.walk("coverage",
		func(se xml.StartElement, parent string) error {
			switch se.Name.Local {
			case "source":
				inSource = true
				src.Reset()
			case "class":
				fn, ok := attr(se, "filename")
				if !ok || strings.TrimSpace(fn) == "" {
					return w.errAt(nil, "<class> without filename")
				}
				norm, ok := resolved[fn]
				if !ok {
					norm = p.resolveCobertura(fn, sources)
					resolved[fn] = norm
				}
				cur = p.file(norm)
			case "line":
				// Only the class's own <lines>; method <lines> repeat them.
				if parent != "lines" || len(w.stack) < 3 || w.stack[len(w.stack)-3] != "class" || cur == nil {
					return nil
				}
				line, hits, skip, err := w.lineAttrs(se, "number", "hits")
				if err != nil || skip {
					return err
				}
				setMax(cur, line, hits)
			}
			return nil
		},
		func(name string) {
			switch name {
			case "source":
				inSource = false
				if s := strings.TrimSpace(src.String()); s != "" {
					sources = append(sources, s)
				}
			case "class":
				cur = nil
			}
		},
		func(b []byte) {
			if inSource && src.Len() < 4096 {
				src.Write(b)
			}
		})
}

// resolveCobertura picks the <source> a class filename is relative to: the
// first whose join is a known file (when KnownFiles are given), else the
// first usable source that puts the file inside the repository, else the
// filename alone. Sources that are no paths ("--source", "$GOMODCACHE") are
// ignored.
func (p *parser) resolveCobertura(filename string, sources []string) string {
	var cands []string
	for _, s := range sources {
		if s == "." || strings.HasPrefix(s, "-") || strings.ContainsAny(s, "$%") {
			continue
		}
		cands = append(cands, joinSource(s, filename))
	}
	if p.paths.hasKnow {
		for _, c := range cands {
			if n := p.paths.normalize(c); p.paths.known[n] {
				return n
			}
		}
		return p.paths.normalize(filename)
	}
	for _, c := range cands {
		if n := p.paths.normalize(c); !isAbs(n) {
			return n
		}
	}
	return p.paths.normalize(filename)
}

// parseJaCoCo reads JaCoCo XML: <report><package name="com/x"><sourcefile
// name="A.java"><line nr mi ci mb cb>. The path is the package directory
// joined with the source file name; with KnownFiles it maps onto the
// repository file it is a suffix of (src/main/java/com/x/A.java).
func (p *parser) parseJaCoCo(r io.Reader) error {
	w := p.newXMLWalker(r)
	pkg := ""
	var cur *File
	return w.walk("report",
		func(se xml.StartElement, parent string) error {
			switch se.Name.Local {
			case "package":
				pkg, _ = attr(se, "name")
				pkg = strings.Trim(strings.TrimSpace(pkg), "/")
			case "sourcefile":
				if parent != "package" {
					return nil
				}
				name, ok := attr(se, "name")
				if !ok || strings.TrimSpace(name) == "" {
					return w.errAt(nil, "<sourcefile> without name")
				}
				full := strings.TrimSpace(name)
				if pkg != "" {
					full = pkg + "/" + full
				}
				cur = p.file(p.paths.normalize(full))
			case "line":
				if parent != "sourcefile" || cur == nil {
					return nil
				}
				line, hits, skip, err := w.lineAttrs(se, "nr", "ci")
				if err != nil || skip {
					return err
				}
				setMax(cur, line, hits)
			}
			return nil
		},
		func(name string) {
			switch name {
			case "sourcefile":
				cur = nil
			case "package":
				pkg = ""
			}
		}, nil)
}

// parseClover reads Clover XML: <coverage><project>[<package>]<file name
// path><line num type count>. Lines of type stmt and cond count; method
// lines (declarations) do not.
func (p *parser) parseClover(r io.Reader) error {
	w := p.newXMLWalker(r)
	var cur *File
	return w.walk("coverage",
		func(se xml.StartElement, parent string) error {
			switch se.Name.Local {
			case "file":
				name, _ := attr(se, "path")
				if strings.TrimSpace(name) == "" {
					name, _ = attr(se, "name")
				}
				if strings.TrimSpace(name) == "" {
					return w.errAt(nil, "<file> without name or path")
				}
				cur = p.file(p.paths.normalize(name))
			case "line":
				if parent != "file" || cur == nil {
					return nil
				}
				typ, _ := attr(se, "type")
				if typ == "method" {
					return nil
				}
				hitsAttr := "count"
				if _, ok := attr(se, "count"); !ok && typ == "cond" {
					line, t, skip, err := w.lineAttrs(se, "num", "truecount")
					if err != nil || skip {
						return err
					}
					fs, _ := attr(se, "falsecount")
					fv, ok := parseHits(strings.TrimSpace(fs))
					if !ok {
						return w.errAt(nil, "<line falsecount=%q>: not a non-negative count", fs)
					}
					setMax(cur, line, addSat(t, fv))
					return nil
				}
				line, hits, skip, err := w.lineAttrs(se, "num", hitsAttr)
				if err != nil || skip {
					return err
				}
				setMax(cur, line, hits)
			}
			return nil
		},
		func(name string) {
			if name == "file" {
				cur = nil
			}
		}, nil)
}
