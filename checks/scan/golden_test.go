package scan

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks/platform"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestGolden scans the sample mini-program files under
// testdata/golden/<platform>/ with the scanner their extension calls for
// and compares a text rendering with <file>.golden. Run
// `go test ./checks/scan -run TestGolden -update` to rewrite them.
func TestGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range files {
		if strings.HasSuffix(path, ".golden") {
			continue
		}
		n++
		t.Run(filepath.ToSlash(path), func(t *testing.T) {
			t.Parallel()
			p, ok := platform.Get(platform.ID(filepath.Base(filepath.Dir(path))))
			if !ok {
				t.Fatalf("directory of %s names no platform", path)
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := renderScan(p, path, src)
			if err != nil {
				t.Fatal(err)
			}
			golden := path + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from its golden file:\n--- got\n%s--- want\n%s", path, got, want)
			}
		})
	}
	if n == 0 {
		t.Fatal("no golden samples found")
	}
}

// renderScan runs the scanner for path's extension and renders the result.
func renderScan(p *platform.Platform, path string, src []byte) (string, error) {
	var b strings.Builder
	refs := func(rs []Ref) {
		for _, r := range rs {
			d := ""
			if r.Dynamic {
				d = " (dynamic)"
			}
			fmt.Fprintf(&b, "%d:%d\t%s\t%q%s\n", r.Line, r.Col, r.Kind, r.Path, d)
		}
	}
	perr := func(e *ParseError) {
		if e != nil {
			fmt.Fprintf(&b, "error %d:%d %s\n", e.Line, e.Col, e.Msg)
		}
	}
	switch ext := filepath.Ext(path); {
	case ext == ".js" || ext == p.ScriptModule || (p.ID == platform.Baidu && strings.HasSuffix(path, ".filter.js")):
		r := JS(src)
		refs(r.Refs)
		for _, c := range r.AppCall {
			fmt.Fprintf(&b, "%d:%d\tApp()\n", c.Line, c.Col)
		}
		for _, c := range r.GetApp {
			fmt.Fprintf(&b, "%d:%d\tgetApp() allowDefault=%v\n", c.Line, c.Col, c.AllowDefault)
		}
		perr(r.Err)
	case ext == p.Template:
		r := Template(src, p)
		refs(r.Refs)
		fmt.Fprintf(&b, "tags: %s\n", strings.Join(r.Tags, " "))
		perr(r.Err)
	case ext == p.Style:
		r := Style(src)
		refs(r.Refs)
		perr(r.Err)
	default:
		return "", fmt.Errorf("no scanner for %s on %s", path, p.ID)
	}
	return b.String(), nil
}
