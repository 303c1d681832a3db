package scan

import "sort"

// lineIndex maps byte offsets to 1-based line and byte column. It is built
// once per file in O(n); each lookup is a binary search. Lines end at '\n'
// ("\r\n" is a '\n' line end whose '\r' counts as the last byte of the line,
// which never matters for a reference's column). A lone '\r' does not end a
// line: Git, GitHub and GitLab number lines by '\n' too.
type lineIndex struct {
	starts []int // offsets at which lines begin; starts[0] == 0
	size   int
}

func newLineIndex(src []byte) *lineIndex {
	li := &lineIndex{starts: make([]int, 1, 1+len(src)/40), size: len(src)}
	for i, c := range src {
		if c == '\n' {
			li.starts = append(li.starts, i+1)
		}
	}
	return li
}

// pos returns the line and column of offset, clamped into the input.
func (li *lineIndex) pos(offset int) (line, col int) {
	if offset < 0 {
		offset = 0
	}
	if offset > li.size {
		offset = li.size
	}
	// The last line start <= offset.
	i := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > offset }) - 1
	return i + 1, offset - li.starts[i] + 1
}

// offset returns the offset of a 1-based line and byte column, clamped into
// the input.
func (li *lineIndex) offset(line, col int) int {
	if line < 1 {
		return 0
	}
	if line > len(li.starts) {
		return li.size
	}
	o := li.starts[line-1] + col - 1
	if o > li.size {
		o = li.size
	}
	if o < li.starts[line-1] {
		o = li.starts[line-1]
	}
	return o
}
