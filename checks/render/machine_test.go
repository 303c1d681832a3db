package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
)

func TestCodeQuality(t *testing.T) {
	var buf bytes.Buffer
	full := fullReport()
	full.Diagnostics = append(full.Diagnostics, full.Diagnostics[0]) // the same finding twice
	err := CodeQuality(&buf, []*checks.Report{full, cleanReport()}, []LocationOptions{{Prefix: "apps/shop"}})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "full.codequality.json", buf.Bytes())
	var issues []codeQualityIssue
	if err := json.Unmarshal(buf.Bytes(), &issues); err != nil {
		t.Fatal(err)
	}
	if len(issues) != len(full.Diagnostics) {
		t.Fatalf("%d issues, want %d", len(issues), len(full.Diagnostics))
	}
	seen := map[string]bool{}
	for _, is := range issues {
		if !strings.HasPrefix(is.Location.Path, "apps/shop/miniprogram/") || is.Location.Lines.Begin < 1 {
			t.Errorf("location = %+v", is.Location)
		}
		if seen[is.Fingerprint] {
			t.Errorf("duplicate fingerprint %s", is.Fingerprint)
		}
		seen[is.Fingerprint] = true
	}
	if issues[0].Severity != "major" || issues[1].Location.Path != "apps/shop/miniprogram/app.json" {
		t.Errorf("issues = %+v", issues[:2])
	}

	buf.Reset()
	if err := CodeQuality(&buf, []*checks.Report{cleanReport()}, nil); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("no findings = %q, want []", buf.String())
	}
	if err := CodeQuality(&buf, []*checks.Report{nil}, nil); err == nil {
		t.Error("nil report accepted")
	}
}

func TestSARIF(t *testing.T) {
	var buf bytes.Buffer
	r := fullReport()
	r.Diagnostics = append(r.Diagnostics, checks.Diagnostic{Rule: "MP999", Severity: checks.SeverityWarning, File: "dir with space/a.js", Line: 2, Message: "new rule"})
	err := SARIF(&buf, []*checks.Report{r}, nil, SARIFOptions{Version: "v1.0.0", RulesURI: "https://github.com/mpgate/mpgate/blob/main/docs/rules.md"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "full.sarif", buf.Bytes())
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("log = %+v", log)
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(checks.Catalog)+1 {
		t.Errorf("%d rules, want the catalog and MP999", len(run.Tool.Driver.Rules))
	}
	if len(run.Results) != len(r.Diagnostics) {
		t.Fatalf("%d results, want %d", len(run.Results), len(r.Diagnostics))
	}
	for _, res := range run.Results {
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s points at rule %s", res.RuleID, run.Tool.Driver.Rules[res.RuleIndex].ID)
		}
		if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
			t.Errorf("result %s has no location", res.RuleID)
		}
	}
	last := run.Results[len(run.Results)-1]
	if got := last.Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "miniprogram/dir%20with%20space/a.js" {
		t.Errorf("uri = %q", got)
	}
	if run.Results[1].Locations[0].PhysicalLocation.Region != nil {
		t.Error("program-wide finding has a region")
	}
	if !strings.HasSuffix(run.Tool.Driver.Rules[0].HelpURI, "#mp101") {
		t.Errorf("helpUri = %q", run.Tool.Driver.Rules[0].HelpURI)
	}
}
