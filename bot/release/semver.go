package release

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrVersion: a string that is not a strict Semantic Versioning 2.0.0
// version (no leading "v", no leading zeros in numeric identifiers).
var ErrVersion = errors.New("invalid semantic version")

// Version is a Semantic Versioning 2.0.0 version.
type Version struct {
	Major, Minor, Patch uint64
	// Pre are the dot-separated pre-release identifiers ("rc", "1").
	Pre []string
	// Build is the build metadata after "+", ignored in comparisons.
	Build string
}

// ParseVersion parses "1.2.3", "1.2.3-rc.1" or "1.2.3+build.5" strictly.
func ParseVersion(s string) (Version, error) {
	var v Version
	rest := s
	if i := strings.IndexByte(rest, '+'); i >= 0 {
		v.Build = rest[i+1:]
		rest = rest[:i]
		if err := checkIdents(v.Build, false); err != nil {
			return Version{}, fmt.Errorf("%w %q: build metadata: %w", ErrVersion, s, err)
		}
	}
	if i := strings.IndexByte(rest, '-'); i >= 0 {
		pre := rest[i+1:]
		rest = rest[:i]
		if err := checkIdents(pre, true); err != nil {
			return Version{}, fmt.Errorf("%w %q: pre-release: %w", ErrVersion, s, err)
		}
		v.Pre = strings.Split(pre, ".")
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 3 {
		return Version{}, fmt.Errorf("%w %q: want MAJOR.MINOR.PATCH", ErrVersion, s)
	}
	nums := [3]*uint64{&v.Major, &v.Minor, &v.Patch}
	for i, p := range parts {
		n, err := parseNumeric(p)
		if err != nil {
			return Version{}, fmt.Errorf("%w %q: %w", ErrVersion, s, err)
		}
		*nums[i] = n
	}
	return v, nil
}

func parseNumeric(p string) (uint64, error) {
	if p == "" {
		return 0, errors.New("empty number")
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return 0, fmt.Errorf("%q is not a number", p)
		}
	}
	if len(p) > 1 && p[0] == '0' {
		return 0, fmt.Errorf("%q has a leading zero", p)
	}
	n, err := strconv.ParseUint(p, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", p, err)
	}
	return n, nil
}

// checkIdents checks dot-separated identifiers of [0-9A-Za-z-]; numeric
// pre-release identifiers may not have leading zeros.
func checkIdents(s string, pre bool) error {
	if s == "" {
		return errors.New("empty")
	}
	for id := range strings.SplitSeq(s, ".") {
		if id == "" {
			return errors.New("empty identifier")
		}
		numeric := true
		for i := 0; i < len(id); i++ {
			c := id[i]
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
				numeric = false
			default:
				return fmt.Errorf("%q has a character outside [0-9A-Za-z-]", id)
			}
		}
		if pre && numeric && len(id) > 1 && id[0] == '0' {
			return fmt.Errorf("%q has a leading zero", id)
		}
	}
	return nil
}

// String formats the version without a "v".
func (v Version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if len(v.Pre) > 0 {
		s += "-" + strings.Join(v.Pre, ".")
	}
	if v.Build != "" {
		s += "+" + v.Build
	}
	return s
}

// IsZero reports whether v is 0.0.0 without pre-release.
func (v Version) IsZero() bool {
	return v.Major == 0 && v.Minor == 0 && v.Patch == 0 && len(v.Pre) == 0
}

// Compare returns -1, 0 or +1 by Semantic Versioning precedence (build
// metadata ignored).
func (v Version) Compare(w Version) int {
	for _, c := range [][2]uint64{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if c[0] != c[1] {
			if c[0] < c[1] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(v.Pre) == 0 && len(w.Pre) == 0:
		return 0
	case len(v.Pre) == 0:
		return 1
	case len(w.Pre) == 0:
		return -1
	}
	for i := 0; i < len(v.Pre) && i < len(w.Pre); i++ {
		if c := compareIdent(v.Pre[i], w.Pre[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(v.Pre) < len(w.Pre):
		return -1
	case len(v.Pre) > len(w.Pre):
		return 1
	}
	return 0
}

func compareIdent(a, b string) int {
	an, aerr := strconv.ParseUint(a, 10, 64)
	bn, berr := strconv.ParseUint(b, 10, 64)
	switch {
	case aerr == nil && berr == nil:
		switch {
		case an < bn:
			return -1
		case an > bn:
			return 1
		}
		return 0
	case aerr == nil:
		return -1 // numeric identifiers have lower precedence
	case berr == nil:
		return 1
	}
	return strings.Compare(a, b)
}

// Bump is the size of a version change.
type Bump int

// Bumps, smallest first.
const (
	BumpNone Bump = iota
	BumpPatch
	BumpMinor
	BumpMajor
)

func (b Bump) String() string {
	switch b {
	case BumpPatch:
		return "patch"
	case BumpMinor:
		return "minor"
	case BumpMajor:
		return "major"
	}
	return "none"
}

// ParseBump reads "patch", "minor" or "major".
func ParseBump(s string) (Bump, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "patch":
		return BumpPatch, nil
	case "minor":
		return BumpMinor, nil
	case "major":
		return BumpMajor, nil
	}
	return BumpNone, fmt.Errorf("bump %q: want patch, minor or major", s)
}

// Next returns the version after v for bump b.
//
// 0.x rules (release-please's bump-minor-pre-major and bump-patch-for-minor-
// pre-major are off/on like this): below 1.0.0 the public API is not stable,
// so a breaking change bumps the minor version (0.3.1 → 0.4.0), a feature
// bumps the minor version and a fix the patch version. A module that has
// never been released (no tag, v is 0.0.0) is first released as 0.1.0
// whatever the bump. 1.0.0 is never chosen automatically: tag it by hand
// (the next plan continues from it). A pre-release current version is
// released as its own final version for any bump below major-of-it
// (1.2.0-rc.1 + fix → 1.2.0). BumpNone returns v unchanged.
func (v Version) Next(b Bump) Version {
	if b == BumpNone {
		return v
	}
	if v.IsZero() {
		return Version{Minor: 1}
	}
	if len(v.Pre) > 0 {
		return Version{Major: v.Major, Minor: v.Minor, Patch: v.Patch}
	}
	if v.Major == 0 {
		switch b {
		case BumpMajor, BumpMinor:
			return Version{Minor: v.Minor + 1}
		default:
			return Version{Minor: v.Minor, Patch: v.Patch + 1}
		}
	}
	switch b {
	case BumpMajor:
		return Version{Major: v.Major + 1}
	case BumpMinor:
		return Version{Major: v.Major, Minor: v.Minor + 1}
	}
	return Version{Major: v.Major, Minor: v.Minor, Patch: v.Patch + 1}
}
