package checks

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestCatalogDocumented keeps docs/rules.md and the catalog in step: every
// rule has a row with its severity, and the docs name no rule the code lacks.
func TestCatalogDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/rules.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	row := regexp.MustCompile(`(?m)^\| (MP\d{3}) \| (\w+) \|`)
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		rows[m[1]] = m[2]
	}
	for _, r := range Catalog {
		sev, ok := rows[r.ID]
		if !ok {
			t.Errorf("%s is not documented in docs/rules.md", r.ID)
			continue
		}
		if sev != string(r.Severity) {
			t.Errorf("%s: docs say %s, catalog says %s", r.ID, sev, r.Severity)
		}
		delete(rows, r.ID)
	}
	for id := range rows {
		t.Errorf("docs/rules.md documents %s, which the catalog lacks", id)
	}
}

func TestCatalogOrderAndNew(t *testing.T) {
	for i := 1; i < len(Catalog); i++ {
		if strings.Compare(Catalog[i-1].ID, Catalog[i].ID) >= 0 {
			t.Errorf("catalog out of order at %s", Catalog[i].ID)
		}
	}
	d := New(MP201, "a.js", 3, 13, "m", "h")
	if d.Severity != SeverityError || d.Rule != MP201 || d.Line != 3 || d.Column != 13 {
		t.Errorf("New: %+v", d)
	}
	defer func() {
		if recover() == nil {
			t.Error("New with an unknown rule did not panic")
		}
	}()
	New("MP999", "", 0, 0, "", "")
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KB", 2 << 20: "2.00 MB", -1536: "-1.5 KB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
