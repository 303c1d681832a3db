package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mpgate/mpgate/internal/serverconfig"
)

const healthcheckUsage = `Usage: mpgate healthcheck [flags]

Asks a running 'mpgate serve' for GET /healthz (or --path) and exits 0 when
it answers 200, 1 when it does not: a container HEALTHCHECK or an exec probe
that needs neither curl nor a shell. The address is serve's listen address
(--addr, else MPGATE_ADDR, else the addr of the server config file of
--config or MPGATE_CONFIG, else 127.0.0.1:8080), found as serve finds it;
an unspecified host (0.0.0.0, [::]) is asked on loopback.

Exit codes:
  0  the server answered 200
  1  it answered another status, or could not be reached in time
  2  usage error

Flags:
`

type healthcheckFlags struct {
	addr, path, config string
	timeout            time.Duration
}

func newHealthcheckFlagSet(f *healthcheckFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.StringVar(&f.addr, "addr", "", "the server's listen address (default MPGATE_ADDR, else 127.0.0.1:8080)")
	fs.StringVar(&f.config, "config", "", "the server config file serve reads (default MPGATE_CONFIG); its addr is used when --addr and MPGATE_ADDR are unset")
	fs.StringVar(&f.path, "path", "/healthz", "the path to ask (/readyz also checks the database)")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Second, "give up after this long")
	return fs
}

func printHealthcheckUsage(w io.Writer) error {
	return printUsage(w, healthcheckUsage, newHealthcheckFlagSet(&healthcheckFlags{}))
}

// runHealthcheck is `mpgate healthcheck`.
func runHealthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var f healthcheckFlags
	fs := newHealthcheckFlagSet(&f)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return printHealthcheckUsage(stdout)
		}
		return usageError("healthcheck: %v; run 'mpgate healthcheck -h' for the flags", err)
	}
	if fs.NArg() > 0 {
		return usageError("healthcheck takes no arguments, got %q", fs.Arg(0))
	}
	if f.addr == "" {
		f.addr = getenv("MPGATE_ADDR")
	}
	if f.config == "" {
		f.config = getenv("MPGATE_CONFIG")
	}
	if f.addr == "" && f.config != "" {
		// serve's order: the flag, the environment, then the file.
		cfg, err := serverconfig.Load(f.config)
		if err != nil {
			return usageError("healthcheck: --config: %v", err)
		}
		f.addr = cfg.Settings["addr"]
	}
	if f.addr == "" {
		f.addr = "127.0.0.1:8080"
	}
	if f.timeout <= 0 {
		return usageError("healthcheck: --timeout must be positive, got %s", f.timeout)
	}
	u, err := probeURL(f.addr, f.path)
	if err != nil {
		return usageError("healthcheck: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return usageError("healthcheck: %v", err)
	}
	req.Header.Set("User-Agent", "mpgate-healthcheck")
	// No proxy: the server is local, and a proxy from the environment
	// would be asked instead.
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return &exitError{code: exitFail, err: fmt.Errorf("healthcheck: %s unreachable: %w", u, err)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return &exitError{code: exitFail, err: fmt.Errorf("healthcheck: %s answered %s: %s", u, resp.Status, strings.TrimSpace(string(body)))}
	}
	_, err = fmt.Fprintf(stdout, "%s: %s\n", u, strings.TrimSpace(string(body)))
	return err
}

// probeURL is the http:// URL of path on the server listening on addr;
// an unspecified or empty host becomes loopback.
func probeURL(addr, path string) (string, error) {
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
