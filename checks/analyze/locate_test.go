package analyze

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
)

func TestNoManifestNamesCandidates(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"README.md":                             "# repo\n",
		"frontend/project.config.json":          `{"miniprogramRoot": "miniprogram/"}`,
		"frontend/miniprogram/app.json":         `{"pages": ["pages/index/index"]}`,
		"tools/alipay/app.json":                 `{"pages": ["pages/index/index"]}`,
		"node_modules/x/app.json":               `{}`,
		"a/b/c/d/too-deep/app.json":             `{}`,
		".github/workflows/project.config.json": `{}`,
	})
	rep, err := Run(context.Background(), dir, Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	var hint string
	for _, d := range rep.Diagnostics {
		if d.Rule == checks.MP101 {
			hint = d.Hint
		}
	}
	for _, want := range []string{"frontend/miniprogram", "tools/alipay"} {
		if !strings.Contains(hint, want) {
			t.Errorf("MP101 hint %q does not name %s", hint, want)
		}
	}
	for _, not := range []string{"node_modules", "too-deep", ".github"} {
		if strings.Contains(hint, not) {
			t.Errorf("MP101 hint %q names %s", hint, not)
		}
	}
	// True variant: nothing to point at keeps the general hint.
	rep, err = Run(context.Background(), writeTree(t, map[string]string{"README.md": "x"}), Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	if !found(rep.Diagnostics, at{rule: checks.MP101}) || strings.Contains(dump(rep.Diagnostics), "probably") {
		t.Errorf("want the plain MP101; got:\n%s", dump(rep.Diagnostics))
	}
}

func TestProjectSettingsFromParent(t *testing.T) {
	mp := program(map[string]string{"scripts/build.js": "require('../config')\n"})
	files := map[string]string{}
	for k, v := range mp {
		files["miniprogram/"+k] = v
	}
	// The parent's settings drop unused files: the build script is not judged.
	files["project.config.json"] = `{"miniprogramRoot": "miniprogram/", "setting": {"ignoreUploadUnusedFiles": true, "minified": true}}`
	dir := writeTree(t, files)
	rep, err := Run(context.Background(), filepath.Join(dir, "miniprogram"), Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	if found(rep.Diagnostics, at{rule: checks.MP210}) || found(rep.Diagnostics, at{rule: checks.MP101}) {
		t.Errorf("parent settings not used; got:\n%s", dump(rep.Diagnostics))
	}
	if rep.Root != "" || rep.SizeBasis != checks.BasisUploadBytes {
		t.Errorf("root %q basis %q, want the directory itself judged on upload bytes", rep.Root, rep.SizeBasis)
	}
	// True variant: a parent project whose miniprogramRoot is another folder
	// is not this one's; without settings the build script is judged.
	files["project.config.json"] = `{"miniprogramRoot": "other/", "setting": {"ignoreUploadUnusedFiles": true}}`
	dir = writeTree(t, files)
	rep, err = Run(context.Background(), filepath.Join(dir, "miniprogram"), Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	if !found(rep.Diagnostics, at{checks.MP210, "scripts/build.js", 1}) {
		t.Errorf("unrelated parent settings used; got:\n%s", dump(rep.Diagnostics))
	}
}
