package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Size is a number of bytes, written in the file with a unit: "2MB",
// "512KB", "1.5 MB", "300B". KB is 1024 bytes and MB 1024 KB, as on the
// platforms; KiB, MiB and GiB are synonyms.
type Size int64

// Percent is a share in percent, written in the file as "5%" or "0.5%".
type Percent float64

// maxSize bounds sizes to something a mini-program could ever be (1 TB).
const maxSize = 1 << 40

var sizeUnits = map[string]int64{
	"B": 1, "b": 1,
	"KB": 1 << 10, "kb": 1 << 10, "KiB": 1 << 10,
	"MB": 1 << 20, "mb": 1 << 20, "MiB": 1 << 20,
	"GB": 1 << 30, "gb": 1 << 30, "GiB": 1 << 30,
}

const sizeHelp = "write a number and a unit, e.g. 2MB, 512KB or 300B (KB = 1024 bytes, MB = 1024 KB)"

// splitNumber splits s into a leading decimal number (digits with at most one
// dot) and the rest, with the spaces between them removed.
func splitNumber(s string) (num, rest string) {
	i, dot := 0, false
	for i < len(s) {
		c := s[i]
		if c >= '0' && c <= '9' {
			i++
			continue
		}
		if c == '.' && !dot {
			dot = true
			i++
			continue
		}
		break
	}
	return s[:i], strings.TrimLeft(s[i:], " \t")
}

func parseNumber(num string) (float64, bool) {
	if num == "" || strings.HasSuffix(num, ".") {
		return 0, false
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// ParseSize parses a size with its unit.
func ParseSize(s string) (Size, error) {
	t := strings.TrimSpace(s)
	num, unit := splitNumber(t)
	f, ok := parseNumber(num)
	if !ok {
		return 0, fmt.Errorf("invalid size %q: %s", s, sizeHelp)
	}
	if unit == "" {
		return 0, fmt.Errorf("size %q has no unit: %s", s, sizeHelp)
	}
	mult, ok := sizeUnits[unit]
	if !ok {
		if strings.EqualFold(unit, "mb") || strings.EqualFold(unit, "kb") || strings.EqualFold(unit, "gb") {
			return 0, fmt.Errorf("size %q: unit %q is ambiguous (bits?): write %s", s, unit, strings.ToUpper(unit))
		}
		return 0, fmt.Errorf("size %q: unknown unit %q: %s", s, unit, sizeHelp)
	}
	v := f * float64(mult)
	if v > maxSize {
		return 0, fmt.Errorf("size %q is larger than 1 TB", s)
	}
	return Size(math.Floor(v)), nil
}

// String formats the size with the largest unit that keeps it exact.
func (s Size) String() string {
	switch {
	case s != 0 && s%(1<<30) == 0:
		return strconv.FormatInt(int64(s>>30), 10) + "GB"
	case s != 0 && s%(1<<20) == 0:
		return strconv.FormatInt(int64(s>>20), 10) + "MB"
	case s != 0 && s%(1<<10) == 0:
		return strconv.FormatInt(int64(s>>10), 10) + "KB"
	}
	return strconv.FormatInt(int64(s), 10) + "B"
}

// UnmarshalYAML reads a size from a scalar.
func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a size must be a single value: %s", n.Line, sizeHelp)
	}
	v, err := ParseSize(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*s = v
	return nil
}

const percentHelp = "write a share with a percent sign, e.g. 5% or 0.5%"

// ParsePercent parses a share written with "%".
func ParsePercent(s string) (Percent, error) {
	t := strings.TrimSpace(s)
	num, rest := splitNumber(t)
	f, ok := parseNumber(num)
	if !ok {
		return 0, fmt.Errorf("invalid share %q: %s", s, percentHelp)
	}
	if rest == "" {
		return 0, fmt.Errorf("share %q has no percent sign: %s", s, percentHelp)
	}
	if rest != "%" {
		return 0, fmt.Errorf("invalid share %q: %s", s, percentHelp)
	}
	if f > 1e6 {
		return 0, fmt.Errorf("share %q is too large", s)
	}
	return Percent(f), nil
}

// String formats the share with a percent sign.
func (p Percent) String() string {
	return strconv.FormatFloat(float64(p), 'f', -1, 64) + "%"
}

// UnmarshalYAML reads a share from a scalar.
func (p *Percent) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a share must be a single value: %s", n.Line, percentHelp)
	}
	v, err := ParsePercent(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*p = v
	return nil
}

// Int64Ptr returns the size in bytes, nil for a nil (turned off) size.
func (s *Size) Int64Ptr() *int64 {
	if s == nil {
		return nil
	}
	v := int64(*s)
	return &v
}

// Float64Ptr returns the share in percent, nil for a nil (turned off) share.
func (p *Percent) Float64Ptr() *float64 {
	if p == nil {
		return nil
	}
	v := float64(*p)
	return &v
}

// Budget is a package's size budget: a size ("200KB") or a share of the
// platform's limit for that package ("50%").
type Budget struct {
	Bytes Size
	// Share is set (above 0) when the budget is a share of the limit.
	Share Percent
}

// ParseBudget parses a size or a share.
func ParseBudget(s string) (Budget, error) {
	if strings.HasSuffix(strings.TrimSpace(s), "%") {
		p, err := ParsePercent(s)
		if err != nil {
			return Budget{}, err
		}
		if p <= 0 || p > 100 {
			return Budget{}, fmt.Errorf("budget %q: want a share above 0%% and at most 100%% of the platform's limit", s)
		}
		return Budget{Share: p}, nil
	}
	v, err := ParseSize(s)
	if err != nil {
		return Budget{}, fmt.Errorf("%w (or a share of the platform's limit, e.g. 50%%)", err)
	}
	if v <= 0 {
		return Budget{}, fmt.Errorf("budget %q must be more than 0", s)
	}
	return Budget{Bytes: v}, nil
}

// Of returns the budget in bytes for a package whose platform limit is limit.
func (b Budget) Of(limit int64) int64 {
	if b.Share > 0 {
		return int64(float64(limit) * float64(b.Share) / 100)
	}
	return int64(b.Bytes)
}

// String formats the budget as written.
func (b Budget) String() string {
	if b.Share > 0 {
		return b.Share.String()
	}
	return b.Bytes.String()
}

// UnmarshalYAML reads a budget from a scalar.
func (b *Budget) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a budget must be a single value such as 200KB or 50%%", n.Line)
	}
	v, err := ParseBudget(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*b = v
	return nil
}
