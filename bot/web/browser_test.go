package web_test

import (
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot/store/storetest"
	"github.com/mpgate/mpgate/bot/web"
	"github.com/mpgate/mpgate/internal/browsertest"
)

// TestInBrowser serves the pages over real HTTP to a real headless Chromium,
// signed in as bob (the cookieAccess's viewer cookie is added to each of the
// browser's requests), on a laptop and on a phone: the organisation page and
// octo/shop's page load without console errors, nothing scrolls sideways on
// the phone, and every chart's circles are drawn where their data-at and
// data-value put them on the chart's own scale, as rendered (CSS pixels),
// with the size points under the limit line. Screenshots are kept as the
// test's artifacts (go test -artifacts -outputdir=DIR).
func TestInBrowser(t *testing.T) {
	now := time.Date(2026, 9, 10, 12, 0, 0, 0, time.UTC)
	h, public, _ := pagesHandler(t, storetest.Backends()[0], now)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.AddCookie(&http.Cookie{Name: "viewer", Value: "bob"})
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	b := browsertest.New(t)
	for _, page := range []struct {
		name, path string
		charts     int // at least this many charts with points
	}{
		{"org", "/pages/", 0},
		{"repo", web.RepoPath(public), 1},
	} {
		for _, vp := range []struct {
			name string
			vp   browsertest.Viewport
		}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
			t.Run(page.name+"/"+vp.name, func(t *testing.T) {
				p := b.Open(t, srv.URL+page.path, vp.vp)
				var status struct{ Title, Body string }
				p.Eval(t, `({Title: document.title, Body: document.body.innerText})`, &status)
				if status.Title == "" || len(status.Body) < 20 {
					t.Fatalf("the page did not render: %+v", status)
				}
				if errs := p.Errors(t); len(errs) > 0 {
					t.Errorf("console errors: %q", errs)
				}
				if over := p.HorizontalOverflow(t); over > 0 {
					t.Errorf("the page is %d px wider than the %d px viewport", over, vp.vp.Width)
				}
				if n := checkCharts(t, p); n < page.charts {
					t.Errorf("%d charts with points, want at least %d", n, page.charts)
				}
				p.Screenshot(t, page.name+"-"+vp.name)
			})
		}
	}
}

// renderedChart is one svg.chart as the browser laid it out: its x-axis
// (the plot's bottom, left and right edges), the y-axis's top (the plot's
// top, the value data-max), the limit line's y if any, and its circles'
// centres with their data.
type renderedChart struct {
	Max                      float64
	Left, Right, Bottom, Top float64
	Limit                    *float64
	LimitValue               float64
	Points                   []struct {
		X, Y, Value float64
		At          string
	}
}

// checkCharts checks every chart's points against the chart's scale as
// rendered and returns how many charts have points.
func checkCharts(t *testing.T, p *browsertest.Page) int {
	t.Helper()
	var charts []renderedChart
	p.Eval(t, `Array.from(document.querySelectorAll("svg.chart"), svg => {
		const axes = svg.querySelectorAll("line.axis");
		const x = axes[0].getBoundingClientRect(), y = axes[1].getBoundingClientRect();
		const limit = svg.querySelector("line.limit");
		const l = limit && limit.getBoundingClientRect();
		return {
			Max: Number(svg.dataset.max),
			Left: x.left, Right: x.right, Bottom: x.top, Top: y.top,
			Limit: l ? l.top + l.height / 2 : null,
			LimitValue: limit ? Number(limit.dataset.value) : 0,
			Points: Array.from(svg.querySelectorAll("circle.point"), c => {
				const r = c.getBoundingClientRect();
				return {X: r.left + r.width / 2, Y: r.top + r.height / 2, Value: Number(c.dataset.value), At: c.dataset.at};
			}),
		};
	})`, &charts)
	withPoints := 0
	for i, c := range charts {
		if len(c.Points) == 0 {
			continue
		}
		withPoints++
		if c.Max <= 0 || c.Right <= c.Left || c.Bottom <= c.Top {
			t.Errorf("chart %d: a degenerate plot %+v", i, c)
			continue
		}
		var t0, t1 time.Time
		ats := make([]time.Time, len(c.Points))
		for j, pt := range c.Points {
			at, err := time.Parse(time.RFC3339, pt.At)
			if err != nil {
				t.Fatalf("chart %d point %d: data-at %q: %v", i, j, pt.At, err)
			}
			ats[j] = at
			if j == 0 || at.Before(t0) {
				t0 = at
			}
			if j == 0 || at.After(t1) {
				t1 = at
			}
		}
		// One SVG unit is (Right-Left)/plot width CSS pixels; the
		// coordinates are written with 2 decimals, plus subpixel layout.
		const tol = 1.0
		for j, pt := range c.Points {
			wantX := (c.Left + c.Right) / 2
			if t1.After(t0) {
				wantX = c.Left + float64(ats[j].Sub(t0))/float64(t1.Sub(t0))*(c.Right-c.Left)
			}
			wantY := c.Bottom - pt.Value/c.Max*(c.Bottom-c.Top)
			if math.Abs(pt.X-wantX) > tol || math.Abs(pt.Y-wantY) > tol {
				t.Errorf("chart %d point %d (%s, %g) drawn at (%.1f, %.1f), want (%.1f, %.1f)", i, j, pt.At, pt.Value, pt.X, pt.Y, wantX, wantY)
			}
			if c.Limit != nil && pt.Value < c.LimitValue && pt.Y <= *c.Limit {
				t.Errorf("chart %d point %d (%g) under the limit %g is drawn at or above the limit line (y %.1f ≤ %.1f)", i, j, pt.Value, c.LimitValue, pt.Y, *c.Limit)
			}
		}
		if c.Limit != nil {
			if want := c.Bottom - c.LimitValue/c.Max*(c.Bottom-c.Top); math.Abs(*c.Limit-want) > tol {
				t.Errorf("chart %d: limit %g drawn at y %.1f, want %.1f", i, c.LimitValue, *c.Limit, want)
			}
		}
	}
	return withPoints
}
