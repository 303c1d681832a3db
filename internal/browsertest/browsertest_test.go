package browsertest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/internal/browsertest"
)

const clean = `<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0} .box{display:inline-block;background:#4a8} #a{width:100px;height:50px} #b{width:30px;height:20px}</style>
</head><body><div class="box" id="a"></div><div class="box" id="b"></div><p>分包 主包</p>
<script>console.log("hello")</script></body></html>`

const broken = `<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<div style="width:1000px">wide</div>
<script>console.error("bad %s", "thing"); undefinedFunction();</script></body></html>`

func write(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCleanPageFromDisk(t *testing.T) {
	b := browsertest.New(t)
	p := b.OpenFile(t, write(t, "clean.html", clean), browsertest.Desktop)
	if errs := p.Errors(t); len(errs) != 0 {
		t.Errorf("errors = %q, want none", errs)
	}
	var logged bool
	for _, m := range p.Messages(t) {
		logged = logged || m.Text == "hello"
	}
	if !logged {
		t.Errorf("console.log(\"hello\") not among the messages %v", p.Messages(t))
	}
	rs := p.Rects(t, ".box")
	want := []browsertest.Rect{{X: 0, Width: 100, Height: 50}, {Width: 30, Height: 20}}
	if len(rs) != len(want) {
		t.Fatalf("rects = %+v, want 2", rs)
	}
	for i, r := range rs {
		if r.Width != want[i].Width || r.Height != want[i].Height {
			t.Errorf("rect %d = %+v, want %gx%g", i, r, want[i].Width, want[i].Height)
		}
	}
	if path := p.Screenshot(t, "clean"); !isPNG(t, path) {
		t.Errorf("%s is not a PNG", path)
	}
}

func TestErrorsAndExceptionsOverHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(broken))
	}))
	defer srv.Close()
	b := browsertest.New(t)
	p := b.Open(t, srv.URL, browsertest.Desktop)
	errs := p.Errors(t)
	joined := strings.Join(errs, "\n")
	if !strings.Contains(joined, "error: bad thing") {
		t.Errorf("errors %q lack the console.error", errs)
	}
	if !strings.Contains(joined, "exception: ") || !strings.Contains(joined, "undefinedFunction") {
		t.Errorf("errors %q lack the uncaught exception", errs)
	}
}

func TestPhoneViewport(t *testing.T) {
	b := browsertest.New(t)
	for _, tc := range []struct {
		name     string
		page     string
		overflow bool
	}{
		{"fits", clean, false},
		{"too wide", broken, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := b.OpenFile(t, write(t, "p.html", tc.page), browsertest.Phone)
			var got struct{ Inner, Scroll int }
			p.Eval(t, `({Inner: document.documentElement.clientWidth, Scroll: document.documentElement.scrollWidth})`, &got)
			if got.Inner != browsertest.Phone.Width {
				t.Errorf("clientWidth = %d, want %d", got.Inner, browsertest.Phone.Width)
			}
			if (got.Scroll > got.Inner) != tc.overflow {
				t.Errorf("scrollWidth %d, clientWidth %d: overflow %v, want %v", got.Scroll, got.Inner, got.Scroll > got.Inner, tc.overflow)
			}
			if over := p.HorizontalOverflow(t); over != got.Scroll-got.Inner && over != 0 {
				t.Errorf("HorizontalOverflow = %d, want %d", over, got.Scroll-got.Inner)
			} else if (over > 0) != tc.overflow {
				t.Errorf("HorizontalOverflow = %d, want overflow %v", over, tc.overflow)
			}
			p.Screenshot(t, "phone")
		})
	}
}

func TestEvalException(t *testing.T) {
	// An expression that throws fails the test: checked through a fake TB recording Fatalf.
	b := browsertest.New(t)
	p := b.OpenFile(t, write(t, "clean.html", clean), browsertest.Desktop)
	ft := &fatalTB{TB: t}
	func() {
		defer func() { _ = recover() }()
		p.Eval(ft, `(() => { throw new Error("boom") })()`, nil)
	}()
	if !strings.Contains(ft.msg, "boom") {
		t.Errorf("Eval of a throwing expression: Fatalf %q, want it to name the exception", ft.msg)
	}
}

type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic("fatal")
}

func isPNG(t *testing.T, path string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return len(b) > 8 && string(b[1:4]) == "PNG"
}
