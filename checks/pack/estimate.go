package pack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/js"
	"github.com/tdewolff/parse/v2"
	pcss "github.com/tdewolff/parse/v2/css"
	"github.com/tdewolff/parse/v2/html"
	pjs "github.com/tdewolff/parse/v2/js"

	"github.com/mpgate/mpgate/checks/manifest"
	minifyjs "github.com/mpgate/mpgate/checks/pack/internal/minifyjs"
	"github.com/mpgate/mpgate/checks/platform"
)

// MaxTransformBytes is the largest file the estimator minifies; a bigger
// file is counted as uploaded unchanged (it is read as a stream only).
const MaxTransformBytes = 8 << 20

// Estimator estimates the bytes a platform uploads for a file after its own
// processing under the project's settings. Only WeChat and QQ (which share
// WeChat's tools and project.config.json settings) transform anything; for
// the other platforms the upload estimate is the source size.
//
// Measured against miniprogram-ci (docs/sizes.md): WeChat minifies JS with
// `minified`, WXSS with `minifyWXSS`, WXML with `minifyWXML` (whitespace
// between tags, comments and spaces inside {{ }} go), and always re-serialises
// JSON compactly; images, wxs and other files are uploaded unchanged.
type Estimator struct {
	p       *platform.Platform
	s       manifest.Setting
	o       Options
	enabled bool
	m       *minify.M
	// worklets counts the Skyline worklet functions estimated so far.
	worklets atomic.Int64
	keyState
}

// Worklets returns how many Skyline worklet functions the estimates so far
// included. Their metadata (the source path on the build machine, the
// captured variables) is approximated: measured −12% to +8% per program on
// awesome-skyline (docs/sizes.md).
func (e *Estimator) Worklets() int64 { return e.worklets.Load() }

// Options are project settings the estimator needs beyond manifest.Setting.
type Options struct {
	// PostCSS is project.config.json's setting.postcss ("样式自动补全"). Measured
	// on miniprogram-ci 2.1.42: with it on, WXSS is minified and prefixed
	// even when minifyWXSS is off or absent; with both off it is uploaded
	// unchanged.
	PostCSS bool
	// CompiledJSON, when set, tells which JSON files WeChat compiles (and
	// so re-serialises compactly): app.json and the JSON of the pages and
	// components the app reaches. Measured on miniprogram-ci 2.1.42: the
	// JSON of an unreferenced component and data JSON, even when required
	// from a script, are uploaded unchanged. When nil every JSON file is
	// taken as compiled.
	CompiledJSON func(path string) bool
	// HelperRoot, when set, gives the package root under which WeChat puts
	// the runtime helpers a file needs: an independent subpackage gets
	// its own copy (measured: miniprogram-demo's packageChatTool holds
	// packageChatTool/@babel/runtime/helpers/…); "" is the main package.
	HelperRoot func(path string) string
	// Cache, when set, holds Measure's results per content and settings:
	// a file measured before with the same bytes is not compressed or
	// estimated again.
	Cache Cache
	// ExpandedStyles says that what Measure reads for a less or sass
	// source the compiler plugins compile is ExpandStyle's approximation
	// of its CSS (imports, loops and mixins expanded), not the source: it is
	// estimated like a .wxss. Without it the source is estimated at
	// StyleSourceFactor.
	ExpandedStyles bool
	// Brotli makes Measure compute brotli sizes too. Off by default: the
	// platforms zip their packages (deflate, which Gzip measures), and
	// brotli took a quarter of a large program's analysis.
	Brotli bool
	// Facts, when set, returns what Estimator.Facts derived from an
	// earlier parse of the script at path with exactly these bytes, so
	// that the estimate does not parse it again; false: parse it.
	Facts func(path string, src []byte) (ScriptFacts, bool)
	// Digest, when set, returns the SHA-256 of src, the bytes Measure read
	// from path (the caller may have hashed the same read already for the
	// reference scan's cache); nil: sha256.Sum256.
	Digest func(path string, src []byte) [32]byte
}

// NewEstimator builds the estimator for platform p under settings s.
func NewEstimator(p *platform.Platform, s manifest.Setting) *Estimator {
	return NewEstimatorOptions(p, s, Options{})
}

// NewEstimatorOptions is NewEstimator with the extra settings in o.
func NewEstimatorOptions(p *platform.Platform, s manifest.Setting, o Options) *Estimator {
	e := &Estimator{p: p, s: s, o: o, m: minify.New()}
	e.enabled = p != nil && (p.ID == platform.WeChat || p.ID == platform.QQ)
	return e
}

func (e *Estimator) styleOn() bool { return e.s.MinifyWXSS || e.o.PostCSS }

// MinifiesStyles reports whether WeChat minifies style files under these
// settings (minifyWXSS or postcss).
func (e *Estimator) MinifiesStyles() bool { return e.enabled && e.styleOn() }

// es6 reports whether WeChat transpiles JS to ES5. In miniprogram-ci 2.1.42
// `enhance` runs the same Babel step as `es6` (its script task takes
// `enhance || es6`); measured: identical output on 1,179 files.
func (e *Estimator) es6() bool { return e.s.ES6 || e.s.Enhance }

// Compiler plugins of setting.useCompilerPlugins.
const (
	PluginTypeScript = "typescript"
	PluginLess       = "less"
	PluginSass       = "sass"
)

func (e *Estimator) plugin(name string) bool {
	return e.enabled && slices.Contains(e.s.UseCompilerPlugins, name)
}

// Transforms reports whether the settings make the uploaded bytes differ
// from the source bytes (JS transpiling or minification, WXSS or WXML
// minification, compiler plugins, on a platform that does it). JSON
// re-serialisation alone does not count: it changes little.
func (e *Estimator) Transforms() bool {
	return e.enabled && (e.s.Minified || e.es6() || e.styleOn() || e.s.MinifyWXML || len(e.s.UseCompilerPlugins) > 0)
}

// Generated returns the path of the file WeChat's compiler plugins
// (setting.useCompilerPlugins) compile from the source at path: a `.ts`
// (not `.d.ts`) becomes `.js` with "typescript", a `.less` becomes the
// style file (`.wxss`) with "less", a `.scss` or `.sass` with "sass". The
// source itself is not uploaded; WeChat resolves a request for the
// generated file to it (the plugins' resolveExt, miniprogram-ci 2.1.42).
func (e *Estimator) Generated(path string) (string, bool) {
	x := ext(path)
	stem := path[:len(path)-len(x)-1]
	switch x {
	case "ts":
		if e.plugin(PluginTypeScript) && !strings.HasSuffix(strings.ToLower(stem), ".d") {
			return stem + ".js", true
		}
	case "less":
		if e.plugin(PluginLess) {
			return stem + e.p.Style, true
		}
	case "scss", "sass":
		if e.plugin(PluginSass) {
			return stem + e.p.Style, true
		}
	}
	return "", false
}

// StyleSourceFactor is the estimated size of the style file a less or sass
// source compiles to, per source byte. The compilers' output depends on
// what the imports and mixins expand to, which mpgate does not compile: the
// factor is measured (TDesign's 110 less components: 347,775 source bytes,
// 451,901 compiled, 409,353 minified; docs/sizes.md), and reports carry an
// upload note saying the figure is an estimate.
const (
	StyleSourceFactor         = 1.30
	StyleSourceMinifiedFactor = 1.18
)

// expandedStylePretty is the unminified output of the less and sass
// compilers (one declaration per line, indented) per byte of ExpandStyle's
// compact text: TDesign's 110 less components compiled to 451,901 bytes,
// 409,353 minified (1.10).
const expandedStylePretty = 1.10

// The unminified Babel output (es6 or enhance without minified, or
// TypeScript alone) is estimated from the source pretty-printed by esbuild
// plus the source's comments (Babel keeps comments): times tsPrettyFactor
// for TypeScript alone (measured 0.904 on 153 TDesign files), and for the
// ES5 step es5PrettyFactor plus a cost per construct Babel expands (an
// async function becomes a regenerator state machine, a default parameter
// an arguments test, …). Fitted by least squares on miniprogram-ci 2.1.42's
// output for miniprogram-demo's 831 JS files, TDesign's 348 TypeScript
// files and mpgate's own fixture (docs/sizes.md).
const (
	tsPrettyFactor  = 0.92
	es5PrettyFactor = 1.0
)

// es5MinifiedInputFactor is Babel's unminified ES5 output per
// pretty-printed byte of an already minified script (a framework's vendor
// bundle, a built npm library): Babel prints every object property on a
// line of its own and wraps typeof in a helper, esbuild does neither.
// Measured 1.01–1.216 on ten minified files (wechat-app-mall's npm
// libraries, uni-app's vendor.js); the top is taken.
const es5MinifiedInputFactor = 1.22

// minifiedLine is the average line length above which a script counts as
// minified (the ten minified files measured: 416–38,400; hand-written
// code: under 100).
const minifiedLine = 200

func minifiedInput(js []byte) bool {
	return len(js) > 0 && len(js)/(bytes.Count(js, []byte{'\n'})+1) > minifiedLine
}

// es5Unminified are the fitted costs, in bytes of unminified output, of the
// constructs Babel's ES5 step expands. Cheap syntax (const, arrows) is left
// to the factor: on minified framework bundles its count says little.
var es5Unminified = struct {
	async, await, class, spread, template, destruct, defaults, forOf, rest, exportAll int64
}{async: 714, await: 301, class: 602, spread: 36, template: 57, destruct: 148, defaults: 73, forOf: 364, rest: 476,
	exportAll: 335}

// unminifiedES5 is the estimated size of Babel's unminified ES5 output for
// a script whose pretty-printed size plus comments is pretty, with the
// constructs c counted (nil: a file the parser refused, counted at the
// factor alone).
func unminifiedES5(pretty int, c *es6Counter) int64 {
	return unminifiedES5Scaled(pretty, c, 1)
}

// es5MinifiedInputConstructs scales the construct costs of es5Unminified
// for already minified input. Those costs were fitted on readable source,
// where what Babel writes for a construct repeats the source's names
// (`var _ref = options, timeout = _ref.timeout`); in a minified script the
// names are one or two letters (`var r = e.vnode.props`, a rest parameter's
// arguments loop on `o`). Read off uni-app's common/vendor.js (the
// dcloudio/uni-preset-vue template built for mp-weixin): WeChat's output is
// 11,878 bytes over Babel's layout where the readable-source costs said
// 28,642 (docs/sizes.md).
const es5MinifiedInputConstructs = 0.42

// unminifiedES5Scaled is unminifiedES5 with the construct costs (not the
// worklets) multiplied by f.
func unminifiedES5Scaled(pretty int, c *es6Counter, f float64) int64 {
	n := ceilMul(pretty, es5PrettyFactor)
	if c == nil {
		return n
	}
	k := es5Unminified
	constructs := k.async*int64(c.async) + k.await*int64(c.await) + k.class*int64(c.class) + k.spread*int64(c.spread) +
		k.template*int64(c.template) + k.destruct*int64(c.destruct) + k.defaults*int64(c.defaults) +
		k.forOf*int64(c.forOf) + k.rest*int64(c.rest) + k.exportAll*int64(c.exportAll)
	if f != 1 {
		constructs = ceilMul(int(constructs), f)
	}
	return n + constructs + c.worklet
}

// babelCompactAuto is the length above which Babel's generator prints
// compactly when its compact option is "auto", as WeChat leaves it.
const babelCompactAuto = 500_000

// MaxCodeLength is miniprogram-ci's MAX_CODE_LENGTH: a script of at least
// this many characters is a "large file", uploaded without Babel or
// minification.
const MaxCodeLength = 2048e3

func ext(path string) string {
	base := path[strings.LastIndexByte(path, '/')+1:]
	i := strings.LastIndexByte(base, '.')
	if i < 0 {
		return ""
	}
	return strings.ToLower(base[i+1:])
}

// transforms reports whether the file at path is processed before upload.
func (e *Estimator) transforms(path string) bool {
	if !e.enabled {
		return false
	}
	if _, ok := e.Generated(path); ok || (path == manifest.ProjectConfig && e.ProjectConfigBytes() > 0) {
		return true
	}
	switch ext(path) {
	case "js":
		return e.s.Minified || e.es6()
	case strings.TrimPrefix(e.p.Style, "."):
		return e.styleOn()
	case strings.TrimPrefix(e.p.Template, "."):
		return e.s.MinifyWXML
	case "json":
		return e.o.CompiledJSON == nil || e.o.CompiledJSON(path)
	}
	return false
}

// Estimate returns the estimated number of bytes the platform uploads for a
// file with this path and content: the length of Transform's result, plus,
// for minified JS under the `es6` setting, what WeChat's ES6-to-ES5 step adds
// (ES5Bytes), and for minified WXSS the vendor-prefixed copies WeChat's WXSS minifier adds
// (autoprefixer: -webkit- flexbox, transform, animation and filter
// properties, display:-webkit-flex, @-webkit-keyframes), which Transform does
// not write out.
func (e *Estimator) Estimate(path string, src []byte) int64 {
	n, _, w := e.estimate(path, src)
	e.worklets.Add(int64(w))
	return n
}

// ProjectConfigBytes is the size of the project.config.json WeChat uploads
// at the mini-program root in place of the project's own (or when the
// project's lies outside the root): {"miniprogramRoot":"",
// "__compileDebugInfo__":{"useSummer":true}}, 64 bytes in every project
// compiled with miniprogram-ci 2.1.42. 0 where the platform uploads the
// sources as they are.
func (e *Estimator) ProjectConfigBytes() int64 {
	if !e.enabled || e.p.ID != platform.WeChat {
		return 0
	}
	return int64(len(`{"miniprogramRoot":"","__compileDebugInfo__":{"useSummer":true}}`))
}

// estimate is Estimate, also returning the runtime helpers the file needs
// and the Skyline worklet functions it holds (the caller counts them).
func (e *Estimator) estimate(path string, src []byte) (int64, []string, int) {
	if path == manifest.ProjectConfig && e.ProjectConfigBytes() > 0 {
		return e.ProjectConfigBytes(), nil, 0
	}
	if target, ok := e.Generated(path); ok {
		if ext(target) == "js" {
			js, err := tsToJS(src)
			if err != nil {
				// Babel would refuse it too; count the source.
				return int64(len(src)), nil, 0
			}
			return e.estimateJS(js, e.comments(src), nil)
		}
		if e.o.ExpandedStyles {
			// src is ExpandStyle's approximation of the compiled CSS.
			if e.styleOn() {
				out, err := e.minifyStyle(src)
				if err != nil {
					return ceilMul(len(src), StyleSourceMinifiedFactor), nil, 0
				}
				return int64(len(out)) + PrefixBytes(out), nil, 0
			}
			return ceilMul(len(src), expandedStylePretty), nil, 0
		}
		f := StyleSourceFactor
		if e.styleOn() {
			f = StyleSourceMinifiedFactor
		}
		return ceilMul(len(src), f), nil, 0
	}
	if ext(path) == "js" && e.transforms(path) {
		if utf8.RuneCount(src) >= MaxCodeLength {
			return int64(len(src)), nil, 0
		}
		return e.estimateJS(src, e.comments(src), e.earlierFacts(path, src))
	}
	out, ok := e.Transform(path, src)
	n := int64(len(out))
	if !ok {
		return n, nil, 0
	}
	switch ext(path) {
	case strings.TrimPrefix(e.p.Style, "."):
		n += PrefixBytes(out)
	case "json":
		n += e.usingComponentsBytes(path, out)
	}
	return n, nil, 0
}

// usingComponentsBytes is what WeChat adds to a compiled page or component
// JSON without usingComponents: `,"usingComponents":{}` (measured with
// miniprogram-ci 2.1.42: {"navigationBarTitleText":"list"}, 33 bytes,
// uploads as 54). app.json is left as it is. Only with CompiledJSON, which
// tells pages and components from other JSON.
func (e *Estimator) usingComponentsBytes(path string, compact []byte) int64 {
	if e.o.CompiledJSON == nil || path == "app.json" || len(compact) < 2 || compact[0] != '{' {
		return 0
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(compact, &obj) != nil {
		return 0
	}
	if _, ok := obj["usingComponents"]; ok {
		return 0
	}
	if len(obj) == 0 {
		return int64(len(`"usingComponents":{}`))
	}
	return int64(len(`,"usingComponents":{}`))
}

// estimateJS estimates the upload of JavaScript js (a script, or what a
// TypeScript source compiles to), whose source holds comments bytes of
// comments: minified (with the ES5 costs when es6), or Babel's unminified
// output (es6 without minified; TypeScript alone). facts, when not nil,
// holds what Facts derived from an earlier parse of js.
func (e *Estimator) estimateJS(js []byte, comments int, facts *ScriptFacts) (int64, []string, int) {
	var helpers []string
	worklets := 0
	extra := int64(0)
	var c *es6Counter
	if e.es6() {
		if facts != nil && facts.es5 {
			extra, c = facts.extra, facts.c
		} else {
			extra, c = es5Count(js)
		}
		if c != nil {
			helpers = c.helperPaths()
			worklets = c.worklets
		}
	}
	if e.s.Minified {
		if facts != nil && facts.minified {
			return facts.min + extra, helpers, worklets
		}
		out, err := e.minifyJS(js)
		if err != nil {
			out = js
		}
		return int64(len(out)) + extra, helpers, worklets
	}
	if e.s.SWC && !e.es6() {
		// Measured on Mahoo12138/on-spot (swc: true, TypeScript alone):
		// 12,031 bytes, swcPretty 12,789 (+6.3%); the Babel model read
		// 9,942 (docs/sizes.md).
		if n, err := swcPretty(js); err == nil {
			return n, helpers, worklets
		}
	}
	printed, err := prettyJS(js)
	if err != nil {
		printed = len(js)
	}
	if e.es6() && len(js) > babelCompactAuto {
		// Babel prints a script over 500,000 characters compactly
		// (@babel/generator's compact: "auto"): no re-indentation, one
		// statement after another. WeChat's output of ecomfe/echarts-for-
		// weixin's 1.27 MB ec-canvas/echarts.js (es6 on, minified off) is
		// within 1.1% of the source; the pretty-printing model read 62% high.
		return int64(len(js)) + extra, helpers, worklets
	}
	if e.es6() {
		if minifiedInput(js) {
			if layout, typeofHelper, ok := babelLayoutExtra(js); ok {
				if h := HelperDir + "/typeof.js"; typeofHelper && !slices.Contains(helpers, h) {
					helpers = append(helpers, h)
					slices.Sort(helpers)
				}
				return unminifiedES5Scaled(printed+comments+int(layout), c, es5MinifiedInputConstructs), helpers, worklets
			}
			return ceilMul(printed+comments, es5MinifiedInputFactor), helpers, worklets
		}
		return unminifiedES5(printed+comments, c), helpers, worklets
	}
	return ceilMul(printed+comments, tsPrettyFactor), helpers, worklets
}

func ceilMul(n int, f float64) int64 {
	v := float64(n) * f
	i := int64(v)
	if float64(i) < v {
		i++
	}
	return i
}

// errTranspile is returned when esbuild cannot read a script.
var errTranspile = errors.New("cannot transpile")

// tsToJS strips TypeScript to JavaScript with esbuild (legacy decorators,
// as WeChat's Babel TypeScript preset reads them), pretty-printed.
func tsToJS(src []byte) ([]byte, error) {
	r := api.Transform(string(src), api.TransformOptions{Loader: api.LoaderTS, Target: api.ESNext,
		TsconfigRaw: `{"compilerOptions":{"experimentalDecorators":true}}`})
	if len(r.Errors) > 0 {
		return nil, fmt.Errorf("%w: %s", errTranspile, r.Errors[0].Text)
	}
	return r.Code, nil
}

// prettyJS returns the size of js pretty-printed by esbuild without
// comments: one statement per line, two-space indentation, like Babel's
// generator.
func prettyJS(js []byte) (int, error) {
	r := api.Transform(string(js), api.TransformOptions{Loader: api.LoaderJS, Target: api.ESNext})
	if len(r.Errors) > 0 {
		return 0, fmt.Errorf("%w: %s", errTranspile, r.Errors[0].Text)
	}
	return len(r.Code), nil
}

// comments is commentBytes(src) where estimateJS reads it (Babel's
// unminified output, which keeps comments), else 0: a minified estimate
// does not read it, and lexing every script for it was 3% of a cold run.
func (e *Estimator) comments(src []byte) int {
	if e.s.Minified {
		return 0
	}
	return commentBytes(src)
}

// commentBytes counts the bytes of the comments in a script (the JS lexer
// reads TypeScript's tokens too).
func commentBytes(src []byte) int {
	l := pjs.NewLexer(parse.NewInputBytes(src[:len(src):len(src)]))
	n := 0
	for {
		tt, t := l.Next()
		switch tt {
		case pjs.ErrorToken:
			return n
		case pjs.CommentToken, pjs.CommentLineTerminatorToken:
			n += len(t)
		}
	}
}

// Transform returns the bytes the platform would upload for a file with
// this path and content, and whether they differ from src by processing. A
// file that cannot be processed (a syntax error the minifier refuses) is
// returned unchanged, as are files above MaxTransformBytes.
func (e *Estimator) Transform(path string, src []byte) ([]byte, bool) {
	if !e.transforms(path) || len(src) > MaxTransformBytes {
		return src, false
	}
	if _, gen := e.Generated(path); gen || (ext(path) == "js" && !e.s.Minified) {
		// Compiled or transpiled, not minified: estimate counts it.
		return src, false
	}
	var out []byte
	var err error
	switch ext(path) {
	case "js":
		out, err = e.minifyJS(src)
	case "json":
		out, err = compactJSON(src)
	case strings.TrimPrefix(e.p.Style, "."):
		out, err = e.minifyStyle(src)
	case strings.TrimPrefix(e.p.Template, "."):
		out = MinifyTemplate(src)
	}
	if err != nil {
		return src, false
	}
	return out, true
}

// minifyJS minifies a script; a panic of the minifier on hostile input is
// an error (the script is then counted as it is).
func (e *Estimator) minifyJS(src []byte) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("internal minifier failure: %v", p)
		}
	}()
	var b bytes.Buffer
	b.Grow(len(src))
	mini := &js.Minifier{}
	if err := mini.Minify(e.m, &b, bytes.NewReader(src), nil); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (e *Estimator) minifyStyle(src []byte) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(src))
	mini := &css.Minifier{}
	if err := mini.Minify(e.m, &b, bytes.NewReader(src), nil); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// compactJSON re-serialises JSON without insignificant whitespace, as
// WeChat's JSON.stringify does. Invalid JSON is an error.
func compactJSON(src []byte) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(src))
	if err := json.Compact(&b, bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// MinifyTemplate minifies a WXML-like template the way WeChat's minifyWXML
// does, with the HTML lexer in template mode ({{ }} kept whole): comments
// go; whitespace-only text between tags goes; other text keeps its words
// with runs of whitespace collapsed to one space; attributes are written
// ` name=value` with their quotes (valueless attributes stay valueless); and
// inside each {{ }} expression the whitespace the JS lexer finds
// insignificant goes. Tag and attribute names keep their case. It never
// fails and never modifies src: what the lexer cannot read is copied as it
// is.
func MinifyTemplate(src []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(src))
	// The lexer lower-cases tag and attribute names in place: give it a
	// copy and take the original bytes back from src. Tokens come in order
	// with at most whitespace between them, so each is found at or just
	// after the end of the previous one.
	buf := bytes.Clone(src)
	pos := 0
	raw := func(b []byte) []byte {
		if len(b) == 0 {
			return b
		}
		i := bytes.Index(buf[pos:], b)
		if i < 0 {
			return b
		}
		off := pos + i
		pos = off + len(b)
		return src[off:pos]
	}
	var text []byte // the current run of text and {{ }} tokens
	flush := func() {
		writeText(&out, text)
		text = text[:0]
	}
	l := html.NewTemplateLexer(parse.NewInputBytes(buf), [2]string{"{{", "}}"})
	for {
		tt, data := l.Next()
		if tt == html.TextToken || tt == html.TemplateToken {
			text = append(text, raw(data)...)
			continue
		}
		flush()
		switch tt {
		case html.ErrorToken:
			if !errors.Is(l.Err(), io.EOF) {
				// Copy the rest unchanged.
				out.Write(raw(data))
			}
			return out.Bytes()
		case html.CommentToken:
			// dropped
		case html.StartTagToken:
			out.Write(raw(data))
		case html.AttributeToken:
			attr := bytes.TrimLeft(raw(data), " \t\n\r\f")
			key := l.AttrKey()
			if len(key) <= len(attr) {
				key = attr[:len(key)]
			}
			out.WriteByte(' ')
			out.Write(key)
			if v := l.AttrVal(); v != nil {
				out.WriteByte('=')
				writeAttrVal(&out, v)
			}
		case html.StartTagCloseToken:
			out.WriteByte('>')
		case html.StartTagVoidToken:
			out.WriteString("/>")
		case html.EndTagToken:
			name := bytes.TrimSuffix(bytes.TrimPrefix(raw(data), []byte("</")), []byte(">"))
			out.WriteString("</")
			out.Write(bytes.TrimSpace(name))
			out.WriteByte('>')
		default:
			out.Write(raw(data))
		}
	}
}

// writeAttrVal writes an attribute value with its {{ }} expressions
// squeezed; quotes are kept as they are (or absent).
func writeAttrVal(out *bytes.Buffer, v []byte) {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		out.WriteByte(v[0])
		writeMustache(out, v[1:len(v)-1], false)
		out.WriteByte(v[0])
		return
	}
	writeMustache(out, v, false)
}

// writeText writes a text node: nothing when only whitespace, else its
// words with whitespace runs collapsed and {{ }} squeezed.
func writeText(out *bytes.Buffer, t []byte) {
	if len(bytes.TrimSpace(t)) == 0 {
		return
	}
	writeMustache(out, bytes.TrimSpace(t), true)
}

// writeMustache copies s, squeezing every {{ }} expression; when collapse is
// set, whitespace runs outside expressions become one space.
func writeMustache(out *bytes.Buffer, s []byte, collapse bool) {
	for len(s) > 0 {
		i := bytes.Index(s, []byte("{{"))
		if i < 0 {
			writePlain(out, s, collapse)
			return
		}
		writePlain(out, s[:i], collapse)
		j := bytes.Index(s[i+2:], []byte("}}"))
		if j < 0 {
			out.Write(s[i:])
			return
		}
		out.WriteString("{{")
		squeezeExpr(out, s[i+2:i+2+j])
		out.WriteString("}}")
		s = s[i+2+j+2:]
	}
}

func writePlain(out *bytes.Buffer, s []byte, collapse bool) {
	if !collapse {
		out.Write(s)
		return
	}
	space := false
	for _, c := range s {
		switch c {
		case ' ', '\t', '\n', '\r', '\f':
			space = true
		default:
			if space {
				out.WriteByte(' ')
				space = false
			}
			out.WriteByte(c)
		}
	}
	if space {
		out.WriteByte(' ')
	}
}

// squeezeExpr writes a {{ }} expression without insignificant whitespace:
// tokens from the JS lexer, with one space kept only between two tokens
// that would otherwise merge (identifiers, keywords, numbers). An
// expression the lexer cannot read is written trimmed.
func squeezeExpr(out *bytes.Buffer, expr []byte) {
	l := pjs.NewLexer(parse.NewInputBytes(expr[:len(expr):len(expr)]))
	var b bytes.Buffer
	prevWord := false
	pendingSpace := false
	for {
		tt, text := l.Next()
		switch tt {
		case pjs.ErrorToken:
			if !errors.Is(l.Err(), io.EOF) {
				out.Write(bytes.TrimSpace(expr))
				return
			}
			out.Write(b.Bytes())
			return
		case pjs.WhitespaceToken, pjs.LineTerminatorToken:
			pendingSpace = true
			continue
		case pjs.CommentToken, pjs.CommentLineTerminatorToken:
			pendingSpace = true
			continue
		}
		word := isWordToken(tt)
		if pendingSpace && prevWord && word {
			b.WriteByte(' ')
		}
		b.Write(text)
		prevWord = word
		pendingSpace = false
	}
}

func isWordToken(tt pjs.TokenType) bool {
	return pjs.IsIdentifierName(tt) || pjs.IsNumeric(tt) || tt == pjs.PrivateIdentifierToken
}

// prefixedProps are the properties WeChat's WXSS minifier copies with a
// -webkit- prefix (measured on miniprogram-ci 2.1.42 output).
var prefixedProps = map[string]bool{
	"align-items": true, "align-self": true, "align-content": true, "justify-content": true,
	"flex": true, "flex-direction": true, "flex-wrap": true, "flex-flow": true,
	"flex-grow": true, "flex-shrink": true, "flex-basis": true, "order": true,
	"transform": true, "transform-origin": true, "transform-style": true,
	"perspective": true, "perspective-origin": true, "backface-visibility": true,
	"animation": true, "animation-name": true, "animation-duration": true, "animation-delay": true,
	"animation-timing-function": true, "animation-iteration-count": true,
	"animation-direction": true, "animation-fill-mode": true, "animation-play-state": true,
	"filter": true, "backdrop-filter": true,
}

const webkit = "-webkit-"

// PrefixBytes returns how many bytes vendor prefixing adds to a minified
// stylesheet: for each declaration of a prefixed property a
// "-webkit-prop:value;" copy, for display:flex and display:inline-flex a
// "display:-webkit-flex;" copy, and for each @keyframes block an
// @-webkit-keyframes copy (with its own prefixed declarations). It uses the
// CSS parser; what it cannot parse adds nothing.
func PrefixBytes(css []byte) int64 {
	p := pcss.NewParser(parse.NewInputBytes(css[:len(css):len(css)]), false)
	type frame struct {
		keyframes bool
		start     int
		extra     int64
	}
	var stack []frame
	var extra int64
	last := 0
	for {
		gt, _, data := p.Next()
		off := p.Offset()
		switch gt {
		case pcss.ErrorGrammar:
			if errors.Is(p.Err(), io.EOF) || off <= last {
				// The end, or a parser that no longer advances.
				return extra
			}
		case pcss.BeginAtRuleGrammar:
			name := strings.ToLower(string(data))
			stack = append(stack, frame{keyframes: name == "@keyframes", start: last, extra: extra})
		case pcss.EndAtRuleGrammar:
			if n := len(stack); n > 0 {
				f := stack[n-1]
				stack = stack[:n-1]
				if f.keyframes {
					inner := extra - f.extra
					extra += int64(off-f.start) + int64(len(webkit)) + inner
				}
			}
		case pcss.DeclarationGrammar:
			prop := strings.ToLower(string(data))
			var v strings.Builder
			for _, t := range p.Values() {
				v.Write(t.Data)
			}
			val := v.String()
			switch {
			case prefixedProps[prop]:
				extra += int64(len(webkit) + len(prop) + 1 + len(val) + 1)
			case prop == "display" && (val == "flex" || val == "inline-flex"):
				extra += int64(len("display:") + len(webkit) + len(val) + 1)
			}
		}
		last = off
	}
}

// Byte costs of WeChat's ES6-to-ES5 step (Babel with runtime helpers, then
// terser), per construct of the source, fitted by least squares on the
// 225 application JS files of EastWorld/wechat-app-mall against
// miniprogram-ci 2.1.42's output (docs/sizes.md). An async function becomes
// a regenerator state machine; a class, object spread or destructuring pulls
// in a helper require.
const (
	es5UseStrict = 13 // "use strict"; prepended to every file
	es5Base      = 44 // helper requires of a file using any ES6 construct
	es5Async     = 187
	es5Await     = 35
	es5Class     = 262
	es5Spread    = 108
	es5Template  = 10 // per substitution: "".concat(...)
	es5ConstLet  = 4
	es5Destruct  = 23
	es5Func      = 2
	es5Arrow     = 1
	// `export * from` becomes an Object.keys(…).forEach copying getter
	// (measured on TDesign's index files: 205 bytes minified, 335 not).
	es5ExportAll = 205
	// A Skyline worklet function ('worklet' directive) is also kept as
	// source text with metadata: Object.assign(f,{_closure:{…},asString:"…",
	// __workletHash:…,__location:"… (l:c)",__worklet:!0}).
	es5Worklet = 240
	// A worklet that is an object property or method also gets a factory
	// property: `,_<name>_worklet_factory_:function(){var t=this,a=` … `;return a}`
	// (measured on awesome-skyline expanded-scroll-view: 57–68 bytes).
	es5WorkletFactory = 60
)

// Runtime helper files WeChat's ES6 step adds under @babel/runtime/helpers/
// (to the main package), with their sizes in miniprogram-ci 2.1.42's output.
var helperSizes = map[string]int64{
	"regeneratorRuntime": 6772, "asyncToGenerator": 416,
	"objectSpread2": 696, "defineProperty": 227, "toPropertyKey": 196, "toPrimitive": 343, "typeof": 286,
	"toConsumableArray": 379, "arrayWithoutHoles": 163, "iterableToArray": 161,
	"unsupportedIterableToArray": 436, "arrayLikeToArray": 155, "nonIterableSpread": 220,
	"createForOfIteratorHelper": 805, "classCallCheck": 139, "createClass": 421,
	"interopRequireDefault": 133, "interopRequireWildcard": 681,
	"inherits": 372, "setPrototypeOf": 209, "createSuper": 458, "getPrototypeOf": 225, "isNativeReflectConstruct": 320,
	"possibleConstructorReturn": 359, "assertThisInitialized": 182, "objectWithoutProperties": 406,
	"objectWithoutPropertiesLoose": 207, "slicedToArray": 377, "arrayWithHoles": 88, "iterableToArrayLimit": 453,
	"nonIterableRest": 221, "wrapNativeSuper": 750, "construct": 433, "isNativeFunction": 125,
}

// nativeClasses are the built-in constructors Babel wraps when a class
// extends them (wrapNativeSuper).
var nativeClasses = map[string]bool{"Error": true, "TypeError": true, "RangeError": true, "SyntaxError": true,
	"Array": true, "Map": true, "Set": true, "WeakMap": true, "Promise": true, "RegExp": true, "Date": true,
	"Function": true, "EventTarget": true}

// HelperDir is where WeChat puts the runtime helpers, relative to the
// mini-program root.
const HelperDir = "@babel/runtime/helpers"

var (
	helpersAsync        = []string{"regeneratorRuntime", "asyncToGenerator"}
	helpersObjectSpread = []string{"objectSpread2", "defineProperty", "toPropertyKey", "toPrimitive", "typeof"}
	helpersArraySpread  = []string{"toConsumableArray", "arrayWithoutHoles", "iterableToArray", "unsupportedIterableToArray", "arrayLikeToArray", "nonIterableSpread"}
	helpersForOf        = []string{"createForOfIteratorHelper", "unsupportedIterableToArray", "arrayLikeToArray"}
	helpersClass        = []string{"classCallCheck", "createClass", "toPropertyKey", "toPrimitive", "typeof"}
	helpersExtends      = []string{"inherits", "setPrototypeOf", "createSuper", "getPrototypeOf", "isNativeReflectConstruct",
		"possibleConstructorReturn", "assertThisInitialized", "typeof"}
	// A class extending a built-in constructor is wrapped.
	helpersNativeSuper = []string{"wrapNativeSuper", "construct", "isNativeFunction", "isNativeReflectConstruct",
		"getPrototypeOf", "setPrototypeOf"}
	helpersObjectRest       = []string{"objectWithoutProperties", "objectWithoutPropertiesLoose"}
	helpersArrayDestructure = []string{"slicedToArray", "arrayWithHoles", "iterableToArrayLimit", "unsupportedIterableToArray",
		"arrayLikeToArray", "nonIterableRest"}
)

// Helpers returns the runtime helper files (paths relative to the
// mini-program root, under HelperDir) that WeChat's ES6 step adds for a JS
// file with this content, or nil when the settings do not transform JS or
// the file does not parse.
func (e *Estimator) Helpers(path string, src []byte) []string {
	if !e.transforms(path) || !e.es6() || ext(path) != "js" || len(src) > MaxTransformBytes {
		return nil
	}
	_, c := es5Count(src)
	if c == nil {
		return nil
	}
	return c.helperPaths()
}

func (c *es6Counter) helperPaths() []string {
	var out []string
	for h := range c.helpers {
		out = append(out, HelperDir+"/"+h+".js")
	}
	slices.Sort(out)
	return out
}

// HelperSize returns the estimated size of a helper path from Helpers (or
// from Measure, under a package root).
func HelperSize(path string) int64 {
	name := strings.TrimSuffix(path[strings.LastIndexByte(path, '/')+1:], ".js")
	return helperSizes[name]
}

// ES5Bytes estimates the bytes WeChat's ES6-to-ES5 step adds to a JS file
// after minification, from the constructs the JS parser finds in src. A
// file that does not parse adds nothing. The runtime helper files are not
// included (see Helpers).
func ES5Bytes(src []byte) int64 {
	n, _ := es5Count(src)
	return n
}

func es5Count(src []byte) (int64, *es6Counter) {
	ast, err := pjs.Parse(parse.NewInputBytes(src[:len(src):len(src)]), minifyjs.ParseOptions)
	if err != nil {
		return 0, nil
	}
	return es5CountAST(ast)
}

// es5CountAST is es5Count of the script whose syntax tree (parsed with
// minifyjs.ParseOptions, as the reference scan parses) is ast.
func es5CountAST(ast *pjs.AST) (int64, *es6Counter) {
	c := &es6Counter{}
	if len(ast.List) > 0 {
		if d, ok := ast.List[0].(*pjs.DirectivePrologueStmt); ok {
			v := string(d.Value)
			c.useStrict = v == `"use strict"` || v == `'use strict'`
		}
	}
	pjs.Walk(c, ast)
	n := int64(0)
	if !c.useStrict {
		n += es5UseStrict
	}
	if c.es6 {
		n += es5Base
	}
	n += c.worklet
	return n + int64(es5Async*c.async+es5Await*c.await+es5Class*c.class+es5Spread*c.spread+
		es5Template*c.template+es5ConstLet*c.constLet+es5Destruct*c.destruct+es5Arrow*c.arrow+
		es5ExportAll*c.exportAll) +
		int64(es5Func*c.funcs*boolInt(c.es6)), c
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

type es6Counter struct {
	async, await, class, spread, template, constLet, destruct, arrow, funcs int
	// Counted for the unminified output only (see es5Unminified).
	defaults, forOf, rest, extends int
	// exportAll counts `export * from` (both outputs).
	exportAll int
	worklet   int64
	worklets  int
	// propFns holds the functions that are an object property's value
	// (`m: function(){}`, `m: () => {}`): see workletCost.
	propFns        map[pjs.INode]bool
	es6, useStrict bool
	helpers        map[string]bool
}

func (c *es6Counter) need(names ...string) {
	if c.helpers == nil {
		c.helpers = map[string]bool{}
	}
	for _, n := range names {
		c.helpers[n] = true
	}
}

// Enter implements pjs.IVisitor: it counts the ES6 constructs of n, and the
// helpers their transform needs, by node kind.
func (c *es6Counter) Enter(n pjs.INode) pjs.IVisitor {
	switch x := n.(type) {
	case *pjs.FuncDecl:
		c.funcs++
		c.checkWorklet(&x.Body, x, c.propFns[x])
		c.asyncFunc(x.Async)
	case *pjs.ArrowFunc:
		c.arrow++
		c.checkWorklet(&x.Body, x, c.propFns[x])
		c.es6 = true
		c.asyncFunc(x.Async)
	case *pjs.MethodDecl:
		c.checkWorklet(&x.Body, x, true)
		c.asyncFunc(x.Async)
		c.es6 = true
	case *pjs.UnaryExpr:
		if x.Op == pjs.AwaitToken {
			c.await++
		}
	case *pjs.TemplateExpr:
		if len(x.List) > 0 {
			c.template += len(x.List)
			c.es6 = true
		}
	case *pjs.ClassDecl:
		c.classDecl(x)
	case *pjs.Params:
		c.params(x)
	case *pjs.Property:
		markPropFn(&c.propFns, x)
		c.spreadOf(x.Spread, helpersObjectSpread)
	case *pjs.Element:
		c.spreadOf(x.Spread, helpersArraySpread)
	case *pjs.ForOfStmt:
		c.forOf++
		c.es6 = true
		c.need(helpersForOf...)
	case *pjs.ExportStmt:
		c.exportStmt(x)
	case *pjs.ImportStmt:
		c.importStmt(x)
	case *pjs.VarDecl:
		if x.TokenType != pjs.VarToken {
			c.constLet++
			c.es6 = true
		}
	case *pjs.BindingObject:
		c.bindingObject(x)
	case *pjs.BindingArray:
		c.bindingArray(x)
	}
	return c
}

// asyncFunc counts an async function (of any kind) and its helpers.
func (c *es6Counter) asyncFunc(async bool) {
	if !async {
		return
	}
	c.async++
	c.es6 = true
	c.need(helpersAsync...)
}

// classDecl counts a class, its extends clause and their helpers (a native
// superclass needs helpers of its own).
func (c *es6Counter) classDecl(x *pjs.ClassDecl) {
	c.class++
	c.es6 = true
	c.need(helpersClass...)
	if x.Extends == nil {
		return
	}
	c.extends++
	c.need(helpersExtends...)
	if v, ok := x.Extends.(*pjs.Var); ok && nativeClasses[string(v.Data)] {
		c.need(helpersNativeSuper...)
	}
}

// params counts a parameter list's default values and rest parameter.
func (c *es6Counter) params(x *pjs.Params) {
	for _, b := range x.List {
		if b.Default != nil {
			c.defaults++
			c.es6 = true
		}
	}
	if x.Rest != nil {
		c.rest++
		c.es6 = true
	}
}

// spreadOf counts a spread property or element, which needs helpers.
func (c *es6Counter) spreadOf(spread bool, helpers []string) {
	if !spread {
		return
	}
	c.spread++
	c.es6 = true
	c.need(helpers...)
}

// exportStmt counts `export * from`.
func (c *es6Counter) exportStmt(x *pjs.ExportStmt) {
	if x.Module != nil && len(x.List) == 1 && len(x.List[0].Name) == 0 && string(x.List[0].Binding) == "*" {
		c.exportAll++
		c.es6 = true
	}
}

// importStmt notes an import and the interop helpers of its default and
// namespace imports.
func (c *es6Counter) importStmt(x *pjs.ImportStmt) {
	c.es6 = true
	if x.Default != nil {
		c.need("interopRequireDefault")
	}
	for _, a := range x.List {
		if string(a.Name) == "*" {
			c.need("interopRequireWildcard", "typeof")
		}
	}
}

// bindingObject counts an object destructuring, its default values and
// its rest element.
func (c *es6Counter) bindingObject(x *pjs.BindingObject) {
	c.destruct++
	c.es6 = true
	for _, it := range x.List {
		if it.Value.Default != nil {
			c.defaults++
		}
	}
	if x.Rest != nil {
		c.rest++
		c.need(helpersObjectRest...)
	}
}

// bindingArray counts an array destructuring and its default values.
func (c *es6Counter) bindingArray(x *pjs.BindingArray) {
	c.destruct++
	c.es6 = true
	c.need(helpersArrayDestructure...)
	for _, it := range x.List {
		if it.Default != nil {
			c.defaults++
		}
	}
}

func (c *es6Counter) Exit(pjs.INode) {}

// checkWorklet adds the cost of a worklet function (see workletCost).
func (c *es6Counter) checkWorklet(body *pjs.BlockStmt, fn interface{ JS(io.Writer) }, prop bool) {
	if !isWorklet(body) {
		return
	}
	c.worklet += workletCost(body, fn, prop)
	c.worklets++
	c.es6 = true
}

// isWorklet reports whether a function body begins with the 'worklet'
// directive.
func isWorklet(body *pjs.BlockStmt) bool {
	if len(body.List) == 0 {
		return false
	}
	var v string
	switch d := body.List[0].(type) {
	case *pjs.DirectivePrologueStmt:
		v = string(d.Value)
	case *pjs.ExprStmt:
		if lit, ok := d.Value.(*pjs.LiteralExpr); ok && lit.TokenType == pjs.StringToken {
			v = string(lit.Data)
		}
	}
	return v == `'worklet'` || v == `"worklet"`
}

// workletCost is what WeChat's worklet transform (miniprogram-ci 2.1.42,
// dist/utils/babel_plugin_worklet.js, read and checked on its output) adds
// for one worklet function, beyond the function itself:
//   - the function's text again, as the asString source, plus the metadata
//     (_closure, __workletHash, __location, __worklet) and the captured
//     variables (closureBytes);
//   - the transformed form of every worklet nested in it: the transform
//     runs inner functions first, so the outer asString holds the inner
//     worklets' own asString and metadata (workletNested);
//   - for a worklet that is an object property or method (a Component's
//     methods: `handlePan(e){'worklet';…}`), a second copy of the whole
//     function, nested worklets included, as
//     `_<name>_worklet_factory_:function(){var t=this,a=…;return a}`, and
//     the asString and metadata belong to that copy (the method itself
//     stays, with its nested worklets transformed).
func workletCost(body *pjs.BlockStmt, fn interface{ JS(io.Writer) }, prop bool) int64 {
	text, short := workletText(fn, prop)
	nested := workletNested(body)
	n := text + es5Worklet + closureBytes(body) + nested
	if prop {
		n += short + nested + es5WorkletFactory
	}
	return n
}

// workletText returns the length of a worklet function printed compactly
// with its names kept (the asString Babel prints with compact: true) and
// minified (the factory's copy under `minified`). fn.JS alone pretty-prints
// with indentation, which read a nested method 40% long.
func workletText(fn interface{ JS(io.Writer) }, prop bool) (text, short int64) {
	var b bytes.Buffer
	open, closing := "(", ")"
	if _, ok := fn.(*pjs.MethodDecl); ok {
		open, closing = "({", "})"
	}
	b.WriteString(open)
	fn.JS(&b)
	b.WriteString(closing)
	src := b.Bytes()
	wrap := int64(len(open) + len(closing))
	pretty := int64(len(src)) - wrap
	m := minify.New()
	var kept, renamed bytes.Buffer
	if (&js.Minifier{KeepVarNames: true}).Minify(m, &kept, bytes.NewReader(src), nil) != nil {
		return pretty, pretty
	}
	text = max(int64(kept.Len())-wrap, 0)
	if !prop {
		return text, text
	}
	if (&js.Minifier{}).Minify(m, &renamed, bytes.NewReader(src), nil) != nil {
		return text, text
	}
	return text, max(int64(renamed.Len())-wrap, 0)
}

// workletNested sums workletCost over the worklets directly nested in
// body (each one's own nested worklets are in its cost).
func workletNested(body *pjs.BlockStmt) int64 {
	v := &nestedWorklets{}
	for _, st := range body.List {
		pjs.Walk(v, st)
	}
	return v.n
}

type nestedWorklets struct {
	n       int64
	propFns map[pjs.INode]bool
}

func (v *nestedWorklets) Enter(n pjs.INode) pjs.IVisitor {
	var body *pjs.BlockStmt
	var fn interface{ JS(io.Writer) }
	prop := false
	switch x := n.(type) {
	case *pjs.Property:
		markPropFn(&v.propFns, x)
		return v
	case *pjs.FuncDecl:
		body, fn, prop = &x.Body, x, v.propFns[x]
	case *pjs.ArrowFunc:
		body, fn, prop = &x.Body, x, v.propFns[x]
	case *pjs.MethodDecl:
		body, fn, prop = &x.Body, x, true
	default:
		return v
	}
	if !isWorklet(body) {
		return v
	}
	v.n += workletCost(body, fn, prop)
	return nil // its own nested worklets are in its cost
}

func (v *nestedWorklets) Exit(pjs.INode) {}

// markPropFn records a property's value when it is a function.
func markPropFn(m *map[pjs.INode]bool, p *pjs.Property) {
	switch p.Value.(type) {
	case *pjs.FuncDecl, *pjs.ArrowFunc:
		if *m == nil {
			*m = map[pjs.INode]bool{}
		}
		(*m)[p.Value] = true
	}
}

// closureBytes is what a worklet's captured variables add: each appears in
// its _closure object (name:value) and in the destructuring that asString
// begins with; each property of `this` it reads is captured as
// _this:{prop:…}.
func closureBytes(body *pjs.BlockStmt) int64 {
	var n int64
	for _, v := range body.Scope.Undeclared {
		r := v
		for i := 0; r.Link != nil && i < 64; i++ {
			r = r.Link
		}
		if r.Decl == pjs.NoDecl {
			continue // a global: not captured
		}
		n += int64(3*len(v.Data) + 3)
	}
	t := &thisProps{seen: map[string]bool{}}
	pjs.Walk(t, body)
	if len(t.seen) > 0 {
		n += 16
		for p := range t.seen {
			n += int64(2*len(p) + 4)
		}
	}
	return n
}

// thisProps collects the properties read from `this` (this.x).
type thisProps struct{ seen map[string]bool }

func (t *thisProps) Enter(n pjs.INode) pjs.IVisitor {
	if d, ok := n.(*pjs.DotExpr); ok {
		if l, ok := d.X.(*pjs.LiteralExpr); ok && l.TokenType == pjs.ThisToken {
			if y, ok := d.Y.(*pjs.LiteralExpr); ok {
				t.seen[string(y.Data)] = true
			}
		}
	}
	return t
}

func (t *thisProps) Exit(pjs.INode) {}

// swcPretty is the estimated size of SWC's output for js when WeChat
// compiles scripts with SWC (Setting.SWC) without es6 and minification:
// SWC compresses (statements joined by commas, comments dropped) and
// prints with four-space indentation after "use strict";. esbuild's
// syntax minification with pretty-printing does the same joins; its
// two-space indentation is doubled.
func swcPretty(js []byte) (int64, error) {
	r := api.Transform(string(js), api.TransformOptions{Loader: api.LoaderJS, Target: api.ESNext, MinifySyntax: true})
	if len(r.Errors) > 0 {
		return 0, fmt.Errorf("%w: %s", errTranspile, r.Errors[0].Text)
	}
	n := int64(len(r.Code))
	for line := range bytes.Lines(r.Code) {
		n += int64(len(line) - len(bytes.TrimLeft(line, " ")))
	}
	if !bytes.HasPrefix(r.Code, []byte(`"use strict"`)) {
		n += int64(len(`"use strict";` + "\n"))
	}
	return n + swcModuleBytes(r.Code), nil
}

var (
	swcExportDecl = regexp.MustCompile(`(?m)^export (?:default )?(?:async )?(?:function\*?|class|const|let|var) ([\w$]+)`)
	swcExportList = regexp.MustCompile(`(?m)^export \{([^}]*)\}`)
	swcImport     = regexp.MustCompile(`(?m)^import .*$`)
)

// swcModuleBytes is what SWC's CommonJS transform adds to an ES module
// (read in WeChat's output of the swc-typescript fixture): the __esModule
// marker (65 bytes), for exports a getter object and a defineProperty loop
// (172 bytes plus 2 × name + 37 per export), for each import line about
// ten bytes more (`(0, _m.name)(…)` at its uses).
func swcModuleBytes(js []byte) int64 {
	var names []string
	for _, m := range swcExportDecl.FindAllSubmatch(js, -1) {
		names = append(names, string(m[1]))
	}
	for _, m := range swcExportList.FindAllSubmatch(js, -1) {
		for _, part := range strings.Split(string(m[1]), ",") {
			if f := strings.Fields(part); len(f) > 0 {
				names = append(names, f[len(f)-1])
			}
		}
	}
	imports := len(swcImport.FindAll(js, -1))
	if len(names) == 0 && imports == 0 {
		return 0
	}
	n := int64(65 + 10*imports)
	if len(names) > 0 {
		n += 172
		for _, name := range names {
			n += int64(2*len(name) + 37 - len("export "))
		}
	}
	return n
}
