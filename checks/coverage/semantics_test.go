package coverage

import (
	"math"
	"testing"
)

// TestLineSemantics pins down, per format, which lines count and how hits
// combine (see the package comment).
func TestLineSemantics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		opt   Options
		file  string
		lines map[int]int64 // nil: summary-only
		cov   [2]int        // covered, total
	}{
		{
			name: "lcov DA lines, checksum ignored, line 0 skipped, uint64 wrap saturates",
			in:   "TN:\nSF:a.js\nDA:0,5\nDA:1,1,abc123\nDA:2,0\nDA:3,18446744073709551615\nLF:3\nLH:2\nend_of_record\n",
			file: "a.js", lines: map[int]int64{1: 1, 2: 0, 3: math.MaxInt64}, cov: [2]int{2, 3},
		},
		{
			name: "lcov records of one file add up",
			in:   "SF:a.js\nDA:1,1\nDA:2,0\nend_of_record\nSF:./a.js\nDA:2,3\nDA:4,0\nend_of_record\n",
			file: "a.js", lines: map[int]int64{1: 1, 2: 3, 4: 0}, cov: [2]int{2, 3},
		},
		{
			name: "lcov without end_of_record and a new SF closing the last",
			in:   "SF:b.js\nDA:1,1\nSF:a.js\nDA:5,2",
			file: "a.js", lines: map[int]int64{5: 2}, cov: [2]int{1, 1},
		},
		{
			name: "lcov summary-only record (LF/LH, no DA)",
			in:   "SF:a.js\nLF:10\nLH:4\nend_of_record\n",
			file: "a.js", lines: nil, cov: [2]int{4, 10},
		},
		{
			name: "lcov line data replaces a summary-only record of the same file",
			in:   "SF:a.js\nLF:9\nLH:9\nend_of_record\nSF:a.js\nDA:1,0\nend_of_record\nSF:a.js\nLF:5\nLH:5\nend_of_record\n",
			file: "a.js", lines: map[int]int64{1: 0}, cov: [2]int{0, 1},
		},
		{
			name: "go: lines shared by blocks are hit if any block is (count adds)",
			// Codecov's example: 5.44,6.8 ran, 6.8,8.3 did not; line 6 is covered.
			in:    "mode: count\nm/main.go:5.44,6.8 1 1\nm/main.go:10.2,10.8 1 1\nm/main.go:14.2,14.13 1 0\nm/main.go:6.8,8.3 1 0\nm/main.go:10.8,12.3 1 2\nm/main.go:17.13,19.2 1 0\n",
			opt:   Options{ModulePath: "m"},
			file:  "main.go",
			lines: map[int]int64{5: 1, 6: 1, 7: 0, 8: 0, 10: 3, 11: 2, 12: 2, 14: 0, 17: 0, 18: 0, 19: 0},
			cov:   [2]int{5, 11},
		},
		{
			name: "go: the same block twice (-coverpkg) adds in count mode",
			in:   "mode: atomic\nm/a.go:1.10,3.2 2 0\nm/a.go:1.10,3.2 2 4\nm/a.go:1.10,3.2 2 1\n",
			opt:  Options{ModulePath: "m"},
			file: "a.go", lines: map[int]int64{1: 5, 2: 5, 3: 5}, cov: [2]int{3, 3},
		},
		{
			name: "go: set mode ORs, and concatenated profiles repeat the mode line",
			in:   "mode: set\nm/a.go:1.10,2.2 1 1\nmode: set\nm/a.go:1.10,2.2 1 1\nm/a.go:2.2,3.2 1 0\n",
			opt:  Options{ModulePath: "m"},
			file: "a.go", lines: map[int]int64{1: 1, 2: 1, 3: 0}, cov: [2]int{2, 3},
		},
		{
			name: "go: zero-statement block still names its lines",
			in:   "mode: atomic\nmymodule/main.go:3.14,4.2 0 1\n",
			file: "mymodule/main.go", lines: map[int]int64{3: 1, 4: 1}, cov: [2]int{2, 2},
		},
		{
			name: "istanbul: a statement counts on its start line; highest count per line",
			in: `{"a.js": {"path": "/r/a.js",
				"statementMap": {"0": {"start": {"line": 1, "column": 0}, "end": {"line": 4, "column": 1}},
				                 "1": {"start": {"line": 2, "column": 2}, "end": {"line": 2, "column": 9}},
				                 "2": {"start": {"line": 2, "column": 10}, "end": {"line": 2, "column": 20}},
				                 "3": {"start": {"line": 0, "column": 0}, "end": {"line": 0, "column": 1}}},
				"s": {"0": 1, "1": 0, "2": 7, "3": 1, "9": 4}}}`,
			opt:  Options{RepoRoot: "/r"},
			file: "a.js", lines: map[int]int64{1: 1, 2: 7}, cov: [2]int{2, 2},
		},
		{
			name: "istanbul: old nyc {data: ...} wrapping",
			in:   `{"a.js": {"data": {"path": "a.js", "statementMap": {"0": {"start": {"line": 3}}}, "s": {"0": 0}}}}`,
			file: "a.js", lines: map[int]int64{3: 0}, cov: [2]int{0, 1},
		},
		{
			name: "istanbul summary: pct Unknown ignored",
			in:   `{"total": {"lines": {"total": 0, "covered": 0, "pct": "Unknown"}}, "a.js": {"lines": {"total": 4, "covered": 3, "skipped": 0, "pct": 75}}}`,
			file: "a.js", lines: nil, cov: [2]int{3, 4},
		},
		{
			name: "cobertura: class lines only, duplicates keep the highest, line 0 skipped",
			in: `<coverage line-rate="1"><packages><package><classes>
				<class filename="a.py"><methods><method><lines><line number="9" hits="1"/></lines></method></methods>
				<lines><line number="0" hits="1"/><line number="1" hits="0"/><line number="2" hits="3.0"/></lines></class>
				<class filename="a.py"><lines><line number="1" hits="2"/></lines></class></classes></package></packages></coverage>`,
			file: "a.py", lines: map[int]int64{1: 2, 2: 3}, cov: [2]int{2, 2},
		},
		{
			name: "jacoco: ci is the hit count; package dir joins the file",
			in:   `<report name="r"><group name="g"><package name="com/x"><class name="com/x/A"><method name="m"><counter type="LINE" missed="0" covered="1"/></method></class><sourcefile name="A.java"><line nr="3" mi="2" ci="0" mb="0" cb="0"/><line nr="4" mi="1" ci="5" mb="1" cb="1"/></sourcefile></package></group></report>`,
			file: "com/x/A.java", lines: map[int]int64{3: 0, 4: 5}, cov: [2]int{1, 2},
		},
		{
			name: "clover: stmt and cond count, method does not; path preferred to name",
			in:   `<coverage generated="1"><project><package name="p"><file name="A.java" path="/r/src/A.java"><line num="1" type="method" count="1"/><line num="2" type="stmt" count="0"/><line num="3" type="cond" truecount="1" falsecount="0"/><line num="4" type="cond" count="2"/></file></package></project></coverage>`,
			opt:  Options{RepoRoot: "/r"},
			file: "src/A.java", lines: map[int]int64{2: 0, 3: 1, 4: 2}, cov: [2]int{2, 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := parseString(tt.in, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, r)
			f := r.Files[tt.file]
			if f == nil {
				t.Fatalf("no %s in %v", tt.file, r.SortedPaths())
			}
			if (tt.lines == nil) != (f.Lines == nil) {
				t.Fatalf("lines = %v, want %v", f.Lines, tt.lines)
			}
			if len(f.Lines) != len(tt.lines) {
				t.Errorf("lines = %v, want %v", f.Lines, tt.lines)
			}
			for n, h := range tt.lines {
				if got, ok := f.Lines[n]; !ok || got != h {
					t.Errorf("line %d = %d (%v), want %d", n, got, ok, h)
				}
			}
			if f.Covered != tt.cov[0] || f.Total != tt.cov[1] {
				t.Errorf("covered/total = %d/%d, want %d/%d", f.Covered, f.Total, tt.cov[0], tt.cov[1])
			}
		})
	}
}

func TestPercentPatchMerge(t *testing.T) {
	a, err := parseString("SF:a.js\nDA:1,1\nDA:2,0\nDA:3,0\nend_of_record\nSF:b.js\nDA:1,0\nend_of_record\n", Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := parseString("mode: set\nm/c.go:1.1,2.2 1 1\n", Options{ModulePath: "m"})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := parseString(`{"total": {}, "d.js": {"lines": {"total": 10, "covered": 5}}}`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a2, err := parseString("SF:a.js\nDA:2,4\nDA:9,0\nend_of_record\n", Options{})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("percent", func(t *testing.T) {
		if p, ok := a.Percent(); !ok || p != 25 {
			t.Errorf("Percent = %v, %v; want 25, true", p, ok)
		}
		var nilReport *Report
		if _, ok := nilReport.Percent(); ok {
			t.Error("nil report has a percent")
		}
	})

	t.Run("patch", func(t *testing.T) {
		tests := []struct {
			name    string
			r       *Report
			changed map[string][]int
			cov     [2]int
		}{
			{"executable changed lines only", a, map[string][]int{"a.js": {1, 2, 5, 6}}, [2]int{1, 2}},
			{"duplicates counted once", a, map[string][]int{"a.js": {1, 1, 1}}, [2]int{1, 1}},
			{"paths cleaned", a, map[string][]int{"./a.js": {1}, `b.js`: {1}}, [2]int{1, 2}},
			{"unknown file", a, map[string][]int{"z.js": {1}}, [2]int{0, 0}},
			{"summary-only file has no lines", sum, map[string][]int{"d.js": {1, 2}}, [2]int{0, 0}},
			{"nothing changed", a, nil, [2]int{0, 0}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c, n := tt.r.Patch(tt.changed)
				if c != tt.cov[0] || n != tt.cov[1] {
					t.Errorf("Patch = %d/%d, want %d/%d", c, n, tt.cov[0], tt.cov[1])
				}
			})
		}
		if !a.LineLevel() || sum.LineLevel() {
			t.Errorf("LineLevel: lcov %v, summary %v", a.LineLevel(), sum.LineLevel())
		}
	})

	t.Run("merge", func(t *testing.T) {
		m := Merge(a, nil, a2)
		if m.Format != FormatLcov {
			t.Errorf("format %s", m.Format)
		}
		f := m.Files["a.js"]
		want := map[int]int64{1: 1, 2: 4, 3: 0, 9: 0}
		if len(f.Lines) != len(want) {
			t.Errorf("lines %v, want %v", f.Lines, want)
		}
		for n, h := range want {
			if f.Lines[n] != h {
				t.Errorf("line %d = %d, want %d", n, f.Lines[n], h)
			}
		}
		if f.Covered != 2 || f.Total != 4 {
			t.Errorf("a.js %d/%d, want 2/4", f.Covered, f.Total)
		}
		// Inputs untouched.
		if a.Files["a.js"].Lines[2] != 0 || len(a.Files["a.js"].Lines) != 3 {
			t.Error("Merge modified its input")
		}
		mixed := Merge(a, b, sum)
		if mixed.Format != FormatMixed || len(mixed.Files) != 4 {
			t.Errorf("mixed = %s %v", mixed.Format, mixed.SortedPaths())
		}
		if c, n := mixed.Totals(); c != 1+0+2+5 || n != 3+1+2+10 { // a.js, b.js, c.go, d.js
			t.Errorf("mixed totals %d/%d", c, n)
		}
		// Summaries of one file: highest covered and total.
		sum2, err := parseString(`{"d.js": {"lines": {"total": 12, "covered": 4}}}`, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if d := Merge(sum, sum2).Files["d.js"]; d.Covered != 5 || d.Total != 12 || d.Lines != nil {
			t.Errorf("summary merge %+v", d)
		}
		// Line data wins over a summary.
		lines, err := parseString("SF:d.js\nDA:1,1\nend_of_record\n", Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, order := range [][]*Report{{sum, lines}, {lines, sum}} {
			if d := Merge(order...).Files["d.js"]; d.Covered != 1 || d.Total != 1 {
				t.Errorf("line data vs summary: %+v", d)
			}
		}
		// Saturating add.
		big, err := parseString("SF:a.js\nDA:1,18446744073709551615\nend_of_record\n", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if h := Merge(big, big).Files["a.js"].Lines[1]; h != math.MaxInt64 {
			t.Errorf("saturated hits = %d", h)
		}
		if len(Merge().Files) != 0 {
			t.Error("empty merge has files")
		}
	})
}
