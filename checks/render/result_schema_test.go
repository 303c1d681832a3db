package render

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mpgate/mpgate/checks/compare"
)

// resultSchema compiles schema/mpgate.result.schema.json.
func resultSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path, err := filepath.Abs("../../schema/mpgate.result.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("the result schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("the result schema does not compile: %v", err)
	}
	return s
}

func validateJSON(t *testing.T, s *jsonschema.Schema, data []byte) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return s.Validate(v)
}

// TestResultSchemaValidatesOutputs: every JSON result the renderer writes —
// a failed head, new, existing and fixed findings, lint, coverage, many
// packages, no base — is valid against the published schema, and the
// schema is no blank cheque: broken results are refused.
func TestResultSchemaValidatesOutputs(t *testing.T) {
	s := resultSchema(t)
	noBase := func() *compare.Result {
		_, head := shopReports()
		res := compare.NewResult(compare.Compare(nil, head))
		res.Finish()
		return res
	}
	for name, res := range map[string]func() *compare.Result{
		"sample": sampleResult, "noisy": noisyResult, "quiet": quietResult, "no base": noBase,
		"big": func() *compare.Result { return bigResult(20) },
		"working tree": func() *compare.Result {
			res := sampleResult()
			res.HeadRev, res.HeadWorkingTree = res.BaseRev, true
			return res
		},
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := ResultJSON(&b, res()); err != nil {
				t.Fatal(err)
			}
			if err := validateJSON(t, s, b.Bytes()); err != nil {
				t.Errorf("the JSON result is not valid against the schema: %v", err)
			}
		})
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "result", "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := validateJSON(t, s, golden); err != nil {
		t.Errorf("testdata/result/result.json is not valid: %v", err)
	}
	for _, tc := range []struct{ name, from, to string }{
		{"unknown verdict", `"verdict": "fail"`, `"verdict": "maybe"`},
		{"other schema", `"schema": "mpgate.result/v1"`, `"schema": "mpgate.result/v2"`},
		{"unknown severity", `"severity": "error"`, `"severity": "fatal"`},
		{"unknown gate status", `"status": "fail"`, `"status": "failed"`},
		{"unknown key", `"verdict": "fail"`, `"verdict": "fail", "extra": 1`},
		{"size as text", `"totalBytes": `, `"totalBytes": "1", "x": `},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			if !strings.Contains(string(golden), tc.from) {
				t.Fatalf("the golden result has no %s", tc.from)
			}
			broken := strings.Replace(string(golden), tc.from, tc.to, 1)
			if err := validateJSON(t, s, []byte(broken)); err == nil {
				t.Errorf("the schema accepts a result with %s", tc.name)
			}
		})
	}
}
