package coverage

import (
	"errors"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		head string
		want Format
		err  error
	}{
		{"lcov TN", "TN:\nSF:a.js\n", FormatLcov, nil},
		{"lcov SF first", "SF:a.js\nDA:1,1\n", FormatLcov, nil},
		{"lcov with BOM and CRLF", "\ufeffTN:\r\nSF:a.js\r\n", FormatLcov, nil},
		{"lcov after blank lines", "\n\n  \nSF:a.js\n", FormatLcov, nil},
		{"go set", "mode: set\na.go:1.1,2.2 1 1\n", FormatGo, nil},
		{"go atomic CRLF", "mode: atomic\r\n", FormatGo, nil},
		{"cobertura with attrs", `<?xml version="1.0"?><coverage line-rate="1"><sources/></coverage>`, FormatCobertura, nil},
		{"cobertura by child", "<?xml version=\"1.0\"?>\n<!DOCTYPE coverage SYSTEM \"http://cobertura.sourceforge.net/xml/coverage-04.dtd\">\n<coverage>\n<sources>", FormatCobertura, nil},
		{"cobertura cut in root", `<coverage`, "", ErrUnknownFormat},
		{"clover by generated", `<?xml version="1.0" encoding="UTF-8"?><coverage generated="1693391816"><project>`, FormatClover, nil},
		{"clover by child", `<coverage><project timestamp="1">`, FormatClover, nil},
		{"jacoco", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd"><report name="x">`, FormatJaCoCo, nil},
		{"xml with comment first", "<!-- generated --><report name=\"x\">", FormatJaCoCo, nil},
		{"other xml", `<html><body/></html>`, "", ErrUnknownFormat},
		{"istanbul map", `{"/a/b.js": {"path": "/a/b.js", "statementMap": {}}}`, FormatIstanbul, nil},
		{"istanbul map, statementMap first", `{"b.js": {"statementMap": {}, "s": {}}}`, FormatIstanbul, nil},
		{"istanbul old data wrapping", `{"b.js": {"data": {"path": "b.js"}}}`, FormatIstanbul, nil},
		{"istanbul single file", `{"path": "/a/b.js", "statementMap": {}}`, FormatIstanbul, nil},
		{"istanbul summary", `{"total": {"lines": {"total": 1}}}`, FormatIstanbulSummary, nil},
		{"istanbul summary without total", `{"a.js": {"lines": {"total": 1, "covered": 1}}}`, FormatIstanbulSummary, nil},
		{"istanbul cut off", `{"a.js": {"lines": {"tot`, FormatIstanbulSummary, nil},
		{"json array", `[1,2]`, "", ErrUnknownFormat},
		{"json other object", `{"name": "x"}`, "", ErrUnknownFormat},
		{"empty", "", "", ErrEmpty},
		{"blank", " \r\n\t", "", ErrEmpty},
		{"go -func output", "a.go:19:\tcalcP\t100.0%\n", "", ErrUnknownFormat},
		{"text", "hello world", "", ErrUnknownFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Detect([]byte(tt.head))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Detect = %q, %v; want error %v", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Detect = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestMalformed checks that broken reports fail with ErrSyntax, naming the
// file and the line (and column where known) of the problem.
func TestMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		format Format // "" = detect
		want   string // substring of the error: "test:LINE" at least
	}{
		{"lcov bad DA line", "TN:\nSF:a.js\nDA:x,1\nend_of_record\n", "", "test:3:4: lcov report: DA line number \"x\""},
		{"lcov bad DA hits", "SF:a.js\nDA:1,1\nDA:2,-1\n", "", "test:3:6: lcov report: DA hit count \"-1\""},
		{"lcov DA without hits", "SF:a.js\nDA:7\n", "", "test:2:4: lcov report: DA:7 has no hit count"},
		{"lcov DA outside record", "TN:\nDA:1,1\n", "", "test:2:1: lcov report: DA outside a record"},
		{"lcov garbage line", "SF:a.js\nDA:1,1\nhello\n", "", "test:3:1: lcov report: \"hello\" is not an lcov line"},
		{"lcov SF without path", "SF:\n", "", "test:1:4: lcov report: SF: without a path"},
		{"lcov bad LF", "SF:a.js\nLF:many\n", "", "test:2:4: lcov report: LF value"},
		{"lcov CRLF line numbers", "TN:\r\nSF:a.js\r\nDA:1,1\r\nDA:2;1\r\n", "", "test:4:4: lcov report"},
		{"go without mode", "a.go:1.1,2.2 1 1\n", FormatGo, "test:1:1: go report: a Go coverprofile starts with a mode line"},
		{"go bad mode", "mode: sometimes\n", "", "test:1:7: go report: mode \"sometimes\""},
		{"go bad position", "mode: set\na.go:1.1,2.2 1 1\na.go:1-1,2.2 1 1\n", "", "test:3:6: go report: position is not line.col,line.col"},
		{"go block backwards", "mode: set\na.go:9.1,2.2 1 1\n", "", "test:2:6: go report: block ends before it starts"},
		{"go bad count", "mode: count\na.go:1.1,2.2 1 x\n", "", "test:2:16: go report: hit count"},
		{"go missing fields", "mode: count\na.go:1.1,2.2 1\n", "", "test:2:6: go report: want a position and two numbers"},
		{"cobertura bad number", "<coverage line-rate=\"1\">\n<packages><package><classes>\n<class filename=\"a.py\"><lines>\n<line number=\"x\" hits=\"1\"/>", "", "test:4:"},
		{"cobertura bad hits", "<coverage line-rate=\"1\">\n<packages><package><classes>\n<class filename=\"a.py\"><lines>\n<line number=\"3\" hits=\"-2\"/>", "", "test:4:"},
		{"cobertura class without filename", "<coverage line-rate=\"1\">\n<packages><package><classes>\n<class name=\"a\">", "", "test:3:"},
		{"cobertura truncated", "<coverage line-rate=\"1\">\n<packages><package><classes>\n<class filename=\"a.py\"><lines>\n<line number=\"3\" hits=\"1\"/>\n", "", "test:5: cobertura report: invalid XML"},
		{"cobertura mismatched tags (real sbt-scoverage fixture)", "", "", ""},
		{"jacoco bad ci", "<report name=\"r\"><package name=\"p\"><sourcefile name=\"A.java\">\n<line nr=\"3\" mi=\"0\" ci=\"lots\"/>", "", "test:2:"},
		{"clover bad count", "<coverage generated=\"1\"><project><file name=\"a.php\">\n\n<line num=\"3\" type=\"stmt\" count=\"?\"/>", "", "test:3:"},
		{"istanbul syntax", "{\n  \"a.js\": {\n    \"s\": {\"0\": 1,}\n  }\n}\n", "", "test:3:"},
		{"istanbul type", "{\n  \"a.js\": {\n    \"statementMap\": [],\n    \"s\": {}\n  }\n}\n", "", "test:3:22: istanbul report: entry \"a.js\""},
		{"istanbul summary covered > total", "{\"total\": {},\n\"a.js\": {\"lines\": {\"total\": 1, \"covered\": 1.15}}}\n", "", "test:2:9: istanbul-summary report: entry \"a.js\""},
		{"istanbul final then summary entry", "{\"a.js\": {\"s\": {}},\n\"b.js\": {\"lines\": {\"total\": 1, \"covered\": 1}}}", "", "test:2:9: istanbul report: entry \"b.js\": a coverage-summary entry in a coverage-final file"},
		{"istanbul summary then final entry", "{\"b.js\": {\"lines\": {\"total\": 1, \"covered\": 1}},\n\"a.js\": {\"s\": {}}}", "", "test:2:9: istanbul-summary report: entry \"a.js\": a coverage-final entry in a coverage-summary file"},
		{"istanbul summary covered over total", "{\"a.js\": {\"lines\": {\"total\": 1, \"covered\": 2}}}", "", "test:1:10: istanbul-summary report: entry \"a.js\": lines.covered 2 exceeds lines.total 1"},
		{"istanbul trailing garbage", "{\"a.js\": {\"s\": {}}} x", "", "test:1:"},
	}
	sbt, err := readTestdata("cobertura/coveralls-scoverage.xml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, want := tt.in, tt.want
			if in == "" {
				// The fixture's last <class> has a stray </methods>.
				in, want = sbt, "test:781: cobertura report: invalid XML: element <class> closed by </methods>"
			}
			var r *Report
			var err error
			if tt.format != "" {
				r, err = ParseFormat("test", tt.format, strings.NewReader(in), Options{})
			} else {
				r, err = parseString(in, Options{})
			}
			if err == nil {
				t.Fatalf("no error; report %v", r.SortedPaths())
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("error %v is not ErrSyntax", err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line == 0 {
				t.Errorf("error %v has no line", err)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		})
	}
}

// TestLineEndingsAndBOM: CRLF and a UTF-8 BOM change nothing.
func TestLineEndingsAndBOM(t *testing.T) {
	for _, name := range []string{
		"lcov/coveralls-test.lcov",
		"go/gocover-cobertura-gorilla-mux-v1.8.1.coverage.txt",
		"cobertura/coveralls-coveragepy-conditions.xml",
		"istanbul/vitest-coverage-final.json",
		"istanbul/vitest-coverage-summary.json",
		"jacoco/coveralls-jacoco-report.xml",
		"clover/coveralls-clover-phpcsutils.xml",
	} {
		plain, err := readTestdata(name)
		if err != nil {
			t.Fatal(err)
		}
		want, err := parseString(plain, Options{})
		if err != nil {
			t.Fatal(err)
		}
		crlf := strings.ReplaceAll(plain, "\n", "\r\n")
		for variant, in := range map[string]string{"CRLF": crlf, "BOM": "\ufeff" + plain, "BOM+CRLF": "\ufeff" + crlf} {
			t.Run(name+"/"+variant, func(t *testing.T) {
				got, err := parseString(in, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if got.Format != want.Format {
					t.Errorf("format %s, want %s", got.Format, want.Format)
				}
				sameFiles(t, got, want)
			})
		}
	}
}

func TestLatin1XML(t *testing.T) {
	in := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<coverage line-rate=\"1\"><packages><package><classes>" +
		"<class filename=\"caf\xe9.py\"><lines><line number=\"1\" hits=\"2\"/></lines></class></classes></package></packages></coverage>"
	r, err := parseString(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Files["café.py"]; f == nil || f.Lines[1] != 2 {
		t.Fatalf("files %v", r.SortedPaths())
	}
	_, err = parseString(`<?xml version="1.0" encoding="EBCDIC"?><coverage line-rate="1"/>`, Options{})
	if err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Fatalf("err = %v, want advice to write UTF-8", err)
	}
}

// TestSummaryCompareFixture: vitest-coverage-report-action's "compare" mock
// was edited by hand to lines.covered 1.15 of total 1 (pct 115). A summary
// whose covered lines are not a count, or exceed the total, is refused with
// the place of the entry rather than gated on.
func TestSummaryCompareFixture(t *testing.T) {
	in, err := readTestdata("istanbul/vitest-coverage-summary-compare.json")
	if err != nil {
		t.Fatal(err)
	}
	_, err = parseString(in, Options{})
	want := `test:34:37: istanbul-summary report: entry "/absolute/path/src/constants.js": lines.total "1" / lines.covered "1.15" are not counts`
	if !errors.Is(err, ErrSyntax) || err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("err = %v, want %s", err, want)
	}
}
