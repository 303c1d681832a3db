// Package manifest reads a mini-program's configuration files: the app
// manifest (app.json on every platform), page and component JSON, and the
// project settings (project.config.json, mini.project.json, project.swan.json).
// Every value keeps its line and column so diagnostics point at it.
package manifest

// Pos is a 1-based line and column (in bytes) in a file.
type Pos struct {
	Line, Col int
}

// Str is a string value and where it stands.
type Str struct {
	Value string
	Pos   Pos
}

// App is a parsed app manifest. Paths are as written, except subpackage roots,
// which are normalised (no leading "./" or "/", no trailing "/").
type App struct {
	File  string // manifest path relative to the mini-program root ("app.json")
	Pages []Str
	// EntryPagePath is nil when not set.
	EntryPagePath *Str
	// SubpackagesKey is the key the manifest used ("subPackages" or
	// "subpackages"); empty when none.
	SubpackagesKey string
	Subpackages    []Subpackage
	Preload        []PreloadRule
	TabBarPages    []Str
	// TabBarCustom is tabBar.custom (the custom-tab-bar/index component is
	// loaded by convention); AppBar is set when appBar is declared
	// (app-bar/index). WeChat's analyser adds both as the app's components.
	TabBarCustom *Str
	AppBar       bool
	// UsingComponents are the global components.
	UsingComponents      []ComponentRef
	ComponentPlaceholder []Placeholder
	Plugins              []Plugin
	// Workers is nil when not set.
	Workers      *Workers
	ResolveAlias []Alias
	// UseExtendedLib names the extended libraries in use (e.g. "weui").
	UseExtendedLib []string
	// Keys lists every top-level key with its position (for MP111 and
	// diagnostics that point at a section).
	Keys []Str
	// SitemapLocation and ThemeLocation name JSON files the manifest
	// references (WeChat); nil when not set.
	SitemapLocation *Str
	ThemeLocation   *Str
	// LazyCodeLoading is the lazyCodeLoading value ("requiredComponents"), if any.
	LazyCodeLoading string
	// SubPackageBuildType is Alipay's top-level subPackageBuildType ("shared"), if any.
	SubPackageBuildType string
	// Tree is the parsed JSON, for checks that need keys this type does not model.
	Tree *Node
}

// Subpackage is one entry of subPackages.
type Subpackage struct {
	// Root is normalised: "packageA/" and "./packageA" are "packageA".
	Root Str
	// RawRoot is the root as written.
	RawRoot string
	// Name is the declared name (alias); nil when absent.
	Name  *Str
	Pages []Str // relative to Root, as written
	// PagesDeclared is true when the entry has a "pages" key (possibly an
	// empty list: a subpackage of async components or JS only).
	PagesDeclared bool
	Independent   bool
	// Common marks a Douyin async-referenceable common package.
	Common bool
	// Entry is relative to Root; nil when absent.
	Entry          *Str
	Plugins        []Plugin
	UseExtendedLib []string
	Pos            Pos // position of the entry's opening brace
}

// Page returns the path of one of the subpackage's pages relative to the
// mini-program root.
func (s *Subpackage) Page(i int) string {
	return joinRoot(s.Root.Value, s.Pages[i].Value)
}

// PreloadRule is one key of preloadRule.
type PreloadRule struct {
	Page     Str
	Packages []Str
	Network  string
}

// ComponentRef is one usingComponents entry.
type ComponentRef struct {
	Tag  Str
	Path Str
}

// Placeholder is one componentPlaceholder entry.
type Placeholder struct {
	Tag         Str
	Placeholder Str
}

// Plugin is one plugins entry.
type Plugin struct {
	Alias    Str
	Provider string
	Version  string
}

// Workers is the workers setting: a directory (WeChat, QQ, Douyin: a string or
// {path, isSubpackage}) or, on Alipay, a list of JS files.
type Workers struct {
	Path         Str
	IsSubpackage bool
	// Files are Alipay's worker scripts; empty elsewhere.
	Files []Str
}

// Alias is one resolveAlias rule; From and To end with "/*" when valid.
type Alias struct {
	From Str
	To   string
}

// Component is a parsed page or component JSON file.
type Component struct {
	File                 string
	Component            bool
	UsingComponents      []ComponentRef
	ComponentPlaceholder []Placeholder
	// Generics: componentGenerics default paths, which are component references too.
	Generics []ComponentRef
}

// Project holds the project settings that change what is uploaded and how.
type Project struct {
	File string
	// MiniprogramRoot is the mini-program root relative to the project
	// directory, normalised ("" = the project directory).
	MiniprogramRoot string
	// PackIgnore and PackInclude are WeChat/QQ/Douyin packOptions.
	PackIgnore  []PackRule
	PackInclude []PackRule
	// UploadExclude and AssetsInclude are Alipay's minimatch globs.
	UploadExclude []string
	AssetsInclude []string
	Setting       Setting
	// ResolveAlias from Alipay's compileOptions.
	ResolveAlias []Alias
	// AppID is the project's appid, if any (shown in reports, never required).
	AppID string
	// CompileType ("miniprogram", "plugin", ...) and ProjectName as written.
	CompileType string
	ProjectName string
	// Keys are the top-level keys in file order (platform detection uses them).
	Keys []string
}

// PackRule is one packOptions rule: Type is folder, file, suffix, prefix,
// glob or regexp; Value is relative to the mini-program root.
type PackRule struct {
	Type  string
	Value string
	Pos   Pos
}

// Setting holds the switches that change the uploaded bytes. An absent key is
// false, as in miniprogram-ci.
type Setting struct {
	Minified                bool // minify JS
	MinifyWXML              bool
	MinifyWXSS              bool
	IgnoreUploadUnusedFiles bool
	ES6                     bool
	// Enhance ("增强编译") runs the same ES5 step as ES6 in miniprogram-ci.
	Enhance bool
	// PostCSS ("样式自动补全") makes WeChat minify and prefix WXSS even
	// without minifyWXSS.
	PostCSS bool
	// UseCompilerPlugins lists "typescript", "less", "sass".
	UseCompilerPlugins []string
	// SWC: WeChat compiles scripts with SWC instead of Babel
	// (miniprogram-ci 2.1.42's couldUseSWCMode: no compileWorklet, and
	// disableSWC false, or swc true with disableSWC absent, or disableSWC
	// null with es6 or enhance).
	SWC bool `json:",omitempty"`
}
