package main

import (
	"testing"

	"github.com/mpgate/mpgate/internal/posttest"
)

// The git and step-output helpers the tests here share with the publish
// adapters' (internal/posttest).

func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return posttest.Git(t, dir, args...)
}

func miniRepo(t *testing.T, missing int) (dir, base, head string) {
	t.Helper()
	return posttest.MiniRepo(t, missing)
}

func parseOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	return posttest.ParseOutputs(t, path)
}
