//go:build !unix

package build

import "os/exec"

// Process groups and signals are Unix facilities; elsewhere Run refuses.
const supported = false

func ownGroup(*exec.Cmd)                {}
func termGroup(int)                     {}
func killGroup(int)                     {}
func exitSignal(*exec.ExitError) string { return "" }
func groupAlive(int) bool               { return false }
