package compare

import (
	"fmt"
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/lint"
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
	// Approval, when set, passes a failing gate and says so.
	Approval *Approval
}

// SizeGate applies GATE-SIZE: no package may grow more than the allowed share
// or bytes against the base. New packages have no base share; only the byte
// bound applies to them. Without a base the gate cannot be evaluated and says
// so (status error), never a silent pass.
func (c *Comparison) SizeGate(r SizeRules) checks.Gate {
	g := checks.Gate{Name: "size-delta", Rule: checks.GateSize}
	if r.MaxGrowth == nil && r.MaxGrowthBytes == nil {
		g.Status, g.Summary = checks.GateSkip, "no growth bound configured"
		c.Gates = append(c.Gates, g)
		return g
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
		if d.Delta <= 0 || d.Status == Removed {
			continue
		}
		grew = append(grew, fmt.Sprintf("%s %s", label(d), signed(d.Delta)))
		var why []string
		if r.MaxGrowth != nil && d.Status != Added && d.Percent > *r.MaxGrowth {
			why = append(why, fmt.Sprintf("%s %+.1f%% (limit %s)", label(d), d.Percent, fmtPercent(*r.MaxGrowth)))
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

func fmtPercent(p float64) string {
	s := fmt.Sprintf("%.2f", p)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// LintRules configure GATE-LINT.
type LintRules struct {
	// FailOn is "error" (default) or "warning": the lowest severity that fails.
	FailOn string
	// ChangedLinesOnly counts only problems on lines the request changed.
	ChangedLinesOnly bool
}

// LintGate applies GATE-LINT to the problems of a lint report. reportErr is
// the reason the report could not be read (the gate then errors). changed
// holds the lines the request added or changed, repository-relative.
func (c *Comparison) LintGate(problems []lint.Problem, reportErr error, changed map[string][]int, r LintRules) checks.Gate {
	g := checks.Gate{Name: "lint", Rule: checks.GateLint}
	if reportErr != nil {
		g.Status, g.Summary = checks.GateError, "cannot read the lint report: "+reportErr.Error()
		c.Gates = append(c.Gates, g)
		return g
	}
	failing := func(p lint.Problem) bool {
		return p.Severity == lint.Error || (r.FailOn == lint.Warning && p.Severity == lint.Warning)
	}
	onChanged := func(p lint.Problem) bool {
		for _, l := range changed[p.File] {
			if l == p.Line {
				return true
			}
		}
		return false
	}
	var fails, errs, warns int
	for _, p := range problems {
		if r.ChangedLinesOnly && !onChanged(p) {
			continue
		}
		c.Lint = append(c.Lint, p)
		if p.Severity == lint.Error {
			errs++
		} else {
			warns++
		}
		if failing(p) {
			fails++
		}
	}
	scope := "in the report"
	if r.ChangedLinesOnly {
		scope = "on changed lines"
	}
	g.Summary = fmt.Sprintf("%d errors, %d warnings %s", errs, warns, scope)
	if fails > 0 {
		g.Status = checks.GateFail
	} else {
		g.Status = checks.GatePass
	}
	c.Gates = append(c.Gates, g)
	return g
}
