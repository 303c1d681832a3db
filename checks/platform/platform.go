// Package platform holds what mpgate knows of each mini-program platform: file
// extensions, manifest spelling, the files the platform uploads and its default
// limits. Sources: docs/platforms.md.
package platform

import "strings"

// ID names a platform.
type ID string

// Platforms.
const (
	WeChat ID = "wechat"
	Alipay ID = "alipay"
	Douyin ID = "douyin"
	Baidu  ID = "baidu"
	QQ     ID = "qq"
)

// MB is 1024*1024 bytes: the platforms' "2 MB" is 2048 KB of 1024 bytes.
const MB = 1 << 20

// Platform describes one platform.
type Platform struct {
	ID ID
	// ProjectConfig is the project settings file beside the manifest's root
	// (project.config.json, mini.project.json, project.swan.json).
	ProjectConfig string
	// Template, Style and ScriptModule are the extensions (with the dot) of
	// the platform's template, style and script-module files.
	Template     string
	Style        string
	ScriptModule string
	// ScriptModuleTags are the template tags that load a script module
	// ("wxs" on WeChat, "import-sjs" on Alipay, "sjs" on Douyin, "import-sjs"
	// and the older "filter" on Baidu, "qs" and "wxs" on QQ).
	ScriptModuleTags []string
	// ScriptModuleSrcAttr maps each tag of ScriptModuleTags to the attribute
	// holding the module's path ("src"; Alipay's import-sjs uses "from").
	ScriptModuleSrcAttr map[string]string
	// ScriptModuleExts are every extension a script module may have, the
	// canonical one first (QQ also accepts .wxs; Baidu filters are .filter.js).
	ScriptModuleExts []string
	// SubpackagesKeys are the manifest keys accepted for subpackages, the
	// canonical spelling first. Alipay and Baidu accept only "subPackages".
	SubpackagesKeys []string
	// TabBarListKey is the key of the tabBar's page list ("list", Alipay "items").
	TabBarListKey string
	// UploadExts lists the extensions (without the dot, lower case) of the
	// files the platform uploads.
	UploadExts map[string]bool
	// AlwaysExcluded are path segments the platform never uploads.
	AlwaysExcluded []string
	// Defaults are the default limits in bytes.
	Limits Limits
	// AsyncComponents: cross-package components with a componentPlaceholder
	// are allowed (WeChat, Alipay, QQ). Douyin allows them only into packages
	// marked common.
	AsyncComponents bool
	// AsyncOnlyIntoCommon: async references may only target subpackages
	// flagged "common": true (Douyin).
	AsyncOnlyIntoCommon bool
	// PreloadNeedsName: a subpackage referenced from preloadRule must declare
	// a name (QQ).
	PreloadNeedsName bool
	// StyleLocalFiles: the platform loads package files named by url() in a
	// style (Alipay: "/"-absolute paths; Baidu: relative paths, and its
	// compiler fails on a missing one). WeChat and QQ load none (network
	// and base64 only); Douyin documents nothing, so it is treated like
	// WeChat (a missing file is a warning, never an error). See
	// docs/platforms.md, "Local files in styles".
	StyleLocalFiles bool
}

// Limits in bytes; Warn is a share in percent.
type Limits struct {
	Package     int64
	MainPackage int64
	Total       int64
	Preload     int64
	Warn        float64
}

// uploadExts is WeChat's upload list (structure.md): compiled code plus the
// listed suffixes. The other platforms use the same list with their own
// template, style and script-module extensions.
var commonExts = []string{"js", "json", "png", "jpg", "jpeg", "gif", "svg", "webp",
	"cer", "mp3", "aac", "m4a", "mp4", "wav", "ogg", "silk", "wasm", "br", "cert"}

func exts(own ...string) map[string]bool {
	m := make(map[string]bool, len(commonExts)+len(own))
	for _, e := range commonExts {
		m[e] = true
	}
	for _, e := range own {
		m[strings.TrimPrefix(e, ".")] = true
	}
	return m
}

var platforms = map[ID]*Platform{
	WeChat: {
		ID: WeChat, ProjectConfig: "project.config.json",
		Template: ".wxml", Style: ".wxss", ScriptModule: ".wxs", ScriptModuleTags: []string{"wxs"},
		ScriptModuleSrcAttr: map[string]string{"wxs": "src"}, ScriptModuleExts: []string{".wxs"},
		SubpackagesKeys: []string{"subPackages", "subpackages"}, TabBarListKey: "list",
		UploadExts:      exts("wxml", "wxss", "wxs"),
		AlwaysExcluded:  []string{"node_modules", ".git", ".svn", ".DS_Store"},
		Limits:          Limits{Package: 2 * MB, MainPackage: 2 * MB, Total: 30 * MB, Preload: 2 * MB, Warn: 90},
		AsyncComponents: true,
	},
	QQ: {
		ID: QQ, ProjectConfig: "project.config.json",
		Template: ".qml", Style: ".qss", ScriptModule: ".qs", ScriptModuleTags: []string{"qs", "wxs"},
		ScriptModuleSrcAttr: map[string]string{"qs": "src", "wxs": "src"}, ScriptModuleExts: []string{".qs", ".wxs"},
		SubpackagesKeys: []string{"subpackages", "subPackages"}, TabBarListKey: "list",
		UploadExts:      exts("qml", "qss", "qs", "wxs"),
		AlwaysExcluded:  []string{"node_modules", ".git", ".svn", ".DS_Store"},
		Limits:          Limits{Package: 2 * MB, MainPackage: 2 * MB, Total: 24 * MB, Preload: 2 * MB, Warn: 90},
		AsyncComponents: true, PreloadNeedsName: true,
	},
	Douyin: {
		ID: Douyin, ProjectConfig: "project.config.json",
		Template: ".ttml", Style: ".ttss", ScriptModule: ".sjs", ScriptModuleTags: []string{"sjs"},
		ScriptModuleSrcAttr: map[string]string{"sjs": "src"}, ScriptModuleExts: []string{".sjs"},
		SubpackagesKeys: []string{"subpackages", "subPackages"}, TabBarListKey: "list",
		UploadExts:      exts("ttml", "ttss", "sjs"),
		AlwaysExcluded:  []string{"node_modules", ".git", ".svn", ".DS_Store"},
		Limits:          Limits{Package: 2 * MB, MainPackage: 4 * MB, Total: 16 * MB, Preload: 2 * MB, Warn: 90},
		AsyncComponents: true, AsyncOnlyIntoCommon: true,
	},
	Alipay: {
		ID: Alipay, ProjectConfig: "mini.project.json",
		Template: ".axml", Style: ".acss", ScriptModule: ".sjs", ScriptModuleTags: []string{"import-sjs"},
		ScriptModuleSrcAttr: map[string]string{"import-sjs": "from"}, ScriptModuleExts: []string{".sjs"},
		SubpackagesKeys: []string{"subPackages"}, TabBarListKey: "items",
		UploadExts:      exts("axml", "acss", "sjs"),
		AlwaysExcluded:  []string{"node_modules", ".git", ".svn", ".DS_Store"},
		Limits:          Limits{Package: 2 * MB, MainPackage: 2 * MB, Total: 8 * MB, Preload: 2 * MB, Warn: 90},
		AsyncComponents: true, StyleLocalFiles: true,
	},
	Baidu: {
		ID: Baidu, ProjectConfig: "project.swan.json", StyleLocalFiles: true,
		Template: ".swan", Style: ".css", ScriptModule: ".sjs", ScriptModuleTags: []string{"import-sjs", "filter"},
		ScriptModuleSrcAttr: map[string]string{"import-sjs": "src", "filter": "src"}, ScriptModuleExts: []string{".sjs", ".filter.js"},
		SubpackagesKeys: []string{"subPackages"}, TabBarListKey: "list",
		UploadExts:     exts("swan", "css", "sjs"),
		AlwaysExcluded: []string{"node_modules", ".git", ".svn", ".DS_Store"},
		Limits:         Limits{Package: 2 * MB, MainPackage: 2 * MB, Total: 8 * MB, Preload: 2 * MB, Warn: 90},
	},
}

// Name is the platform's name as people write it ("WeChat", "Douyin").
func (id ID) Name() string {
	switch id {
	case WeChat:
		return "WeChat"
	case Alipay:
		return "Alipay"
	case Douyin:
		return "Douyin"
	case Baidu:
		return "Baidu"
	case QQ:
		return "QQ"
	}
	return string(id)
}

// Get returns the platform with the given id.
func Get(id ID) (*Platform, bool) {
	p, ok := platforms[id]
	return p, ok
}

// All returns every platform, WeChat first.
func All() []*Platform {
	return []*Platform{platforms[WeChat], platforms[Alipay], platforms[Douyin], platforms[Baidu], platforms[QQ]}
}

// Uploads reports whether a file with this path is of a type the platform
// uploads (by extension only; ignore rules are applied elsewhere).
func (p *Platform) Uploads(path string) bool {
	i := strings.LastIndexByte(path, '.')
	if i < 0 || strings.LastIndexByte(path, '/') > i {
		return false
	}
	return p.UploadExts[strings.ToLower(path[i+1:])]
}
