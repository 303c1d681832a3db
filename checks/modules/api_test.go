package modules

import (
	"encoding/json"
	"testing"
)

func TestExtractAPI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"commonjs object", "function request(url, opts = {}) {}\nconst toast = (title) => {}\nconst base = 'x'\nmodule.exports = { request, toast, base, log: function (a, b, ...rest) {}, now() {} }\n",
			`{"exports":[{"name":"base","kind":"value","arity":-1},{"name":"log","kind":"function","arity":2},{"name":"now","kind":"function","arity":0},{"name":"request","kind":"function","arity":1},{"name":"toast","kind":"function","arity":1}]}`},
		{"exports.x and module.exports.x", "exports.a = function (x) {}\nmodule.exports.b = 1\n",
			`{"exports":[{"name":"a","kind":"function","arity":1},{"name":"b","kind":"value","arity":-1}]}`},
		{"module.exports = a function", "module.exports = function (a, b) {}\n",
			`{"exports":[{"name":"default","kind":"function","arity":2}]}`},
		{"module.exports = a named object", "const api = { a: 1 }\nmodule.exports = api\n",
			`{"exports":[{"name":"a","kind":"value","arity":-1}]}`},
		{"es exports", "export function f(a, b) {}\nexport const g = (x) => x, h = 2\nexport class C {}\nfunction k() {}\nexport { k as kk }\nexport default function (q) {}\nexport * from './x'\n",
			`{"exports":[{"name":"C","kind":"class","arity":-1},{"name":"default","kind":"function","arity":1},{"name":"f","kind":"function","arity":2},{"name":"g","kind":"function","arity":1},{"name":"h","kind":"value","arity":-1},{"name":"kk","kind":"function","arity":0}]}`},
		{"component", "Component({\n  externalClasses: ['custom-class', 'label-class'],\n  properties: {\n    cents: { type: Number, value: 0 },\n    title: String,\n    tags: { type: Array, value: [] },\n    'dash-name': { type: Boolean }\n  },\n  methods: {\n    tap() { this.triggerEvent('change', {}) },\n    reset: function () { const that = this; that.triggerEvent('reset') }\n  }\n})\n",
			`{"component":{"properties":{"cents":{"type":"Number","default":"0"},"dash-name":{"type":"Boolean"},"tags":{"type":"Array","default":"[]"},"title":{"type":"String"}},"externalClasses":["custom-class","label-class"],"events":["change","reset"],"methods":["reset","tap"]}}`},
		{"nothing public", "const a = 1\nfunction b() {}\n", `{}`},
		{"a local Component is not the global", "const Component = (o) => o\nComponent({ properties: { a: String } })\n", `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api, err := ExtractAPI([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(api)
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
