package render

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/lint"
)

// fuzzResult builds a Result from the fuzzer's bytes: strings, counts and
// sizes all come from the input.
func fuzzResult(data []byte, text string) *compare.Result {
	r := bytes.NewReader(data)
	num := func(n int) int {
		b, err := r.ReadByte()
		if err != nil {
			return 0
		}
		return int(b) % n
	}
	i64 := func() int64 {
		var v int64
		if err := binary.Read(r, binary.LittleEndian, &v); err != nil && err != io.ErrUnexpectedEOF {
			return 0
		}
		return v
	}
	words := strings.Split(text, "\x00")
	word := func() string { return words[num(len(words))] }
	sevs := []checks.Severity{checks.SeverityError, checks.SeverityWarning, checks.SeverityInfo, checks.Severity(word())}
	statuses := []string{checks.GatePass, checks.GateFail, checks.GateError, checks.GateSkip, word()}
	diags := func() []checks.Diagnostic {
		var ds []checks.Diagnostic
		for range num(12) * (1 + num(8)) {
			ds = append(ds, checks.Diagnostic{Rule: word(), Severity: sevs[num(len(sevs))], File: word(), Line: num(300) - 5, Column: num(80) - 2, Message: word(), Hint: word()})
		}
		return ds
	}
	res := compare.NewResult()
	res.BaseRev, res.HeadRev = word(), word()
	for range num(4) {
		c := &compare.Comparison{Project: word(), PathPrefix: word(), BaseError: word()}
		if num(5) == 0 {
			c.HeadError = word()
		} else {
			c.Head = &checks.Report{Limits: checks.Limits{Warn: float64(num(120))}}
			if num(2) == 0 {
				c.Base = &checks.Report{}
			}
		}
		for range num(30) {
			p := compare.PackageDiff{Name: word(), Alias: word(), Status: []string{compare.Added, compare.Removed, compare.Changed, compare.Unchanged}[num(4)],
				Base: i64(), Head: i64(), Limit: i64()}
			p.Delta, p.Percent = p.Head-p.Base, float64(i64())/1e3
			for range num(12) {
				p.Files = append(p.Files, compare.FileDiff{Path: word(), Status: compare.Added, Base: i64(), Head: i64(), Delta: i64()})
			}
			c.Packages = append(c.Packages, p)
		}
		c.Total = compare.Totals{Base: i64(), Head: i64(), Delta: i64(), Percent: float64(i64()), Limit: i64()}
		c.NewDiagnostics, c.ExistingDiagnostics, c.FixedDiagnostics = diags(), diags(), diags()
		if c.Head != nil {
			c.Head.Diagnostics = append(append([]checks.Diagnostic{}, c.NewDiagnostics...), c.ExistingDiagnostics...)
		}
		for range num(3) {
			c.Gates = append(c.Gates, checks.Gate{Name: word(), Rule: word(), Status: statuses[num(len(statuses))], Summary: word()})
		}
		res.Projects = append(res.Projects, c)
	}
	for range num(3) {
		res.Gates = append(res.Gates, checks.Gate{Name: word(), Status: statuses[num(len(statuses))], Summary: word()})
	}
	for range num(20) * (1 + num(10)) {
		res.Lint = append(res.Lint, lint.Problem{Tool: word(), File: word(), Line: num(100) - 3, Column: num(9), EndLine: num(100), Severity: []string{lint.Error, lint.Warning}[num(2)], Rule: word(), Message: word()})
	}
	if num(2) == 0 {
		res.Finish()
	}
	return res
}

func FuzzResultMarkdown(f *testing.F) {
	f.Add([]byte{3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 200, 30, 29, 1, 1, 1, 40}, "a|b<script>.js\x00@user `x`\x00<details>\x00\n\x00", 0)
	f.Add(bytes.Repeat([]byte{255, 7, 39, 29}, 200), "x\x00</details>\x00| | |\x00\x1b[31m", 1500)
	f.Add([]byte("0123456789abcdef0123456789abcdef"), "\xff\xfe\x00é\x00", 10000)
	f.Fuzz(func(t *testing.T, data []byte, text string, maxBytes int) {
		if len(data) > 64<<10 || len(text) > 8<<10 {
			return // large enough to overflow every cap; larger only slows the fuzzer
		}
		res := fuzzResult(data, text)
		marker := "<!-- mpgate:sticky:fuzz -->"
		var b bytes.Buffer
		limit := maxBytes % (200 << 10)
		if err := ResultMarkdown(&b, res, ResultOptions{Marker: marker, MaxBytes: limit, Title: text, DetailsURL: "https://x.test/" + text}); err != nil {
			t.Fatal(err)
		}
		want := limit
		if want <= 0 {
			want = DefaultResultBytes
		}
		want = max(want, MinResultBytes)
		checkMarkdown(t, b.String(), want, marker)
		cr := ResultCheckRun(res, ResultOptions{})
		if len(cr.Summary) > checkRunMax || len(cr.Text) > checkRunMax || len(cr.Title) > 1000 {
			t.Errorf("check run over its caps: %d, %d, %d", len(cr.Summary), len(cr.Text), len(cr.Title))
		}
		for _, a := range ResultAnnotations(res) {
			if a.StartLine < 1 || a.EndLine < a.StartLine || a.Path == "" || strings.HasPrefix(a.Path, "/") || strings.HasPrefix(a.Path, "../") {
				t.Errorf("bad annotation %+v", a)
			}
		}
		width := 60 + len(text)%100
		var term bytes.Buffer
		if err := ResultTerminal(&term, res, TerminalOptions{Width: width}); err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(term.String(), "\n") {
			if n := utf8.RuneCountInString(line); n > width {
				t.Fatalf("terminal line %d is %d runes wide, more than %d: %q", i+1, n, width, line)
			}
		}
		for _, w := range []func(io.Writer) error{
			func(w io.Writer) error { return ResultJSON(w, res) },
			func(w io.Writer) error { return ResultSARIF(w, res, SARIFOptions{}) },
			func(w io.Writer) error { return ResultCodeQuality(w, res) },
		} {
			if err := w(io.Discard); err != nil {
				t.Error(fmt.Errorf("rendering: %w", err))
			}
		}
	})
}
