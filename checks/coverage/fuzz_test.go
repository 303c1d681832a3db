package coverage

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// addSeeds adds the samples of a testdata directory and some small inputs.
func addSeeds(f *testing.F, dir string, extra ...string) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// fuzzFormat parses data as format and checks that failure is a wrapped
// sentinel error and success a consistent report.
func fuzzFormat(t *testing.T, format Format, data []byte) {
	var r *Report
	var err error
	if format == "" {
		r, err = Parse("fuzz", bytes.NewReader(data), Options{KnownFiles: []string{"src/a.js", "pkg/f.go"}, ModulePath: "m"})
	} else {
		r, err = ParseFormat("fuzz", format, bytes.NewReader(data), Options{RepoRoot: "/r"})
	}
	if err != nil {
		if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrUnknownFormat) {
			t.Fatalf("error without a sentinel: %v", err)
		}
		if r != nil {
			t.Fatal("report and error")
		}
		return
	}
	checkInvariants(t, r)
	c, n := r.Totals()
	if mc, mn := Merge(r, r).Totals(); mn != n || mc != c {
		t.Fatalf("Merge(r, r) totals %d/%d, r %d/%d", mc, mn, c, n)
	}
	var buf bytes.Buffer
	if err := r.WriteSummary(&buf); err != nil {
		t.Fatal(err)
	}
}

func FuzzLcov(f *testing.F) {
	addSeeds(f, "lcov", "SF:a\nDA:1,1\nLF:1\nLH:1\nend_of_record\n", "SF:a\r\nDA:0,1\r\nDA:2,18446744073709551616,x\r\n", "SF:a\nLF:5\nLH:9\n", "SF:a\nLF:2\nLH:1\nend_of_record\nSF:a\nDA:1,1\nend_of_record\n")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, FormatLcov, data) })
}

func FuzzGoProfile(f *testing.F) {
	addSeeds(f, "go", "mode: set\na.go:1.1,1.2 1 1\n", "mode: count\nC:/x/a.go:3.1,9.2 0 99999999999999999999\n")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, FormatGo, data) })
}

func FuzzIstanbul(f *testing.F) {
	addSeeds(f, "istanbul", `{"a":{"data":{"path":"a","statementMap":{"0":{"start":{"line":1.5}}},"s":{"0":-1}}}}`, `{"path":"x","s":{"0":1}}`, `{}`)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, FormatIstanbul, data) })
}

func FuzzCobertura(f *testing.F) {
	addSeeds(f, "cobertura", `<coverage><sources><source>/r/s</source></sources><packages><package><classes><class filename="a"><lines><line number="1" hits="1e300"/></lines></class></classes></package></packages></coverage>`)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, FormatCobertura, data) })
}

func FuzzJaCoCo(f *testing.F) {
	addSeeds(f, "jacoco", `<report><package name="/"><sourcefile name="A"><line nr="1" ci="2"/></sourcefile></package></report>`)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, FormatJaCoCo, data) })
}

func FuzzClover(f *testing.F) {
	addSeeds(f, "clover", `<coverage generated="1"><project><file name="a"><line num="1" type="cond" truecount="1" falsecount="x"/></file></project></coverage>`)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, FormatClover, data) })
}

// FuzzParse runs detection and whichever parser it picks.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"lcov", "go", "istanbul", "cobertura", "jacoco", "clover", "jest-windows"} {
		addSeeds(f, dir)
	}
	f.Add([]byte("\ufeff<?xml version=\"1.0\" encoding=\"latin1\"?><coverage line-rate=\"1\"/>"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, "", data) })
}

// FuzzNormalize: path mapping never panics and is idempotent on its own
// relative results when nothing is known.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"./a/b.js", `C:\a\b\c.js`, "/home/runner/work/x/x/y.js", "file:///C:/r/x", "github.com/o/r/p.go", "../../x", "", "/", "C:", "a//b/../../.."} {
		f.Add(s, "/home/runner/work/x/x")
	}
	f.Fuzz(func(t *testing.T, p, root string) {
		m := newPathMapper(Options{RepoRoot: root, ModulePath: "github.com/o/r", KnownFiles: []string{"p.go", "a/b.js", "y.js"}})
		got := m.normalize(p)
		if m.normalize(p) != got {
			t.Fatal("cache changed the answer")
		}
		plain := newPathMapper(Options{})
		once := plain.normalize(p)
		if !isAbs(once) && plain.normalize(once) != once {
			t.Fatalf("normalize(%q) = %q, again %q", p, once, plain.normalize(once))
		}
	})
}
