// Package treemap lays out sizes as nested rectangles whose areas are proportional to the sizes, with the
// squarified algorithm of Bruls, Huizing and van Wijk ("Squarified Treemaps", 2000): rows of rectangles
// along the shorter side of what is left, each row grown while that improves its worst aspect ratio, so the
// rectangles stay close to squares and are easy to compare and to label.
//
// It is pure geometry (no drawing): the HTML report and the server's pages draw the rectangles as SVG.
// Written here rather than imported because the Go libraries that offer treemaps draw them too, in their
// own styles, and the layout is 100 lines.
package treemap

import (
	"cmp"
	"math"
	"slices"
)

// Rect is a rectangle: its top-left corner and its size.
type Rect struct {
	X, Y, W, H float64
}

// Area is W×H.
func (r Rect) Area() float64 { return r.W * r.H }

// Squarify lays out values in r: the rectangle of values[i] is the i-th of the result, with an area of
// values[i] / sum(values) × r.Area(). The rectangles tile r exactly. A value ≤ 0 gets an empty rectangle at
// r's corner. Larger values are placed first (top left), ties in index order, so the layout is deterministic.
func Squarify(values []float64, r Rect) []Rect {
	out := make([]Rect, len(values))
	for i := range out {
		out[i] = Rect{X: r.X, Y: r.Y}
	}
	var order []int
	var total float64
	for i, v := range values {
		if v > 0 && !math.IsInf(v, 0) {
			order = append(order, i)
			total += v
		}
	}
	if total == 0 || r.W <= 0 || r.H <= 0 {
		return out
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(values[b], values[a]) })
	scale := r.Area() / total
	area := func(i int) float64 { return values[i] * scale }

	rest := r
	for start := 0; start < len(order); {
		side := math.Min(rest.W, rest.H)
		end := start + 1
		sum := area(order[start])
		for end < len(order) {
			next := sum + area(order[end])
			if worst(order[start:end+1], area, next, side) > worst(order[start:end], area, sum, side) {
				break
			}
			sum = next
			end++
		}
		row := order[start:end]
		if end == len(order) {
			sum = rest.Area() // the last row fills what is left, absorbing rounding
		}
		if rest.W >= rest.H { // a column on the left, rectangles stacked top to bottom
			w := sum / rest.H
			y := rest.Y
			for k, i := range row {
				h := area(i) / w
				if k == len(row)-1 {
					h = rest.Y + rest.H - y
				}
				out[i] = Rect{X: rest.X, Y: y, W: w, H: h}
				y += h
			}
			rest = Rect{X: rest.X + w, Y: rest.Y, W: rest.W - w, H: rest.H}
		} else { // a row on top, rectangles left to right
			h := sum / rest.W
			x := rest.X
			for k, i := range row {
				w := area(i) / h
				if k == len(row)-1 {
					w = rest.X + rest.W - x
				}
				out[i] = Rect{X: x, Y: rest.Y, W: w, H: h}
				x += w
			}
			rest = Rect{X: rest.X, Y: rest.Y + h, W: rest.W, H: rest.H - h}
		}
		start = end
	}
	return out
}

// worst is the largest aspect ratio (≥ 1) of a row of rectangles with these areas laid along a side.
func worst(row []int, area func(int) float64, sum, side float64) float64 {
	lo, hi := math.Inf(1), 0.0
	for _, i := range row {
		a := area(i)
		lo, hi = math.Min(lo, a), math.Max(hi, a)
	}
	s2, w2 := sum*sum, side*side
	return math.Max(w2*hi/s2, s2/(w2*lo))
}

// Node is one box of a hierarchy: a folder with Children, or a leaf (a file) with a Size. A node with
// children has the sum of theirs as its size; its own Size is ignored.
type Node struct {
	Name     string
	Size     float64
	Children []*Node
}

// Total is the node's size: its Size for a leaf, the sum of its children's totals otherwise.
func (n *Node) Total() float64 {
	if len(n.Children) == 0 {
		return n.Size
	}
	var t float64
	for _, c := range n.Children {
		t += c.Total()
	}
	return t
}

// Placed is a node with its rectangle and its depth (the root's children are at depth 1).
type Placed struct {
	Node  *Node
	Rect  Rect
	Depth int
}

// Layout lays out the tree under root in r: every descendant with a positive total, parents before their
// children. A folder's rectangle is tiled by its children's, so every leaf's area is its size's share of
// root's total × r.Area().
func Layout(root *Node, r Rect) []Placed {
	var out []Placed
	var walk func(n *Node, r Rect, depth int)
	walk = func(n *Node, r Rect, depth int) {
		sizes := make([]float64, len(n.Children))
		for i, c := range n.Children {
			sizes[i] = c.Total()
		}
		for i, cr := range Squarify(sizes, r) {
			if sizes[i] <= 0 {
				continue
			}
			c := n.Children[i]
			out = append(out, Placed{Node: c, Rect: cr, Depth: depth})
			walk(c, cr, depth+1)
		}
	}
	walk(root, r, 1)
	return out
}
