package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot/build"
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/bot/sandbox"
)

func TestVersionCommand(t *testing.T) {
	saved := [3]string{version, commit, date}
	t.Cleanup(func() { version, commit, date = saved[0], saved[1], saved[2] })
	version, commit, date = "v9.8.7", "abc123", "2026-12-05T20:00:00Z"
	got := runArgs(t, nil, "version")
	want := "mpgate v9.8.7\ncommit: abc123\ndate: 2026-12-05T20:00:00Z\ngo: " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	if got.code != 0 || got.stdout != want {
		t.Errorf("mpgate version: code %d, stdout %q, want %q (stderr %q)", got.code, got.stdout, want, got.stderr)
	}
}

// TestHealthcheckAgainstServe runs serve's handler on a real loopback
// listener and probes it with `mpgate healthcheck`, through the flag and
// through MPGATE_ADDR; then the database goes away (/readyz fails) and the
// listener closes (nothing answers).
func TestHealthcheckAgainstServe(t *testing.T) {
	dir := t.TempDir()
	f := &serveFlags{dataDir: filepath.Join(dir, "data"), githubAPIURL: github.DefaultBaseURL, workers: 1, jobTimeout: time.Minute, maxAttempts: 1}
	srv, err := newServer(context.Background(), f, slog.New(slog.DiscardHandler), serverDeps{
		detectSandbox: func(context.Context) (build.Wrapper, string, error) { return nil, "", sandbox.ErrUnavailable },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.handler, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	addr := "0.0.0.0:" + port // as in the image: serve listens on every address
	// Server config files as serve reads them: one naming the address, one
	// naming another (the flag and the environment win over the file, as
	// for serve), one invalid.
	conf := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := conf("server.yml", "addr: "+addr+"\ndata_dir: /var/lib/mpgate\n")
	other := conf("other.yml", "addr: 127.0.0.1:1\n")
	invalid := conf("invalid.yml", "adr: "+addr+"\n")

	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		out, err string
	}{
		{"flag", nil, []string{"healthcheck", "--addr", addr}, 0, "/healthz: ok", ""},
		{"environment", map[string]string{"MPGATE_ADDR": addr}, []string{"healthcheck"}, 0, "/healthz: ok", ""},
		{"readyz", map[string]string{"MPGATE_ADDR": addr}, []string{"healthcheck", "--path", "/readyz"}, 0, "/readyz: ready", ""},
		{"unknown path", nil, []string{"healthcheck", "--addr", addr, "--path", "/nope"}, 1, "", "answered 404 Not Found"},
		{"argument", nil, []string{"healthcheck", "x"}, 2, "", "no arguments"},
		{"bad address", map[string]string{"MPGATE_ADDR": "nope"}, []string{"healthcheck"}, 2, "", "not HOST:PORT"},
		{"config file", nil, []string{"healthcheck", "--config", good}, 0, "/healthz: ok", ""},
		{"MPGATE_CONFIG", map[string]string{"MPGATE_CONFIG": good}, []string{"healthcheck"}, 0, "/healthz: ok", ""},
		{"flag over config", nil, []string{"healthcheck", "--config", other, "--addr", addr}, 0, "/healthz: ok", ""},
		{"environment over config", map[string]string{"MPGATE_ADDR": addr, "MPGATE_CONFIG": other}, []string{"healthcheck"}, 0, "/healthz: ok", ""},
		{"config wins over the default", nil, []string{"healthcheck", "--config", other, "--timeout", "2s"}, 1, "", "127.0.0.1:1/healthz unreachable"},
		{"invalid config", nil, []string{"healthcheck", "--config", invalid}, 2, "", `unknown key "adr"`},
		{"missing config", nil, []string{"healthcheck", "--config", filepath.Join(dir, "none.yml")}, 2, "", "none.yml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runArgs(t, tt.env, tt.args...)
			if got.code != tt.code || !strings.Contains(got.stdout, tt.out) || !strings.Contains(got.stderr, tt.err) {
				t.Errorf("code %d stdout %q stderr %q; want code %d, stdout containing %q, stderr containing %q",
					got.code, got.stdout, got.stderr, tt.code, tt.out, tt.err)
			}
		})
	}

	srv.q.Store().DB().Close()
	if got := runArgs(t, nil, "healthcheck", "--addr", addr, "--path", "/readyz"); got.code != 1 || !strings.Contains(got.stderr, "503") {
		t.Errorf("/readyz without a database: code %d, stderr %q; want 1 naming 503", got.code, got.stderr)
	}
	if got := runArgs(t, nil, "healthcheck", "--addr", addr); got.code != 0 {
		t.Errorf("/healthz without a database: code %d, stderr %q; want 0 (alive, not ready)", got.code, got.stderr)
	}
	if err := hs.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != http.ErrServerClosed {
		t.Fatalf("serving: %v", err)
	}
	if got := runArgs(t, nil, "healthcheck", "--addr", addr, "--timeout", "2s"); got.code != 1 || !strings.Contains(got.stderr, "unreachable") {
		t.Errorf("nothing listening: code %d, stderr %q; want 1 saying unreachable", got.code, got.stderr)
	}
}
