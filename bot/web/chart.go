// Package web renders the server's read-only pages: per repository, each
// package's size and upload size over the default branch's history as an
// SVG chart with its limit line, coverage over time and the latest runs;
// and the organisation's engineering health (bot/health). Who may see what
// is asked of an Access (the viewer's rights on the repository's forge);
// the package draws its charts itself in Go so that a page needs no script
// and no network.
package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"
)

// Point is one value at one time.
type Point struct {
	At    time.Time
	Value float64
}

// Series is one line of a chart.
type Series struct {
	Name   string
	Class  string // CSS class of the line and its points
	Points []Point
}

// Chart is a line chart over time with an optional horizontal limit.
type Chart struct {
	Title  string
	Series []Series
	// Limit draws a horizontal line at that value (0: none).
	Limit float64
	// Max fixes the top of the value axis (0: the largest value or the
	// limit, plus 5%).
	Max float64
	// Format writes a value on the axis and in the points' titles.
	Format func(float64) string
}

// The chart's geometry in SVG user units: the plot is the rectangle
// [left, width-right] × [top, height-bottom].
const (
	chartW, chartH                       = 640, 240
	padLeft, padRight, padTop, padBottom = 72, 16, 16, 28
)

// plot maps a time and a value to SVG coordinates.
type plot struct {
	t0, t1 time.Time
	max    float64
}

func (p plot) x(t time.Time) float64 {
	span := p.t1.Sub(p.t0)
	if span <= 0 {
		return padLeft + (chartW-padLeft-padRight)/2
	}
	return padLeft + float64(t.Sub(p.t0))/float64(span)*(chartW-padLeft-padRight)
}

func (p plot) y(v float64) float64 {
	if p.max <= 0 {
		return chartH - padBottom
	}
	return chartH - padBottom - v/p.max*(chartH-padTop-padBottom)
}

func round2(f float64) string { return fmt.Sprintf("%.2f", math.Round(f*100)/100) }

// SVG draws the chart. Every point is a <circle> carrying its data
// (data-at as RFC 3339, data-value) so that a test, or a reader's tool, can
// check it sits where the data says; the limit is a <line class="limit">
// with data-value.
func (c Chart) SVG() template.HTML {
	format := c.Format
	if format == nil {
		format = func(v float64) string { return fmt.Sprintf("%g", v) }
	}
	var p plot
	first := true
	top := c.Limit
	for _, s := range c.Series {
		for _, pt := range s.Points {
			if first || pt.At.Before(p.t0) {
				p.t0 = pt.At
			}
			if first || pt.At.After(p.t1) {
				p.t1 = pt.At
			}
			first = false
			top = math.Max(top, pt.Value)
		}
	}
	p.max = c.Max
	if p.max == 0 {
		p.max = top * 1.05
	}
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" data-max="%s">`,
		chartW, chartH, esc(c.Title), round2(p.max))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(c.Title))
	// Axes and three value ticks.
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, padLeft, chartH-padBottom, chartW-padRight, chartH-padBottom)
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, padLeft, padTop, padLeft, chartH-padBottom)
	for i := 0; i <= 2; i++ {
		v := p.max * float64(i) / 2
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%s" text-anchor="end">%s</text>`, padLeft-6, round2(p.y(v)+4), esc(format(v)))
	}
	if !first {
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d">%s</text>`, padLeft, chartH-8, p.t0.UTC().Format("2006-01-02"))
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d" text-anchor="end">%s</text>`, chartW-padRight, chartH-8, p.t1.UTC().Format("2006-01-02"))
	}
	if c.Limit > 0 {
		y := round2(p.y(c.Limit))
		fmt.Fprintf(&b, `<line class="limit" x1="%d" y1="%s" x2="%d" y2="%s" data-value="%s"><title>limit %s</title></line>`,
			padLeft, y, chartW-padRight, y, round2(c.Limit), esc(format(c.Limit)))
	}
	for _, s := range c.Series {
		var pts []string
		for _, pt := range s.Points {
			pts = append(pts, round2(p.x(pt.At))+","+round2(p.y(pt.Value)))
		}
		if len(pts) > 1 {
			fmt.Fprintf(&b, `<polyline class="series %s" fill="none" points="%s"/>`, esc(s.Class), strings.Join(pts, " "))
		}
		for _, pt := range s.Points {
			fmt.Fprintf(&b, `<circle class="point %s" cx="%s" cy="%s" r="3" data-series="%s" data-at="%s" data-value="%s"><title>%s %s: %s</title></circle>`,
				esc(s.Class), round2(p.x(pt.At)), round2(p.y(pt.Value)), esc(s.Name), pt.At.UTC().Format(time.RFC3339), round2(pt.Value),
				esc(s.Name), pt.At.UTC().Format("2006-01-02 15:04"), esc(format(pt.Value)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every value written above is escaped or a number
}
