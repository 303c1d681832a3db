package main

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/internal/fakegithub"
)

// The crash tests run the real mpgate binary (built into a temporary
// directory) against the fake GitHub, kill it with SIGKILL or stop it with
// SIGTERM in the middle of a job, start it again on the same data
// directory, and check what GitHub ends up with. The lease is 1 s so that
// River's rescuer (every 30 s on the leader; the dead process's leader
// lease lasts 15 s) takes the killed job back quickly; the test polls with
// a generous deadline instead of timing anything.

// crashDeadline bounds every wait: reclaiming a killed job takes up to the
// leader lease (15 s) + the rescuer's interval (30 s) + River's retry
// backoff and scheduler (a few seconds).
const crashDeadline = 3 * time.Minute

type crashEnv struct {
	t       *testing.T
	bin     string
	fake    *fakegithub.Fake
	dir     string // key, secret, data directory, build gates
	data    string
	repoDir string
	base    string
	head    string

	releasing sync.Once
	stop      chan struct{} // ends the releaser
	stopped   chan struct{}
}

// serveProc is one running mpgate serve.
type serveProc struct {
	cmd  *exec.Cmd
	addr string
	logs *logBuffer
	done chan error
}

func newCrashEnv(t *testing.T, bin string, number int) *crashEnv {
	t.Helper()
	f := fakegithub.New(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f.RegisterApp(srvAppID, "mpgate", &key.PublicKey)
	f.AddInstallation(srvInstID, srvAppID)
	t.Cleanup(func() {
		if errs := f.Errors(); len(errs) > 0 {
			t.Errorf("fake GitHub saw invalid requests:\n%s", strings.Join(errs, "\n"))
		}
	})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "app.pem"), string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})))
	writeFile(t, filepath.Join(dir, "secret"), srvSecret+"\n")
	repoDir, base, head := miniRepo(t, 0)
	setPull(f, number, base, head, srvRepo)
	e := &crashEnv{t: t, bin: bin, fake: f, dir: dir, data: filepath.Join(dir, "data"), repoDir: repoDir, base: base, head: head}
	t.Cleanup(func() {
		// Never leave a build waiting: stop the releaser, release once more.
		e.releasing.Do(func() {})
		if e.stop != nil {
			close(e.stop)
			<-e.stopped
		}
		e.releaseAll()
	})
	return e
}

// The slow build announces itself and waits inside its own checkout: when
// bubblewrap is installed the build runs in the sandbox, which sees the
// worktree and a private /tmp only, so the gates live in the worktree and
// the test finds them by walking the data directory.
const (
	startedGate = ".crash-started"
	releaseGate = ".crash-release"
)

// slowBuild makes the project's build announce itself and wait for the
// release file.
func (e *crashEnv) slowBuild() {
	e.fake.SetContent(srvRepo, "", ".mpgate.yml", []byte(fmt.Sprintf(
		"projects:\n  - name: app\n    root: .\n    build: \"touch %s; while [ ! -f %s ]; do sleep 0.05; done\"\n",
		startedGate, releaseGate)))
}

// started lists the checkouts whose build has announced itself.
func (e *crashEnv) started() []string {
	var dirs []string
	_ = filepath.WalkDir(e.data, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == startedGate {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	return dirs
}

// waitStarted waits for a build to announce itself and clears the
// announcement, so that the next wait sees the next build.
func (e *crashEnv) waitStarted() {
	e.t.Helper()
	crashWait(e.t, "the build to start", func() bool { return len(e.started()) > 0 })
	for _, d := range e.started() {
		if err := os.Remove(filepath.Join(d, startedGate)); err != nil {
			e.t.Fatal(err)
		}
	}
}

// release lets every build finish, those still to start included: both
// sides build, and the base's checkout is made while the head builds, so
// a release written once could miss it (the base then waited for ever).
// From the first call on, a releaser writes the gate into every checkout
// every 100 ms until the test ends.
func (e *crashEnv) release() {
	e.releasing.Do(func() {
		e.stop, e.stopped = make(chan struct{}), make(chan struct{})
		go func() {
			defer close(e.stopped)
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				e.releaseAll()
				select {
				case <-e.stop:
					return
				case <-tick.C:
				}
			}
		}()
	})
}

// releaseAll writes the release gate into every checkout there is now.
func (e *crashEnv) releaseAll() {
	_ = filepath.WalkDir(e.data, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && isCheckout(p) {
			_ = os.WriteFile(filepath.Join(p, releaseGate), nil, 0o644)
		}
		return nil
	})
}

// isCheckout reports whether dir is a git worktree (it holds a .git file).
func isCheckout(dir string) bool {
	fi, err := os.Lstat(filepath.Join(dir, ".git"))
	return err == nil && fi.Mode().IsRegular()
}

// serve starts mpgate serve and waits until it listens.
func (e *crashEnv) serve(extraEnv ...string) *serveProc {
	e.t.Helper()
	cmd := exec.Command(e.bin, "serve")
	cmd.Env = append(os.Environ(),
		"MPGATE_ADDR=127.0.0.1:0",
		"MPGATE_DATA_DIR="+e.data,
		"MPGATE_GITHUB_APP_ID="+fmt.Sprint(srvAppID),
		"MPGATE_GITHUB_PRIVATE_KEY_FILE="+filepath.Join(e.dir, "app.pem"),
		"MPGATE_GITHUB_WEBHOOK_SECRET_FILE="+filepath.Join(e.dir, "secret"),
		"MPGATE_GITHUB_API_URL="+e.fake.BaseURL(),
		"MPGATE_JOB_LEASE=1s",
		"MPGATE_WORKERS=2",
		"MPGATE_ALLOW_CLONE_URL_PREFIX="+e.repoDir, // the test repository is a local path
	)
	cmd.Env = append(cmd.Env, extraEnv...)
	logs := &logBuffer{}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, logs: logs, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logs, line)
			var m struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "mpgate serve listening" {
				addr <- m.Addr
			}
		}
		p.done <- cmd.Wait()
	}()
	e.t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if e.t.Failed() {
			e.t.Logf("server %d log:\n%s", cmd.Process.Pid, logs.String())
		}
	})
	select {
	case p.addr = <-addr:
	case err := <-p.done:
		e.t.Fatalf("mpgate serve exited at start: %v\n%s", err, logs.String())
	case <-time.After(crashDeadline):
		e.t.Fatalf("mpgate serve did not start listening:\n%s", logs.String())
	}
	return p
}

// kill ends the process with SIGKILL and waits for it.
func (p *serveProc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

// deliver posts the opened pull request, signed.
func (e *crashEnv) deliver(p *serveProc, id string, number int) {
	e.t.Helper()
	body := prPayload(e.t, "opened", e.repoDir, number, e.base, e.head, srvRepo, "alice")
	mac := hmac.New(sha256.New, []byte(srvSecret))
	mac.Write(body)
	req, err := http.NewRequest("POST", "http://"+p.addr+"/webhooks/github", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "pull_request")
	req.Header.Set("X-GitHub-Delivery", id)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		e.t.Fatalf("delivery answered %d", resp.StatusCode)
	}
}

func crashWait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(crashDeadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkOnce asserts exactly one check run named mpgate on the head,
// completed, and no worktree left registered by the killed run in the
// logs.
func (e *crashEnv) checkOnce(procs ...*serveProc) {
	e.t.Helper()
	crashWait(e.t, "the check run to be concluded", func() bool { return len(completedRuns(e.fake, e.head)) >= 1 })
	runs := runsOn(e.fake, e.head)
	if len(runs) != 1 || runs[0].Name != bot.CheckName || runs[0].Status != "completed" || runs[0].Conclusion == "" {
		e.t.Errorf("check runs on the head: %+v, want exactly one mpgate run, concluded", runs)
	}
	for _, p := range procs {
		if l := p.logs.String(); strings.Contains(l, "already registered worktree") || strings.Contains(l, "missing but") {
			e.t.Errorf("a retry could not check out:\n%s", l)
		}
	}
}

func TestServeCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds mpgate and waits for River's leader lease and rescuer")
	}
	bin := filepath.Join(t.TempDir(), "mpgate")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// The cases are independent (each its own fake GitHub, repository and
	// data directory) and mostly wait for River's lease and rescuer: run
	// them side by side.
	t.Run("SIGKILL during the build", func(t *testing.T) {
		t.Parallel()
		e := newCrashEnv(t, bin, 31)
		e.slowBuild()
		p1 := e.serve()
		e.deliver(p1, "k-1", 31)
		e.waitStarted()
		p1.kill(t)
		// The next start takes the job back (its lease has run out) and
		// builds again from a clean checkout.
		p2 := e.serve()
		e.waitStarted()
		e.release()
		e.checkOnce(p1, p2)
	})

	t.Run("SIGKILL while creating the check run", func(t *testing.T) {
		t.Parallel()
		e := newCrashEnv(t, bin, 32)
		e.fake.SetContent(srvRepo, "", ".mpgate.yml", []byte("projects:\n  - name: app\n    root: .\n"))
		arrived, release := e.fake.Hold("checks/create")
		defer release()
		p1 := e.serve()
		e.deliver(p1, "k-2", 32)
		// GitHub has created the run; the answer never reaches mpgate.
		select {
		case <-arrived:
		case <-time.After(crashDeadline):
			t.Fatal("no check run was created")
		}
		p1.kill(t)
		release()
		p2 := e.serve()
		e.checkOnce(p1, p2)
		if n := e.fake.Count("checks/create"); n != 1 {
			t.Errorf("%d POSTs creating check runs, want 1 (the run is found again)", n)
		}
	})

	t.Run("SIGTERM lets a build finish within the shutdown timeout", func(t *testing.T) {
		t.Parallel()
		e := newCrashEnv(t, bin, 33)
		e.slowBuild()
		p1 := e.serve("MPGATE_SHUTDOWN_TIMEOUT=2m")
		e.deliver(p1, "t-1", 33)
		e.waitStarted()
		if err := p1.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		crashWait(t, "the shutdown to begin", func() bool { return strings.Contains(p1.logs.String(), "shutting down") })
		e.release()
		select {
		case err := <-p1.done:
			if err != nil {
				t.Errorf("mpgate serve exited with %v", err)
			}
		case <-time.After(crashDeadline):
			t.Fatal("mpgate serve did not exit")
		}
		// Concluded by the process that received SIGTERM, not cancelled.
		e.checkOnce(p1)
		if runs := runsOn(e.fake, e.head); len(runs) == 1 && runs[0].Conclusion == bot.ConclusionNeutral {
			t.Errorf("the drained build was cancelled: %+v", runs[0])
		}
	})

	t.Run("SIGTERM hands back a build that outlasts the shutdown timeout", func(t *testing.T) {
		t.Parallel()
		e := newCrashEnv(t, bin, 34)
		e.slowBuild()
		p1 := e.serve("MPGATE_SHUTDOWN_TIMEOUT=1s")
		e.deliver(p1, "t-2", 34)
		e.waitStarted()
		if err := p1.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case <-p1.done:
		case <-time.After(crashDeadline):
			t.Fatal("mpgate serve did not exit")
		}
		if !strings.Contains(p1.logs.String(), "handing running jobs back") {
			t.Errorf("no job was handed back:\n%s", p1.logs.String())
		}
		if runs := runsOn(e.fake, e.head); len(runs) != 1 || runs[0].Status == "completed" {
			t.Fatalf("after the hand-back: %+v, want the check run still open", runs)
		}
		// The next process runs it at once (no lease to wait out).
		p2 := e.serve()
		e.waitStarted()
		e.release()
		e.checkOnce(p1, p2)
	})
}
