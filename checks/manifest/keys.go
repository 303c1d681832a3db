package manifest

import (
	"maps"
	"slices"
	"strings"

	"github.com/mpgate/mpgate/checks/platform"
)

// Known top-level app.json keys. Sources (docs/platforms.md has the links):
// WeChat — miniprogram-ci's schema (dist/schema/dist/app.js) and the app
// configuration reference; Douyin — the "全局配置" page; Alipay — the
// AlipayDocs app.json page; Baidu — the smartprogram app.json page; QQ — a
// WeChat clone whose docs list the same keys.
var wechatAppKeys = []string{
	// miniprogram-ci schema, in its order
	"pages", "static", "mini-ios", "mini-android", "mini-weixin", "window", "plugins", "entryPagePath",
	"permission", "workers", "agent", "subPackages", "subpackages", "chatTools", "preloadRule",
	"usingComponents", "componentPlaceholder", "tabBar", "appBar", "requiredBackgroundModes",
	"mimeTypeDeclarations", "networkTimeout", "debug", "resizable", "displayMode", "frameset",
	"functionalPages", "cloud", "cloudVersion", "cloudConfig", "openDataContext", "openLocationPagePath",
	"sitemapLocation", "serviceProviderTicket", "style", "useExtendedLib", "entranceDeclare", "darkmode",
	"themeLocation", "theme", "singlePage", "lazyCodeLoading", "lazyCodeLoadingLegacy",
	"enablePassiveEvent", "requireBackgroundModes", "embeddedAppIdList", "renderer", "resolveAlias",
	"debugOptions", "halfPage", "requiredPrivateInfos", "rendererOptions", "componentFramework",
	"accountCardPackage", "xrEntryPagePath", "miniApp", "__usePrivacyCheck__",
	"keepContextPageInCycleJump",
	// documented on the configuration page, not (yet) in the ci schema
	"navigateToMiniProgramAppIdList", "supportedMaterials", "convertRpxToVw", "usePrivacyCheck",
	"$schema",
	// used by WeChat's own miniprogram-demo (2026)
	"__lazyCodeLoadingChunk", "multiSelectSupportedMaterials",
}

var douyinAppKeys = []string{
	"component2", "cookie", "skeleton", "referrerPolicy", "usePrivacyCheck", "prefetches",
	"prefetchRules", "ttPlugins", "publishVideoHookPrior", "allowsBounceVertical",
}

var alipayAppKeys = []string{
	"entryPagePath", "pages", "window", "tabBar", "subPackages", "preloadRule", "plugins",
	"useDynamicPlugins", "usingComponents", "lazyCodeLoading", "permission", "behavior", "workers",
	"loadingPages", "requirePolyfill", "subPackageBuildType", "networkTimeout", "debug",
	"sitemapLocation", "$schema",
}

var baiduAppKeys = []string{
	"pages", "subPackages", "window", "preloadRule", "tabBar", "networkTimeout", "debug",
	"requiredBackgroundModes", "routes", "dynamicLib", "prefetches", "usingComponents", "permission",
	"plugins", "entryPagePath", "$schema",
}

// Known subpackage item keys.
var (
	wechatSubKeys = []string{"root", "name", "pages", "independent", "entry", "plugins", "useExtendedLib",
		"componentFramework", "renderer"}
	qqSubKeys     = []string{"root", "name", "pages", "independent", "plugins"}
	douyinSubKeys = []string{"root", "name", "pages", "independent", "common"}
	alipaySubKeys = []string{"root", "name", "pages", "independent"}
	baiduSubKeys  = []string{"root", "name", "pages", "independent"}
)

func set(lists ...[]string) map[string]bool {
	m := map[string]bool{}
	for _, l := range lists {
		for _, k := range l {
			m[k] = true
		}
	}
	return m
}

var (
	appKeys = map[platform.ID]map[string]bool{
		platform.WeChat: set(wechatAppKeys),
		platform.QQ:     set(wechatAppKeys),
		platform.Douyin: set(wechatAppKeys, douyinAppKeys),
		platform.Alipay: set(alipayAppKeys),
		platform.Baidu:  set(baiduAppKeys),
	}
	subKeys = map[platform.ID]map[string]bool{
		platform.WeChat: set(wechatSubKeys),
		platform.QQ:     set(qqSubKeys),
		platform.Douyin: set(douyinSubKeys),
		platform.Alipay: set(alipaySubKeys),
		platform.Baidu:  set(baiduSubKeys),
	}
)

// KnownAppKeys returns the top-level app.json keys mpgate knows for the
// platform, as a set. It is exported for docs and tests.
func KnownAppKeys(id platform.ID) map[string]bool { return appKeys[id] }

// suggest returns the known key that key most likely misspells, or "".
// Keys equal up to case, within one edit for keys of four letters, or within
// two edits for longer keys count as misspellings.
func suggest(key string, known map[string]bool, prefer []string) string {
	lk := strings.ToLower(key)
	best, bestD := "", 3
	try := func(k string) {
		if k == key {
			return
		}
		if strings.ToLower(k) == lk {
			if bestD > 0 {
				best, bestD = k, 0
			}
			return
		}
		short := min(len(key), len(k))
		if short < 4 {
			return
		}
		d := editDistance(lk, strings.ToLower(k), 3)
		if short < 5 && d > 1 {
			return
		}
		if d < bestD {
			best, bestD = k, d
		}
	}
	for _, k := range prefer {
		try(k)
	}
	for _, k := range slices.Sorted(maps.Keys(known)) {
		if bestD == 0 {
			break
		}
		try(k)
	}
	if bestD > 2 {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, or limit when it is
// at least limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}
