package gate

import (
	"context"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
)

// apiProgram is a mini-program whose core module makes index.js and the
// price component public.
func apiProgram() map[string]string {
	files := program(map[string]string{
		".mpgate.yml": "projects:\n  - name: shop\n    root: src\n" +
			"modules:\n  - name: app\n    paths: [\"src/**\"]\n" +
			"  - name: core\n    paths: [\"src/core/**\"]\n    public: [\"src/core/index.js\", \"src/core/price/index\"]\n" +
			"gates:\n  api: {enabled: true}\n",
		"src/core/index.js":    "function request(url, opts = {}) {}\nfunction toast(title) {}\nmodule.exports = { request, toast }\n",
		"src/core/internal.js": "module.exports = { secret: 1 }\n",
		"src/core/price/index.js": "Component({\n  properties: { cents: { type: Number, value: 0 } },\n" +
			"  methods: { tap() { this.triggerEvent('change') } }\n})\n",
		"src/core/price/index.json": "{\"component\": true}\n",
	})
	delete(files, "coverage/lcov.info")
	return files
}

// TestAPIGate makes real git histories: main holds the program, a feature
// branch changes core's API, and the request's title plans the bump.
func TestAPIGate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change map[string]string
		title  string
		status string
		want   []string // in the summary
	}{
		{"an export removed, a fix planned",
			map[string]string{"src/core/index.js": "function request(url, opts = {}) {}\nmodule.exports = { request }\n"},
			"fix(core): drop toast", checks.GateFail,
			[]string{"core needs a major version, the request plans a patch one", "src/core/index.js: export toast (function of 1 parameter(s)) removed", "a `feat!:` title"}},
		{"an export removed, a breaking change planned",
			map[string]string{"src/core/index.js": "function request(url, opts = {}) {}\nmodule.exports = { request }\n"},
			"feat(core)!: drop toast", checks.GatePass, []string{"core major (1 breaking, 0 other API change(s))"}},
		{"a function that needs one more argument",
			map[string]string{"src/core/index.js": "function request(url, opts) {}\nfunction toast(title) {}\nmodule.exports = { request, toast }\n"},
			"feat(core): options required", checks.GateFail, []string{"function request needs 2 argument(s) (was 1)"}},
		{"an addition with a fix planned",
			map[string]string{"src/core/index.js": "function request(url, opts = {}) {}\nfunction toast(title) {}\nfunction log() {}\nmodule.exports = { request, toast, log }\n"},
			"fix(core): add log", checks.GateFail, []string{"core needs a minor version", "export log (function of 0 parameter(s)) added"}},
		{"an addition with a feature planned",
			map[string]string{"src/core/index.js": "function request(url, opts = {}) {}\nfunction toast(title) {}\nfunction log() {}\nmodule.exports = { request, toast, log }\n"},
			"feat(core): add log", checks.GatePass, []string{"core minor"}},
		{"a component property retyped, nothing planned",
			map[string]string{"src/core/price/index.js": "Component({\n  properties: { cents: { type: String, value: '' } },\n  methods: { tap() { this.triggerEvent('change') } }\n})\n"},
			"Price as text", checks.GateFail, []string{"the request plans no release", "src/core/price/index: property cents is now String (was Number)"}},
		{"an event removed",
			map[string]string{"src/core/price/index.js": "Component({\n  properties: { cents: { type: Number, value: 0 } },\n  methods: { tap() {} }\n})\n"},
			"fix(core): quiet", checks.GateFail, []string{"event change removed"}},
		{"internals changed: no API change",
			map[string]string{"src/core/internal.js": "module.exports = { other: 2 }\n"},
			"refactor(core): internals", checks.GatePass, []string{"no module's public API changed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRepo(t)
			r.Commit("base", apiProgram())
			r.Git("checkout", "-q", "-b", "feature")
			r.Commit(tc.title, tc.change)
			res, err := Run(context.Background(), Spec{RepoDir: r.Dir, BaseRef: "main", Config: loadConfig(t, r.Dir), Title: tc.title})
			if err != nil {
				t.Fatal(err)
			}
			g, ok := findGate(res.Gates, checks.GateAPI)
			if !ok {
				t.Fatalf("no API gate in %+v", res.Gates)
			}
			if g.Status != tc.status {
				t.Errorf("status %s, want %s: %s", g.Status, tc.status, g.Summary)
			}
			for _, w := range tc.want {
				if !strings.Contains(g.Summary, w) {
					t.Errorf("summary %q lacks %q", g.Summary, w)
				}
			}
		})
	}
}

func TestAPIGateWithoutBase(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.Commit("base", apiProgram())
	res, err := Run(context.Background(), Spec{RepoDir: r.Dir, Config: loadConfig(t, r.Dir)})
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := findGate(res.Gates, checks.GateAPI); !ok || g.Status != checks.GateSkip || !strings.Contains(g.Summary, "no base") {
		t.Errorf("gate = %+v, want skipped for want of a base", g)
	}
}
