package analyze

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mpgate/mpgate/checks"
)

// TestBadInput: what users' trees really hold never stops the analysis; it
// becomes findings at the right place.
func TestBadInput(t *testing.T) {
	dir := writeTree(t, program(map[string]string{
		"pages/index/index.json": "{\n  \"usingComponents\": {\"a\": \n}",
		"utils/latin1.js":        "var s = '\xe9t\xe9'; require('./nothere')\n",
		"pages/index/index.js":   "require('../../utils/latin1.js')\nPage({})\n",
	}))
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.js"), []byte("module.exports = 'x'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.js"), filepath.Join(dir, "utils", "linked.js")); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "packageA", "huge.png")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(200 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()

	rep, err := Run(context.Background(), dir, Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []at{
		{checks.MP114, "pages/index/index.json", 3},
		{checks.MP112, "utils/linked.js", 0},
		{checks.MP210, "utils/latin1.js", 1},
		{checks.MP301, "app.json", 4},
	} {
		if !found(rep.Diagnostics, w) {
			t.Errorf("missing %v; got:\n%s", w, dump(rep.Diagnostics))
		}
	}
	for _, p := range rep.Packages {
		if p.Name == "packageA" && p.Bytes < 200<<20 {
			t.Errorf("the 200 MB file is not counted: %+v", p)
		}
	}
}

func TestRunErrors(t *testing.T) {
	if _, err := Run(context.Background(), filepath.Join(t.TempDir(), "missing"), Options{}); !errors.Is(err, ErrNotADirectory) {
		t.Errorf("missing directory: %v", err)
	}
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	if _, err := Run(context.Background(), file, Options{}); !errors.Is(err, ErrNotADirectory) {
		t.Errorf("a file: %v", err)
	}
	if _, err := Run(context.Background(), t.TempDir(), Options{Platform: "nope"}); err == nil {
		t.Error("unknown platform accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, writeTree(t, program()), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v", err)
	}
}

func TestUnreadableProjectSettings(t *testing.T) {
	dir := writeTree(t, program())
	// A directory where the settings file should be: reading it fails the
	// way an unreadable file does, even for root.
	if err := os.Mkdir(filepath.Join(dir, "project.config.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), dir, Options{Platform: "wechat"})
	if err != nil {
		t.Fatal(err)
	}
	if !found(rep.Diagnostics, at{rule: checks.MP113, file: "project.config.json"}) {
		t.Errorf("unreadable settings not reported:\n%s", dump(rep.Diagnostics))
	}
}
