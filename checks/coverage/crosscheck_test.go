package coverage

import (
	"encoding/xml"
	"os"
	"testing"
)

// sameFiles asserts that two reports of the same data agree file by file on
// the paths, on covered/total and on each line's covered state.
func sameFiles(t *testing.T, a, b *Report) {
	t.Helper()
	if len(a.Files) != len(b.Files) {
		t.Fatalf("%s has files %v, %s has %v", a.Format, a.SortedPaths(), b.Format, b.SortedPaths())
	}
	for p, fa := range a.Files {
		fb := b.Files[p]
		if fb == nil {
			t.Errorf("%s: only in %s (other has %v)", p, a.Format, b.SortedPaths())
			continue
		}
		if fa.Covered != fb.Covered || fa.Total != fb.Total {
			t.Errorf("%s: %s %d/%d, %s %d/%d", p, a.Format, fa.Covered, fa.Total, b.Format, fb.Covered, fb.Total)
		}
		for n, ha := range fa.Lines {
			hb, ok := fb.Lines[n]
			switch {
			case !ok:
				t.Errorf("%s:%d executable in %s only", p, n, a.Format)
			case (ha > 0) != (hb > 0):
				t.Errorf("%s:%d hits %d in %s, %d in %s", p, n, ha, a.Format, hb, b.Format)
			}
		}
	}
}

func TestCrossCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		a, b   string
		opt    Options
		nFiles int
	}{
		{
			// istanbul-reports' cobertura reporter run on the coverage map:
			// Istanbul's line rule (statement start lines, highest count) is
			// exactly what the cobertura reporter wrote.
			name: "istanbul map vs istanbul cobertura, 100-line-missing-branch",
			a:    "istanbul/istanbuljs-100-line-missing-branch.coverage-final.json",
			b:    "cobertura/istanbuljs-100-line-missing-branch.cobertura.xml",
			// The map has absolute paths; the cobertura file names them
			// relative to <source>/Users/benjamincoe/oss/test-exclude.
			opt:    Options{RepoRoot: "/Users/benjamincoe/oss/test-exclude"},
			nFiles: 1,
		},
		{
			name:   "istanbul map vs istanbul cobertura, different-path-files",
			a:      "istanbul/istanbuljs-different-path-files.coverage-final.json",
			b:      "cobertura/istanbuljs-different-path-files.cobertura.xml",
			opt:    Options{RepoRoot: "/Users/jschmidle/oss/istanbuljs-test/"},
			nFiles: 4,
		},
		{
			// gocover-cobertura (commit fe5b37d) converting the same
			// profile: lines shared by blocks are hit if any block is, every
			// line of a block counts, closing braces included. Its class
			// filenames are relative to the module root, as ModulePath makes
			// the import paths.
			name:   "go coverprofile vs gocover-cobertura golden, gorilla/mux",
			a:      "go/gocover-cobertura-gorilla-mux-v1.8.1.coverage.txt",
			b:      "cobertura/gocover-cobertura-gorilla-mux-v1.8.1.golden.xml",
			opt:    Options{ModulePath: "github.com/gorilla/mux"},
			nFiles: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := parseFile(t, tt.a, tt.opt)
			b := parseFile(t, tt.b, tt.opt)
			if len(a.Files) != tt.nFiles {
				t.Fatalf("%d files, want %d: %v", len(a.Files), tt.nFiles, a.SortedPaths())
			}
			sameFiles(t, a, b)
			sameFiles(t, b, a)
		})
	}

	// vitest-coverage-report-action's mock coverage-final.json and
	// coverage-summary.json are NOT the same run: the final map holds seven
	// .vue/.ts files of a Vue app, the summary five .js files of another
	// project (no path in common). They cannot be compared file by file. What
	// can be checked: the summary's own "total" equals the sum of its files,
	// and the final map's line totals follow Istanbul's rule (checked by the
	// two istanbuljs pairs above, whose cobertura side istanbul itself wrote).
	t.Run("vitest final vs summary are different runs", func(t *testing.T) {
		final := parseFile(t, "istanbul/vitest-coverage-final.json", Options{})
		sum := parseFile(t, "istanbul/vitest-coverage-summary.json", Options{})
		for p := range final.Files {
			if sum.Files[p] != nil {
				t.Fatalf("%s is in both: the fixtures changed, compare them file by file", p)
			}
		}
		if c, n := sum.Totals(); c != 60 || n != 145 {
			t.Errorf("summary files sum to %d/%d, its total.lines says 60/145", c, n)
		}
		if sum.LineLevel() || !final.LineLevel() {
			t.Errorf("LineLevel: summary %v, final %v", sum.LineLevel(), final.LineLevel())
		}
		// The .vue file HelloWorld.vue: 40 statements, one per line 1..40,
		// all run.
		if f := final.Files["/absolute/path/src/components/HelloWorld.vue"]; f == nil || f.Covered != 40 || f.Total != 40 {
			t.Errorf("HelloWorld.vue = %+v", f)
		}
	})
}

// TestJaCoCoCounters checks each sourcefile against JaCoCo's own LINE counter
// for it (a line counts as covered when ci > 0, as JaCoCo counts it).
func TestJaCoCoCounters(t *testing.T) {
	t.Parallel()
	type counter struct {
		Type    string `xml:"type,attr"`
		Missed  int    `xml:"missed,attr"`
		Covered int    `xml:"covered,attr"`
	}
	type doc struct {
		Packages []struct {
			Name        string `xml:"name,attr"`
			Sourcefiles []struct {
				Name     string    `xml:"name,attr"`
				Counters []counter `xml:"counter"`
			} `xml:"sourcefile"`
		} `xml:"package"`
	}
	for _, name := range []string{"jacoco/coveralls-jacoco-report.xml", "jacoco/coveralls-jacoco-oneline.xml", "jacoco/coveralls-jacoco-multiple-packages.xml"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile("testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			var d doc
			if err := xml.Unmarshal(data, &d); err != nil {
				t.Fatal(err)
			}
			r := parseFile(t, name, Options{})
			n := 0
			for _, p := range d.Packages {
				for _, sf := range p.Sourcefiles {
					f := r.Files[p.Name+"/"+sf.Name]
					if f == nil {
						t.Errorf("%s/%s missing; have %v", p.Name, sf.Name, r.SortedPaths())
						continue
					}
					want := counter{Type: "LINE"}
					for _, c := range sf.Counters {
						if c.Type == "LINE" {
							want = c
						}
					}
					n++
					if f.Covered != want.Covered || f.Total != want.Covered+want.Missed {
						t.Errorf("%s: %d/%d, LINE counter covered %d missed %d", f.Path, f.Covered, f.Total, want.Covered, want.Missed)
					}
				}
			}
			if n != len(r.Files) {
				t.Errorf("%d sourcefiles, %d files", n, len(r.Files))
			}
		})
	}
}

// TestCloverMetrics checks the first file against Clover's own file metrics.
func TestCloverMetrics(t *testing.T) {
	r := parseFile(t, "clover/coveralls-clover-phpcsutils.xml", Options{RepoRoot: "/home/yu/projects/PHPCSUtils"})
	f := r.Files["PHPCSUtils/AbstractSniffs/AbstractArrayDeclarationSniff.php"]
	if f == nil {
		t.Fatalf("files %v", r.SortedPaths())
	}
	// <metrics statements="79" coveredstatements="79"/>; the three type="method"
	// lines (178, 236, 461) are declarations and not counted.
	if f.Covered != 79 || f.Total != 79 {
		t.Errorf("got %d/%d, want 79/79", f.Covered, f.Total)
	}
	for _, n := range []int{178, 236, 461} {
		if _, ok := f.Lines[n]; ok {
			t.Errorf("method line %d counted", n)
		}
	}
}

// TestJestWindowsThreeFormats: one Jest run on Windows, written by Istanbul's
// lcov (relative paths with backslashes), clover and json reporters (absolute
// C:\ paths). With the checkout directory as RepoRoot the three agree file by
// file and line by line; without it the absolute paths cannot be related.
func TestJestWindowsThreeFormats(t *testing.T) {
	opt := Options{RepoRoot: `C:\Users\Pedro Ferreira\servico-locacao`}
	lcov := parseFile(t, "jest-windows/lcov.info", opt)
	clover := parseFile(t, "jest-windows/clover.xml", opt)
	final := parseFile(t, "jest-windows/coverage-final.json", opt)
	if lcov.Format != FormatLcov || clover.Format != FormatClover || final.Format != FormatIstanbul {
		t.Fatalf("formats %s %s %s", lcov.Format, clover.Format, final.Format)
	}
	if c, n := lcov.Totals(); c != 35 || n != 55 {
		t.Errorf("lcov totals %d/%d, want 35/55", c, n)
	}
	if lcov.Files["src/features/Movies/moviesModel.js"] == nil {
		t.Errorf("lcov files %v", lcov.SortedPaths())
	}
	sameFiles(t, lcov, clover)
	sameFiles(t, clover, lcov)
	sameFiles(t, lcov, final)
	sameFiles(t, final, lcov)

	// The same paths through KnownFiles instead of RepoRoot.
	known := lcov.SortedPaths()
	viaKnown := parseFile(t, "jest-windows/clover.xml", Options{KnownFiles: known})
	sameFiles(t, lcov, viaKnown)
}
