package scan

import (
	"fmt"
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

// BenchmarkJSScaling scans bundles of growing size: MB/s stays flat when the
// scan is linear.
func BenchmarkJSScaling(b *testing.B) {
	for _, size := range []int{200 << 10, 1 << 20, 5 << 20} {
		src, _ := bundle(size)
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				JS(src)
			}
		})
	}
}
