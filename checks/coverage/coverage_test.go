package coverage

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.golden from the current output")

func parseFile(t *testing.T, name string, opt Options) *Report {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := Parse(name, f, opt)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return r
}

func parseString(s string, opt Options) (*Report, error) {
	return Parse("test", strings.NewReader(s), opt)
}

// TestSamples parses every real sample and checks its format, file count and
// totals; the figures come from the reports' own headers where they have one
// (see the comments), else from counting by hand.
func TestSamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file           string
		opt            Options
		format         Format
		files          int
		covered, total int
	}{
		// LF/LH of the three records: 1/1, 2/2, 13/14.
		{"lcov/coveralls-test.lcov", Options{}, FormatLcov, 3, 16, 17},
		{"lcov/coveralls-for-base-path.lcov", Options{}, FormatLcov, 3, 16, 17},
		// Header lines-covered="5" lines-valid="6".
		{"cobertura/coveralls-coveragepy-conditions.xml", Options{}, FormatCobertura, 1, 5, 6},
		{"cobertura/coveralls-empty-lines.xml", Options{}, FormatCobertura, 1, 0, 0},
		// Only line number 0, which is no line.
		{"cobertura/coveralls-zero-only.xml", Options{}, FormatCobertura, 1, 0, 0},
		// The header says lines-covered="176" lines-valid="246": sbt-scoverage
		// counts <line> elements of every class, and several classes (a class and
		// its companion object) list the same line of the same file. Counting
		// distinct lines per file, as Codecov does, gives 77/106; the class-level
		// <line> elements number 175/245 (the one missing is in the class the
		// fixture broke, see ORIGINS.md).
		{"cobertura/coveralls-scoverage.fixed.xml", Options{}, FormatCobertura, 16, 77, 106},
		// Header lines-covered="798" lines-valid="946".
		{"cobertura/gocover-cobertura-gorilla-mux-v1.8.1.golden.xml", Options{}, FormatCobertura, 5, 798, 946},
		// Header lines-covered="46" lines-valid="46".
		{"cobertura/istanbuljs-100-line-missing-branch.cobertura.xml", Options{}, FormatCobertura, 1, 46, 46},
		{"cobertura/istanbuljs-different-path-files.cobertura.xml", Options{}, FormatCobertura, 4, 0, 0},
		{"go/coveralls-coverage-dashes.out", Options{}, FormatGo, 1, 12, 12},
		{"go/coveralls-coverage-one-slash.out", Options{}, FormatGo, 1, 2, 2},
		{"go/coveralls-coverage-two-slashes.out", Options{}, FormatGo, 1, 12, 12},
		// Two module paths (lefthook and lefthook/v2) name the same files: with
		// ModulePath only the v2 ones become relative, so 28 distinct keys.
		{"go/coveralls-lefthook-coverage.out", Options{ModulePath: "github.com/evilmartians/lefthook/v2"}, FormatGo, 28, 872, 1924},
		{"go/gocover-cobertura-gorilla-mux-v1.8.1.coverage.txt", Options{ModulePath: "github.com/gorilla/mux"}, FormatGo, 5, 798, 946},
		{"istanbul/istanbuljs-100-line-missing-branch.coverage-final.json", Options{}, FormatIstanbul, 1, 46, 46},
		{"istanbul/istanbuljs-different-path-files.coverage-final.json", Options{}, FormatIstanbul, 4, 0, 0},
		// One FileCoverage, not a map: statement 0 on line 11, never run.
		{"istanbul/istanbuljs-filecoverage-github-10.json", Options{}, FormatIstanbul, 1, 0, 1},
		{"istanbul/vitest-coverage-final.json", Options{}, FormatIstanbul, 7, 56, 282},
		// total.lines: covered 60, total 145.
		{"istanbul/vitest-coverage-summary.json", Options{}, FormatIstanbulSummary, 5, 60, 145},
		// Per sourcefile LINE counters (checked one by one in TestJaCoCoCounters).
		{"jacoco/coveralls-jacoco-report.xml", Options{}, FormatJaCoCo, 2, 5, 6},
		{"jacoco/coveralls-jacoco-oneline.xml", Options{}, FormatJaCoCo, 2, 5, 6},
		{"jacoco/coveralls-jacoco-multiple-packages.xml", Options{}, FormatJaCoCo, 3, 10, 12},
		// File metrics statements="79" coveredstatements="79"; the second file's
		// <line> elements were cut from the fixture (its metrics still say 244).
		{"clover/coveralls-clover-phpcsutils.xml", Options{}, FormatClover, 2, 79, 79},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			r := parseFile(t, tt.file, tt.opt)
			if r.Format != tt.format {
				t.Errorf("format = %s, want %s", r.Format, tt.format)
			}
			if len(r.Files) != tt.files {
				t.Errorf("files = %d, want %d: %v", len(r.Files), tt.files, r.SortedPaths())
			}
			c, n := r.Totals()
			if c != tt.covered || n != tt.total {
				t.Errorf("totals = %d/%d, want %d/%d", c, n, tt.covered, tt.total)
			}
			checkInvariants(t, r)

			var buf bytes.Buffer
			if err := r.WriteSummary(&buf); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", strings.ReplaceAll(tt.file, "/", "__")+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestSamples -update)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("summary differs from %s (go test -run TestSamples -update to accept):\n%s", golden, buf.String())
			}
		})
	}
}

// checkInvariants holds for every parsed report.
func checkInvariants(t *testing.T, r *Report) {
	t.Helper()
	for k, f := range r.Files {
		if f.Path != k {
			t.Errorf("file %q has Path %q", k, f.Path)
		}
		if f.Covered < 0 || f.Covered > f.Total {
			t.Errorf("file %q: covered %d of %d", k, f.Covered, f.Total)
		}
		if f.Lines == nil {
			continue
		}
		if f.Total != len(f.Lines) {
			t.Errorf("file %q: total %d but %d lines", k, f.Total, len(f.Lines))
		}
		for n, h := range f.Lines {
			if n < 1 || h < 0 {
				t.Errorf("file %q: line %d hits %d", k, n, h)
			}
		}
	}
}

func TestEmptyReports(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
	}{
		{"zero bytes", ""},
		{"blank", " \n\r\n\t"},
		{"BOM only", "\ufeff"},
		{"lcov without records", "TN:\nTN:some-test\n"},
		{"go mode line only", "mode: set\n"},
		{"empty istanbul map", "{}"},
		{"istanbul summary with total only", `{"total":{"lines":{"total":0,"covered":0,"pct":"Unknown"}}}`},
		{"cobertura without classes", `<coverage line-rate="0"><packages/></coverage>`},
		{"jacoco without sourcefiles", `<report name="x"></report>`},
		{"clover without files", `<coverage generated="1"><project/></coverage>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := parseString(tt.in, Options{})
			if !errors.Is(err, ErrEmpty) {
				t.Fatalf("err = %v, report %+v; want ErrEmpty", err, r)
			}
		})
	}
	t.Run("empty lcov sample", func(t *testing.T) {
		f, err := os.Open("testdata/lcov/coveralls-empty.lcov")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := Parse("coveralls-empty.lcov", f, Options{}); !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), "coveralls-empty.lcov") {
			t.Fatalf("err = %v, want ErrEmpty naming the file", err)
		}
	})
	t.Run("files without executable lines", func(t *testing.T) {
		r, err := parseString("SF:a.js\nend_of_record\n", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := r.Percent(); ok {
			t.Fatal("Percent ok on a report without executable lines")
		}
		if len(r.Files) != 1 || r.Files["a.js"] == nil {
			t.Fatalf("files = %v", r.SortedPaths())
		}
	})
}

func readTestdata(name string) (string, error) {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	return string(b), err
}

func TestParseFile(t *testing.T) {
	r, err := ParseFile(filepath.Join("testdata", "lcov", "coveralls-test.lcov"), Options{})
	if err != nil || len(r.Files) != 3 {
		t.Fatalf("ParseFile = %v, %v", r, err)
	}
	if _, err := ParseFile(filepath.Join("testdata", "no-such.lcov"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: err = %v, want ErrNotExist", err)
	}
}

// TestReadError: a failing reader is an I/O error, not ErrSyntax.
func TestReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk on fire")
	for _, head := range []string{"SF:a.js\nDA:1,1\n", "mode: set\na.go:1.1,2.2 1 1\n", `{"a.js": {"s": {`, `<coverage line-rate="1"><packages>`} {
		t.Run(head[:4], func(t *testing.T) {
			t.Parallel()
			format, err := Detect([]byte(head))
			if err != nil {
				t.Fatal(err)
			}
			// Through detection (the error hits while peeking) and straight
			// into the format's parser.
			for _, parse := range []func(io.Reader) error{
				func(r io.Reader) error { _, err := Parse("r", r, Options{}); return err },
				func(r io.Reader) error { _, err := ParseFormat("r", format, r, Options{}); return err },
			} {
				err := parse(io.MultiReader(strings.NewReader(head), iotest.ErrReader(boom)))
				if !errors.Is(err, boom) || errors.Is(err, ErrSyntax) {
					t.Fatalf("err = %v, want the read error and not ErrSyntax", err)
				}
			}
		})
	}
}
