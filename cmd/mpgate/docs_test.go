package main

import (
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestDocsCoverCLI keeps docs/cli.md in step with the flags, commands and
// exit codes.
func TestDocsCoverCLI(t *testing.T) {
	data, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	var names []string
	newCheckFlagSet(&checkFlags{}).VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if len(names) < 7 {
		t.Fatalf("only %d flags found", len(names))
	}
	for _, n := range names {
		t.Run("--"+n, func(t *testing.T) {
			if !strings.Contains(doc, "`--"+n) {
				t.Errorf("docs/cli.md does not document --%s", n)
			}
		})
	}
	for _, c := range []string{"mpgate check", "mpgate version", "mpgate help"} {
		if !strings.Contains(doc, "## `"+c+"`") {
			t.Errorf("docs/cli.md has no section for %s", c)
		}
	}
	for _, code := range []int{exitPass, exitFail, exitUsage, exitCanceled} {
		if !strings.Contains(doc, "| `"+strconv.Itoa(code)+"` |") {
			t.Errorf("docs/cli.md does not document exit code %d", code)
		}
	}
}
