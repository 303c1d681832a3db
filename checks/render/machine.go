package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/mpgate/mpgate/checks"
)

// LocationOptions place a report's paths in the repository: the report's
// paths are relative to the mini-program root, code-scanning tools want them
// relative to the repository.
type LocationOptions struct {
	// Prefix is the mini-program root relative to the repository, with "/"
	// ("" or "." when they are the same). Report.Root is appended to it.
	Prefix string
	// Manifest is where findings about the whole program point (they need a
	// file); empty means "app.json".
	Manifest string
}

func (o LocationOptions) path(r *checks.Report, file string) string {
	if file == "" {
		file = o.Manifest
		if file == "" {
			file = "app.json"
		}
	}
	p := path.Join(o.Prefix, r.Root, file)
	return strings.TrimPrefix(p, "./")
}

// fingerprints identify findings across commits: rule, file and message,
// not the line, which moves with every edit above it; the same finding
// repeated in a file gets its occurrence number.
type fingerprints map[string]int

func (f fingerprints) of(d checks.Diagnostic, p string) string {
	key := d.Rule + "\x00" + p + "\x00" + d.Message
	n := f[key]
	f[key] = n + 1
	if n > 0 {
		key += "\x00" + strconv.Itoa(n)
	}
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:16])
}

// codeQualityIssue is one entry of GitLab's Code Quality report.
type codeQualityIssue struct {
	Description string              `json:"description"`
	CheckName   string              `json:"check_name"`
	Fingerprint string              `json:"fingerprint"`
	Severity    string              `json:"severity"`
	Location    codeQualityLocation `json:"location"`
}

type codeQualityLocation struct {
	Path  string           `json:"path"`
	Lines codeQualityLines `json:"lines"`
}

type codeQualityLines struct {
	Begin int `json:"begin"`
}

func codeQualitySeverity(s checks.Severity) string {
	switch s {
	case checks.SeverityError:
		return "major"
	case checks.SeverityWarning:
		return "minor"
	}
	return "info"
}

// CodeQuality writes the diagnostics of the reports as a GitLab Code Quality
// report (a JSON array; GitLab shows it in merge requests). The options
// place each report's paths in the repository.
func CodeQuality(w io.Writer, rs []*checks.Report, opts []LocationOptions) error {
	issues := []codeQualityIssue{}
	fp := fingerprints{}
	for i, r := range rs {
		if r == nil {
			return fmt.Errorf("writing Code Quality report: report %d is missing", i)
		}
		var o LocationOptions
		if i < len(opts) {
			o = opts[i]
		}
		for _, d := range r.Diagnostics {
			p := o.path(r, d.File)
			msg := d.Message
			if d.Hint != "" {
				msg += " — " + d.Hint
			}
			issues = append(issues, codeQualityIssue{
				Description: d.Rule + ": " + msg,
				CheckName:   d.Rule,
				Fingerprint: fp.of(d, p),
				Severity:    codeQualitySeverity(d.Severity),
				Location:    codeQualityLocation{Path: p, Lines: codeQualityLines{Begin: max(d.Line, 1)}},
			})
		}
	}
	return writeJSON(w, issues)
}

// SARIF 2.1.0, the parts code scanning reads.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	ShortDescription     sarifMessage `json:"shortDescription"`
	HelpURI              string       `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig  `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

func sarifLevel(s checks.Severity) string {
	switch s {
	case checks.SeverityError:
		return "error"
	case checks.SeverityWarning:
		return "warning"
	}
	return "note"
}

// SARIFOptions describe the tool in a SARIF log.
type SARIFOptions struct {
	// Version of mpgate.
	Version string
	// RulesURI is the page documenting the rules; a rule's helpUri is it
	// with "#" and the lower-case rule ID appended. Empty leaves helpUri out.
	RulesURI string
}

// SARIF writes the diagnostics of the reports as a SARIF 2.1.0 log with one
// run, for GitHub code scanning and other SARIF readers. Every catalog rule
// is described; findings about the whole program point at the manifest.
func SARIF(w io.Writer, rs []*checks.Report, opts []LocationOptions, so SARIFOptions) error {
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
	for i, r := range rs {
		if r == nil {
			return fmt.Errorf("writing SARIF: report %d is missing", i)
		}
		var o LocationOptions
		if i < len(opts) {
			o = opts[i]
		}
		for _, d := range r.Diagnostics {
			idx, ok := index[d.Rule]
			if !ok {
				// A rule outside the catalog (a newer engine): describe it.
				idx = len(driver.Rules)
				index[d.Rule] = idx
				driver.Rules = append(driver.Rules, sarifRule{ID: d.Rule, ShortDescription: sarifMessage{d.Rule}, DefaultConfiguration: sarifConfig{sarifLevel(d.Severity)}})
			}
			p := o.path(r, d.File)
			msg := d.Message
			if d.Hint != "" {
				msg += "\n" + d.Hint
			}
			uri := (&url.URL{Path: p}).String()
			loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri, URIBaseID: "%SRCROOT%"}}}
			if d.Line > 0 && d.File != "" {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: d.Line, StartColumn: d.Column}
			}
			results = append(results, sarifResult{
				RuleID: d.Rule, RuleIndex: idx, Level: sarifLevel(d.Severity), Message: sarifMessage{msg},
				Locations:           []sarifLocation{loc},
				PartialFingerprints: map[string]string{"mpgate/v1": fp.of(d, p)},
			})
		}
	}
	return writeJSON(w, sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	})
}
