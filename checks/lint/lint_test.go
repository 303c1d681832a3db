package lint

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestParseRealReports(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want []Problem
	}{
		{"testdata/eslint.json", []Problem{
			{Tool: "eslint", File: "pages/index/index.js", Line: 2, Column: 5, EndLine: 2, Severity: Warning, Rule: "no-unused-vars", Message: "'unused' is assigned a value but never used."},
			{Tool: "eslint", File: "pages/index/index.js", Line: 6, Column: 21, EndLine: 6, Severity: Error, Rule: "eqeqeq", Message: "Expected '===' and instead saw '=='."},
			{Tool: "eslint", File: "pages/index/index.js", Line: 6, Column: 24, EndLine: 6, Severity: Error, Rule: "no-undef", Message: "'undefinedThing' is not defined."},
		}},
		{"testdata/stylelint.json", []Problem{
			{Tool: "stylelint", File: "pages/index/index.css", Line: 3, Column: 4, EndLine: 3, Severity: Error, Rule: "block-no-empty", Message: "Unexpected empty block (block-no-empty)"},
			{Tool: "stylelint", File: "pages/index/index.css", Line: 2, Column: 6, EndLine: 2, Severity: Error, Rule: "property-no-unknown", Message: "Unexpected unknown property \"colr\" (property-no-unknown)"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := Parse(tc.file, f, "/tmp/linters/proj")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems, want %d: %+v", len(got), len(tc.want), got)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("problem %d:\n got  %+v\n want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestParseBadInput(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"not json":      "eslint found problems\n",
		"object":        `{"filePath": "a.js"}`,
		"unknown shape": `[{"name": "x"}]`,
		"broken":        "[\n{\"filePath\": \"a.js\",\n \"messages\": [}\n]",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("report.json", strings.NewReader(in), "")
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error %v does not wrap ErrFormat", err)
			}
			if !strings.Contains(err.Error(), "report.json") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	_, err := Parse("r.json", strings.NewReader("[\n{\"filePath\": 1,\n"), "")
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("syntax error without line: %v", err)
	}
}

func TestRelPath(t *testing.T) {
	for in, want := range map[string]string{
		"/repo/src/a.js":  "src/a.js",
		"./src/a.js":      "src/a.js",
		"src\\win\\a.js":  "src/win/a.js",
		"/elsewhere/a.js": "/elsewhere/a.js",
	} {
		if got := relPath(in, "/repo"); got != want {
			t.Errorf("relPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`[]`, `[{"filePath":"a","messages":[{"line":1}]}]`, `[{"source":"a","warnings":[]}]`} {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile("testdata/eslint.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := Parse("f.json", strings.NewReader(string(data)), "/r")
		if err != nil && ps != nil {
			t.Fatal("problems returned with an error")
		}
	})
}
