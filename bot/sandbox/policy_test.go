package sandbox

import (
	"testing"

	"github.com/mpgate/mpgate/bot/build"
)

func TestConfigure(t *testing.T) {
	base := &Bwrap{Path: "/usr/bin/bwrap", Writable: []string{"/srv/cache"}}
	tests := []struct {
		policy                  NetworkPolicy
		network, installNetwork bool
	}{
		{"", false, true},
		{NetworkInstall, false, true},
		{NetworkNone, false, false},
		{NetworkAll, true, true},
	}
	for _, tt := range tests {
		w, err := Configure(base, Options{Network: tt.policy, CacheDir: "/data/build-cache"})
		if err != nil {
			t.Fatalf("%q: %v", tt.policy, err)
		}
		b := w.(*Bwrap)
		if b.Network != tt.network || b.InstallNetwork != tt.installNetwork || b.CacheDir != "/data/build-cache" || b.Path != base.Path || len(b.Writable) != 1 {
			t.Errorf("%q: %+v", tt.policy, b)
		}
	}
	if base.Network || base.InstallNetwork || base.CacheDir != "" {
		t.Errorf("Configure changed its argument: %+v", base)
	}
	if _, err := Configure(base, Options{Network: "some"}); err == nil {
		t.Error("Configure accepted the policy \"some\"")
	}
	if _, err := Configure(base, Options{Limits: build.Limits{Memory: -1}}); err == nil {
		t.Error("Configure accepted a negative limit")
	}
	// Other wrappers pass through unchanged.
	u := Unavailable{Reason: "none here"}
	if w, err := Configure(u, DefaultOptions()); err != nil || w != u {
		t.Errorf("Configure(Unavailable) = %v, %v", w, err)
	}
	var p NetworkPolicy
	if err := p.Set("all"); err != nil || p.String() != "all" || p.Set("ALL") == nil {
		t.Errorf("NetworkPolicy.Set: %q %v", p, err)
	}
}

// tmpSize caps /tmp at the disk limit and no more than the memory limit.
func TestTmpSize(t *testing.T) {
	for _, tt := range []struct {
		lim  build.Limits
		want int64
	}{
		{build.Limits{}, 0},
		{build.Limits{Disk: 10 << 30}, 10 << 30},
		{build.Limits{Disk: 10 << 30, Memory: 4 << 30}, 4 << 30},
		{build.Limits{Memory: 4 << 30}, 4 << 30},
	} {
		if got := (&Bwrap{Limits: tt.lim}).tmpSize(); got != tt.want {
			t.Errorf("tmpSize(%+v) = %d, want %d", tt.lim, got, tt.want)
		}
	}
}
