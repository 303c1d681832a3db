// Command mpgate checks mini-program repositories (WeChat, Alipay, Douyin,
// Baidu, QQ): packaging rules, package sizes and gates. See docs/cli.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal cancels the run; the next one gets Go's default
	// handling and ends the process at once.
	context.AfterFunc(ctx, stop)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	report(os.Stderr, err)
	os.Exit(exitCode(err))
}

// report prints err for the user, unless it has been said already.
func report(stderr io.Writer, err error) {
	var e *exitError
	switch {
	case err == nil || (errors.As(err, &e) && e.quiet):
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "mpgate: interrupted")
	default:
		fmt.Fprintln(stderr, "mpgate:", err)
	}
}

// Exit codes (docs/cli.md).
const (
	exitPass     = 0   // every gate passed (warnings allowed)
	exitFail     = 1   // a gate failed or an error diagnostic
	exitUsage    = 2   // usage error, invalid .mpgate.yml, unreadable directory, or mpgate could not run
	exitCanceled = 130 // interrupted (SIGINT/SIGTERM)
)

// exitError carries the exit code of an error out of run.
type exitError struct {
	code int
	err  error
	// quiet: the message has been written already (the report says why).
	quiet bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// exitCode maps an error from run to the process's exit code.
func exitCode(err error) int {
	if err == nil {
		return exitPass
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	if errors.Is(err, context.Canceled) {
		return exitCanceled
	}
	return exitUsage
}
