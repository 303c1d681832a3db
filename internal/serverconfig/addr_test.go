package serverconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestListenAddr(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "server.yml")
	if err := os.WriteFile(file, []byte("addr: 127.0.0.1:9999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, addr, file string
		env              map[string]string
		want             string
	}{
		{"default", "", "", nil, DefaultAddr},
		{"flag first", "127.0.0.1:1", file, map[string]string{"MPGATE_ADDR": "127.0.0.1:2"}, "127.0.0.1:1"},
		{"environment before the file", "", file, map[string]string{"MPGATE_ADDR": "127.0.0.1:2"}, "127.0.0.1:2"},
		{"the file", "", file, nil, "127.0.0.1:9999"},
		{"MPGATE_CONFIG", "", "", map[string]string{"MPGATE_CONFIG": file}, "127.0.0.1:9999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ListenAddr(tt.addr, tt.file, func(k string) string { return tt.env[k] })
			if err != nil || got != tt.want {
				t.Errorf("ListenAddr = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	_, err := ListenAddr("", filepath.Join(dir, "missing.yml"), func(string) string { return "" })
	if err == nil || !strings.HasPrefix(err.Error(), "--config: ") {
		t.Errorf("a missing file: %v, want an error starting with --config: ", err)
	}
}
