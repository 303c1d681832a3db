package pack

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tdewolff/parse/v2"
	pjs "github.com/tdewolff/parse/v2/js"

	"github.com/mpgate/mpgate/checks/scan"
)

// passesSource is about 200 KB of ES6 page code: modules that require each
// other, classes, arrow functions, template strings, async functions.
func passesSource() []byte {
	var b strings.Builder
	for i := 0; b.Len() < 200<<10; i++ {
		fmt.Fprintf(&b, `const util%d = require('../../utils/u%d.js');
class Store%d extends Base { constructor(a, ...rest) { super(a); this.items = [...rest]; } }
export const load%d = async (id, { page = 1, size = 20 } = {}) => {
  const res = await util%d.request(`+"`/api/items/${id}?page=${page}&size=${size}`"+`);
  return res.data.map((x) => ({ ...x, label: `+"`#${x.id} ${x.name}`"+` }));
};
Page({ data: { list: [], n: %d }, onLoad(q) { load%d(q.id).then((l) => this.setData({ list: l })); } });
`, i, i%7, i, i, i, i, i)
	}
	return []byte(b.String())
}

// BenchmarkJSPasses times, on the same 200 KB of ES6 code, each pass the
// upload estimate makes over a script besides the reference scan
// (checks/scan BenchmarkJS): the ES6 cost count (a parse and a walk), the
// minifier on its own parse and on the scan's tree (what an analysis
// does), and the gzip size (deflate level 6).
func BenchmarkJSPasses(b *testing.B) {
	src := passesSource()
	p := wechat(b)
	e := NewEstimator(p, allOn)
	b.Run("es5Count", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			es5Count(src)
		}
	})
	b.Run("minify", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, err := e.minifyJS(src); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("minify the scan's tree", func(b *testing.B) {
		// What the minifier costs now: Facts on the tree the reference
		// scan made (the parse is the scan's, not timed here).
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			b.StopTimer()
			ast, err := pjs.Parse(parse.NewInputBytes(src[:len(src):len(src)]), scan.ParseOptions)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if n, err := minifiedLen(ast); err != nil || n == 0 {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("gzip", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			compressedSum("a.js", src, false, [32]byte{})
		}
	})
}
