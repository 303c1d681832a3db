package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
)

func noEnv(string) string { return "" }

// TestCheckBase runs `check --base` on a real repository: the change adds
// pages without files (new MP102 errors), so the check fails with exit 1,
// and the outputs show the new findings apart from the old ones.
func TestCheckBase(t *testing.T) {
	dir, base, _ := miniRepo(t, 2)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
	}{
		{"text", []string{"check", "--base", base, dir}, 1, []string{"New errors (2)", "MP102", "Verdict: FAIL"}},
		{"json", []string{"check", "--base", "main", "--format", "json", dir}, 1, []string{`"schema": "` + compare.ResultSchema + `"`, `"newDiagnostics"`}},
		{"markdown", []string{"check", "--base", base, "--format", "markdown", dir}, 1, []string{"MP102", "|"}},
		{"unchanged", []string{"check", "--base", "HEAD", dir}, 1, []string{"No new findings"}},
		{"unknown ref", []string{"check", "--base", "no-such-ref", dir}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tt.args, noEnv, &out, &errOut)
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit %d, want %d (err %v)\nstdout:\n%s\nstderr:\n%s", got, tt.code, err, out.String(), errOut.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, out.String())
				}
			}
		})
	}
}

// TestCheckBaseReport compares with a stored report instead of building the
// base: a report of the base written with --include-files, then the head
// against it.
func TestCheckBaseReport(t *testing.T) {
	dir, _, _ := miniRepo(t, 1)
	gitRun(t, dir, "checkout", "-q", "main")
	stored := filepath.Join(t.TempDir(), "base.json")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"check", "--format", "json", "--include-files", "--output", stored, dir}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("storing the base report: %v\n%s", err, errOut.String())
	}
	var rep checks.Report
	if data, err := os.ReadFile(stored); err != nil || json.Unmarshal(data, &rep) != nil || len(rep.Files) == 0 {
		t.Fatalf("stored report without files: %v", err)
	}
	gitRun(t, dir, "checkout", "-q", "changes")
	out.Reset()
	err := run(context.Background(), []string{"check", "--base-report", stored, "--format", "json", dir}, noEnv, &out, &errOut)
	if exitCode(err) != 1 {
		t.Fatalf("exit %d: %v\n%s", exitCode(err), err, errOut.String())
	}
	var res compare.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Projects) != 1 || res.Projects[0].Base == nil || len(res.Projects[0].NewDiagnostics) != 1 {
		t.Fatalf("result: %+v", res.Projects)
	}
	if d := res.Projects[0].NewDiagnostics[0]; d.Rule != checks.MP102 {
		t.Errorf("new finding %+v", d)
	}
	if err := run(context.Background(), []string{"check", "--base-report", filepath.Join(dir, "app.json"), dir}, noEnv, &out, &errOut); exitCode(err) != 2 {
		t.Errorf("a file that is not a report: exit %d (%v)", exitCode(err), err)
	}
}
