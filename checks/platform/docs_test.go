package platform

import (
	"os"
	"strings"
	"testing"
)

// TestDocsInStep checks that docs/platforms.md's table names each platform's
// id, template and style extensions and script-module tags as platform.go has them.
func TestDocsInStep(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/platforms.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	row := func(name string) string {
		for _, l := range strings.Split(doc, "\n") {
			if strings.HasPrefix(l, "| "+name+" |") {
				return l
			}
		}
		t.Fatalf("docs/platforms.md has no %q row", name)
		return ""
	}
	ids, tmpl, tags := row("id"), row("template / style"), row("script modules")
	cell := func(l string, i int) string { return strings.Split(l, "|")[i+2] }
	for i, p := range All() {
		t.Run(string(p.ID), func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(cell(ids, i), "`"+string(p.ID)+"`") {
				t.Errorf("id cell %q", cell(ids, i))
			}
			if c := cell(tmpl, i); !strings.Contains(c, "`"+p.Template+"`") || !strings.Contains(c, "`"+p.Style+"`") {
				t.Errorf("template cell %q lacks %s / %s", c, p.Template, p.Style)
			}
			for _, tag := range p.ScriptModuleTags {
				if c := cell(tags, i); !strings.Contains(c, "<"+tag+" "+p.ScriptModuleSrcAttr[tag]+">") {
					t.Errorf("script-module cell %q lacks <%s %s>", c, tag, p.ScriptModuleSrcAttr[tag])
				}
			}
		})
	}
}
