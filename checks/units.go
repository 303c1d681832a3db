package checks

import "fmt"

// FormatBytes renders n with the platforms' units: KB = 1024 bytes, MB =
// 1024 KB (WeChat's "2 MB" limit is 2048 KB).
func FormatBytes(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	var s string
	switch {
	case n < 1024:
		s = fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		s = fmt.Sprintf("%.1f KB", float64(n)/1024)
	default:
		s = fmt.Sprintf("%.2f MB", float64(n)/(1024*1024))
	}
	if neg {
		return "-" + s
	}
	return s
}
