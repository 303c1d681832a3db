package checks

import "fmt"

// Rule IDs. They are stable: outside checks match on them.
const (
	MP101 = "MP101" // manifest missing, unreadable or invalid JSON
	MP102 = "MP102" // declared page without script or template
	MP103 = "MP103" // page, subpackage root or name declared twice
	MP104 = "MP104" // subpackage root inside another
	MP105 = "MP105" // main-package page under a subpackage root
	MP106 = "MP106" // tabBar page not in the main package
	MP107 = "MP107" // preloadRule key not a page
	MP108 = "MP108" // preloadRule package unknown
	MP109 = "MP109" // entryPagePath not a page
	MP110 = "MP110" // subpackage root missing or without a pages list
	MP111 = "MP111" // unknown or misspelled manifest key
	MP112 = "MP112" // symlink leading out of the root
	MP113 = "MP113" // file or directory cannot be read
	MP114 = "MP114" // page/component JSON invalid

	MP201 = "MP201" // subpackage requires another subpackage's JS synchronously
	MP202 = "MP202" // main package requires subpackage JS synchronously
	MP203 = "MP203" // independent subpackage uses a file outside itself
	MP204 = "MP204" // component of another package without placeholder
	MP205 = "MP205" // template/style/wxs reaching into a forbidden package
	MP206 = "MP206" // resource of another package
	MP207 = "MP207" // App() outside the app script's load
	MP208 = "MP208" // getApp() in independent subpackage without allowDefault
	MP209 = "MP209" // plugins in an independent subpackage
	MP210 = "MP210" // reference that resolves to no file
	MP211 = "MP211" // bad componentPlaceholder
	MP212 = "MP212" // non-literal reference, not followed
	MP213 = "MP213" // file could not be parsed; its references may be incomplete
	MP214 = "MP214" // style url() names a missing local file on a platform that loads none from styles
	MP215 = "MP215" // npm package required but not built into miniprogram_npm (Alipay: not installed)

	MP301 = "MP301" // package over its limit
	MP302 = "MP302" // program over the total limit
	MP303 = "MP303" // preload budget exceeded
	MP304 = "MP304" // package over the warning share
	MP305 = "MP305" // unreferenced files
	MP306 = "MP306" // identical files in several packages
	MP307 = "MP307" // main-package files used by one subpackage only

	MP401 = "MP401" // module uses a module its boundaries forbid
	MP402 = "MP402" // modules use each other in a cycle
	MP403 = "MP403" // use of a file that is not one of a module's public entries
	MP404 = "MP404" // platform API called outside the adapter layer

	GateSize      = "GATE-SIZE"
	GateCov       = "GATE-COV"
	GatePatch     = "GATE-PATCH"
	GateLint      = "GATE-LINT"
	GateChangelog = "GATE-CHANGELOG"
	GateAPI       = "GATE-API"
)

// RuleInfo describes a rule for docs and renderers.
type RuleInfo struct {
	ID       string
	Severity Severity
	Title    string
}

// Catalog lists every rule, in ID order. docs/rules.md is checked against it.
var Catalog = []RuleInfo{
	{MP101, SeverityError, "app.json (or the platform's manifest) missing, unreadable or invalid JSON"},
	{MP102, SeverityError, "a declared page (or tabBar.custom's custom-tab-bar/index) has no script or no template file"},
	{MP103, SeverityError, "a page, subpackage root or subpackage name declared twice"},
	{MP104, SeverityError, "a subpackage root lies inside (or equals) another subpackage's root"},
	{MP105, SeverityError, "a main-package page lies under a subpackage root"},
	{MP106, SeverityError, "a tabBar page is not a main-package page"},
	{MP107, SeverityError, "a preloadRule key is not a declared page"},
	{MP108, SeverityError, "a preloadRule package is neither a root, a name nor __APP__"},
	{MP109, SeverityError, "entryPagePath is not a declared page"},
	{MP110, SeverityError, "a subpackage root directory is missing, or a subpackage has no pages list"},
	{MP111, SeverityWarning, "unknown or wrongly spelled manifest key"},
	{MP112, SeverityWarning, "a symlink leads out of the mini-program root (not followed)"},
	{MP113, SeverityError, "a file or directory cannot be read"},
	{MP114, SeverityError, "a page or component JSON file is invalid"},
	{MP201, SeverityError, "a subpackage synchronously requires JS of another subpackage"},
	{MP202, SeverityError, "the main package synchronously requires JS of a subpackage"},
	{MP203, SeverityError, "an independent subpackage uses a file outside itself"},
	{MP204, SeverityError, "a component from another package without a componentPlaceholder for it"},
	{MP205, SeverityError, "a template import/include, style @import or wxs/sjs reaches into a package the file may not use"},
	{MP206, SeverityError, "a resource (image, media) of another subpackage, or of a subpackage used from the main package"},
	{MP207, SeverityError, "App() called in a script the app script does not load synchronously"},
	{MP208, SeverityWarning, "getApp() in an independent subpackage without {allowDefault: true}"},
	{MP209, SeverityWarning, "plugins declared in an independent subpackage"},
	{MP210, SeverityError, "a reference resolves to no file"},
	{MP211, SeverityError, "a componentPlaceholder entry for a tag not in usingComponents, or a placeholder that is itself unavailable"},
	{MP212, SeverityInfo, "a reference with a non-literal path (not followed)"},
	{MP213, SeverityWarning, "a file could not be parsed; its references may be incomplete"},
	{MP214, SeverityWarning, "a style url() names a local file that does not exist, on a platform that loads no local files from styles"},
	{MP215, SeverityError, "an npm package is required or used as a component but not built into miniprogram_npm (on Alipay: not installed in node_modules)"},
	{MP301, SeverityError, "a package over the single-package limit"},
	{MP302, SeverityError, "the whole program over the total limit"},
	{MP303, SeverityError, "the packages preloaded from the pages of one subpackage sum over the preload limit (a warning from main-package pages)"},
	{MP304, SeverityWarning, "a package over the warning share of its limit"},
	{MP305, SeverityInfo, "files reachable from no page, component, app script, worker or subpackage entry"},
	{MP306, SeverityInfo, "identical files in several packages"},
	{MP307, SeverityInfo, "main-package files used by one subpackage only"},
	{MP401, SeverityError, "a module uses a module that boundaries.layers or boundaries.rules forbid it"},
	{MP402, SeverityWarning, "modules use each other in a cycle (the shortest cycle is named)"},
	{MP403, SeverityError, "a module uses a file of another module that is not one of that module's public entries"},
	{MP404, SeverityError, "a platform API (wx, my, tt, swan, qq) is called outside the adapter files of boundaries.platform_api"},
}

// Rule returns the catalog entry for id.
func Rule(id string) (RuleInfo, bool) {
	for _, r := range Catalog {
		if r.ID == id {
			return r, true
		}
	}
	return RuleInfo{}, false
}

// New builds a diagnostic of rule id with the catalog's severity. It panics on
// an unknown id: that is a programming error caught by every test.
func New(id, file string, line, col int, message, hint string) Diagnostic {
	r, ok := Rule(id)
	if !ok {
		panic(fmt.Sprintf("checks: unknown rule %q", id))
	}
	return Diagnostic{Rule: id, Severity: r.Severity, File: file, Line: line, Column: col, Message: message, Hint: hint}
}
