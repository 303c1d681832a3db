package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReleasePlanSizeChange: after a first release, a module that grew says
// by how much in its release notes; one that did not change is not released.
func TestReleasePlanSizeChange(t *testing.T) {
	dir, _ := relRepo(t)
	if got := runArgs(t, nil, "release", "apply", "--date", "2026-11-21", dir); got.code != 0 {
		t.Fatalf("first release: code %d, stderr %q", got.code, got.stderr)
	}
	// packagePay grows by an image and a fix.
	writeFile(t, filepath.Join(dir, "packagePay", "images", "card.png"), strings.Repeat("p", 2048))
	relCommit(t, dir, "fix: show the card image (#5)", "packagePay/pages/pay/pay.js")
	got := runArgs(t, nil, "release", "plan", "--date", "2026-11-22", dir)
	if got.code != 0 {
		t.Fatalf("plan: code %d, stderr %q", got.code, got.stderr)
	}
	if !strings.Contains(got.stdout, "packagePay@v0.1.1") || !strings.Contains(got.stdout, "**Size:**") ||
		!strings.Contains(got.stdout, "since the previous release") {
		t.Errorf("plan without packagePay's size change:\n%s", got.stdout)
	}
	if strings.Contains(got.stdout, "app@v0.1.1") {
		t.Errorf("an unchanged module is released:\n%s", got.stdout)
	}
	// The measuring worktree is gone.
	if wt := gitRun(t, dir, "worktree", "list"); strings.Count(wt, "\n") != 0 {
		t.Errorf("worktrees left behind:\n%s", wt)
	}
}

// TestReleaseHoldsFailingModule: a module whose package breaks a rule on the
// default branch is not released, and the plan says why.
func TestReleaseHoldsFailingModule(t *testing.T) {
	dir, _ := relRepo(t)
	// packagePay requires a file that does not exist: MP210 in packagePay.
	writeFile(t, filepath.Join(dir, "packagePay", "pages", "pay", "pay.js"), "require('./missing.js')\nPage({})\n")
	gitRun(t, dir, "commit", "-q", "-am", "fix: pay page loads its helper (#6)")
	got := runArgs(t, nil, "release", "plan", "--date", "2026-11-22", dir)
	if got.code != 0 {
		t.Fatalf("plan: code %d, stderr %q", got.code, got.stderr)
	}
	if !strings.Contains(got.stdout, "MP210 on the default branch") {
		t.Errorf("packagePay not held back with its finding:\n%s", got.stdout)
	}
	if !strings.Contains(got.stdout, "app@v0.1.0") {
		t.Errorf("the healthy module is not released:\n%s", got.stdout)
	}
	applied := runArgs(t, nil, "release", "apply", "--date", "2026-11-22", dir)
	if applied.code != 0 {
		t.Fatalf("apply: code %d, stderr %q", applied.code, applied.stderr)
	}
	if tags := gitRun(t, dir, "tag", "--list"); tags != "app@v0.1.0" {
		t.Errorf("tags %q, want only app's", tags)
	}
}
