package healthz

import (
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	tests := []struct {
		addr, path, want, err string
	}{
		{"0.0.0.0:8080", "/healthz", "http://127.0.0.1:8080/healthz", ""},
		{":9000", "/readyz", "http://127.0.0.1:9000/readyz", ""},
		{"[::]:8080", "/healthz", "http://[::1]:8080/healthz", ""},
		{"10.0.0.5:8080", "/healthz", "http://10.0.0.5:8080/healthz", ""},
		{"localhost", "/healthz", "", "not HOST:PORT"},
		{"127.0.0.1:0", "/healthz", "", "no fixed port"},
		{"127.0.0.1:8080", "healthz", "", "must start with /"},
	}
	for _, tt := range tests {
		t.Run(tt.addr+tt.path, func(t *testing.T) {
			got, err := URL(tt.addr, tt.path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("URL(%q, %q) = %q, %v; want an error containing %q", tt.addr, tt.path, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("URL(%q, %q) = %q, %v; want %q", tt.addr, tt.path, got, err, tt.want)
			}
		})
	}
}
