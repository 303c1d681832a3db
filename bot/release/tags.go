package release

import (
	"errors"
	"fmt"
	"strings"
)

// ErrTagTemplate: a tag template without exactly one {version}.
var ErrTagTemplate = errors.New("invalid tag template")

// TagTemplate is a module's tag template with {module} substituted: tags are
// Prefix + version + Suffix.
type TagTemplate struct {
	Prefix, Suffix string
}

// ParseTagTemplate substitutes {module} in template and splits it at its one
// {version}: "{module}@v{version}" → "payment@v" + version; Go style
// "packagePay/v{version}" or "{module}/v{version}" → "packagePay/v" + version.
func ParseTagTemplate(template, module string) (TagTemplate, error) {
	t := strings.ReplaceAll(template, "{module}", module)
	pre, suf, ok := strings.Cut(t, "{version}")
	if !ok || strings.Contains(suf, "{version}") {
		return TagTemplate{}, fmt.Errorf("%w %q: want exactly one {version}", ErrTagTemplate, template)
	}
	if strings.ContainsAny(pre+suf, "{} \t\n~^:?*[\\") {
		return TagTemplate{}, fmt.Errorf("%w %q: only {module} and {version} may be used, and no spaces or ~^:?*[\\", ErrTagTemplate, template)
	}
	return TagTemplate{Prefix: pre, Suffix: suf}, nil
}

// Tag names the tag of version v.
func (t TagTemplate) Tag(v Version) string { return t.Prefix + v.String() + t.Suffix }

// Version reads the version of a tag, false when the tag is not of this
// template or its version is not strict semver.
func (t TagTemplate) Version(tag string) (Version, bool) {
	rest, ok := strings.CutPrefix(tag, t.Prefix)
	if !ok {
		return Version{}, false
	}
	rest, ok = strings.CutSuffix(rest, t.Suffix)
	if !ok {
		return Version{}, false
	}
	v, err := ParseVersion(rest)
	if err != nil {
		return Version{}, false
	}
	return v, true
}

// Latest picks the highest version among tags of this template; ok is false
// when none matches.
func (t TagTemplate) Latest(tags []string) (tag string, v Version, ok bool) {
	for _, name := range tags {
		tv, match := t.Version(name)
		if !match {
			continue
		}
		if !ok || tv.Compare(v) > 0 {
			tag, v, ok = name, tv, true
		}
	}
	return tag, v, ok
}
