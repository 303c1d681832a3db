package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	vcs := &debug.BuildInfo{Main: debug.Module{Path: "github.com/mpgate/mpgate", Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	installed := &debug.BuildInfo{Main: debug.Module{Path: "github.com/mpgate/mpgate", Version: "v1.4.0"}}
	tests := []struct {
		name             string
		v, rev, when     string
		bi               *debug.BuildInfo
		wantV, wantC, wD string
		wantShort        string
	}{
		{"stamped by the release wins", "v1.2.3", "feedbeef00", "2026-12-05T20:00:00Z", vcs, "v1.2.3", "feedbeef00-dirty", "2026-12-05T20:00:00Z", "mpgate v1.2.3 (GO, feedbeef00-dirty)"},
		{"a checkout build reads git's revision and time", "", "", "", vcs, "devel", "0123456789abcdef0123456789abcdef01234567-dirty", "2026-12-01T10:00:00Z", "mpgate devel (GO, 0123456789ab-dirty)"},
		{"go install records the module version", "", "", "", installed, "v1.4.0", "", "", "mpgate v1.4.0 (GO)"},
		{"no build information", "", "", "", nil, "devel", "", "", "mpgate devel (GO)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Resolve(tt.v, tt.rev, tt.when, tt.bi)
			if got.Version != tt.wantV || got.Commit != tt.wantC || got.Date != tt.wD {
				t.Errorf("got %+v, want version %q commit %q date %q", got, tt.wantV, tt.wantC, tt.wD)
			}
			if want := strings.Replace(tt.wantShort, "GO", runtime.Version(), 1); got.Short() != want {
				t.Errorf("Short() = %q, want %q", got.Short(), want)
			}
		})
	}
}
