package manifest

import (
	"fmt"
	"path"
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/platform"
)

// Project settings files.
const (
	ProjectConfig        = "project.config.json"         // WeChat, QQ, Douyin
	ProjectPrivateConfig = "project.private.config.json" // WeChat, Douyin: local overrides
	AlipayProjectConfig  = "mini.project.json"
	BaiduProjectConfig   = "project.swan.json"
)

// PackRuleTypes are the packOptions rule types WeChat and Douyin document.
var PackRuleTypes = []string{"folder", "file", "suffix", "prefix", "glob", "regexp"}

// ParseProject parses the project settings file of platform p: WeChat, QQ and
// Douyin project.config.json, Alipay mini.project.json, Baidu
// project.swan.json (which format is read follows the file's base name, else
// the platform). Invalid JSON is MP101, unknown packOptions rule types are
// MP111.
//
// Defaults when a key is absent, as miniprogram-ci applies them (its
// formatCISetting and PackOptionsHelper read the values with Boolean(), so
// absent is false): minified, minifyWXML, minifyWXSS, es6 and
// ignoreUploadUnusedFiles are all false; miniprogramRoot is the project
// directory. miniprogramRoot is normalised like miniprogram-ci's formatPath:
// "\" becomes "/", leading "/" and "./" and any "../" are dropped, no trailing "/".
func ParseProject(src []byte, file string, p *platform.Platform) (*Project, []checks.Diagnostic) {
	r := &reader{file: file, invalid: checks.MP101}
	root := r.parse(src)
	if root == nil {
		return nil, r.diags
	}
	if root.Kind != Object {
		r.add(checks.MP101, root.Pos, fmt.Sprintf("%s must hold a JSON object, not %s", path.Base(file), root.Kind), "write {} for an empty configuration")
		return nil, r.diags
	}
	// Measured with miniprogram-ci 2.1.42's getCompiledResult: a project
	// without ignoreUploadUnusedFiles uploads its unused files, as with an
	// explicit false (docs/platforms.md, docs/sizes.md).
	proj := &Project{File: file}
	r.dups(root, file)
	format := path.Base(file)
	if format != AlipayProjectConfig && format != BaiduProjectConfig && format != ProjectConfig && format != ProjectPrivateConfig && p != nil {
		format = p.ProjectConfig
	}
	for _, m := range root.Members {
		r.projectKey(proj, format, m)
		proj.Keys = append(proj.Keys, m.Key.Value)
	}
	return proj, r.diags
}

// projectKey reads one top-level key of a project file into proj; format
// is the file's (ProjectConfig, AlipayProjectConfig, BaiduProjectConfig…):
// each reads its own keys.
func (r *reader) projectKey(proj *Project, format string, m Member) {
	v := m.Value
	switch m.Key.Value {
	case "miniprogramRoot":
		if s, ok := r.str(v, m.Key.Value); ok {
			proj.MiniprogramRoot = normalizeProjectRoot(s.Value)
		}
	case "smartProgramRoot":
		if format == BaiduProjectConfig {
			if s, ok := r.str(v, m.Key.Value); ok {
				proj.MiniprogramRoot = normalizeProjectRoot(s.Value)
			}
		}
	case "appid", "qqappid":
		if v.Kind == String && (proj.AppID == "" || m.Key.Value == "appid") {
			proj.AppID = v.Str
		}
	case "compileType":
		if v.Kind == String {
			proj.CompileType = v.Str
		}
	case "projectname":
		if v.Kind == String {
			proj.ProjectName = v.Str
		}
	case "packOptions":
		if format != AlipayProjectConfig {
			r.packOptions(v, proj)
		}
	case "setting":
		if format != AlipayProjectConfig && r.object(v, "setting") {
			r.setting(v, &proj.Setting)
		}
	case "uploadExclude":
		if format == AlipayProjectConfig {
			proj.UploadExclude = values(r.strs(v, "uploadExclude"))
		}
	case "assetsInclude":
		if format == AlipayProjectConfig {
			proj.AssetsInclude = values(r.strs(v, "assetsInclude"))
		}
	case "compileOptions":
		if format == AlipayProjectConfig && r.object(v, "compileOptions") {
			r.alipayCompileOptions(v, proj)
		}
	}
}

// MergePrivate applies a WeChat/Douyin project.private.config.json over base.
// The DevTools let it override project.config.json, except for the settings
// that change the compiled product ("与最终编译产物相关的设置无法在
// project.private.config.json 中生效", projectconfig.md; miniprogram-ci's schema
// for the private file has none of them). So only packOptions is taken from
// it; a setting switch that changes the upload (minified, minifyWXML,
// minifyWXSS, es6, ignoreUploadUnusedFiles, useCompilerPlugins…) is an MP111
// warning saying it has no effect there. Invalid JSON is MP101.
func MergePrivate(base *Project, privateSrc []byte, file string) []checks.Diagnostic {
	r := &reader{file: file, invalid: checks.MP101}
	root := r.parse(privateSrc)
	if root == nil || base == nil {
		return r.diags
	}
	if root.Kind != Object {
		r.add(checks.MP101, root.Pos, fmt.Sprintf("%s must hold a JSON object, not %s", path.Base(file), root.Kind), "write {} for an empty configuration")
		return r.diags
	}
	r.dups(root, file)
	if v := root.Get("setting"); v != nil && r.object(v, "setting") {
		for _, m := range v.Members {
			if buildSettings[m.Key.Value] {
				r.add(checks.MP111, m.Key.Pos, fmt.Sprintf("setting.%s in %s does not change the build: the tools read it from %s only", m.Key.Value, path.Base(file), ProjectConfig),
					"move it to "+ProjectConfig)
			}
		}
	}
	if v := root.Get("packOptions"); v != nil {
		r.packOptions(v, base)
	}
	return r.diags
}

// buildSettings are the setting keys that change the compiled product:
// miniprogram-ci's CompileSettingsKeysInProjectConfig plus the upload and
// compiler-plugin switches, none of which its project.private.config.json
// schema allows.
var buildSettings = map[string]bool{
	"es6": true, "es7": true, "enhance": true, "minified": true, "minify": true, "codeProtect": true,
	"uglifyFileName": true, "postcss": true, "minifyJS": true, "minifyWXML": true, "minifyWXSS": true,
	"autoPrefixWXSS": true, "disableUseStrict": true, "compileWorklet": true,
	"ignoreUploadUnusedFiles": true, "useCompilerPlugins": true, "uploadWithSourceMap": true,
}

func values(s []Str) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = v.Value
	}
	return out
}

// normalizeProjectRoot follows miniprogram-ci's formatPath.
func normalizeProjectRoot(s string) string {
	s = strings.ReplaceAll(s, "\\", "/")
	s = strings.ReplaceAll(s, "../", "")
	return NormalizeRoot(s)
}

// setting reads the switches that are present in v into s.
func (r *reader) setting(v *Node, s *Setting) {
	r.dups(v, "setting")
	var swc, worklet bool
	var disableSWC *Node
	defer func() {
		switch {
		case worklet:
		case disableSWC == nil:
			s.SWC = swc
		case disableSWC.Kind == Null:
			s.SWC = s.ES6 || s.Enhance
		default:
			s.SWC = disableSWC.Kind == Bool && !disableSWC.Bool
		}
	}()
	for _, m := range v.Members {
		w := "setting." + m.Key.Value
		switch m.Key.Value {
		case "swc":
			swc = m.Value.Kind == Bool && m.Value.Bool
		case "disableSWC":
			disableSWC = m.Value
		case "compileWorklet":
			worklet = m.Value.Kind == Bool && m.Value.Bool
		case "minified":
			s.Minified = r.boolean(m.Value, w)
		case "minifyWXML":
			s.MinifyWXML = r.boolean(m.Value, w)
		case "minifyWXSS":
			s.MinifyWXSS = r.boolean(m.Value, w)
		case "ignoreUploadUnusedFiles":
			s.IgnoreUploadUnusedFiles = r.boolean(m.Value, w)
		case "es6":
			s.ES6 = r.boolean(m.Value, w)
		case "enhance":
			s.Enhance = r.boolean(m.Value, w)
		case "postcss":
			s.PostCSS = r.boolean(m.Value, w)
		case "useCompilerPlugins":
			// false or an array of "typescript", "less", "sass"
			if m.Value.Kind == Bool && !m.Value.Bool {
				s.UseCompilerPlugins = nil
				continue
			}
			s.UseCompilerPlugins = values(r.strs(m.Value, w))
		}
	}
}

func (r *reader) packOptions(v *Node, proj *Project) {
	if !r.object(v, "packOptions") {
		return
	}
	r.dups(v, "packOptions")
	if n := v.Get("ignore"); n != nil {
		proj.PackIgnore = r.packRules(n, "packOptions.ignore")
	}
	if n := v.Get("include"); n != nil {
		proj.PackInclude = r.packRules(n, "packOptions.include")
	}
}

func (r *reader) packRules(v *Node, what string) []PackRule {
	if v.Kind != Array {
		r.wrongType(v, what, "an array")
		return nil
	}
	var out []PackRule
	for i, it := range v.Items {
		w := fmt.Sprintf("%s[%d]", what, i)
		if !r.object(it, w) {
			continue
		}
		tn, vn := it.Get("type"), it.Get("value")
		if tn == nil || vn == nil {
			r.add(checks.MP101, it.Pos, w+` needs both "type" and "value"`, `write {"type": "folder", "value": "docs"}`)
			continue
		}
		t, ok1 := r.str(tn, w+".type")
		val, ok2 := r.str(vn, w+".value")
		if !ok1 || !ok2 {
			continue
		}
		known := false
		for _, k := range PackRuleTypes {
			if t.Value == k {
				known = true
			}
		}
		if !known {
			r.add(checks.MP111, t.Pos, fmt.Sprintf("%s: unknown rule type %q; the rule is ignored", w, t.Value),
				"use one of "+strings.Join(PackRuleTypes, ", "))
			continue
		}
		out = append(out, PackRule{Type: t.Value, Value: val.Value, Pos: it.Pos})
	}
	return out
}

func (r *reader) alipayCompileOptions(v *Node, proj *Project) {
	if n := v.Get("resolveAlias"); n != nil {
		proj.ResolveAlias = r.aliases(n, "compileOptions.resolveAlias")
	}
	for _, k := range []string{"typescript", "less"} {
		if n := v.Get(k); n != nil && n.Kind == Bool && n.Bool {
			proj.Setting.UseCompilerPlugins = append(proj.Setting.UseCompilerPlugins, k)
		}
	}
}
