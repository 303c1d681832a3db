package htmlreport_test

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/mpgate/mpgate/checks/htmlreport"
	"github.com/mpgate/mpgate/internal/browsertest"
)

// TestInBrowser opens the reports from disk in a real Chromium, on a laptop and on a phone: no console
// errors, every file's rectangle has an area proportional to its size, nothing scrolls sideways on the
// phone. Screenshots are kept as the test's artifacts (go test -artifacts -outputdir=DIR).
func TestInBrowser(t *testing.T) {
	b := browsertest.New(t)
	for _, tc := range []struct {
		name string
		html []byte
	}{
		{"grown", render(t, grownResult(), htmlreport.Options{FileURL: "https://github.com/o/r/blob/2222222bbbbbbb/"})},
		{"shop", render(t, shopResult(t), htmlreport.Options{})},
	} {
		file := filepath.Join(t.TempDir(), tc.name+".html")
		if err := os.WriteFile(file, tc.html, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, vp := range []struct {
			name string
			vp   browsertest.Viewport
		}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
			t.Run(tc.name+"/"+vp.name, func(t *testing.T) {
				p := b.OpenFile(t, file, vp.vp)
				if errs := p.Errors(t); len(errs) > 0 {
					t.Errorf("console errors: %q", errs)
				}
				if over := p.HorizontalOverflow(t); over > 0 {
					t.Errorf("the page is %d px wider than the %d px viewport", over, vp.vp.Width)
				}
				checkAreas(t, p)
				p.Screenshot(t, tc.name+"-"+vp.name)
			})
		}
	}
}

// checkAreas measures each treemap's file rectangles as drawn and compares area/bytes across the map: the
// same for every file of one package, within rounding (coordinates have 2 decimals in a 960×540 box).
func checkAreas(t *testing.T, p *browsertest.Page) {
	t.Helper()
	var maps [][]struct {
		Bytes float64
		W, H  float64
	}
	p.Eval(t, `Array.from(document.querySelectorAll("svg.map"), svg =>
		Array.from(svg.querySelectorAll("rect.file"), r => {
			const b = r.getBoundingClientRect();
			return {Bytes: Number(r.dataset.bytes), W: b.width, H: b.height};
		}))`, &maps)
	if len(maps) == 0 {
		t.Fatal("no treemap in the page")
	}
	files := 0
	for i, m := range maps {
		var bytes, area float64
		for _, r := range m {
			bytes += r.Bytes
			area += r.W * r.H
		}
		for _, r := range m {
			files++
			want := r.Bytes / bytes * area
			// Rounding: 0.005 of a viewBox unit on each edge, scaled to the screen, plus subpixel layout.
			scale := math.Sqrt(area / (960 * 540))
			tol := (r.W + r.H) * 2 * (0.01*scale + 0.02)
			if got := r.W * r.H; math.Abs(got-want) > tol {
				t.Errorf("map %d: a file of %g bytes has area %.2f, want %.2f ± %.2f", i, r.Bytes, got, want, tol)
			}
		}
	}
	if files == 0 {
		t.Error("no file rectangles in the treemaps")
	}
}
