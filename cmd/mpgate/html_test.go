package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckHTML: check --html writes the HTML report beside the usual output, with and without a base; the
// files the treemaps need do not leak into the JSON report unless asked; in GitHub Actions the links go to
// the files at the head commit.
func TestCheckHTML(t *testing.T) {
	dir, base, head := miniRepo(t, 2)
	actions := func(k string) string {
		return map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r"}[k]
	}
	for _, tt := range []struct {
		name   string
		args   []string
		env    func(string) string
		code   int
		html   []string
		absent []string
	}{
		{"no base", []string{"check", "--format", "json"}, noEnv, 1, []string{`<svg class="map"`, "Findings", `href="./`}, []string{"against the base"}},
		{"base", []string{"check", "--base", base}, actions, 1, []string{`<svg class="map"`, "Sizes against the base", `href="https://github.com/o/r/blob/` + head + `/`}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "report.html")
			var out, errOut bytes.Buffer
			err := run(context.Background(), append(tt.args, "--html", file, dir), tt.env, &out, &errOut)
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit %d, want %d (err %v)\n%s", got, tt.code, err, errOut.String())
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.html {
				if !bytes.Contains(data, []byte(s)) {
					t.Errorf("report.html lacks %q", s)
				}
			}
			for _, s := range tt.absent {
				if bytes.Contains(data, []byte(s)) {
					t.Errorf("report.html has %q", s)
				}
			}
			if strings.Contains(out.String(), `"files": [`) {
				t.Errorf("stdout lists the files without --include-files")
			}
		})
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"check", "--html", filepath.Join(dir, "no", "such", "dir", "r.html"), dir}, noEnv, &out, &errOut); exitCode(err) != 2 {
		t.Errorf("--html into a missing directory: exit %d (%v), want 2", exitCode(err), err)
	}
}
