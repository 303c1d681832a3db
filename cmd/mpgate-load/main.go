// Command mpgate-load sends signed GitHub deliveries (real payloads, see
// internal/loadgen/payloads) to an `mpgate serve` on this machine and prints
// the intake rate, latency percentiles, errors and duplicates.
//
//	mpgate-load -secret-file SECRET [-url http://127.0.0.1:8080/webhooks/github]
//	            [-n 5000] [-c 32] [-rate 0] [-payload comment|pull_request] [-redeliver 0]
//	            [-duration 10m] [-json]
//
// Only loopback targets are accepted; at most 100,000 deliveries, 1,024 at
// once, for 10 minutes. Exit status: 0 when every delivery got a 2xx answer
// and the duplicates were the redeliveries, 1 otherwise, 2 on a usage error.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/mpgate/mpgate/internal/loadgen"
)

func main() { os.Exit(run()) }

func run() int {
	var (
		cfg        loadgen.Config
		secretFile string
		payload    string
		asJSON     bool
	)
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range loadgen.Payloads() {
			if !yield(k) {
				return
			}
		}
	})
	fs := flag.NewFlagSet("mpgate-load", flag.ContinueOnError)
	fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080/webhooks/github", "the server's GitHub webhook endpoint (loopback only)")
	fs.StringVar(&secretFile, "secret-file", "", "file holding the server's GitHub webhook secret")
	fs.StringVar(&payload, "payload", "comment", "delivery to send: "+strings.Join(names, ", "))
	fs.IntVar(&cfg.Count, "n", 5000, fmt.Sprintf("deliveries to send, redeliveries included (at most %d)", loadgen.MaxCount))
	fs.IntVar(&cfg.Concurrency, "c", 32, fmt.Sprintf("deliveries in flight at once (at most %d)", loadgen.MaxConcurrency))
	fs.IntVar(&cfg.RedeliverEvery, "redeliver", 0, "every n-th delivery repeats the previous id (0: never)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "open loop: send this many deliveries per second, latency counted from when each was due (0: as fast as answered)")
	fs.DurationVar(&cfg.Duration, "duration", loadgen.MaxDuration, "stop after this long")
	fs.StringVar(&cfg.IDPrefix, "id-prefix", "", "delivery id prefix (default load-<start time>-)")
	fs.BoolVar(&asJSON, "json", false, "print the figures as one JSON object")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	p, ok := loadgen.Payloads()[payload]
	if !ok {
		fmt.Fprintf(os.Stderr, "mpgate-load: -payload %q: one of %s\n", payload, strings.Join(names, ", "))
		return 2
	}
	cfg.Payload = p
	if secretFile == "" {
		fmt.Fprintln(os.Stderr, "mpgate-load: -secret-file is required")
		return 2
	}
	secret, err := os.ReadFile(secretFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mpgate-load:", err)
		return 2
	}
	cfg.Secret = []byte(strings.TrimSpace(string(secret)))
	if err := cfg.Check(); err != nil {
		fmt.Fprintln(os.Stderr, "mpgate-load:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := loadgen.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mpgate-load:", err)
		return 2
	}
	if asJSON {
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		out, _ := json.Marshal(map[string]any{
			"sent": res.Sent, "accepted": res.Accepted, "duplicates": res.Duplicates, "expectedDuplicates": res.ExpectedDuplicates,
			"ignored": res.Ignored, "errors": res.Errors, "seconds": res.Elapsed.Seconds(), "rate": res.Rate(),
			"p50ms": ms(res.Percentile(0.5)), "p99ms": ms(res.Percentile(0.99)), "maxms": ms(res.Percentile(1)),
			"concurrency": cfg.Concurrency, "offeredRate": cfg.Rate, "payload": payload, "firstErrors": res.FirstErrors,
		})
		fmt.Println(string(out))
	} else {
		fmt.Printf("c=%d %s\n", cfg.Concurrency, res)
	}
	if res.Errors > 0 || res.Duplicates != res.ExpectedDuplicates || res.Sent < cfg.Count {
		return 1
	}
	return 0
}
