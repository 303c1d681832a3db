// Package healthz is mpgate serve's /healthz and /readyz (Live, Ready) and
// their client, the probe of `mpgate healthcheck` (a container HEALTHCHECK
// that needs neither curl nor a shell).
package healthz

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrUnhealthy: the server could not be reached, or answered another
// status than 200.
var ErrUnhealthy = errors.New("unhealthy")

// URL is the http:// URL of path on the server listening on addr; an
// unspecified or empty host becomes loopback.
func URL(addr, path string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("address %q is not HOST:PORT (--addr, MPGATE_ADDR, the config file's addr): %v", addr, err)
	}
	if port == "" || port == "0" {
		return "", fmt.Errorf("address %q has no fixed port to ask", addr)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::", "[::]":
		host = "::1"
	}
	if !strings.HasPrefix(path, "/") {
		return "", fmt.Errorf("--path %q must start with /", path)
	}
	u := url.URL{Scheme: "http", Host: net.JoinHostPort(host, port), Path: path}
	return u.String(), nil
}

// Probe asks GET u and returns the answer's body (trimmed, at most 512
// bytes); an error wraps ErrUnhealthy when the server is unreachable or
// answers another status than 200.
func Probe(ctx context.Context, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("User-Agent", "mpgate-healthcheck")
	// No proxy: the server is local, and a proxy from the environment
	// would be asked instead.
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: %s unreachable: %w", ErrUnhealthy, u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	text := strings.TrimSpace(string(body))
	if resp.StatusCode != http.StatusOK {
		return text, fmt.Errorf("%w: %s answered %s: %s", ErrUnhealthy, u, resp.Status, text)
	}
	return text, nil
}

// Live is GET /healthz: the process answers.
func Live() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
}

// Ready is GET /readyz: the database answers ping within 3 seconds; a
// failure is logged and answered 503.
func Ready(ping func(context.Context) error, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := ping(ctx); err != nil {
			log.Warn("not ready: database unreachable", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "database unreachable\n")
			return
		}
		io.WriteString(w, "ready\n")
	})
}
