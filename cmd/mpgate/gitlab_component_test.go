package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/publish/gitlabci"
	"go.yaml.in/yaml/v3"
)

// componentSpec is the header document of a GitLab CI/CD component.
type componentSpec struct {
	Spec struct {
		Inputs map[string]struct {
			Description string  `yaml:"description"`
			Default     *string `yaml:"default"`
		} `yaml:"inputs"`
	} `yaml:"spec"`
}

// componentJob is the part of a job the test checks.
type componentJob struct {
	Stage string `yaml:"stage"`
	Image struct {
		Name       string   `yaml:"name"`
		Entrypoint []string `yaml:"entrypoint"`
	} `yaml:"image"`
	Variables map[string]any `yaml:"variables"`
	Script    []string       `yaml:"script"`
	Artifacts struct {
		When     string            `yaml:"when"`
		Reports  map[string]string `yaml:"reports"`
		ExposeAs string            `yaml:"expose_as"`
		Paths    []string          `yaml:"paths"`
	} `yaml:"artifacts"`
}

var inputRef = regexp.MustCompile(`\$\[\[\s*inputs\.([a-z0-9_-]+)\s*\]\]`)

// readComponent splits templates/mpgate.yml into its spec and the job
// document, and renders the job with the given inputs (defaults for the
// others).
func readComponent(t *testing.T, inputs map[string]string) (componentSpec, string, map[string]componentJob) {
	t.Helper()
	data, err := os.ReadFile("../../templates/mpgate.yml")
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := strings.Cut(string(data), "\n---\n")
	if !ok {
		t.Fatal("templates/mpgate.yml: no --- between the spec and the job")
	}
	var spec componentSpec
	dec := yaml.NewDecoder(strings.NewReader(head))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil {
		t.Fatalf("templates/mpgate.yml: the spec: %v", err)
	}
	var missing []string
	rendered := inputRef.ReplaceAllStringFunc(body, func(ref string) string {
		name := inputRef.FindStringSubmatch(ref)[1]
		if v, ok := inputs[name]; ok {
			return v
		}
		in, ok := spec.Spec.Inputs[name]
		if !ok || in.Default == nil {
			missing = append(missing, name)
			return ref
		}
		return *in.Default
	})
	if len(missing) > 0 {
		t.Fatalf("templates/mpgate.yml uses inputs it does not declare with a default: %v", missing)
	}
	var jobs map[string]componentJob
	if err := yaml.Unmarshal([]byte(rendered), &jobs); err != nil {
		t.Fatalf("templates/mpgate.yml rendered is not YAML: %v\n%s", err, rendered)
	}
	return spec, body, jobs
}

func TestGitLabComponent(t *testing.T) {
	spec, body, jobs := readComponent(t, nil)
	used := map[string]bool{}
	for _, m := range inputRef.FindAllStringSubmatch(body, -1) {
		used[m[1]] = true
	}
	for name, in := range spec.Spec.Inputs {
		if in.Description == "" || in.Default == nil {
			t.Errorf("input %s: want a description and a default", name)
		}
		if !used[name] {
			t.Errorf("input %s is declared but not used", name)
		}
	}
	j, ok := jobs["mpgate"]
	if !ok || len(jobs) != 1 {
		t.Fatalf("jobs %v, want one named mpgate", slices.Collect(func(yield func(string) bool) {
			for k := range jobs {
				if !yield(k) {
					return
				}
			}
		}))
	}
	if j.Image.Name != "ghcr.io/mpgate/mpgate:v1" || !slices.Equal(j.Image.Entrypoint, []string{""}) {
		t.Errorf("image %q entrypoint %q, want ghcr.io/mpgate/mpgate:v1 with the entrypoint cleared", j.Image.Name, j.Image.Entrypoint)
	}
	if fmt.Sprint(j.Variables["GIT_DEPTH"]) != "0" || j.Stage != "test" {
		t.Errorf("GIT_DEPTH %v stage %q", j.Variables["GIT_DEPTH"], j.Stage)
	}
	if j.Artifacts.When != "always" || j.Artifacts.Reports["codequality"] != gitlabci.CodeQualityFile ||
		j.Variables["MPGATE_CODEQUALITY"] != "$CI_PROJECT_DIR/"+gitlabci.CodeQualityFile {
		t.Errorf("artifacts %+v, MPGATE_CODEQUALITY %v: the report mpgate writes is not the one collected", j.Artifacts, j.Variables["MPGATE_CODEQUALITY"])
	}

	// The HTML report mpgate writes is the file the merge request links (expose_as: one literal path).
	if j.Artifacts.ExposeAs == "" || !slices.Equal(j.Artifacts.Paths, []string{"mpgate-report.html"}) {
		t.Errorf("artifacts expose_as %q paths %q, want the HTML report exposed", j.Artifacts.ExposeAs, j.Artifacts.Paths)
	}

	// The image tag the component defaults to is one the release pushes.
	rel, err := os.ReadFile("../../.goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rel), "- ghcr.io/mpgate/mpgate\n") || !strings.Contains(string(rel), "v{{ .Major }}") {
		t.Error(".goreleaser.yaml does not push ghcr.io/mpgate/mpgate with the major tag the component uses")
	}
}

// TestGitLabComponentScript runs the job's script in a shell with mpgate
// and git replaced by functions that print their arguments, and parses
// mpgate check's arguments with check's own flags: the inputs become the
// flags they should, quoted as they should.
func TestGitLabComponentScript(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	tests := []struct {
		name    string
		inputs  map[string]string
		project string
		extra   []string
		html    string
	}{
		{"defaults", nil, "", nil, "mpgate-report.html"},
		{"project and args", map[string]string{"project": "shop admin", "args": "--brotli --build-timeout 15m", "html-report": "reports/shop.html"}, "shop admin", []string{"--brotli", "--build-timeout", "15m"}, "reports/shop.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, jobs := readComponent(t, tt.inputs)
			j := jobs["mpgate"]
			var script strings.Builder
			script.WriteString("git() { :; }\nmpgate() { [ \"$1\" = check ] && printf '%s\\n' \"$@\"; return 0; }\nset -e\n")
			for k, v := range j.Variables {
				s, ok := v.(string)
				if !ok {
					s = fmt.Sprint(v)
				}
				fmt.Fprintf(&script, "%s='%s'\n", k, s)
			}
			script.WriteString(strings.Join(j.Script, "\n"))
			out, err := exec.Command(sh, "-c", script.String()).CombinedOutput()
			if err != nil {
				t.Fatalf("the script failed: %v\n%s", err, out)
			}
			args := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			if len(args) < 2 || args[0] != "check" || args[1] != "--post" {
				t.Fatalf("mpgate called with %q, want check --post …", args)
			}
			var f checkFlags
			fs := newCheckFlagSet(&f)
			if err := fs.Parse(args[1:]); err != nil {
				t.Fatalf("check's flags refuse %q: %v", args[1:], err)
			}
			if f.HTML != tt.html || (tt.inputs["html-report"] != "" && !slices.Equal(j.Artifacts.Paths, []string{tt.html})) {
				t.Errorf("--html %q, artifacts %q; want %q written and collected", f.HTML, j.Artifacts.Paths, tt.html)
			}
			if !f.Post || f.Project != tt.project || fs.NArg() != 0 {
				t.Errorf("check %q: post %v project %q args %q; want project %q", args[1:], f.Post, f.Project, fs.Args(), tt.project)
			}
			for _, e := range tt.extra {
				if !slices.Contains(args, e) {
					t.Errorf("args %q lack %q", args, e)
				}
			}
		})
	}
}
