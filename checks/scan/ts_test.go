package scan

import (
	"reflect"
	"testing"
)

func TestTS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []Ref
		app  int
	}{
		{"annotations and generics", "import { api } from './api'\nconst x: Map<string, number[]> = new Map()\nfunction f<T>(a: T): T { return require('./f') as T }",
			[]Ref{ref(Import, "./api", 1, 21), ref(Require, "./f", 3, 41)}, 0},
		{"import type and import-equals", "import type { Cfg } from './cfg'\nimport fs = require('./fs')",
			[]Ref{ref(Import, "./cfg", 1, 26), ref(Require, "./fs", 2, 21)}, 0},
		{"decorators, enums, non-null", "@Component({ tpl: require('./t') })\nclass C { @Prop() p!: string }\nenum E { A = 1 }\nconst m = a!.b / 2 / c; requirePlugin.async('p')",
			[]Ref{ref(Require, "./t", 1, 27), ref(RequirePluginAsync, "p", 4, 45)}, 0},
		{"declarations are no calls", "declare function require(id: string): any\ntype R = typeof require", nil, 0},
		{"generic App call", "App<IAppOption>({ globalData: {} })\nconst m = new Map<string, Array<number>>()", nil, 1},
		{"generic require", "const x = require<Mod>('./m')", []Ref{ref(Require, "./m", 1, 24)}, 0},
		{"comparison is no type argument", "if (App < limit) { go() }", nil, 0},
		{"App call", "App({ onLaunch(): void {} })", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := TS([]byte(tt.src))
			if got.Err != nil {
				t.Fatalf("unexpected error: %v", got.Err)
			}
			if !reflect.DeepEqual(got.Refs, tt.want) {
				t.Errorf("refs\n got %v\nwant %v", got.Refs, tt.want)
			}
			if len(got.AppCall) != tt.app {
				t.Errorf("App calls %v, want %d", got.AppCall, tt.app)
			}
		})
	}
}
