package render

import (
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/lint"
)

// repoPath places a mini-program path in the repository: the comparison's
// PathPrefix joined with file; findings without a file point at app.json.
func repoPath(prefix, file string) string {
	if file == "" {
		file = "app.json"
	}
	p := path.Join(prefix, file)
	p = strings.TrimPrefix(p, "/")
	for strings.HasPrefix(p, "../") {
		p = strings.TrimPrefix(p, "../")
	}
	if p == ".." || p == "." || p == "" {
		return "app.json"
	}
	return p
}

// ResultJSON writes the result contract (schema "mpgate.result/v1"),
// indented, with every list a list (never null).
func ResultJSON(w io.Writer, res *compare.Result) error {
	if res == nil {
		return fmt.Errorf("writing JSON result: no result")
	}
	out := *res
	if out.Schema == "" {
		out.Schema = compare.ResultSchema
	}
	if out.Verdict == "" {
		out.Verdict = resultVerdict(res)
	}
	if out.Gates == nil {
		out.Gates = []checks.Gate{}
	}
	out.Projects = make([]*compare.Comparison, 0, len(res.Projects))
	for _, c := range res.Projects {
		if c == nil {
			continue
		}
		cc := *c
		if cc.Schema == "" {
			cc.Schema = compare.ComparisonSchema
		}
		if cc.Packages == nil {
			cc.Packages = []compare.PackageDiff{}
		}
		if cc.NewDiagnostics == nil {
			cc.NewDiagnostics = []checks.Diagnostic{}
		}
		if cc.ExistingDiagnostics == nil {
			cc.ExistingDiagnostics = []checks.Diagnostic{}
		}
		if cc.FixedDiagnostics == nil {
			cc.FixedDiagnostics = []checks.Diagnostic{}
		}
		if cc.Gates == nil {
			cc.Gates = []checks.Gate{}
		}
		if cc.Head != nil {
			h := contract(cc.Head)
			cc.Head = &h
		}
		if cc.Base != nil {
			b := contract(cc.Base)
			cc.Base = &b
		}
		out.Projects = append(out.Projects, &cc)
	}
	return writeJSON(w, out)
}

// Annotation is one check-run annotation (GitHub's shape; the caller sends
// them 50 at a time). Lines and columns are 1-based; a zero column is none.
type Annotation struct {
	Path      string `json:"path"`
	StartLine int    `json:"startLine"`
	EndLine   int    `json:"endLine"`
	StartCol  int    `json:"startColumn,omitempty"`
	EndCol    int    `json:"endColumn,omitempty"`
	// Level is "notice", "warning" or "failure".
	Level   string `json:"level"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

// Annotation levels.
const (
	AnnotationNotice  = "notice"
	AnnotationWarning = "warning"
	AnnotationFailure = "failure"
)

// annotationMessageMax is GitHub's cap on an annotation's message (64 KB);
// titles are kept short.
const (
	annotationMessageMax = 64 << 10
	annotationTitleMax   = 255
)

func diagAnnotation(prefix string, d checks.Diagnostic, level string) Annotation {
	line := max(d.Line, 1)
	a := Annotation{Path: repoPath(prefix, d.File), StartLine: line, EndLine: line, Level: level}
	if d.File == "" {
		a.StartLine, a.EndLine = 1, 1
	} else if d.Column > 0 {
		a.StartCol, a.EndCol = d.Column, d.Column
	}
	title := clean(d.Rule, false)
	if ri, ok := checks.Rule(d.Rule); ok {
		title += " · " + ri.Title
	}
	a.Title = cutUTF8(title, annotationTitleMax)
	msg := clean(d.Message, true)
	if d.Hint != "" {
		msg += "\nhint: " + clean(d.Hint, true)
	}
	a.Message = cutUTF8(msg, annotationMessageMax)
	return a
}

func lintAnnotation(p lint.Problem) Annotation {
	line := max(p.Line, 1)
	a := Annotation{Path: repoPath("", p.File), StartLine: line, EndLine: max(p.EndLine, line), Level: AnnotationWarning,
		Title: cutUTF8(clean(lintRule(p), false), annotationTitleMax), Message: cutUTF8(clean(p.Message, true), annotationMessageMax)}
	if p.Severity == lint.Error {
		a.Level = AnnotationFailure
	}
	if p.Column > 0 && a.EndLine == a.StartLine {
		a.StartCol, a.EndCol = p.Column, p.Column
	}
	return a
}

func annotationLevel(s checks.Severity) string {
	switch s {
	case checks.SeverityError:
		return AnnotationFailure
	case checks.SeverityWarning:
		return AnnotationWarning
	}
	return AnnotationNotice
}

// ResultAnnotations lists the annotations of a judged request: every new
// finding of the heads (notes included, as notices), then the lint problems
// the lint gate counted, then the existing errors and warnings. Paths are the
// repository's; findings without a file point at the project's app.json,
// line 1. A project whose head failed has no annotation (the summary says
// why).
func ResultAnnotations(res *compare.Result) []Annotation {
	out := []Annotation{}
	if res == nil {
		return out
	}
	for _, c := range res.Projects {
		if c == nil || c.HeadError != "" {
			continue
		}
		for _, d := range c.NewDiagnostics {
			out = append(out, diagAnnotation(c.PathPrefix, d, annotationLevel(d.Severity)))
		}
	}
	for _, p := range res.Lint {
		out = append(out, lintAnnotation(p))
	}
	for _, c := range res.Projects {
		if c == nil || c.HeadError != "" {
			continue
		}
		for _, d := range c.ExistingDiagnostics {
			if d.Severity == checks.SeverityError || d.Severity == checks.SeverityWarning {
				out = append(out, diagAnnotation(c.PathPrefix, d, annotationLevel(d.Severity)))
			}
		}
	}
	return out
}

// CheckRunOutput is what a check run shows.
type CheckRunOutput struct {
	// Conclusion is "success" or "failure" ("neutral" is left to callers).
	Conclusion string
	// Title is at most 1,000 bytes: "❌ 2 gates failed · packageA +7.2%".
	Title string
	// Summary is the verdict, the size tables and the gates; Text the
	// findings and the files that changed most. Each is at most 65,535 bytes.
	Summary, Text string
	Annotations   []Annotation
}

// ResultCheckRun renders a judged request for a check run: the conclusion, a
// title, the summary (verdict, sizes, gates) and the text (findings, lint
// problems, changed files) under GitHub's caps, and the annotations.
// o.Marker is not used; o.MaxBytes only lowers the caps.
func ResultCheckRun(res *compare.Result, o ResultOptions) CheckRunOutput {
	out := CheckRunOutput{Conclusion: "success", Annotations: ResultAnnotations(res)}
	if res == nil {
		out.Conclusion, out.Title = "failure", "❌ no result"
		return out
	}
	v := resultVerdict(res)
	if v != checks.VerdictPass {
		out.Conclusion = "failure"
	}
	parts := headline(res, o.MinChange)
	if v == checks.VerdictPass && len(parts) == 0 {
		out.Title = "✅ all gates passed"
	} else {
		if len(parts) == 0 {
			parts = []string{"failed"}
		}
		out.Title = cutUTF8(verdictIcon(v)+" "+clean(strings.Join(parts, " · "), false), 1000)
	}
	o.Marker = ""
	if o.MaxBytes <= 0 || o.MaxBytes > checkRunMax {
		o.MaxBytes = checkRunMax
	}
	// Errors only come from a marker, which is cleared.
	out.Summary, _ = resultMarkdown(res, o, partHead|partSizes|partGates, "in the JSON result")
	text, _ := resultMarkdown(res, o, partFindings|partFiles, "in the JSON result")
	out.Text = text
	return out
}

// codeQualityResultSeverity maps a finding to GitLab's scale. Errors are
// "major", except a package or the program over its limit (MP301, MP302,
// MP303): the platform refuses that upload, so they are "blocker".
func codeQualityResultSeverity(d checks.Diagnostic) string {
	if d.Severity == checks.SeverityError {
		switch d.Rule {
		case checks.MP301, checks.MP302, checks.MP303:
			return "blocker"
		}
	}
	return codeQualitySeverity(d.Severity)
}

// resultFindings lists every head finding and counted lint problem with its
// repository path, as diagnostics (lint problems get rule "tool/rule").
func resultFindings(res *compare.Result) []checks.Diagnostic {
	var out []checks.Diagnostic
	for _, c := range res.Projects {
		if c == nil || c.Head == nil {
			continue
		}
		for _, d := range c.Head.Diagnostics {
			if d.File == "" {
				d.Line, d.Column = 1, 0
			}
			d.File = repoPath(c.PathPrefix, d.File)
			out = append(out, d)
		}
	}
	for _, p := range res.Lint {
		sev := checks.SeverityWarning
		if p.Severity == lint.Error {
			sev = checks.SeverityError
		}
		out = append(out, checks.Diagnostic{Rule: lintRule(p), Severity: sev, File: repoPath("", p.File), Line: p.Line, Column: p.Column, Message: p.Message})
	}
	return out
}

// ResultCodeQuality writes a judged request as a GitLab Code Quality report:
// every head finding and counted lint problem, with repository paths and
// the fingerprints CodeQuality uses. Severities: error → major (blocker for
// MP301–MP303, an upload the platform refuses), warning → minor, info → info.
func ResultCodeQuality(w io.Writer, res *compare.Result) error {
	if res == nil {
		return fmt.Errorf("writing Code Quality report: no result")
	}
	issues := []codeQualityIssue{}
	fp := fingerprints{}
	for _, d := range resultFindings(res) {
		msg := d.Message
		if d.Hint != "" {
			msg += " — " + d.Hint
		}
		issues = append(issues, codeQualityIssue{
			Description: d.Rule + ": " + msg,
			CheckName:   d.Rule,
			Fingerprint: fp.of(d, d.File),
			Severity:    codeQualityResultSeverity(d),
			Location:    codeQualityLocation{Path: d.File, Lines: codeQualityLines{Begin: max(d.Line, 1)}},
		})
	}
	return writeJSON(w, issues)
}

// ResultSARIF writes a judged request as a SARIF 2.1.0 log: every head
// finding and counted lint problem, with repository paths and the
// fingerprints SARIF uses. Lint rules are described as "tool/rule".
func ResultSARIF(w io.Writer, res *compare.Result, so SARIFOptions) error {
	if res == nil {
		return fmt.Errorf("writing SARIF: no result")
	}
	driver := sarifDriver{Name: "mpgate", Version: so.Version, InformationURI: "https://github.com/mpgate/mpgate"}
	index := map[string]int{}
	for _, ri := range checks.Catalog {
		index[ri.ID] = len(driver.Rules)
		rule := sarifRule{ID: ri.ID, ShortDescription: sarifMessage{ri.Title}, DefaultConfiguration: sarifConfig{sarifLevel(ri.Severity)}}
		if so.RulesURI != "" {
			rule.HelpURI = so.RulesURI + "#" + strings.ToLower(ri.ID)
		}
		driver.Rules = append(driver.Rules, rule)
	}
	results := []sarifResult{}
	fp := fingerprints{}
	for _, d := range resultFindings(res) {
		idx, ok := index[d.Rule]
		if !ok {
			idx = len(driver.Rules)
			index[d.Rule] = idx
			driver.Rules = append(driver.Rules, sarifRule{ID: d.Rule, ShortDescription: sarifMessage{d.Rule}, DefaultConfiguration: sarifConfig{sarifLevel(d.Severity)}})
		}
		msg := d.Message
		if d.Hint != "" {
			msg += "\n" + d.Hint
		}
		loc := sarifLocation{PhysicalLocation: sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: (&url.URL{Path: d.File}).String(), URIBaseID: "%SRCROOT%"},
			Region:           &sarifRegion{StartLine: max(d.Line, 1), StartColumn: max(d.Column, 0)},
		}}
		results = append(results, sarifResult{
			RuleID: d.Rule, RuleIndex: idx, Level: sarifLevel(d.Severity), Message: sarifMessage{msg},
			Locations:           []sarifLocation{loc},
			PartialFingerprints: map[string]string{"mpgate/v1": fp.of(d, d.File)},
		})
	}
	return writeJSON(w, sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	})
}
