package queue

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
)

// The crash test runs a queue in a child process (this test binary, started
// with crashChildEnv set), lets it start a job, kills it with SIGKILL, and
// checks that a new queue on the same database rescues the job and runs it
// to completion.
const (
	crashChildEnv = "MPGATE_QUEUE_CRASH_CHILD"
	crashDirEnv   = "MPGATE_QUEUE_CRASH_DIR"
	crashURLEnv   = "MPGATE_QUEUE_CRASH_URL"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) == "1" {
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}

// blockingHandler announces each job on out and never returns.
type blockingHandler struct{ out io.Writer }

func (h blockingHandler) HandleEvent(_ context.Context, ev bot.Event) error {
	fmt.Fprintf(h.out, "started %s\n", ev.DeliveryID)
	select {}
}

func (h blockingHandler) HandleEvaluation(context.Context, Evaluation) error { select {} }

func crashChild() int {
	q, err := Open(context.Background(), Config{
		DataDir:     os.Getenv(crashDirEnv),
		DatabaseURL: os.Getenv(crashURLEnv),
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		fetchPoll:   50 * time.Millisecond,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := q.Start(context.Background(), blockingHandler{out: os.Stdout}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	select {} // until killed
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test waits for River's leader lease to expire")
	}
	forEachBackend(t, func(t *testing.T, d testDB) {
		q := d.open(t)
		if _, err := q.Enqueue(context.Background(), event(bot.ForgeGitHub, "crash-1")); err != nil {
			t.Fatal(err)
		}
		if err := q.Close(); err != nil {
			t.Fatal(err)
		}

		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"=1", crashDirEnv+"="+d.dir, crashURLEnv+"="+d.url)
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		line := receive(t, lines, "the child to start the job")
		if line != "started crash-1" {
			t.Fatalf("child said %q", line)
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()

		q2 := d.open(t, func(c *Config) {
			c.JobTimeout = time.Second
			c.Lease = 2 * time.Second
		})
		if js := jobs(t, q2); len(js) != 1 || js[0].state != "running" || js[0].attempt != 1 {
			t.Fatalf("after the crash: %+v, want one running job", js)
		}
		h := &fakeHandler{}
		start(t, q2, h)
		js := waitStates(t, q2, "completed")
		if events, _ := h.calls(); strings.Join(events, ",") != "crash-1" {
			t.Errorf("after restart handled %v, want crash-1 once", events)
		}
		if js[0].attempt != 2 || js[0].errors != 1 {
			t.Errorf("rescued job = %+v, want attempt 2 with the rescue recorded as an error", js[0])
		}
	})
}
