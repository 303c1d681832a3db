package archtest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const (
	module  = "github.com/mpgate/mpgate"
	docPath = "docs/architecture.md"
	// section is the heading of the package table in docPath.
	section = "## Packages"
)

// root is the module root, two levels above this package.
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("no go.mod at the module root %s: %v", dir, err)
	}
	return dir
}

// goList runs `go list` with args in the module root and returns its
// output's lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = root(t)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// rowPackage is a row of the package table: | `path` | what it does |.
var rowPackage = regexp.MustCompile("^\\|\\s*`([^`]+)`\\s*\\|")

// documented returns the packages the table under section names, in order,
// with the line of each.
func documented(t *testing.T, doc string) (pkgs []string, lines map[string]int) {
	t.Helper()
	lines = map[string]int{}
	in := false
	sc := bufio.NewScanner(strings.NewReader(doc))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = line == section
			continue
		}
		if !in {
			continue
		}
		if m := rowPackage.FindStringSubmatch(line); m != nil {
			if prev, ok := lines[m[1]]; ok {
				t.Errorf("%s:%d: %s has a row already (line %d)", docPath, n, m[1], prev)
				continue
			}
			lines[m[1]] = n
			pkgs = append(pkgs, m[1])
		}
	}
	if len(pkgs) == 0 {
		t.Fatalf("%s has no package rows under %q", docPath, section)
	}
	return pkgs, lines
}

// TestDocListsEveryPackage compares the package table of
// docs/architecture.md with `go list ./...`: a package without a row, or a
// row for a package that no longer exists, fails.
func TestDocListsEveryPackage(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root(t), docPath))
	if err != nil {
		t.Fatal(err)
	}
	inDoc, lines := documented(t, string(data))

	var listed []string
	for _, p := range goList(t, "./...") {
		rel, ok := strings.CutPrefix(p, module+"/")
		if !ok {
			if p == module {
				rel = "."
			} else {
				t.Fatalf("go list: %s is not in module %s", p, module)
			}
		}
		listed = append(listed, rel)
	}
	if len(listed) < 30 {
		t.Fatalf("go list ./... listed only %d packages: %v", len(listed), listed)
	}
	for _, p := range listed {
		if _, ok := lines[p]; !ok {
			t.Errorf("package %s is missing from %s: add a row \"| `%s` | what it does |\" under %q", p, docPath, p, section)
		}
	}
	for _, p := range inDoc {
		if !slices.Contains(listed, p) {
			t.Errorf("%s:%d names package %s, which go list ./... does not list: remove or rename the row", docPath, lines[p], p)
		}
	}
}

// TestChecksImportsOnlyChecks holds the engine's direction: no package of
// checks/ imports a package of the module outside checks/. Tests may
// (checks/analyze's use internal/synth), so only .Imports are read.
func TestChecksImportsOnlyChecks(t *testing.T) {
	lines := goList(t, "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./checks/...")
	if len(lines) < 10 {
		t.Fatalf("go list ./checks/... listed only %d packages", len(lines))
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		pkg := fields[0]
		for _, imp := range fields[1:] {
			if imp != module+"/checks" && strings.HasPrefix(imp, module+"/") && !strings.HasPrefix(imp, module+"/checks/") {
				t.Errorf("%s imports %s: checks/ may import only checks/ (docs/architecture.md)", pkg, imp)
			}
		}
	}
}

// TestBotRootImportsOnlyStandardLibrary holds the domain apart from its
// orchestrator: the bot root (events, check and comment references, commands,
// permissions, the adapters' error sentinels) depends on nothing but the
// standard library, so webhooks, the store and the forge adapters, which
// import it, do not compile the engine. The orchestrator is bot/worker.
func TestBotRootImportsOnlyStandardLibrary(t *testing.T) {
	deps := goList(t, "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./bot")
	for _, d := range deps {
		if d != "" && d != module+"/bot" {
			t.Errorf("%s/bot depends on %s: the bot root may import only the standard library (docs/architecture.md)", module, d)
		}
	}
}
