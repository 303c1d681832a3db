package health

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseSince reads the report's period (`mpgate report health --since`):
// whole days ("90d") or a positive Go duration ("36h").
func ParseSince(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("--since %q: want a positive number of days such as 90d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--since %q: want days (90d) or a positive duration (36h)", s)
	}
	return d, nil
}
