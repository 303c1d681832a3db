//go:build !linux

package build

// Elsewhere there is no /proc to watch: only the per-process limits apply.
type watchdog struct{}

func diskUsage(string) int64 { return 0 }

func startWatch(Limits, int, int, string, int64) *watchdog { return &watchdog{} }

func (*watchdog) finish() string { return "" }
