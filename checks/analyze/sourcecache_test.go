package analyze

import (
	"crypto/sha256"
	"testing"

	pjs "github.com/tdewolff/parse/v2/js"

	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/pack"
	"github.com/mpgate/mpgate/checks/platform"
	"github.com/mpgate/mpgate/checks/scan"
)

// TestSourceCacheDerivedOnlyForSameBytes: the digest and the script facts
// the scan derived from a read are served to the measurement only for the very
// bytes of that read, once; a later read of the path (which may differ) is
// hashed and parsed again.
func TestSourceCacheDerivedOnlyForSameBytes(t *testing.T) {
	read := []byte("const a = async () => 1;\n")
	reread := []byte("const a = async () => 1;\n") // same content, another read
	changed := []byte("var a = 2;\n")
	wechat, _ := platform.Get(platform.WeChat)
	est := pack.NewEstimator(wechat, manifest.Setting{ES6: true, Minified: true})
	var facts pack.ScriptFacts
	scan.JSParsed(read, func(x *pjs.AST) { facts = est.Facts("a.js", read, x) })

	tests := []struct {
		name     string
		measured []byte
		hit      bool
	}{
		{"the scan's own read", read, true},
		{"another read, same bytes", reread, false},
		{"another read, changed bytes", changed, false},
		{"a prefix of the read", read[:5], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newSourceCache(nil)
			if got, want := c.digest("a.js", read), sha256.Sum256(read); got != want {
				t.Fatalf("digest = %x, want %x", got, want)
			}
			c.keepFacts("a.js", read, facts)
			if got, want := c.takeDigest("a.js", tt.measured), sha256.Sum256(tt.measured); got != want {
				t.Errorf("takeDigest = %x, want the digest of the measured bytes %x", got, want)
			}
			if _, ok := c.takeFacts("a.js", tt.measured); ok != tt.hit {
				t.Errorf("takeFacts hit = %v, want %v", ok, tt.hit)
			}
			if _, ok := c.takeFacts("a.js", read); ok {
				t.Error("takeFacts served the facts twice")
			}
			if len(c.sums) != 0 || len(c.facts) != 0 {
				t.Errorf("kept after the measurement: %d digests, %d facts", len(c.sums), len(c.facts))
			}
		})
	}
}
