// Package scan finds the references in mini-program source files: JS and
// script modules (wxs/sjs), templates (wxml/axml/ttml/swan/qml) and styles
// (wxss/acss/ttss/css/qss). It uses real parsers and lexers: a require in a
// comment or a string is not a reference. It resolves nothing; package graph
// does.
//
// Positions are 1-based: lines are split at '\n' (so CRLF files number as
// editors and forges do) and columns count bytes. A reference sits at the
// first byte of its path, the opening quote when the path is quoted. Line 0
// marks a JS call with a non-literal argument, or an App/getApp call, that
// could not be placed (see JS); it is rare and never happens to a literal
// path.
package scan

// Kind is the kind of a reference.
type Kind int

// Reference kinds.
const (
	Require            Kind = iota + 1 // require('x')
	RequireCallback                    // require('x', cb[, errCb]) — asynchronous
	RequireAsync                       // require.async('x') — asynchronous
	Import                             // import … from 'x'; export … from 'x'; import 'x'
	ImportDynamic                      // import('x') — asynchronous
	RequirePlugin                      // requirePlugin('name')
	RequirePluginAsync                 // requirePlugin('name', cb) / requirePlugin.async('name')
	TemplateImport                     // <import src="x"/>
	TemplateInclude                    // <include src="x"/>
	ScriptModuleSrc                    // <wxs src="x"/>, <import-sjs from="x"/>, <sjs src>, <filter src>, <qs src>
	StyleImport                        // @import "x";
	StyleURL                           // url(x) with a local path
	Resource                           // a local path in a template attribute (image, video, audio src…)
)

var kindNames = map[Kind]string{
	Require: "require", RequireCallback: "require with callback", RequireAsync: "require.async",
	Import: "import", ImportDynamic: "dynamic import", RequirePlugin: "requirePlugin",
	RequirePluginAsync: "async requirePlugin", TemplateImport: "template import", TemplateInclude: "template include",
	ScriptModuleSrc: "script module", StyleImport: "style @import", StyleURL: "style url()", Resource: "resource",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "unknown"
}

// Async reports whether the platforms load this kind asynchronously, which
// makes it legal across packages for JS and plugins.
func (k Kind) Async() bool {
	return k == RequireCallback || k == RequireAsync || k == ImportDynamic || k == RequirePluginAsync
}

// Ref is one reference found in a file.
type Ref struct {
	Kind Kind
	// Path is the literal path as written (unquoted, unescaped). When Dynamic
	// is true it is the source text of the expression instead.
	Path string
	// Dynamic marks a non-literal path (a variable, a concatenation, a
	// template with substitutions, a {{ }} binding): reported, not followed.
	Dynamic bool
	// Line and Col (1-based, Col in bytes) of the path argument.
	Line, Col int
}

// Call is a call of interest for rules that are not about paths.
type Call struct {
	Line, Col int
}

// GetAppCall is a getApp() call.
type GetAppCall struct {
	Line, Col int
	// AllowDefault is true when the first argument is an object literal with
	// allowDefault: true.
	AllowDefault bool
}

// ParseError says where a file could not be parsed. The references found
// before it are still returned.
type ParseError struct {
	Line, Col int
	Msg       string
}

func (e *ParseError) Error() string { return e.Msg }

// JSResult is what JS finds in a script or script module.
type JSResult struct {
	Refs    []Ref
	AppCall []Call // App(...) calls
	GetApp  []GetAppCall
	Err     *ParseError
}

// TemplateResult is what Template finds.
type TemplateResult struct {
	Refs []Ref
	// Tags lists the element names used (for component usage checks).
	Tags []string
	Err  *ParseError
}

// StyleResult is what Style finds.
type StyleResult struct {
	Refs []Ref
	Err  *ParseError
}
