package compare

import (
	"fmt"
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
