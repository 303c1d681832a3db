package manifest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/platform"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestGolden parses every testdata/app/<platform>-*.json manifest and compares
// a text summary of the App and its diagnostics with the .golden file beside it.
func TestGolden(t *testing.T) {
	t.Parallel()
	inputs, err := filepath.Glob(filepath.Join("testdata", "app", "*.json"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			id := platform.ID(strings.SplitN(name, "-", 2)[0])
			p, ok := platform.Get(id)
			if !ok {
				t.Fatalf("file name must start with a platform id: %s", name)
			}
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			app, ds := ParseApp(src, "app.json", p)
			var b strings.Builder
			summarize(&b, app)
			for _, d := range ds {
				fmt.Fprintf(&b, "%s %s %s:%d:%d %s | %s\n", d.Rule, d.Severity, d.File, d.Line, d.Column, d.Message, d.Hint)
			}
			golden := strings.TrimSuffix(in, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if b.String() != string(want) {
				t.Errorf("output differs from %s (run with -update after checking):\n%s", golden, b.String())
			}
		})
	}
}

func summarize(b *strings.Builder, app *App) {
	if app == nil {
		b.WriteString("app: nil\n")
		return
	}
	fmt.Fprintf(b, "pages: %d, tabBar: %d, preload: %d, components: %d, plugins: %d, key %q\n",
		len(app.Pages), len(app.TabBarPages), len(app.Preload), len(app.UsingComponents), len(app.Plugins), app.SubpackagesKey)
	for _, sp := range app.Subpackages {
		name := ""
		if sp.Name != nil {
			name = sp.Name.Value
		}
		fmt.Fprintf(b, "sub %q (raw %q) name %q pages %d independent %v common %v at %d:%d\n",
			sp.Root.Value, sp.RawRoot, name, len(sp.Pages), sp.Independent, sp.Common, sp.Root.Pos.Line, sp.Root.Pos.Col)
	}
}
