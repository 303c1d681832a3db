//go:build unix

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/bot/build"
)

func TestKindSet(t *testing.T) {
	for _, s := range []string{"auto", "bwrap", "container"} {
		var k Kind
		if err := k.Set(s); err != nil || string(k) != s {
			t.Errorf("Set(%q) = %q, %v", s, k, err)
		}
	}
	var k Kind
	if err := k.Set("docker"); err == nil {
		t.Error("Set(docker) accepted")
	}
}

func TestSelect(t *testing.T) {
	rt := filepath.Join(t.TempDir(), "podman")
	if err := os.WriteFile(rt, []byte("#!/bin/sh\necho 'podman version 5.0.0'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	bw := &Bwrap{Path: "/usr/bin/bwrap"}
	works := func(context.Context) (build.Wrapper, string, error) { return bw, "bubblewrap (test)", nil }
	fails := func(context.Context) (build.Wrapper, string, error) {
		return Unavailable{Reason: "test"}, "", fmt.Errorf("%w: test", ErrUnavailable)
	}
	tests := []struct {
		name     string
		c        Choice
		wantDesc string
		chosen   bool // error matches ErrChosen
		unavail  bool // error matches ErrUnavailable
	}{
		{"auto", Choice{Detect: works}, "bubblewrap (test)", false, false},
		{"auto, no bubblewrap", Choice{Kind: KindAuto, Detect: fails}, "", false, true},
		{"bwrap", Choice{Kind: KindBwrap, Detect: works}, "bubblewrap (test)", false, false},
		{"bwrap, no bubblewrap", Choice{Kind: KindBwrap, Detect: fails}, "", true, true},
		{"container", Choice{Kind: KindContainer, Image: "node:22", Runtime: rt}, "podman version 5.0.0 (" + rt + "), image node:22", false, false},
		{"container, no image", Choice{Kind: KindContainer, Runtime: rt}, "", true, false},
		{"container, image an option", Choice{Kind: KindContainer, Image: "--privileged", Runtime: rt}, "", true, false},
		{"container, no runtime", Choice{Kind: KindContainer, Image: "node:22", Runtime: rt + "-missing"}, "", true, false},
		{"image without container", Choice{Image: "node:22", Detect: works}, "", true, false},
		{"unknown kind", Choice{Kind: "vm"}, "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, desc, err := Select(t.Context(), tt.c)
			if errors.Is(err, ErrChosen) != tt.chosen || errors.Is(err, ErrUnavailable) != tt.unavail {
				t.Fatalf("err %v; want ErrChosen %v, ErrUnavailable %v", err, tt.chosen, tt.unavail)
			}
			if err != nil {
				return
			}
			if desc != tt.wantDesc {
				t.Errorf("desc %q, want %q", desc, tt.wantDesc)
			}
			if tt.c.Kind == KindContainer {
				c, ok := w.(*Container)
				if !ok || c.Image != tt.c.Image || c.Runtime != rt {
					t.Errorf("wrapper %#v", w)
				}
			} else if w != bw {
				t.Errorf("wrapper %#v, want Detect's", w)
			}
		})
	}
}

func TestConfigureContainer(t *testing.T) {
	wt := t.TempDir()
	base := &Container{Image: "node:22", User: "1:1", Name: func() string { return "n" }}
	tests := []struct {
		name          string
		o             Options
		build, instal []string // pairs that must be in the build's and the install's arguments
		notBuild      []string // pairs that must not be in the build's
	}{
		{"defaults: install online", Options{},
			[]string{"--network", "none", "--tmpfs", "/tmp"}, []string{"--tmpfs", "/tmp"}, []string{"--memory", ""}},
		{"none", Options{Network: NetworkNone}, []string{"--network", "none"}, []string{"--network", "none"}, nil},
		{"all", Options{Network: NetworkAll}, nil, nil, []string{"--network", "none"}},
		{"limits; /tmp the smaller of disk and memory", Options{Limits: build.Limits{Memory: 1 << 30, Processes: 50, Disk: 10 << 30}},
			[]string{"--memory", "1073741824", "--memory-swap", "1073741824", "--pids-limit", "50", "--tmpfs", "/tmp:size=1073741824"},
			[]string{"--pids-limit", "50"}, nil},
		{"disk only", Options{Limits: build.Limits{Disk: 2048}}, []string{"--tmpfs", "/tmp:size=2048"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Configure(base, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			c := w.(*Container)
			if _, ok := w.(build.Limiter); ok {
				t.Error("a container is a build.Limiter: build.Run would put prlimit around the runtime's client")
			}
			got, err := c.Args("n", wt, []string{"true"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			i := *c
			i.Network = c.Network || c.InstallNetwork
			inst, err := i.Args("n", wt, []string{"true"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, args, pairs []string, want bool) {
				for j := 0; j+1 < len(pairs); j += 2 {
					has := false
					for k := 0; k+1 < len(args); k++ {
						if args[k] == pairs[j] && (pairs[j+1] == "" || args[k+1] == pairs[j+1]) {
							has = true
						}
					}
					if has != want {
						t.Errorf("%s args %q: has %s %s = %v, want %v", what, strings.Join(args, " "), pairs[j], pairs[j+1], has, want)
					}
				}
			}
			check("build", got, tt.build, true)
			check("install", inst, tt.instal, true)
			check("build", got, tt.notBuild, false)
			if tt.o.Network == NetworkInstall || tt.o.Network == "" {
				check("install", inst, []string{"--network", "none"}, false)
			}
		})
	}
	if _, err := Configure(base, Options{Network: "some"}); err == nil {
		t.Error("bad network policy accepted")
	}
	if _, err := Configure(base, Options{Limits: build.Limits{Memory: -1}}); err == nil {
		t.Error("negative limit accepted")
	}
	if base.Network || base.Memory != 0 {
		t.Error("Configure changed its argument")
	}
}
