package manifest

import (
	"errors"
	"strings"
	"testing"
)

func TestParseJSONValues(t *testing.T) {
	t.Parallel()
	src := "{\"s\": \"a\\n\\u00e9\\ud83d\\ude00\\/\", \"n\": -1.5e3, \"t\": true, \"f\": false, \"z\": null,\n \"a\": [1, {\"b\": []}], \"dup\": 1, \"dup\": 2}"
	n, err := ParseJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  string
		kind Kind
		str  string
	}{
		{"s", String, "a\né😀/"}, {"n", Number, "-1.5e3"}, {"t", Bool, "true"}, {"f", Bool, "false"},
		{"z", Null, "null"}, {"a", Array, ""}, {"dup", Number, "2"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			v := n.Get(tt.key)
			if v == nil {
				t.Fatalf("no key %q", tt.key)
			}
			if v.Kind != tt.kind || v.Str != tt.str {
				t.Errorf("got %s %q, want %s %q", v.Kind, v.Str, tt.kind, tt.str)
			}
		})
	}
	if !n.Get("t").Bool || n.Get("f").Bool {
		t.Error("booleans wrong")
	}
	if len(n.Members) != 7 || n.Members[6].Key.Value != "dup" {
		t.Errorf("members %v", n.Members)
	}
	if len(n.Dups) != 1 || n.Dups[0].Value.Str != "1" || n.Dups[0].Key.Pos != (Pos{2, 23}) {
		t.Errorf("dups %+v", n.Dups)
	}
	if m, ok := n.Member("dup"); !ok || m.Key.Pos != (Pos{2, 33}) {
		t.Errorf("last dup at %v", m.Key.Pos)
	}
	a := n.Get("a")
	if len(a.Items) != 2 || a.Items[1].Get("b").Kind != Array || a.Items[1].Pos != (Pos{2, 11}) {
		t.Errorf("array %+v", a)
	}
	if (*Node)(nil).Get("x") != nil || a.Get("x") != nil {
		t.Error("Get on nil or array must be nil")
	}
}

func TestParseJSONLoneSurrogate(t *testing.T) {
	n, err := ParseJSON([]byte(`"\ud83d x"`))
	if err != nil {
		t.Fatal(err)
	}
	if n.Str != "\uFFFD x" {
		t.Errorf("got %q", n.Str)
	}
}

func TestParseJSONDepth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		depth int
		ok    bool
	}{
		{"at the cap", MaxDepth, true},
		{"over the cap", MaxDepth + 1, false},
		{"far over the cap", 1_000_000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := strings.Repeat("[", tt.depth) + strings.Repeat("]", tt.depth)
			_, err := ParseJSON([]byte(src))
			if tt.ok && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if !tt.ok {
				var se *SyntaxError
				if !errors.As(err, &se) || !strings.Contains(se.Msg, ErrTooDeep.Error()) {
					t.Fatalf("want a too-deep error, got %v", err)
				}
				if se.Pos.Col != MaxDepth+1 {
					t.Errorf("error at %v, want column %d", se.Pos, MaxDepth+1)
				}
			}
		})
	}
}

func TestParseJSONHugeArray(t *testing.T) {
	const n = 200_000
	var b strings.Builder
	b.WriteString(`{"pages":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(`"p"`)
	}
	b.WriteString("]}")
	root, err := ParseJSON([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	items := root.Get("pages").Items
	if len(items) != n || items[n-1].Pos != (Pos{n, 1}) {
		t.Errorf("got %d items, last at %v", len(items), items[len(items)-1].Pos)
	}
}

func TestParseJSONDoesNotTouchInput(t *testing.T) {
	buf := make([]byte, 2, 10)
	copy(buf, "{}")
	full := buf[:3]
	full[2] = 'x'
	if _, err := ParseJSON(buf); err != nil {
		t.Fatal(err)
	}
	if full[2] != 'x' {
		t.Error("ParseJSON wrote past the end of its input")
	}
}

func TestSyntaxErrorString(t *testing.T) {
	_, err := ParseJSON([]byte("{\n  \"a\": 1,\n}"))
	if err == nil {
		t.Fatal("no error")
	}
	if got, want := err.Error(), "2:9: invalid JSON: trailing comma, remove the comma before the closing bracket"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Null: "null", Bool: "boolean", Number: "number", String: "string", Object: "object", Array: "array", Kind(99): "unknown"} {
		if k.String() != want {
			t.Errorf("%d: %q", k, k.String())
		}
	}
}
