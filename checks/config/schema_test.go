package config

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// keyPaths lists every key path of the config struct: "projects[].limits.warn".
func keyPaths(t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		if t.Kind() == reflect.Slice {
			prefix += "[]"
		}
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		k := yamlKey(t.Field(i))
		if k == "" {
			continue
		}
		p := join(prefix, k)
		out = append(out, p)
		out = append(out, keyPaths(t.Field(i).Type, p)...)
	}
	return out
}

type schemaNode map[string]any

func (s schemaNode) resolve(root schemaNode) schemaNode {
	cur := s
	for range 10 {
		ref, ok := cur["$ref"].(string)
		if !ok {
			break
		}
		name, _ := strings.CutPrefix(ref, "#/$defs/")
		defs, _ := root["$defs"].(map[string]any)
		next, _ := defs[name].(map[string]any)
		cur = next
	}
	return cur
}

// schemaPaths lists every property path of the schema, following $ref,
// items and the object branch of anyOf.
func schemaPaths(t *testing.T, root, node schemaNode, prefix string) []string {
	node = node.resolve(root)
	if items, ok := node["items"].(map[string]any); ok {
		return schemaPaths(t, root, schemaNode(items), prefix+"[]")
	}
	var out []string
	if alts, ok := node["anyOf"].([]any); ok {
		for _, a := range alts {
			m, _ := a.(map[string]any)
			out = append(out, schemaPaths(t, root, schemaNode(m), prefix)...)
		}
	}
	props, ok := node["properties"].(map[string]any)
	if !ok {
		return out
	}
	if node["additionalProperties"] != false {
		t.Errorf("schema object at %q does not set additionalProperties: false (the config is strict)", prefix)
	}
	for k, v := range props {
		p := join(prefix, k)
		out = append(out, p)
		m, _ := v.(map[string]any)
		out = append(out, schemaPaths(t, root, schemaNode(m), p)...)
	}
	return out
}

func TestSchemaMatchesStruct(t *testing.T) {
	data, err := os.ReadFile("../../schema/mpgate.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var root schemaNode
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	if root["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v, want draft 2020-12", root["$schema"])
	}
	got := schemaPaths(t, root, root, "")
	want := keyPaths(reflect.TypeOf(Config{}), "")
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("schema and Config diverge:\nschema: %v\nstruct: %v", got, want)
	}
}

func TestDocsCoverEveryKey(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, p := range keyPaths(reflect.TypeOf(Config{}), "") {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(doc, "`"+p+"`") {
				t.Errorf("docs/config.md does not document `%s`", p)
			}
		})
	}
}

// yamlBlocks returns the ```yaml blocks of a Markdown text with the line each
// starts on.
func yamlBlocks(doc string) (blocks []string, lines []int) {
	var cur []string
	in, start := false, 0
	for i, line := range strings.Split(doc, "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```yaml":
			in, cur, start = true, nil, i+2
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks, lines = append(blocks, strings.Join(cur, "\n")+"\n"), append(lines, start)
		case in:
			cur = append(cur, line)
		}
	}
	return blocks, lines
}

// TestDocsExamplesParse parses every YAML example of docs/config.md (but the
// editor modeline, which is a comment only).
func TestDocsExamplesParse(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks, lines := yamlBlocks(string(data))
	if len(blocks) < 8 {
		t.Fatalf("found %d YAML examples, want at least 8", len(blocks))
	}
	for i, b := range blocks {
		t.Run("line "+strconv.Itoa(lines[i]), func(t *testing.T) {
			t.Parallel()
			if _, err := Parse([]byte(b), "docs/config.md example"); err != nil {
				t.Errorf("example at docs/config.md:%d does not parse: %v\n%s", lines[i], err, b)
			}
		})
	}
}

// TestSchemaPatternsAgree checks the schema's size and share patterns accept
// what ParseSize and ParsePercent accept, so editors and mpgate agree.
func TestSchemaPatternsAgree(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../schema/mpgate.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var root struct {
		Defs map[string]struct {
			Pattern string `json:"pattern"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	sizeRE := regexp.MustCompile(root.Defs["size"].Pattern)
	pctRE := regexp.MustCompile(root.Defs["percent"].Pattern)
	for _, s := range []string{"2MB", "2 MB", "1.5MB", ".5MB", "512KB", "2048KiB", "300B", "2mb", "1GiB",
		"2048", "2Mb", "2 TB", "MB", "-1MB", "1e3KB", "2.MB", "1..5MB", " 2MB "} {
		t.Run("size "+s, func(t *testing.T) {
			t.Parallel()
			_, err := ParseSize(s)
			if got := sizeRE.MatchString(s); got != (err == nil) {
				t.Errorf("schema accepts %q: %v; ParseSize error: %v", s, got, err)
			}
		})
	}
	for _, s := range []string{"5%", "0.5%", "100 %", ".5%", "5", "%", "-5%", "5%%", "5.%"} {
		t.Run("share "+s, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePercent(s)
			if got := pctRE.MatchString(s); got != (err == nil) {
				t.Errorf("schema accepts %q: %v; ParsePercent error: %v", s, got, err)
			}
		})
	}
}
