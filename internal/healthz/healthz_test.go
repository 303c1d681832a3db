package healthz

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
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

// TestProbeHandlers: Probe against Live and Ready over real HTTP; a
// database that does not answer makes /readyz unhealthy.
func TestProbeHandlers(t *testing.T) {
	down := errors.New("connection refused")
	tests := []struct {
		name      string
		h         http.Handler
		want      string
		unhealthy bool
	}{
		{"live", Live(), "ok", false},
		{"ready", Ready(func(context.Context) error { return nil }, slog.New(slog.DiscardHandler)), "ready", false},
		{"database down", Ready(func(context.Context) error { return down }, slog.New(slog.DiscardHandler)), "database unreachable", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.h)
			defer srv.Close()
			body, err := Probe(context.Background(), srv.URL+"/")
			if errors.Is(err, ErrUnhealthy) != tt.unhealthy || body != tt.want {
				t.Errorf("Probe = %q, %v; want %q, unhealthy %v", body, err, tt.want, tt.unhealthy)
			}
		})
	}
	srv := httptest.NewServer(Live())
	srv.Close()
	if _, err := Probe(context.Background(), srv.URL+"/"); !errors.Is(err, ErrUnhealthy) {
		t.Errorf("a closed server: %v, want ErrUnhealthy", err)
	}
}
