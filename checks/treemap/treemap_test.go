package treemap

import (
	"math"
	"testing"
)

func TestSquarify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []float64
		r      Rect
	}{
		{"paper example", []float64{6, 6, 4, 3, 2, 2, 1}, Rect{W: 6, H: 4}},
		{"one", []float64{42}, Rect{X: 3, Y: 4, W: 100, H: 10}},
		{"tall", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Rect{W: 10, H: 300}},
		{"skewed", []float64{1e6, 1, 1, 1, 500, 20000}, Rect{W: 800, H: 500}},
		{"zeros and negatives", []float64{0, 5, -1, 5}, Rect{W: 10, H: 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Squarify(tc.values, tc.r)
			if len(got) != len(tc.values) {
				t.Fatalf("%d rects for %d values", len(got), len(tc.values))
			}
			var total, covered float64
			for _, v := range tc.values {
				if v > 0 {
					total += v
				}
			}
			for i, v := range tc.values {
				g := got[i]
				if v <= 0 {
					if g.Area() != 0 {
						t.Errorf("value %g: area %g, want 0", v, g.Area())
					}
					continue
				}
				want := v / total * tc.r.Area()
				if math.Abs(g.Area()-want) > 1e-6*tc.r.Area() {
					t.Errorf("value %g: area %g, want %g", v, g.Area(), want)
				}
				if g.X < tc.r.X-1e-9 || g.Y < tc.r.Y-1e-9 || g.X+g.W > tc.r.X+tc.r.W+1e-9 || g.Y+g.H > tc.r.Y+tc.r.H+1e-9 {
					t.Errorf("value %g: %+v outside %+v", v, g, tc.r)
				}
				covered += g.Area()
				for j := range i {
					if tc.values[j] > 0 && overlap(g, got[j]) > 1e-6 {
						t.Errorf("%+v overlaps %+v", g, got[j])
					}
				}
			}
			if math.Abs(covered-tc.r.Area()) > 1e-6*tc.r.Area() {
				t.Errorf("rectangles cover %g of %g", covered, tc.r.Area())
			}
		})
	}
}

// The paper's example worked by hand: rows [6 6] (3×2 each), [4 3] (1.71×2.33, 1.29×2.33), [2], [2], [1]
// (0.6×1.67, aspect 25/9, the worst). Slicing the same values in strips would give 1 a 6×0.17 strip (36).
func TestSquarifyAspect(t *testing.T) {
	for _, r := range Squarify([]float64{6, 6, 4, 3, 2, 2, 1}, Rect{W: 6, H: 4}) {
		if a := math.Max(r.W/r.H, r.H/r.W); a > 25.0/9+1e-9 {
			t.Errorf("%+v: aspect %g > 25/9", r, a)
		}
	}
}

func TestLayout(t *testing.T) {
	root := &Node{Children: []*Node{
		{Name: "pages", Children: []*Node{{Name: "a.js", Size: 30}, {Name: "b.js", Size: 10}, {Name: "empty", Size: 0}}},
		{Name: "app.js", Size: 40},
		{Name: "utils", Children: []*Node{{Name: "deep", Children: []*Node{{Name: "x.js", Size: 20}}}}},
	}}
	r := Rect{W: 200, H: 100}
	placed := Layout(root, r)
	names := map[string]Placed{}
	for _, p := range placed {
		names[p.Node.Name] = p
	}
	if _, ok := names["empty"]; ok {
		t.Errorf("a zero-size file was placed")
	}
	for name, want := range map[string]struct {
		size  float64
		depth int
	}{"pages": {40, 1}, "a.js": {30, 2}, "b.js": {10, 2}, "app.js": {40, 1}, "utils": {20, 1}, "deep": {20, 2}, "x.js": {20, 3}} {
		p, ok := names[name]
		if !ok {
			t.Errorf("%s not placed", name)
			continue
		}
		if math.Abs(p.Rect.Area()-want.size/100*r.Area()) > 1e-6 {
			t.Errorf("%s: area %g, want %g", name, p.Rect.Area(), want.size/100*r.Area())
		}
		if p.Depth != want.depth {
			t.Errorf("%s: depth %d, want %d", name, p.Depth, want.depth)
		}
	}
	if in := names["a.js"].Rect; overlap(in, names["pages"].Rect) < in.Area()-1e-6 {
		t.Errorf("a.js %+v not inside pages %+v", in, names["pages"].Rect)
	}
}

func overlap(a, b Rect) float64 {
	w := math.Min(a.X+a.W, b.X+b.W) - math.Max(a.X, b.X)
	h := math.Min(a.Y+a.H, b.Y+b.H) - math.Max(a.Y, b.Y)
	if w <= 0 || h <= 0 {
		return 0
	}
	return w * h
}
