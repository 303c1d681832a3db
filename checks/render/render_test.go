package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mpgate/mpgate/checks"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const mb = 1 << 20

// fullReport has every kind of package, every severity and every gate status.
func fullReport() *checks.Report {
	d1 := checks.New(checks.MP201, "packageA/pages/cat/cat.js", 3, 13,
		"packageA requires packageB/utils/x.js synchronously", "use require.async or move x.js to the main package")
	d1.Package = "packageA"
	d2 := checks.New(checks.MP301, "", 0, 0, "packageB uses 2.10 MB of its 2.00 MB limit", "move code out or split the package")
	d3 := checks.New(checks.MP304, "", 0, 0, "__APP__ uses 93% of its limit", "")
	d4 := checks.New(checks.MP305, "images/unused-banner-with-a-rather-long-file-name-for-wrapping.png", 0, 0,
		"images/unused-banner-with-a-rather-long-file-name-for-wrapping.png is reachable from no page, component or app script and wastes 120.0 KB of the main package", "delete it or reference it")
	d4.Bytes = 120 << 10
	d5 := checks.New(checks.MP210, "pages/index/index.wxml", 12, 0, "<image src=\"../../img/a|b.png\"> resolves to no file", "")
	return &checks.Report{
		Schema: checks.Schema, Platform: "wechat", Root: "miniprogram", Project: "shop",
		Packages: []checks.Package{
			{Name: checks.MainPackage, Kind: checks.KindMain, Bytes: 1950000, UploadBytes: 1950000, GzipBytes: 610000, Files: 212, Limit: 2 * mb, Pages: 8},
			{Name: "packageA", Alias: "pack2", Root: "packageA", Kind: checks.KindSubpackage, Bytes: 412000, UploadBytes: 300000, GzipBytes: 120000, Files: 40, Limit: 2 * mb, Pages: 3},
			{Name: "packageB", Root: "packageB", Kind: checks.KindSubpackage, Bytes: 2202010, UploadBytes: 2202010, GzipBytes: 700000, Files: 88, Limit: 2 * mb},
			{Name: "moduleIndependentWithAVeryLongName", Root: "moduleIndependentWithAVeryLongName", Kind: checks.KindSubpackage, Independent: true, Bytes: 900, UploadBytes: 800, GzipBytes: 500, Files: 2, Limit: 2 * mb},
			{Name: "workers", Root: "workers", Kind: checks.KindWorkers, Bytes: 0, Files: 0, Limit: 2 * mb},
		},
		TotalBytes: 4564910, TotalUploadBytes: 4452810, TotalGzipBytes: 1430500,
		Limits:      checks.Limits{Package: 2 * mb, MainPackage: 2 * mb, Total: 30 * mb, Preload: 2 * mb, Warn: 90},
		SizeBasis:   checks.BasisBytes,
		Diagnostics: []checks.Diagnostic{d1, d2, d3, d4, d5},
		Gates: []checks.Gate{
			{Name: "size-delta", Rule: checks.GateSize, Status: checks.GateFail, Summary: "packageA +7.2% (limit 5%)"},
			{Name: "coverage", Rule: checks.GateCov, Status: checks.GatePass, Summary: "84.1% (min 80%)"},
			{Name: "patch-coverage", Rule: checks.GatePatch, Status: checks.GateSkip, Summary: "no coverage report configured"},
			{Name: "lint", Rule: checks.GateLint, Status: checks.GateError, Summary: "reports/eslint.json could not be read: open reports/eslint.json: no such file or directory"},
		},
		Verdict: checks.VerdictFail,
	}
}

// cleanReport passes: upload basis, no diagnostics, nil slices.
func cleanReport() *checks.Report {
	return &checks.Report{
		Schema: checks.Schema, Platform: "alipay", Root: "",
		Packages: []checks.Package{
			{Name: checks.MainPackage, Kind: checks.KindMain, Bytes: 81234, UploadBytes: 51000, GzipBytes: 20000, Files: 14, Limit: 2 * mb},
		},
		TotalBytes: 81234, TotalUploadBytes: 51000, TotalGzipBytes: 20000,
		Limits:    checks.Limits{Package: 2 * mb, MainPackage: 2 * mb, Total: 8 * mb, Preload: 2 * mb, Warn: 90},
		SizeBasis: checks.BasisUploadBytes,
		Verdict:   checks.VerdictPass,
	}
}

// hostileReport carries terminal escapes and Markdown in names and messages.
func hostileReport() *checks.Report {
	return &checks.Report{
		Platform: "wechat", Root: "a\x1b[31mb",
		Packages: []checks.Package{{Name: "pkg|<b>x</b>", Alias: "*bold* [link](http://x)", Kind: checks.KindSubpackage, Bytes: 10, Files: 1}},
		Diagnostics: []checks.Diagnostic{
			checks.New(checks.MP210, "dir/we`ird|name\x1b]0;title\x07.js", 1, 2, "line one\nline two <script>", "hint with | pipe"),
		},
		Gates: []checks.Gate{{Name: "g\x1b[2J", Status: checks.GatePass, Summary: "ok"}},
	}
}

var reports = []struct {
	name string
	r    func() *checks.Report
}{
	{"full", fullReport},
	{"clean", cleanReport},
	{"hostile", hostileReport},
	{"empty", func() *checks.Report { return &checks.Report{} }},
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestTerminalGolden(t *testing.T) {
	for _, tc := range reports {
		for _, color := range []bool{false, true} {
			name := tc.name + ".txt"
			if color {
				name = tc.name + ".color.txt"
			}
			t.Run(name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Terminal(&buf, tc.r(), TerminalOptions{Color: color}); err != nil {
					t.Fatal(err)
				}
				golden(t, name, buf.Bytes())
				out := buf.String()
				if !color && strings.Contains(out, "\x1b") {
					t.Error("escape sequences without Color")
				}
				if color && tc.name == "full" && !strings.Contains(out, ansiRed) {
					t.Error("no red with Color on a failing report")
				}
				if strings.Contains(out, "\x1b]") || strings.Contains(out, "\x1b[2J") || strings.Contains(out, "\x07") {
					t.Error("escape sequences from the report reached the output")
				}
			})
		}
	}
}

func TestTerminalFitsWidth(t *testing.T) {
	for _, width := range []int{80, 100} {
		for _, tc := range reports {
			var buf bytes.Buffer
			if err := Terminal(&buf, tc.r(), TerminalOptions{Width: width}); err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(buf.String(), "\n") {
				if n := utf8.RuneCountInString(line); n > width {
					t.Errorf("%s at width %d: line %d has %d columns: %q", tc.name, width, i+1, n, line)
				}
			}
		}
	}
}

func TestTerminalLimitsDiagnostics(t *testing.T) {
	r := fullReport()
	for i := 0; i < 10; i++ {
		r.Diagnostics = append(r.Diagnostics, checks.New(checks.MP306, "a.png", 0, 0, "duplicate", ""))
	}
	var buf bytes.Buffer
	if err := Terminal(&buf, r, TerminalOptions{MaxPerSeverity: 3}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "… and 8 more") {
		t.Errorf("no count of the hidden notes:\n%s", buf.String())
	}
	if got := strings.Count(buf.String(), "MP306"); got != 2 {
		t.Errorf("MP306 shown %d times, want 2 (3 notes shown, one of them MP305)", got)
	}
}

func TestMarkdownGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range reports {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := Markdown(&buf, tc.r(), MarkdownOptions{}); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".md", buf.Bytes())
			out := buf.String()
			if strings.Contains(out, "<script") {
				t.Error("HTML from the report reached the Markdown")
			}
			// Every table row has the same number of unescaped pipes as
			// its header.
			cols := 0
			for _, line := range strings.Split(out, "\n") {
				if !strings.HasPrefix(line, "|") {
					cols = 0
					continue
				}
				n := strings.Count(line, "|") - strings.Count(line, `\|`)
				if cols == 0 {
					cols = n
				} else if n != cols {
					t.Errorf("row with %d cells, header has %d: %q", n, cols, line)
				}
			}
		})
	}
}

func TestMarkdownOptions(t *testing.T) {
	var buf bytes.Buffer
	if err := Markdown(&buf, fullReport(), MarkdownOptions{Title: "Size report", HeadingLevel: 2, MaxPerSeverity: 1}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "## Size report ❌\n") {
		t.Errorf("heading = %q", strings.SplitN(out, "\n", 2)[0])
	}
	if !strings.Contains(out, "… 2 errors not shown") {
		t.Error("no count of hidden errors")
	}
}

func TestJSONContract(t *testing.T) {
	t.Parallel()
	for _, tc := range reports {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := JSON(&buf, tc.r()); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".json", buf.Bytes())
			var m map[string]any
			if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			for _, key := range []string{"diagnostics", "gates", "packages"} {
				if _, ok := m[key].([]any); !ok {
					t.Errorf("%s = %v, want a list", key, m[key])
				}
			}
			if m["schema"] != checks.Schema {
				t.Errorf("schema = %v", m["schema"])
			}
			if v := m["verdict"]; v != checks.VerdictPass && v != checks.VerdictFail {
				t.Errorf("verdict = %v", v)
			}
			if !strings.HasPrefix(buf.String(), "{\n  \"schema\"") {
				t.Error("not indented")
			}
		})
	}
}

func TestJSONReports(t *testing.T) {
	var buf bytes.Buffer
	if err := JSONReports(&buf, []*checks.Report{cleanReport(), fullReport()}); err != nil {
		t.Fatal(err)
	}
	var got Reports
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Schema != ReportsSchema || len(got.Reports) != 2 || got.Verdict != checks.VerdictFail {
		t.Errorf("got schema %q, %d reports, verdict %q", got.Schema, len(got.Reports), got.Verdict)
	}
	if got.Reports[0].Diagnostics == nil {
		t.Error("diagnostics of the clean report decoded as null")
	}
	buf.Reset()
	if err := JSONReports(&buf, []*checks.Report{cleanReport()}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"verdict": "pass"`) {
		t.Errorf("verdict of a passing set:\n%s", buf.String())
	}
	if err := JSONReports(&buf, []*checks.Report{nil}); err == nil {
		t.Error("nil report accepted")
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name string
		fn   func(w *failWriter) error
	}{
		{"terminal", func(w *failWriter) error { return Terminal(w, fullReport(), TerminalOptions{}) }},
		{"markdown", func(w *failWriter) error { return Markdown(w, fullReport(), MarkdownOptions{}) }},
		{"json", func(w *failWriter) error { return JSON(w, fullReport()) }},
		{"terminal nil", func(w *failWriter) error { return Terminal(w, nil, TerminalOptions{}) }},
		{"markdown nil", func(w *failWriter) error { return Markdown(w, nil, MarkdownOptions{}) }},
		{"json nil", func(w *failWriter) error { return JSON(w, nil) }},
	}
	for _, tt := range tests {
		for _, after := range []int{0, 3} {
			if after > 0 && strings.HasPrefix(tt.name, "json") {
				continue // JSON is written in one call
			}
			t.Run(tt.name, func(t *testing.T) {
				if err := tt.fn(&failWriter{n: after}); err == nil {
					t.Error("no error from a failing writer")
				}
			})
		}
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KB"}, {412000, "402.3 KB"},
		{1000 * 1024, "0.98 MB"}, {2 * mb, "2.00 MB"}, {2202010, "2.10 MB"}, {30 * mb, "30.00 MB"},
		{1 << 40, "1024.00 GB"}, {-2048, "-2.0 KB"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := Size(tt.in); got != tt.want {
				t.Errorf("Size(%d) = %q, want %q", tt.in, got, tt.want)
			}
			if len(Size(tt.in)) > 10 {
				t.Errorf("Size(%d) wider than 10", tt.in)
			}
		})
	}
}

func TestBar(t *testing.T) {
	tests := []struct {
		pct  float64
		want string
	}{{0, "░░░░░"}, {1, "▓░░░░"}, {0.4, "░░░░░"}, {50, "▓▓▓░░"}, {100, "▓▓▓▓▓"}, {250, "▓▓▓▓▓"}, {-5, "░░░░░"}}
	for _, tt := range tests {
		if got := bar(tt.pct, 5, "▓", "░"); got != tt.want {
			t.Errorf("bar(%v) = %q, want %q", tt.pct, got, tt.want)
		}
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		width int
		want  []string
	}{
		{"a b c", 10, []string{"a b c"}},
		{"aaaa bbbb cccc", 10, []string{"aaaa bbbb", "cccc"}},
		{"one\ntwo", 10, []string{"one", "two"}},
		{"abcdefghijklmnopqrstuvwxyz", 10, []string{"abcdefghij", "klmnopqrst", "uvwxyz"}},
		{"", 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got := wrap(tt.in, tt.width)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
			}
		})
	}
}

func FuzzTerminal(f *testing.F) {
	f.Add("packageA", "pages/a.js", "message", "hint", "gate", "summary")
	f.Add("\x1b[31m", "a\x1b]0;x\x07", "long "+strings.Repeat("x", 200), "", "", "")
	f.Fuzz(func(t *testing.T, pkg, file, msg, hint, gate, summary string) {
		r := fullReport()
		r.Packages[1].Name, r.Packages[1].Alias = pkg, pkg
		r.Diagnostics = append(r.Diagnostics, checks.Diagnostic{Rule: "MP210", Severity: "odd", File: file, Line: 1, Message: msg, Hint: hint})
		r.Gates = append(r.Gates, checks.Gate{Name: gate, Status: gate, Summary: summary})
		var buf bytes.Buffer
		if err := Terminal(&buf, r, TerminalOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(buf.String(), "\n") {
			if utf8.RuneCountInString(line) > 80 {
				t.Fatalf("line wider than 80: %q", line)
			}
		}
		if strings.ContainsRune(buf.String(), 0x1b) {
			t.Fatal("escape character in the output")
		}
		buf.Reset()
		if err := Markdown(&buf, r, MarkdownOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(buf.String(), "\n") {
			if strings.HasPrefix(line, "| ") && strings.Count(line, "|")-strings.Count(line, `\|`) > 9 {
				t.Fatalf("table row with extra cells: %q", line)
			}
		}
	})
}

func TestMdCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a.js", "`a.js`"},
		{"a`b", "``a`b``"},
		{"`a", "`` `a ``"},
		{"a|b", "`a\\|b`"},
	}
	for _, tt := range tests {
		if got := mdCode(tt.in); got != tt.want {
			t.Errorf("mdCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHintRulesCapped(t *testing.T) {
	r := cleanReport()
	for i := range 15 {
		d := checks.New(checks.MP305, fmt.Sprintf("old%02d/a.js", i), 0, 0, fmt.Sprintf("unused folder %02d", i), "")
		r.Diagnostics = append(r.Diagnostics, d)
	}
	r.Diagnostics = append(r.Diagnostics, checks.New(checks.MP307, "utils/x.js", 0, 0, "only packageA", ""))
	var text, md bytes.Buffer
	if err := Terminal(&text, r, TerminalOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, r, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String()} {
		if got := strings.Count(out, "unused folder"); got != maxPerHintRule {
			t.Errorf("%s: %d MP305 listed, want %d:\n%s", name, got, maxPerHintRule, out)
		}
		if !strings.Contains(out, "and 5 more MP305") || !strings.Contains(out, "only packageA") {
			t.Errorf("%s: no count of the capped MP305, or MP307 lost:\n%s", name, out)
		}
	}
}

// The report's notes on what the upload estimate only approximates reach the
// reader of the text and the Markdown, not only the JSON.
func TestUploadNotesShown(t *testing.T) {
	for _, notes := range [][]string{nil, {"3 Skyline worklet function(s): approximated", "less sources <estimated>"}} {
		r := cleanReport()
		r.UploadNotes = notes
		var text, md bytes.Buffer
		if err := Terminal(&text, r, TerminalOptions{Width: 200}); err != nil {
			t.Fatal(err)
		}
		if err := Markdown(&md, r, MarkdownOptions{}); err != nil {
			t.Fatal(err)
		}
		for name, out := range map[string]string{"text": text.String(), "markdown": md.String()} {
			if got := strings.Count(out, "Upload estimate: "); got != len(notes) {
				t.Errorf("%s: %d upload notes shown, want %d:\n%s", name, got, len(notes), out)
			}
			for _, n := range notes {
				if name == "text" && !strings.Contains(out, n) {
					t.Errorf("text: note %q missing:\n%s", n, out)
				}
			}
		}
		if len(notes) > 0 && !strings.Contains(md.String(), "less sources &lt;estimated&gt;") {
			t.Errorf("markdown: the note is not escaped:\n%s", md.String())
		}
	}
}
