//go:build !unix

package workspace

import "context"

// lockFile is a no-op where flock is missing: mirrors are a server feature
// (Linux); elsewhere only the in-process lock applies.
func lockFile(context.Context, string) (func(), error) { return func() {}, nil }
