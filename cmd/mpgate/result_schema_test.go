package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func compileResultSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path, err := filepath.Abs("../../schema/mpgate.result.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	return s
}

// TestResultOutputsMatchSchema validates what users get against
// schema/mpgate.result.schema.json (docs/report.md): `check --base
// --format json` and the JSON result of `check --post` (the Action's
// report output, with its "github" block).
func TestResultOutputsMatchSchema(t *testing.T) {
	s := compileResultSchema(t)
	validate := func(t *testing.T, what string, data []byte) {
		t.Helper()
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s is not JSON: %v\n%s", what, err, data)
		}
		if err := s.Validate(v); err != nil {
			t.Errorf("%s does not match the schema: %v", what, err)
		}
	}
	dir, base, _ := miniRepo(t, 2)

	t.Run("check --base --format json", func(t *testing.T) {
		res := runArgs(t, nil, "check", "--base", base, "--format", "json", dir)
		if res.code != exitFail {
			t.Fatalf("exit %d\n%s", res.code, res.stderr)
		}
		validate(t, "the JSON result", []byte(res.stdout))
	})
	t.Run("the Action's report", func(t *testing.T) {
		fastRetries(t)
		f := newFake(t)
		head := gitRun(t, dir, "rev-parse", "HEAD")
		r := prRunner(t, f, base, head, false)
		if res := runArgs(t, r.env, "check", "--post", dir); res.code != exitFail {
			t.Fatalf("exit %d\n%s", res.code, res.stderr)
		}
		report := parseOutputs(t, r.output)["report"]
		data, err := os.ReadFile(report)
		if err != nil {
			t.Fatalf("the report output %q: %v", report, err)
		}
		validate(t, "the report output", data)
	})
}
