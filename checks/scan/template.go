package scan

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/html"

	"github.com/mpgate/mpgate/checks/platform"
)

// htmlRawTags are the elements the HTML lexer reads as raw text up to their
// end tag (or treats as foreign XML). Mini-program templates have no raw
// text elements, and a self-closed <textarea/> is common there, so after
// such a start tag the scan restarts a fresh lexer, which reads what follows
// as markup again.
var htmlRawTags = map[string]bool{
	"textarea": true, "title": true, "style": true, "xmp": true, "iframe": true,
	"script": true, "plaintext": true, "noscript": true, "noembed": true, "noframes": true,
}

// resourceAttrs are the attributes of the built-in components that name a
// file of the package: the media components every platform has (image,
// cover-image, video, audio). Any other element's attribute is data — on a
// custom component (usingComponents, generics) src, url or icon is a
// property whose value the component's own code interprets — and so are
// live-player's and web-view's src, which are stream and page URLs.
var resourceAttrs = map[string][]string{
	"image":       {"src"},
	"cover-image": {"src"},
	"video":       {"src", "poster"},
	"audio":       {"src", "poster"},
}

type attr struct {
	key string
	val []byte // raw, quotes included; nil without a value
	off int    // offset of val
}

// Template finds the references in a template (wxml, axml, ttml, swan, qml)
// with the tdewolff HTML lexer in its {{ }} template mode, which takes
// self-closing tags, attributes without values, unquoted values and
// bindings.
//
// References: <import src> (TemplateImport), <include src>
// (TemplateInclude), the platform's script-module tags, p.ScriptModuleTags
// (<wxs src>, <import-sjs from> (Alipay) or <import-sjs src> (Baidu), <sjs
// src>, <filter src>, <qs src>; src and from are both read on all of them),
// as ScriptModuleSrc; with a nil p no tag is a script-module tag. The code inside a script-module tag without src is
// scanned with JS and its references are placed in the template file. The
// file attributes of the built-in media components (resourceAttrs: image
// and cover-image src, video and audio src and poster) are Resources unless
// they are a URL with a scheme (http:, https:, data:, wxfile:, cloud:, …) or
// protocol-relative; attributes of any other element, custom components
// included, are properties, not references.
// A value containing {{ is a Ref with Dynamic set and Path the raw value.
// Empty values are skipped. Comments hide references.
//
// Positions: the first byte of the attribute value (its opening quote when
// quoted). Tags lists the element names, lower case, unique, sorted.
//
// Markup has no fatal errors; Err reports only a byte the lexer could not
// read (a NUL) or a parse error inside inline script-module code, whose
// references are still reported as far as the token scan finds them.
func Template(src []byte, p *platform.Platform) TemplateResult {
	li := newLineIndex(src)
	var modTags map[string]bool
	if p != nil {
		modTags = make(map[string]bool, len(p.ScriptModuleTags))
		for _, t := range p.ScriptModuleTags {
			modTags[strings.ToLower(t)] = true
		}
	}
	// One private copy with a spare byte for the lexer's NUL terminator: the
	// HTML lexer lower-cases tag and attribute names in place, and restarts
	// (see htmlRawTags) reuse the copy without copying again.
	work := make([]byte, len(src)+1)
	copy(work, src)

	var (
		res   TemplateResult
		refs  []posRef
		tags  = map[string]bool{}
		name  string
		attrs []attr
		base  = 0
	)
	fail := func(off int, msg string) {
		if res.Err == nil {
			line, col := li.pos(off)
			res.Err = &ParseError{Line: line, Col: col, Msg: msg}
		}
	}
	l := html.NewTemplateLexer(parse.NewInputBytes(work[base:len(src)]), html.GoTemplate)
	for {
		tt, data := l.Next()
		switch tt {
		case html.ErrorToken:
			if err := l.Err(); err != nil && !errors.Is(err, io.EOF) {
				fail(max(offsetIn(work, data), 0), lexMsg(err))
			}
			res.Refs = place(refs, li)
			res.Tags = sortedKeys(tags)
			return res
		case html.StartTagToken:
			name, attrs = string(l.Text()), attrs[:0]
			tags[name] = true
		case html.SVGToken, html.MathToken, html.XMLToken:
			// The lexer read the whole foreign element; keep its name.
			if t := tagName(data); t != "" {
				tags[t] = true
			}
		case html.AttributeToken:
			a := attr{key: string(l.AttrKey()), val: l.AttrVal()}
			a.off = offsetIn(work, a.val)
			attrs = append(attrs, a)
		case html.StartTagCloseToken, html.StartTagVoidToken:
			isMod := modTags[name]
			refs = elementRefs(refs, name, attrs, isMod)
			end := offsetIn(work, data)
			if end < 0 {
				continue // cannot happen: a tag's end is never empty
			}
			end += len(data)
			restart := -1
			switch {
			case isMod && tt == html.StartTagCloseToken:
				// Inline script-module code runs to the end tag.
				stop := closingTag(src, end, name)
				if !hasAttr(attrs, "src") && !hasAttr(attrs, "from") {
					refs = inlineRefs(refs, src[end:stop], end, fail)
				}
				restart = stop
			case htmlRawTags[name]:
				restart = end
			}
			if restart >= 0 {
				base = restart
				l = html.NewTemplateLexer(parse.NewInputBytes(work[base:len(src)]), html.GoTemplate)
			}
		}
	}
}

// elementRefs adds the references of one start tag.
func elementRefs(refs []posRef, name string, attrs []attr, isMod bool) []posRef {
	for _, a := range attrs {
		var kind Kind
		switch {
		case name == "import" && a.key == "src":
			kind = TemplateImport
		case name == "include" && a.key == "src":
			kind = TemplateInclude
		case isMod && (a.key == "src" || a.key == "from"):
			kind = ScriptModuleSrc
		case name == "import" || name == "include" || isMod:
			continue
		case slices.Contains(resourceAttrs[name], a.key):
			kind = Resource
		default:
			continue
		}
		r, ok := attrRef(a)
		if !ok {
			continue
		}
		r.Kind = kind
		if kind == Resource && !r.Dynamic && !isLocalURL(r.Path) {
			continue
		}
		refs = append(refs, posRef{off: a.off, ref: r})
	}
	return refs
}

// attrRef reads an attribute value: unquoted, trimmed; Dynamic when it holds
// a {{ }} binding.
func attrRef(a attr) (Ref, bool) {
	v := a.val
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	s := strings.TrimSpace(string(v))
	if s == "" || a.off < 0 {
		return Ref{}, false
	}
	return Ref{Path: s, Dynamic: strings.Contains(s, "{{")}, true
}

func hasAttr(attrs []attr, key string) bool {
	for _, a := range attrs {
		if a.key == key && a.val != nil {
			return true
		}
	}
	return false
}

// closingTag returns the offset of the "</name" that ends raw content
// starting at from (ASCII case-insensitive), or len(src).
func closingTag(src []byte, from int, name string) int {
	for i := from; i < len(src); {
		j := bytes.Index(src[i:], []byte("</"))
		if j < 0 {
			break
		}
		k := i + j + 2
		if k+len(name) <= len(src) && bytes.EqualFold(src[k:k+len(name)], []byte(name)) {
			if e := k + len(name); e == len(src) || !isNameByte(src[e]) {
				return i + j
			}
		}
		i = k
	}
	return len(src)
}

func isNameByte(c byte) bool {
	return c == '-' || c == '_' || c == ':' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// inlineRefs scans inline script-module code at offset base of the template
// and moves its references into the template's coordinates.
func inlineRefs(refs []posRef, code []byte, base int, fail func(int, string)) []posRef {
	r := JS(code)
	inner := newLineIndex(code)
	for _, x := range r.Refs {
		if x.Line == 0 {
			continue
		}
		refs = append(refs, posRef{off: base + inner.offset(x.Line, x.Col), ref: Ref{Kind: x.Kind, Path: x.Path, Dynamic: x.Dynamic}})
	}
	if r.Err != nil {
		fail(base+inner.offset(r.Err.Line, r.Err.Col), "inline script module: "+r.Err.Msg)
	}
	return refs
}

// tagName returns the lower-case element name at the start of "<name …".
func tagName(data []byte) string {
	if len(data) < 2 || data[0] != '<' {
		return ""
	}
	i := 1
	for i < len(data) && isNameByte(data[i]) {
		i++
	}
	return strings.ToLower(string(data[1:i]))
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
