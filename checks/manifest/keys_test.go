package manifest

import (
	"testing"

	"github.com/mpgate/mpgate/checks/platform"
)

func TestSuggest(t *testing.T) {
	t.Parallel()
	known := KnownAppKeys(platform.WeChat)
	tests := map[string]string{
		"windows": "window", "Window": "window", "page": "pages", "debu": "debug", "tabbar": "tabBar",
		"preloadRules": "preloadRule", "usingComponent": "usingComponents", "entrypagepath": "entryPagePath",
		"xyz": "", "abc": "", "completelyDifferent": "", "pages": "",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			if got := suggest(in, known, nil); got != want {
				t.Errorf("suggest(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"", "", 3, 0}, {"abc", "abc", 3, 0}, {"abc", "abd", 3, 1}, {"abc", "ab", 3, 1},
		{"kitten", "sitting", 5, 3}, {"a", "abcdef", 3, 3}, {"abcdef", "ghijkl", 3, 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestKnownKeysPerPlatform(t *testing.T) {
	t.Parallel()
	for _, p := range platform.All() {
		t.Run(string(p.ID), func(t *testing.T) {
			t.Parallel()
			keys := KnownAppKeys(p.ID)
			for _, k := range []string{"pages", "window", "tabBar", "preloadRule", "usingComponents"} {
				if !keys[k] {
					t.Errorf("%s lacks %q", p.ID, k)
				}
			}
			for _, k := range p.SubpackagesKeys {
				if !keys[k] {
					t.Errorf("%s lacks its subpackages key %q", p.ID, k)
				}
			}
			if p.ID == platform.Alipay && keys["subpackages"] {
				t.Error("Alipay must not accept subpackages")
			}
		})
	}
}
