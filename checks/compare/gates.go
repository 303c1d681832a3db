package compare

import (
	"fmt"
	"path"
	"strings"

	"github.com/mpgate/mpgate/checks"
)

// Approval turns a failed size gate into a pass, recorded with who and why.
type Approval struct {
	By     string `json:"by"`
	Reason string `json:"reason"`
}

// SizeRules configure GATE-SIZE. A nil bound is off.
type SizeRules struct {
	// MaxGrowth is the largest allowed growth of a package, in percent of its
	// base size.
	MaxGrowth *float64
	// MaxGrowthBytes is the largest allowed growth of a package in bytes.
	MaxGrowthBytes *int64
	// NoiseFloor is the growth in bytes that never fails MaxGrowth: the
	// share fails only a growth above both. nil is no floor.
	NoiseFloor *int64
	// Budgets are absolute budgets per package (gates.size.limits).
	Budgets []Budget
	// Approval, when set, passes a failing gate and says so.
	Approval *Approval
	// NoBase says the run has no base at all (a push, a local run without
	// --base): the growth bounds are skipped, not errors, and only the
	// budgets, which need no base, are applied.
	NoBase bool
}

// Budget is the size budget of the packages Key names: a package's root
// or alias, "main" for the main package, or a glob of them. Either Bytes or
// Share (of the package's platform limit, in percent) is set.
type Budget struct {
	Key   string
	Bytes int64
	Share float64
}

// budgetFor returns the budget that applies to d: an exact key wins over
// globs; of several matching globs the tightest applies.
func budgetFor(d PackageDiff, budgets []Budget) (int64, Budget, bool) {
	names := []string{d.Name}
	if d.Alias != "" {
		names = append(names, d.Alias)
	}
	if d.Name == checks.MainPackage {
		names = []string{"main"}
	}
	of := func(b Budget) int64 {
		if b.Share > 0 {
			return int64(float64(d.Limit) * b.Share / 100)
		}
		return b.Bytes
	}
	for _, b := range budgets {
		for _, n := range names {
			if b.Key == n && (b.Share == 0 || d.Limit > 0) {
				return of(b), b, true
			}
		}
	}
	var best Budget
	var bytes int64
	found := false
	for _, b := range budgets {
		if b.Share > 0 && d.Limit <= 0 {
			continue
		}
		for _, n := range names {
			if ok, _ := path.Match(b.Key, n); ok && (!found || of(b) < bytes) {
				best, bytes, found = b, of(b), true
			}
		}
	}
	return bytes, best, found
}

// SizeGate applies GATE-SIZE: no package may grow more than the allowed share
// (and the noise floor) or bytes against the base, nor end over its budget.
// New packages have no base share; only the byte bound applies to them.
// Without a base the gate cannot be evaluated and says so (status error),
// never a silent pass.
func (c *Comparison) SizeGate(r SizeRules) checks.Gate {
	g := checks.Gate{Name: "size-delta", Rule: checks.GateSize}
	if r.MaxGrowth == nil && r.MaxGrowthBytes == nil && len(r.Budgets) == 0 {
		g.Status, g.Summary = checks.GateSkip, "no growth bound configured"
		c.Gates = append(c.Gates, g)
		return g
	}
	if c.Base == nil && r.NoBase {
		return c.budgetsOnly(r, g)
	}
	if c.Base == nil {
		g.Status = checks.GateError
		g.Summary = "cannot compare sizes: no base report"
		if c.BaseError != "" {
			g.Summary += " (" + c.BaseError + ")"
		}
		c.Gates = append(c.Gates, g)
		return g
	}
	var over, grew []string
	for _, d := range c.Packages {
		if d.Status == Removed {
			continue
		}
		over = append(over, overBudget(d, r.Budgets)...)
		if d.Delta <= 0 {
			continue
		}
		grew = append(grew, fmt.Sprintf("%s %s", label(d), signed(d.Delta)))
		var why []string
		aboveFloor := r.NoiseFloor == nil || d.Delta > *r.NoiseFloor
		if r.MaxGrowth != nil && d.Status != Added && d.Percent > *r.MaxGrowth && aboveFloor {
			why = append(why, fmt.Sprintf("%s %s (%+.1f%%, limit %s)", label(d), signed(d.Delta), d.Percent, fmtPercent(*r.MaxGrowth)))
		}
		if r.MaxGrowthBytes != nil && d.Delta > *r.MaxGrowthBytes {
			what := label(d)
			if d.Status == Added {
				what += " (new)"
			}
			why = append(why, fmt.Sprintf("%s %s (limit %s)", what, signed(d.Delta), checks.FormatBytes(*r.MaxGrowthBytes)))
		}
		over = append(over, why...)
	}
	switch {
	case len(over) > 0 && r.Approval != nil:
		g.Status = checks.GatePass
		g.Summary = fmt.Sprintf("approved by %s (%s): %s", r.Approval.By, r.Approval.Reason, strings.Join(over, "; "))
	case len(over) > 0:
		g.Status = checks.GateFail
		g.Summary = strings.Join(over, "; ")
	case len(grew) > 0:
		g.Status = checks.GatePass
		g.Summary = "within bounds: " + strings.Join(grew, ", ")
	default:
		g.Status = checks.GatePass
		g.Summary = "no package grew"
	}
	c.Gates = append(c.Gates, g)
	return g
}

// budgetsOnly is the size gate of a run without a base: the budgets apply,
// the growth bounds are skipped and say why.
func (c *Comparison) budgetsOnly(r SizeRules, g checks.Gate) checks.Gate {
	var over []string
	for _, d := range c.Packages {
		over = append(over, overBudget(d, r.Budgets)...)
	}
	switch {
	case len(r.Budgets) == 0:
		g.Status, g.Summary = checks.GateSkip, "skipped: no base"
	case len(over) > 0 && r.Approval != nil:
		g.Status = checks.GatePass
		g.Summary = fmt.Sprintf("approved by %s (%s): %s", r.Approval.By, r.Approval.Reason, strings.Join(over, "; "))
	case len(over) > 0:
		g.Status, g.Summary = checks.GateFail, strings.Join(over, "; ")+"; growth skipped: no base"
	default:
		g.Status, g.Summary = checks.GatePass, "every package within its budget; growth skipped: no base"
	}
	c.Gates = append(c.Gates, g)
	return g
}

// overBudget names d when it is over its budget.
func overBudget(d PackageDiff, budgets []Budget) []string {
	b, which, ok := budgetFor(d, budgets)
	if !ok || d.Head <= b {
		return nil
	}
	what := fmt.Sprintf("budget %s", checks.FormatBytes(b))
	if which.Share > 0 {
		what += fmt.Sprintf(", %s of the limit", fmtPercent(which.Share))
	}
	return []string{fmt.Sprintf("%s %s over its %s (%s)", label(d), checks.FormatBytes(d.Head-b), what, checks.FormatBytes(d.Head))}
}

func fmtPercent(p float64) string {
	s := fmt.Sprintf("%.2f", p)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}
