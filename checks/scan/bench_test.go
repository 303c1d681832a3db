package scan

import (
	"testing"

	"github.com/mpgate/mpgate/checks/platform"
)

// BenchmarkJS scans a 200 KB minified bundle.
func BenchmarkJS(b *testing.B) {
	src, _ := bundle(200 << 10)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		JS(src)
	}
}

// BenchmarkTemplate scans a 200 KB page template.
func BenchmarkTemplate(b *testing.B) {
	src := pageTemplate(200 << 10)
	p, _ := platform.Get(platform.WeChat)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Template(src, p)
	}
}

// BenchmarkStyle scans a 200 KB stylesheet.
func BenchmarkStyle(b *testing.B) {
	src := stylesheet(200 << 10)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Style(src)
	}
}
