package config

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	yaml "go.yaml.in/yaml/v3"
)

// configSchema compiles schema/mpgate.schema.json.
func configSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path, err := filepath.Abs("../../schema/mpgate.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonschema.NewCompiler().Compile(path)
	if err != nil {
		t.Fatalf("compiling the config schema: %v", err)
	}
	return s
}

// schemaAccepts validates a YAML config against the schema, as an editor
// with the YAML language server does (the document as JSON).
func schemaAccepts(t *testing.T, s *jsonschema.Schema, doc string) error {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("the case is not YAML: %v", err)
	}
	if v == nil {
		v = map[string]any{}
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("the case has no JSON form: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return s.Validate(inst)
}

// agreeCases are configs the schema and Parse must judge alike: editors
// flag what mpgate refuses, and nothing mpgate accepts.
var agreeCases = []struct {
	name  string
	yaml  string
	valid bool
}{
	// Valid.
	{"empty", "", true},
	{"full example", "projects:\n  - name: shop\n    platform: wechat\n    root: dist/shop\n    install: npm ci\n    build: npm run build\n    limits: {package: 2MB, total: 30MB, preload: 2MB, warn: 90%}\n" +
		"gates:\n  size: {max_growth: 5%, max_growth_bytes: 50KB, noise_floor: 1KB, limits: {main: 1.5MB, \"package*\": 50%}, approve_label: ok-size, informational: true}\n" +
		"  lint: {report: reports/eslint.json, command: npm run lint, fail_on: warning, changed_lines_only: false}\n" +
		"  coverage: {report: coverage/lcov.info, min: 80%, max_drop: 1%, patch_min: 0%}\n  changelog: {enabled: true, label: no-changelog}\n" +
		"modules:\n  - {name: payment, paths: [\"packagePay/**\", \"utils/[a-c]*.js\"], changelog: packagePay/CHANGELOG.md, tag: \"pay-v{version}\"}\n" +
		"release: {tag: \"{module}@v{version}\", pr: false, bot: true}\ntrust: {build_forks: always}\ncomment: {require_changes: true, min_change: 512B}\n", true},
	{"nulls keep the defaults", "gates:\n  size: {max_growth: null, noise_floor: ~}\n  coverage: {min: null, patch_min: null}\nprojects:\n  - root: .\n    limits: {warn: null, package: null}\n", true},
	{"sections null", "gates: null\nrelease: null\ntrust: null\ncomment: null\nmodules: null\n", true},
	{"two named projects", "projects:\n  - {name: a, root: a}\n  - {name: b, root: b}\n", true},
	{"root with a dot segment", "projects:\n  - root: ./dist\n", true},
	{"share of 100%", "projects:\n  - limits: {warn: 100%}\ngates:\n  coverage: {min: 100%}\n  size: {max_growth: 10000%}\n", true},
	{"install auto", "projects:\n  - {root: ., build: npm run build, install: auto}\n", true},
	{"escaped glob", "gates:\n  size:\n    limits: {\"pack\\\\[1\\\\]\": 10KB}\n", true},

	// Invalid: unknown keys and wrong types.
	{"unknown top-level key", "projekts: []\n", false},
	{"unknown key in gates.size", "gates:\n  size: {max: 5%}\n", false},
	{"unknown key in a project", "projects:\n  - {root: ., dir: x}\n", false},
	{"gates is a list", "gates: [size]\n", false},
	{"projects is a mapping", "projects: {root: .}\n", false},
	{"boolean as text", "release: {pr: \"yes\"}\n", false},
	{"boolean as a number", "gates:\n  lint: {changed_lines_only: 1}\n", false},
	{"size without unit", "projects:\n  - limits: {package: 2048}\n", false},
	{"size in megabits", "projects:\n  - limits: {package: 2Mb}\n", false},
	{"share without %", "gates:\n  size: {max_growth: 5}\n", false},
	{"negative share", "gates:\n  size: {max_growth: -5%}\n", false},
	{"comment.min_change without unit", "comment: {min_change: 100}\n", false},
	{"comment.require_changes as text", "comment: {require_changes: \"true\"}\n", false},
	// Out-of-range values.
	{"zero package limit", "projects:\n  - limits: {package: 0B}\n", false},
	{"warn 0%", "projects:\n  - limits: {warn: 0%}\n", false},
	{"warn over 100%", "projects:\n  - limits: {warn: 150%}\n", false},
	{"coverage over 100%", "gates:\n  coverage: {min: 120%}\n", false},
	{"patch_min over 100%", "gates:\n  coverage: {patch_min: 100.5%}\n", false},
	{"max_drop over 100%", "gates:\n  coverage: {max_drop: 101%}\n", false},
	{"max_growth over 10000%", "gates:\n  size: {max_growth: 20000%}\n", false},
	{"budget of 0%", "gates:\n  size:\n    limits: {main: 0%}\n", false},
	{"budget over 100%", "gates:\n  size:\n    limits: {main: 120%}\n", false},
	// Values out of their set.
	{"unknown platform", "projects:\n  - platform: weixin\n", false},
	{"platform in capitals", "projects:\n  - platform: WeChat\n", false},
	{"fail_on info", "gates:\n  lint: {fail_on: info}\n", false},
	{"build_forks sometimes", "trust: {build_forks: sometimes}\n", false},
	// Paths, names, globs, templates.
	{"empty projects", "projects: []\n", false},
	{"empty root", "projects:\n  - root: \"\"\n", false},
	{"root outside", "projects:\n  - root: ../other\n", false},
	{"root absolute", "projects:\n  - root: /srv/app\n", false},
	{"root on a drive", "projects:\n  - root: \"C:/app\"\n", false},
	{"root climbing out inside", "projects:\n  - root: a/../../b\n", false},
	{"root with a .. segment", "projects:\n  - root: a/../b\n", false},
	{"module path with a .. segment", "modules:\n  - {name: m, paths: [\"a/../b/**\"]}\n", false},
	{"lint report outside", "gates:\n  lint: {report: ../eslint.json}\n", false},
	{"coverage report absolute", "gates:\n  coverage: {report: /tmp/lcov.info}\n", false},
	{"module changelog outside", "modules:\n  - {name: m, paths: [a/**], changelog: ../CHANGELOG.md}\n", false},
	{"project name with a space", "projects:\n  - {name: my shop, root: .}\n", false},
	{"project name with a slash", "projects:\n  - {name: apps/shop, root: .}\n", false},
	{"two projects, one unnamed", "projects:\n  - {name: a, root: a}\n  - {root: b}\n", false},
	{"install without build", "projects:\n  - {root: ., install: npm ci}\n", false},
	{"install blank", "projects:\n  - {root: ., build: x, install: \"  \"}\n", false},
	{"lint command without report", "gates:\n  lint: {command: npm run lint}\n", false},
	{"changelog label blank", "gates:\n  changelog: {label: \" \"}\n", false},
	{"module without paths", "modules:\n  - {name: m, paths: []}\n", false},
	{"module without name", "modules:\n  - {paths: [a/**]}\n", false},
	{"module name with a space", "modules:\n  - {name: my module, paths: [a/**]}\n", false},
	{"module path unclosed class", "modules:\n  - {name: m, paths: [\"a/[b\"]}\n", false},
	{"module path trailing backslash", "modules:\n  - {name: m, paths: [\"a\\\\\"]}\n", false},
	{"module path outside", "modules:\n  - {name: m, paths: [\"../a/**\"]}\n", false},
	{"empty module path", "modules:\n  - {name: m, paths: [\"\"]}\n", false},
	{"budget glob unclosed", "gates:\n  size:\n    limits: {\"pack[\": 10KB}\n", false},
	{"budget key empty", "gates:\n  size:\n    limits: {\"\": 10KB}\n", false},
	{"budget null", "gates:\n  size:\n    limits: {main: null}\n", false},
	{"release tag empty", "release: {tag: \"\"}\n", false},
	{"release tag without version", "release: {tag: \"{module}-latest\"}\n", false},
	{"release tag unknown placeholder", "release: {tag: \"{name}@v{version}\"}\n", false},
	{"release tag with a space", "release: {tag: \"v {version}\"}\n", false},
	{"release tag unbalanced", "release: {tag: \"v{version\"}\n", false},
	{"module tag without version", "modules:\n  - {name: m, paths: [a/**], tag: m-latest}\n", false},
	// Boundaries.
	{"boundaries", "modules:\n  - {name: core, paths: [core/**], public: [core/index.js]}\n  - {name: feature-a, paths: [a/**]}\n" +
		"boundaries:\n  layers:\n    - {name: features, modules: [\"feature-*\"]}\n    - {modules: [core]}\n" +
		"  rules:\n    - {from: \"feature-*\", allow: [core]}\n    - {from: core, allow: []}\n    - {from: core, forbid: [\"feature-*\"]}\n" +
		"  platform_api: {adapters: [\"adapters/**\"]}\n", true},
	{"boundaries on default modules", "boundaries:\n  rules:\n    - {from: packageA, forbid: [packageB]}\n", true},
	{"boundaries null", "boundaries: {layers: null, rules: null, platform_api: null}\n", true},
	{"rule without allow or forbid", "boundaries:\n  rules:\n    - {from: a}\n", false},
	{"rule with allow null", "boundaries:\n  rules:\n    - {from: a, allow: null}\n", false},
	{"rule with an empty forbid", "boundaries:\n  rules:\n    - {from: a, forbid: []}\n", false},
	{"rule without from", "boundaries:\n  rules:\n    - {allow: [a]}\n", false},
	{"rule from empty", "boundaries:\n  rules:\n    - {from: \"\", allow: [a]}\n", false},
	{"rule from unclosed class", "boundaries:\n  rules:\n    - {from: \"a[\", allow: [a]}\n", false},
	{"layer without modules", "boundaries:\n  layers:\n    - {name: x, modules: []}\n", false},
	{"unknown boundaries key", "boundaries: {cycles: error}\n", false},
	{"adapter path outside", "boundaries:\n  platform_api: {adapters: [\"../x/**\"]}\n", false},
	{"module public outside", "modules:\n  - {name: m, paths: [a/**], public: [\"/a/index.js\"]}\n", false},
}

// TestSchemaAgreesWithParse feeds the schema and Parse the same configs
// and requires the same verdict.
func TestSchemaAgreesWithParse(t *testing.T) {
	s := configSchema(t)
	invalid := 0
	for _, tc := range agreeCases {
		if !tc.valid {
			invalid++
		}
		t.Run(tc.name, func(t *testing.T) {
			_, perr := Parse([]byte(tc.yaml), "case.yml")
			serr := schemaAccepts(t, s, tc.yaml)
			if (perr == nil) != tc.valid {
				t.Errorf("Parse: %v (want valid %v)", perr, tc.valid)
			}
			if (serr == nil) != tc.valid {
				t.Errorf("schema: %v (want valid %v)", serr, tc.valid)
			}
		})
	}
	if invalid < 20 {
		t.Errorf("%d invalid cases, want at least 20", invalid)
	}
}

// TestValidatorOnlyRules lists what Parse refuses and JSON Schema cannot
// say (relations between values): editors accept these, mpgate names the
// line. docs/config.md says so.
func TestValidatorOnlyRules(t *testing.T) {
	s := configSchema(t)
	for _, tc := range []struct{ name, yaml string }{
		{"project names used twice", "projects:\n  - {name: a, root: a}\n  - {name: a, root: b}\n"},
		{"module names used twice", "modules:\n  - {name: m, paths: [a/**]}\n  - {name: m, paths: [b/**]}\n"},
		{"total below package", "projects:\n  - limits: {package: 2MB, total: 1MB}\n"},
		{"boundary naming no configured module", "modules:\n  - {name: core, paths: [core/**]}\nboundaries:\n  rules:\n    - {from: shop, allow: [core]}\n"},
		{"modules without {module} in the tag", "modules:\n  - {name: a, paths: [a/**]}\n  - {name: b, paths: [b/**]}\nrelease: {tag: \"v{version}\"}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse([]byte(tc.yaml), "case.yml"); err == nil {
				t.Error("Parse accepts it")
			}
			if err := schemaAccepts(t, s, tc.yaml); err != nil {
				t.Errorf("the schema refuses it now (%v): move the case to agreeCases", err)
			}
		})
	}
}
