package main

import (
	"io"
	"testing"

	"github.com/mpgate/mpgate/bot/sandbox"
)

// The sandbox's network policy and limits: defaults, flags, environment,
// and bad values refused at start.
func TestServeBuildFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		network sandbox.NetworkPolicy
		memory  sandbox.Size
		procs   int
		disk    sandbox.Size
		wantErr bool
	}{
		{"defaults", nil, nil, sandbox.NetworkInstall, sandbox.DefaultMemory, sandbox.DefaultProcesses, sandbox.DefaultDisk, false},
		{"flags", []string{"--build-network", "none", "--build-memory", "2GiB", "--build-processes", "300", "--build-disk", "0"}, nil,
			sandbox.NetworkNone, 2 << 30, 300, 0, false},
		{"env", nil, map[string]string{"MPGATE_BUILD_NETWORK": "all", "MPGATE_BUILD_MEMORY": "512MiB", "MPGATE_BUILD_DISK": "20GiB"},
			sandbox.NetworkAll, 512 << 20, sandbox.DefaultProcesses, 20 << 30, false},
		{"bad policy", []string{"--build-network", "some"}, nil, "", 0, 0, 0, true},
		{"bad size", nil, map[string]string{"MPGATE_BUILD_MEMORY": "4 parsecs"}, "", 0, 0, 0, true},
		{"negative processes", []string{"--build-processes", "-1"}, nil, "", 0, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseServeFlags(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if f.buildNetwork != tt.network || f.buildMemory != tt.memory || f.buildProcesses != tt.procs || f.buildDisk != tt.disk {
				t.Errorf("network %q memory %d processes %d disk %d; want %q %d %d %d",
					f.buildNetwork, f.buildMemory, f.buildProcesses, f.buildDisk, tt.network, tt.memory, tt.procs, tt.disk)
			}
		})
	}
}
