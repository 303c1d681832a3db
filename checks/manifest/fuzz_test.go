package manifest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/platform"
)

var fuzzSeeds = []string{
	`{"pages":["a","a"],"subPackages":[{"root":"./s/","name":"n","pages":["p"],"independent":true,"plugins":{"x":{"provider":"wx","version":"1"}}}],
	 "preloadRule":{"a":{"packages":["s","n","__APP__","zz"]}},"tabBar":{"list":[{"pagePath":"s/p"}],"items":[]},"entryPagePath":"q",
	 "usingComponents":{"c":"/c/c"},"componentPlaceholder":{"c":"view"},"workers":{"path":"w","isSubpackage":true},
	 "resolveAlias":{"@/*":"/*"},"useExtendedLib":{"weui":true},"subpackage":[],"windows":{}}`,
	`{"component":true,"usingComponents":{"a":"b"},"componentGenerics":{"g":{"default":"x"}}}`,
	`{"miniprogramRoot":"../a/","packOptions":{"ignore":[{"type":"folder","value":"x"}]},"setting":{"minified":true,"useCompilerPlugins":["typescript"]}}`,
	"\xef\xbb\xbf{}", "{\"a\":\"\xff\"}", `[[[[[]]]]]`, `{"a":1,}`, `"\ud83d\ude00"`, "{\n\r\n\"a\" : -0.5e-3 }", "",
}

// checkPositions fails when a diagnostic points outside src.
func checkPositions(t *testing.T, src []byte, ds []checks.Diagnostic) {
	t.Helper()
	lines := bytes.Split(src, []byte("\n"))
	for _, d := range ds {
		if d.Line < 1 || d.Line > len(lines) {
			t.Fatalf("%s line %d outside 1..%d: %s", d.Rule, d.Line, len(lines), d.Message)
		}
		if d.Column < 1 || d.Column > len(lines[d.Line-1])+1 {
			t.Fatalf("%s column %d outside line %d of %d bytes: %s", d.Rule, d.Column, d.Line, len(lines[d.Line-1]), d.Message)
		}
		if d.Message == "" || d.Hint == "" {
			t.Fatalf("diagnostic without message or hint: %+v", d)
		}
	}
}

func FuzzParseApp(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(0))
	}
	all := platform.All()
	f.Fuzz(func(t *testing.T, src []byte, pi uint8) {
		p := all[int(pi)%len(all)]
		app, ds := ParseApp(src, "app.json", p)
		checkPositions(t, src, ds)
		if app == nil {
			if len(ds) == 0 || ds[0].Rule != checks.MP101 {
				t.Fatalf("nil App without MP101: %v", ds)
			}
			return
		}
		for _, sp := range app.Subpackages {
			if sp.Root.Value != NormalizeRoot(sp.Root.Value) {
				t.Fatalf("root %q not normalised", sp.Root.Value)
			}
		}
		for _, d := range Validate(app, p, "", memFiles{}, true) {
			if d.Line < 1 || d.Message == "" {
				t.Fatalf("bad Validate diagnostic %+v", d)
			}
		}
	})
}

func FuzzParseComponent(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		c, ds := ParseComponent(src, "c.json")
		checkPositions(t, src, ds)
		if c == nil && (len(ds) == 0 || ds[0].Rule != checks.MP114) {
			t.Fatalf("nil Component without MP114: %v", ds)
		}
	})
}

func FuzzParseProject(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(0))
	}
	all := platform.All()
	f.Fuzz(func(t *testing.T, src []byte, pi uint8) {
		p := all[int(pi)%len(all)]
		proj, ds := ParseProject(src, p.ProjectConfig, p)
		checkPositions(t, src, ds)
		if proj == nil {
			return
		}
		checkPositions(t, src, MergePrivate(proj, src, "project.private.config.json"))
	})
}

func FuzzParseJSON(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		n, err := ParseJSON(src)
		// Differential check against encoding/json, which is as strict as
		// JSON.parse on UTF-8 input; ParseJSON also caps the depth.
		if utf8.Valid(src) && !tooDeep(src) && (err == nil) != json.Valid(src) {
			t.Fatalf("ParseJSON error %v, encoding/json Valid %v on %q", err, json.Valid(src), src)
		}
		if err == nil {
			var want any
			dec := json.NewDecoder(bytes.NewReader(src))
			dec.UseNumber()
			if e := dec.Decode(&want); e != nil {
				t.Fatalf("encoding/json rejects what ParseJSON accepts: %v", e)
			}
			if got := toAny(n); !reflect.DeepEqual(got, want) {
				t.Fatalf("tree %#v, encoding/json %#v", got, want)
			}
		}
		if err != nil {
			se, ok := err.(*SyntaxError)
			if !ok || se.Offset < 0 || se.Offset > len(src) || n != nil {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		var walk func(*Node)
		walk = func(n *Node) {
			if n.Offset < 0 || n.Offset >= len(src) {
				t.Fatalf("offset %d outside input", n.Offset)
			}
			for _, m := range n.Members {
				walk(m.Value)
			}
			for _, it := range n.Items {
				walk(it)
			}
		}
		walk(n)
	})
}

// tooDeep reports nesting beyond MaxDepth, counting brackets outside strings.
func tooDeep(src []byte) bool {
	depth, in, esc := 0, false, false
	for _, c := range src {
		switch {
		case in && esc:
			esc = false
		case in && c == '\\':
			esc = true
		case in && c == '"':
			in = false
		case in:
		case c == '"':
			in = true
		case c == '[' || c == '{':
			depth++
			if depth > MaxDepth {
				return true
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return false
}

// toAny converts a tree to what encoding/json.Unmarshal gives (last key wins).
func toAny(n *Node) any {
	switch n.Kind {
	case Null:
		return nil
	case Bool:
		return n.Bool
	case Number:
		return json.Number(n.Str)
	case String:
		return n.Str
	case Array:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			out[i] = toAny(it)
		}
		return out
	}
	out := map[string]any{}
	for _, m := range n.Members {
		out[m.Key.Value] = toAny(m.Value)
	}
	return out
}
