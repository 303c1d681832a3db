package manifest

import (
	"slices"
	"testing"
)

func TestParseComponent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		src        string
		component  bool
		using      []string // tag=path
		holders    []string
		generics   []string
		wantRules  []string
		wantNilOut bool
	}{
		{name: "page", src: `{"navigationBarTitleText":"x","usingComponents":{"a":"/c/a/a","b":"../b/b"}}`, using: []string{"a=/c/a/a", "b=../b/b"}},
		{name: "component", src: `{"component":true,"usingComponents":{"list":"../../sub/list"},"componentPlaceholder":{"list":"view"}}`,
			component: true, using: []string{"list=../../sub/list"}, holders: []string{"list=view"}},
		{name: "generics", src: `{"component":true,"componentGenerics":{"sel":true,"item":{"default":"/c/item/item"}}}`,
			component: true, generics: []string{"item=/c/item/item"}},
		{name: "empty object", src: `{}`},
		{name: "invalid JSON", src: `{"usingComponents":{"a":"b",}}`, wantRules: []string{"MP114 1:28"}, wantNilOut: true},
		{name: "not an object", src: `[]`, wantRules: []string{"MP114 1:1"}, wantNilOut: true},
		{name: "wrong types", src: `{"component":"yes","usingComponents":{"a":1},"componentGenerics":{"g":2}}`,
			wantRules: []string{"MP114 1:14", "MP114 1:43", "MP114 1:71"}},
		{name: "duplicate tag", src: `{"usingComponents":{"a":"x","a":"y"}}`, using: []string{"a=y"}, wantRules: []string{"MP111 1:21"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ds := ParseComponent([]byte(tt.src), "pages/a/a.json")
			if got := rules(ds); !slices.Equal(got, tt.wantRules) && len(got)+len(tt.wantRules) > 0 {
				t.Errorf("rules %v, want %v", got, tt.wantRules)
			}
			for _, d := range ds {
				if d.File != "pages/a/a.json" || d.Hint == "" {
					t.Errorf("incomplete %+v", d)
				}
			}
			if tt.wantNilOut {
				if c != nil {
					t.Error("want nil component")
				}
				return
			}
			if c == nil {
				t.Fatal("nil component")
			}
			if c.Component != tt.component {
				t.Errorf("component = %v", c.Component)
			}
			var using, holders, generics []string
			for _, u := range c.UsingComponents {
				using = append(using, u.Tag.Value+"="+u.Path.Value)
			}
			for _, h := range c.ComponentPlaceholder {
				holders = append(holders, h.Tag.Value+"="+h.Placeholder.Value)
			}
			for _, g := range c.Generics {
				generics = append(generics, g.Tag.Value+"="+g.Path.Value)
			}
			if !slices.Equal(using, tt.using) || !slices.Equal(holders, tt.holders) || !slices.Equal(generics, tt.generics) {
				t.Errorf("using %v holders %v generics %v", using, holders, generics)
			}
		})
	}
}
