package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/mpgate/mpgate/internal/healthz"
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
	addr, err := serverconfig.ListenAddr(f.addr, f.config, getenv)
	if err != nil {
		return usageError("healthcheck: %v", err)
	}
	if f.timeout <= 0 {
		return usageError("healthcheck: --timeout must be positive, got %s", f.timeout)
	}
	u, err := healthz.URL(addr, f.path)
	if err != nil {
		return usageError("healthcheck: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	body, err := healthz.Probe(ctx, u)
	if errors.Is(err, healthz.ErrUnhealthy) {
		return &exitError{code: exitFail, err: fmt.Errorf("healthcheck: %w", err)}
	}
	if err != nil {
		return usageError("healthcheck: %v", err)
	}
	_, err = fmt.Fprintf(stdout, "%s: %s\n", u, body)
	return err
}
