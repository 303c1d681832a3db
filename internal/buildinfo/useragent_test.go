package buildinfo

import "testing"

func TestUserAgent(t *testing.T) {
	for version, want := range map[string]string{"": "mpgate", "v1.2.3": "mpgate/v1.2.3"} {
		if got := UserAgent(version); got != want {
			t.Errorf("UserAgent(%q) = %q, want %q", version, got, want)
		}
	}
}
