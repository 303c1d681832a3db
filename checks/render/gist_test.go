package render

import "testing"

func TestGist(t *testing.T) {
	t.Parallel()
	long := "core needs a major version, the request plans a patch one: src/core/index.js: export toast (function of 1 parameter(s)) removed, and 4 more"
	tests := []struct{ name, in, want string }{
		{"short", "no package grew", "no package grew"},
		{"first sentence", "shop grew 8%. Approve it with /approve-size", "shop grew 8%"},
		{"cut at a word", long, "core needs a major version, the request plans a patch one: src/core/index.js: export toast (function of 1 parameter(s))…"},
		{"no open code span", "add a `feat!:` title or a `BREAKING CHANGE:` footer for a major version, `feat:` for a minor one, or a .changes/ file naming the module", "add a `feat!:` title or a `BREAKING CHANGE:` footer for a major version, `feat:` for a minor one, or a .changes/ file…"},
		{"cut inside a code span", "plan it in the request with a footer such as `BREAKING CHANGE: the toast export is gone, use notify instead of it from now on` please",
			"plan it in the request with a footer such as BREAKING CHANGE: the toast export is gone, use notify instead of it from…"},
		{"chinese", "包大小超过限制，请移动共享文件到分包", "包大小超过限制，请移动共享文件到分包"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := gist(tt.in, 120); got != tt.want {
				t.Errorf("gist(%q) =\n%q, want\n%q", tt.in, got, tt.want)
			}
		})
	}
}
