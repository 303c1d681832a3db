package web

import (
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

type svgDoc struct {
	Max     string      `xml:"data-max,attr"`
	Lines   []svgLine   `xml:"line"`
	Circles []svgCircle `xml:"circle"`
}

type svgLine struct {
	Class string `xml:"class,attr"`
	Y1    string `xml:"y1,attr"`
	Value string `xml:"data-value,attr"`
}

type svgCircle struct {
	CX     string `xml:"cx,attr"`
	CY     string `xml:"cy,attr"`
	At     string `xml:"data-at,attr"`
	Value  string `xml:"data-value,attr"`
	Series string `xml:"data-series,attr"`
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return f
}

// TestChartPoints reads the drawn SVG back and checks every point is where
// its time and value put it, on the plot's scale: the first and last times
// at the plot's edges, values proportional to their height above the
// x-axis, the limit line at the limit.
func TestChartPoints(t *testing.T) {
	t0 := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		chart Chart
	}{
		{"sizes under a limit", Chart{Title: "__APP__ <main>", Limit: 2000, Series: []Series{
			{Name: "size", Class: "bytes", Points: []Point{{t0, 1000}, {t0.Add(24 * time.Hour), 1500}, {t0.Add(96 * time.Hour), 1200}}},
			{Name: "upload size", Class: "upload", Points: []Point{{t0, 800}, {t0.Add(96 * time.Hour), 900}}},
		}}},
		{"over the limit, one point", Chart{Title: "one", Limit: 100, Series: []Series{{Name: "size", Points: []Point{{t0, 300}}}}}},
		{"coverage on a fixed scale", Chart{Title: "coverage", Max: 100, Series: []Series{{Name: "coverage", Points: []Point{{t0, 0}, {t0.Add(time.Hour), 100}, {t0.Add(2 * time.Hour), 50}}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svg := string(tc.chart.SVG())
			var doc svgDoc
			if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
				t.Fatalf("not XML: %v\n%s", err, svg)
			}
			max := num(t, doc.Max)
			var all []Point
			for _, s := range tc.chart.Series {
				all = append(all, s.Points...)
			}
			if len(doc.Circles) != len(all) {
				t.Fatalf("%d points drawn, want %d", len(doc.Circles), len(all))
			}
			var tMin, tMax time.Time
			for i, p := range all {
				if i == 0 || p.At.Before(tMin) {
					tMin = p.At
				}
				if i == 0 || p.At.After(tMax) {
					tMax = p.At
				}
			}
			plotW, plotH := float64(chartW-padLeft-padRight), float64(chartH-padTop-padBottom)
			for i, c := range doc.Circles {
				p := all[i]
				wantX := float64(padLeft) + plotW/2
				if tMax.After(tMin) {
					wantX = padLeft + float64(p.At.Sub(tMin))/float64(tMax.Sub(tMin))*plotW
				}
				wantY := chartH - padBottom - p.Value/max*plotH
				if math.Abs(num(t, c.CX)-wantX) > 0.01 || math.Abs(num(t, c.CY)-wantY) > 0.01 {
					t.Errorf("point %d (%s, %v) at (%s, %s), want (%.2f, %.2f)", i, p.At, p.Value, c.CX, c.CY, wantX, wantY)
				}
				if num(t, c.Value) != p.Value || c.At != p.At.Format(time.RFC3339) {
					t.Errorf("point %d carries %s %s", i, c.At, c.Value)
				}
				if num(t, c.CY) < padTop-0.01 || num(t, c.CY) > chartH-padBottom+0.01 {
					t.Errorf("point %d outside the plot: y %s", i, c.CY)
				}
			}
			var limit *svgLine
			for i := range doc.Lines {
				if doc.Lines[i].Class == "limit" {
					limit = &doc.Lines[i]
				}
			}
			switch {
			case tc.chart.Limit == 0 && limit != nil:
				t.Error("a limit line without a limit")
			case tc.chart.Limit > 0 && limit == nil:
				t.Error("no limit line")
			case limit != nil:
				if want := chartH - padBottom - tc.chart.Limit/max*plotH; math.Abs(num(t, limit.Y1)-want) > 0.01 {
					t.Errorf("limit at y %s, want %.2f", limit.Y1, want)
				}
			}
			if strings.Contains(svg, "<main>") {
				t.Error("the title is not escaped")
			}
		})
	}
}
