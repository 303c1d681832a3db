package compare

import (
	"fmt"
	"slices"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/coverage"
	"github.com/mpgate/mpgate/checks/lint"
)

// ResultSchema identifies the JSON shape of a Result.
const ResultSchema = "mpgate.result/v1"

// Result is a whole request judged: one Comparison per project of the
// repository, and the repository-wide gates (coverage, patch coverage, lint).
type Result struct {
	Schema  string `json:"schema"`
	BaseRev string `json:"baseRev,omitempty"`
	HeadRev string `json:"headRev,omitempty"`
	// HeadWorkingTree says the head is the work tree on HeadRev with its
	// uncommitted changes (check --base in a dirty checkout): sizes and
	// changed lines are the work tree's.
	HeadWorkingTree bool          `json:"headWorkingTree,omitempty"`
	Projects        []*Comparison `json:"projects"`
	// Gates are the repository-wide gates; each project carries its own size gate.
	Gates []checks.Gate `json:"gates"`
	// Lint holds the lint problems the lint gate counted (repository paths).
	Lint []lint.Problem `json:"lint,omitempty"`
	// Coverage figures, when a coverage report was read.
	Coverage *CoverageSummary `json:"coverage,omitempty"`
	Verdict  string           `json:"verdict"`
	// HeadOnly marks the result of a check without a base: each project's
	// comparison holds its head report alone, and renderers write the
	// mpgate.report/v1 layouts of those reports.
	HeadOnly bool `json:"-"`
}

// NewHeadOnly makes the result of a check without a base from the
// projects' reports; roots are their mini-program roots relative to the
// repository (for the locations of SARIF and Code Quality). The verdict is
// the reports'.
func NewHeadOnly(reports []*checks.Report, roots []string) *Result {
	res := &Result{Schema: ResultSchema, Gates: []checks.Gate{}, HeadOnly: true, Verdict: checks.VerdictPass}
	for i, r := range reports {
		c := &Comparison{Schema: ComparisonSchema, Project: r.Project, Head: r, Gates: []checks.Gate{}, Verdict: r.Verdict,
			NewDiagnostics: []checks.Diagnostic{}, ExistingDiagnostics: []checks.Diagnostic{}, FixedDiagnostics: []checks.Diagnostic{}}
		if i < len(roots) {
			c.PathPrefix = roots[i]
		}
		if r.Verdict == checks.VerdictFail {
			res.Verdict = checks.VerdictFail
		}
		res.Projects = append(res.Projects, c)
	}
	return res
}

// Reports are the projects' head reports (nil where a head failed).
func (res *Result) Reports() []*checks.Report {
	out := make([]*checks.Report, len(res.Projects))
	for i, c := range res.Projects {
		out[i] = c.Head
	}
	return out
}

// CoverageSummary holds the coverage figures the gates used.
type CoverageSummary struct {
	Head         float64  `json:"head"`
	Base         *float64 `json:"base,omitempty"`
	Patch        *float64 `json:"patch,omitempty"`
	PatchLines   int      `json:"patchLines"`
	PatchCovered int      `json:"patchCovered"`
}

// NewResult starts a result for the given comparisons.
func NewResult(projects ...*Comparison) *Result {
	return &Result{Schema: ResultSchema, Projects: projects, Gates: []checks.Gate{}}
}

// AllGates lists every gate: the projects' then the repository's.
func (res *Result) AllGates() []checks.Gate {
	var out []checks.Gate
	for _, c := range res.Projects {
		out = append(out, c.Gates...)
	}
	return append(out, res.Gates...)
}

// Finish computes each project's verdict and the overall one.
func (res *Result) Finish() {
	res.Verdict = checks.VerdictPass
	res.Projects = slices.DeleteFunc(res.Projects, func(c *Comparison) bool { return c == nil })
	for _, c := range res.Projects {
		c.Finish()
		if c.Verdict == checks.VerdictFail {
			res.Verdict = checks.VerdictFail
		}
	}
	for _, g := range res.Gates {
		if g.Blocks() {
			res.Verdict = checks.VerdictFail
		}
	}
}

// CoverageRules configure GATE-COV and GATE-PATCH; a nil bound is off.
type CoverageRules struct {
	// Min is the minimum project coverage in percent.
	Min *float64
	// MaxDrop is the largest allowed drop against the base, in points.
	MaxDrop *float64
	// PatchMin is the minimum coverage of the changed lines in percent.
	PatchMin *float64
	// NoBase says the run has no base at all: the patch gate is skipped
	// (not an error) and the drop is not checked.
	NoBase bool
}

// CoverageGates applies GATE-COV and GATE-PATCH. head is the head's coverage
// report (headErr says why there is none), base the base's (nil when there is
// none: the drop is then not checked, and the summary says so), changed the
// lines the request added or changed (repository paths).
func (res *Result) CoverageGates(head *coverage.Report, headErr error, base *coverage.Report, changed map[string][]int, r CoverageRules) {
	cov := checks.Gate{Name: "coverage", Rule: checks.GateCov}
	patch := checks.Gate{Name: "patch-coverage", Rule: checks.GatePatch}
	var headPct float64
	headOK := false
	if head != nil && headErr == nil {
		headPct, headOK = head.Percent()
		if headOK {
			res.Coverage = &CoverageSummary{Head: headPct}
		}
	}
	unreadable := func(g *checks.Gate) {
		g.Status = checks.GateError
		switch {
		case headErr != nil:
			g.Summary = "cannot evaluate: " + headErr.Error()
		case head == nil:
			g.Summary = "cannot evaluate: no coverage report"
		default:
			g.Summary = "cannot evaluate: the coverage report has no executable lines"
		}
	}
	switch {
	case r.Min == nil && r.MaxDrop == nil:
		cov.Status, cov.Summary = checks.GateSkip, "no coverage bound configured"
	case !headOK:
		unreadable(&cov)
	default:
		cov.Status = checks.GatePass
		cov.Summary = fmt.Sprintf("%.2f%%", headPct)
		if r.Min != nil {
			if headPct < *r.Min {
				cov.Status = checks.GateFail
				cov.Summary += fmt.Sprintf(" (minimum %s)", fmtPercent(*r.Min))
			} else {
				cov.Summary += fmt.Sprintf(" ≥ %s", fmtPercent(*r.Min))
			}
		}
		if r.MaxDrop != nil {
			basePct, ok := 0.0, false
			if base != nil {
				basePct, ok = base.Percent()
			}
			if !ok && r.NoBase {
				cov.Summary += "; drop skipped: no base"
			} else if !ok {
				cov.Summary += "; drop against the base not checked: the base has no coverage report"
			} else {
				res.Coverage.Base = &basePct
				drop := basePct - headPct
				cov.Summary += fmt.Sprintf("; %+.2f points against the base (%.2f%%)", -drop, basePct)
				if drop > *r.MaxDrop {
					cov.Status = checks.GateFail
					cov.Summary += fmt.Sprintf(", more than the allowed drop of %s", fmtPercent(*r.MaxDrop))
				}
			}
		}
	}
	switch {
	case r.PatchMin == nil:
		patch.Status, patch.Summary = checks.GateSkip, "no patch coverage bound configured"
	case !headOK:
		unreadable(&patch)
	case changed == nil && r.NoBase:
		patch.Status, patch.Summary = checks.GateSkip, "skipped: no base"
	case changed == nil:
		patch.Status, patch.Summary = checks.GateError, "cannot evaluate: the changed lines are unknown"
	case !head.LineLevel():
		patch.Status = checks.GateError
		patch.Summary = "cannot evaluate: the coverage report has totals only (" + string(head.Format) + "); produce lcov, Cobertura or coverage-final.json for line data"
	default:
		covered, total := head.Patch(changed)
		res.Coverage.PatchLines, res.Coverage.PatchCovered = total, covered
		if total == 0 {
			patch.Status, patch.Summary = checks.GatePass, "no executable line changed"
			break
		}
		pct := 100 * float64(covered) / float64(total)
		res.Coverage.Patch = &pct
		patch.Summary = fmt.Sprintf("%.2f%% of %d changed lines (%d covered)", pct, total, covered)
		if pct < *r.PatchMin {
			patch.Status = checks.GateFail
			patch.Summary += fmt.Sprintf(", minimum %s", fmtPercent(*r.PatchMin))
		} else {
			patch.Status = checks.GatePass
		}
	}
	res.Gates = append(res.Gates, cov, patch)
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
func (res *Result) LintGate(problems []lint.Problem, reportErr error, changed map[string][]int, r LintRules) checks.Gate {
	g := checks.Gate{Name: "lint", Rule: checks.GateLint}
	if reportErr != nil {
		g.Status, g.Summary = checks.GateError, "cannot read the lint report: "+reportErr.Error()
		res.Gates = append(res.Gates, g)
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
		res.Lint = append(res.Lint, p)
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
	res.Gates = append(res.Gates, g)
	return g
}
