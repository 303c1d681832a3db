//go:build linux

package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot/build"
)

// requireBwrap returns a working sandbox or skips the test saying why.
// (.ci/run installs bubblewrap; a machine without user namespaces skips.)
func requireBwrap(t *testing.T) *Bwrap {
	t.Helper()
	path, err := exec.LookPath("bwrap")
	if err != nil {
		t.Skip("bwrap not installed (apt-get install bubblewrap)")
	}
	b := &Bwrap{Path: path}
	if _, err := b.Probe(t.Context()); err != nil {
		t.Skipf("bwrap cannot create a sandbox here: %v", err)
	}
	return b
}

func marker(t *testing.T, what string) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "mpgate-" + what + "-" + hex.EncodeToString(b[:])
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBwrapHidesTheServer lays out a data directory like the server's (an
// App key file, the database, another worktree next to the build's), starts
// a process holding a token in its environment like a git fetch, and runs a
// build that looks for all of them.
func TestBwrapHidesTheServer(t *testing.T) {
	b := requireBwrap(t)
	data := t.TempDir()
	wt := filepath.Join(data, "jobs", "42", "head")
	keyMark, dbMark, otherMark, environMark := marker(t, "key"), marker(t, "db"), marker(t, "other"), marker(t, "environ")
	key := filepath.Join(data, "app-key.pem")
	write(t, key, "-----BEGIN RSA PRIVATE KEY-----\n"+keyMark+"\n")
	dbDir := filepath.Join(data, "db")
	write(t, filepath.Join(dbDir, dbMark+".sqlite"), "SQLite format 3\x00")
	other := filepath.Join(data, "jobs", "41", "head")
	write(t, filepath.Join(other, "src", otherMark+".js"), otherMark)
	write(t, filepath.Join(wt, "package.json"), "{}\n")

	holder := exec.Command("/bin/sh", "-c", "sleep 100; : token holder")
	holder.Env = []string{"PATH=/usr/bin:/bin", "GIT_CONFIG_VALUE_0=Authorization: Bearer " + environMark}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = holder.Process.Kill(); _ = holder.Wait() })

	script := strings.Join([]string{
		fmt.Sprintf("cat %s", key),
		fmt.Sprintf("ls -la %s", dbDir),
		fmt.Sprintf("ls -laR %s", other),
		fmt.Sprintf("ls -la %s", filepath.Dir(wt)),
		fmt.Sprintf("cat /proc/%d/environ", holder.Process.Pid),
		fmt.Sprintf("cat /proc/%d/environ", os.Getpid()),
		"cat /proc/1/environ", `cat /proc/$PPID/environ`,
		`for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do cat "$f"; echo; done`,
		"env",
		"ls /proc",
		fmt.Sprintf("echo escape > %s", filepath.Join(data, "escape")),
		"echo root > /escape",
		"mkdir -p dist && echo built > dist/app.js",
		"echo BUILD-DONE",
	}, "\n")
	// The same probe as the build, and as the install step: that one has
	// the network and the repository's package cache, and sees no more of
	// the server for it.
	for _, step := range []string{build.StepBuild, build.StepInstall} {
		t.Run(step, func(t *testing.T) {
			w, err := Configure(b, Options{Network: NetworkInstall, CacheDir: filepath.Join(data, "cache"), Limits: DefaultOptions().Limits})
			if err != nil {
				t.Fatal(err)
			}
			if step == build.StepInstall && !w.(*Bwrap).InstallNetwork {
				t.Fatal("the install step has no network: this would not test it")
			}
			logPath := filepath.Join(t.TempDir(), "build.log")
			spec := build.Spec{Dir: wt, Command: script, Sandbox: w, LogPath: logPath, Env: []string{"VISIBLE_VAR=visible-value"}}
			if step == build.StepInstall {
				spec.Install, spec.Command = script, "true"
			}
			_, err = build.Run(t.Context(), spec)
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			logBytes, err := os.ReadFile(logPath)
			if err != nil {
				t.Fatal(err)
			}
			checkHidden(t, string(logBytes), wt, data, keyMark, dbMark, otherMark, environMark)
		})
	}
}

func checkHidden(t *testing.T, log, wt, data, keyMark, dbMark, otherMark, environMark string) {
	t.Helper()
	for _, want := range []string{"BUILD-DONE", "VISIBLE_VAR=visible-value", "HOME=" + SandboxHome, "No such file"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q: the build did not run as expected\n%s", want, log)
		}
	}
	for name, secret := range map[string]string{
		"key file": keyMark, "database": dbMark, "other worktree": otherMark, "another process's environment": environMark,
	} {
		if strings.Contains(log, secret) {
			t.Errorf("the build saw the %s (%s):\n%s", name, secret, log)
		}
	}
	if got, err := os.ReadFile(filepath.Join(wt, "dist", "app.js")); err != nil || string(got) != "built\n" {
		t.Errorf("worktree output = %q, %v; want it written through to the host", got, err)
	}
	for _, p := range []string{filepath.Join(data, "escape"), "/escape"} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("the build wrote %s on the host", p)
		}
	}
}

// TestBwrapNetwork: off by default (a TCP listener of the host on
// 127.0.0.1 is unreachable), on with Network.
func TestBwrapNetwork(t *testing.T) {
	b := requireBwrap(t)
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash (for /dev/tcp) not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	reply := marker(t, "pong")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprintln(c, reply)
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	cmd := fmt.Sprintf(`bash -c 'if exec 3<>/dev/tcp/127.0.0.1/%d; then read -r line <&3; echo "got $line"; else echo NO-CONNECTION; fi'`, port)

	tests := []struct {
		name    string
		network bool
		want    string
		absent  string
	}{
		{"off by default", false, "NO-CONNECTION", reply},
		{"on", true, "got " + reply, "NO-CONNECTION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := *b
			sb.Network = tt.network
			res, err := build.Run(t.Context(), build.Spec{Dir: t.TempDir(), Command: cmd, Sandbox: &sb})
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			if !strings.Contains(res.Tail, tt.want) || strings.Contains(res.Tail, tt.absent) {
				t.Errorf("output %q: want %q and not %q", res.Tail, tt.want, tt.absent)
			}
		})
	}
}

// processesWith lists the live processes whose command line holds s
// (zombies have none, so they do not count).
func processesWith(t *testing.T, s string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name()[0] < '1' || e.Name()[0] > '9' {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && strings.Contains(string(b), s) {
			out = append(out, e.Name()+": "+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return out
}

// waitNoProcess fails the test when processes holding s outlive a generous
// bound: the sandbox's PID namespace goes down with its init, which the
// kernel does right after the build, not at once. The bound asserts
// nothing about speed.
func waitNoProcess(t *testing.T, s string) {
	t.Helper()
	var left []string
	for range 500 {
		if left = processesWith(t, s); len(left) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
}

// TestBwrapTimeoutKillsEverything: a build that ignores SIGTERM, with a
// child in its group and one that left it (setsid), is killed entirely on
// timeout. The processes carry a unique marker in their command lines; a
// pid file would not do: pids inside the sandbox are not the host's.
func TestBwrapTimeoutKillsEverything(t *testing.T) {
	b := requireBwrap(t)
	for _, timeout := range []time.Duration{300 * time.Millisecond, 2 * time.Second, 10 * time.Second} {
		m := marker(t, "sleeper")
		dir := t.TempDir()
		cmd := fmt.Sprintf(`trap '' TERM
sh -c 'echo > child; sleep 100; : %[1]s' &
setsid sh -c 'echo > escaped; sleep 100; : %[1]s' &
while [ ! -f child ] || [ ! -f escaped ]; do sleep 0.01; done
echo > ready
sleep 100; : %[1]s`, m)
		_, err := build.Run(t.Context(), build.Spec{Dir: dir, Command: cmd, Sandbox: b, Timeout: timeout, Grace: 200 * time.Millisecond})
		if !errors.Is(err, build.ErrTimedOut) {
			t.Fatalf("err = %v, want a timeout", err)
		}
		waitNoProcess(t, m)
		if _, err := os.Stat(filepath.Join(dir, "ready")); err != nil {
			// The machine was too slow to start everything before the
			// timeout: nothing was tested; try a longer one.
			continue
		}
		return
	}
	t.Fatal("the build never got to start its processes before the timeout")
}

// TestBwrapLeftoversDie: a build that exits leaving a daemon (setsid, so
// outside its process group) leaves nothing running: the PID namespace
// dies with it.
func TestBwrapLeftoversDie(t *testing.T) {
	b := requireBwrap(t)
	m := marker(t, "daemon")
	dir := t.TempDir()
	cmd := fmt.Sprintf(`setsid sh -c 'echo > started; sleep 100; : %[1]s' > /dev/null 2>&1 &
while [ ! -f started ]; do sleep 0.01; done
echo done`, m)
	res, err := build.Run(t.Context(), build.Spec{Dir: dir, Command: cmd, Sandbox: b})
	if err != nil || res.Tail != "done" {
		t.Fatalf("build: %v (output %q)", err, res.Tail)
	}
	waitNoProcess(t, m)
}

// TestBwrapCancel: cancelling the job ends the sandboxed build.
func TestBwrapCancel(t *testing.T) {
	b := requireBwrap(t)
	m := marker(t, "cancel")
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := build.Run(ctx, build.Spec{Dir: dir, Command: "echo > ready; sleep 100; : " + m, Sandbox: b, Grace: 200 * time.Millisecond})
		done <- err
	}()
	ready := false
	for range 3000 {
		if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
			ready = true
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, build.ErrCancelled) {
		t.Fatalf("err = %v, want cancelled", err)
	}
	if !ready {
		t.Fatal("the build never started")
	}
	waitNoProcess(t, m)
}

// TestBwrapWritable: a cache the operator allows is writable and shared
// with the host; HOME inside it is kept.
func TestBwrapWritable(t *testing.T) {
	b := requireBwrap(t)
	cache := t.TempDir()
	sb := *b
	sb.Writable = []string{cache}
	dir := t.TempDir()
	res, err := build.Run(t.Context(), build.Spec{
		Dir: dir, Sandbox: &sb,
		Command: `echo cached > "$npm_config_cache/entry"; echo "home=$HOME"`,
		Env:     []string{"npm_config_cache=" + cache, "HOME=" + cache},
	})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(cache, "entry")); err != nil || string(got) != "cached\n" {
		t.Errorf("cache entry %q, %v", got, err)
	}
	if res.Tail != "home="+cache {
		t.Errorf("output %q, want HOME kept inside the writable cache", res.Tail)
	}
}

// TestBwrapReadOnlyToolchain: the toolchain cannot be changed by a build.
func TestBwrapReadOnlyToolchain(t *testing.T) {
	b := requireBwrap(t)
	tool := t.TempDir()
	write(t, filepath.Join(tool, "bin", "tool"), "#!/bin/sh\necho tool ran\n")
	if err := os.Chmod(filepath.Join(tool, "bin", "tool"), 0o755); err != nil {
		t.Fatal(err)
	}
	sb := *b
	sb.ReadOnly = append(DefaultReadOnly(), tool)
	res, err := build.Run(t.Context(), build.Spec{
		Dir: t.TempDir(), Sandbox: &sb,
		Command: fmt.Sprintf(`%[1]s/bin/tool; echo changed > %[1]s/bin/tool || echo REFUSED`, tool),
	})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if !strings.Contains(res.Tail, "tool ran") || !strings.Contains(res.Tail, "REFUSED") {
		t.Errorf("output %q: want the tool to run and the write refused", res.Tail)
	}
	if got, _ := os.ReadFile(filepath.Join(tool, "bin", "tool")); !strings.Contains(string(got), "tool ran") {
		t.Errorf("toolchain changed: %q", got)
	}
}

// TestDetectHere: on a machine where bwrap works, Detect says which.
func TestDetectHere(t *testing.T) {
	requireBwrap(t)
	w, desc, err := Detect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.(*Bwrap); !ok {
		t.Errorf("wrapper %T, want *Bwrap", w)
	}
	if !strings.Contains(desc, "bwrap") && !strings.Contains(desc, "bubblewrap") {
		t.Errorf("description %q", desc)
	}
}

// TestBwrapNpmBuild runs a real npm build offline in the sandbox: npm and
// node from the default toolchain, HOME in the private /tmp, output in the
// worktree.
func TestBwrapNpmBuild(t *testing.T) {
	b := requireBwrap(t)
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm not installed")
	}
	wt := t.TempDir()
	write(t, filepath.Join(wt, "package.json"), `{"name":"mp","version":"1.0.0","private":true,"scripts":{"build":"node build.js"}}`+"\n")
	write(t, filepath.Join(wt, "package-lock.json"), `{"name":"mp","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"mp","version":"1.0.0"}}}`+"\n")
	write(t, filepath.Join(wt, "build.js"), `const fs = require("fs"), os = require("os");
fs.mkdirSync("dist", {recursive: true});
fs.writeFileSync("dist/app.js", "App({})\n");
console.log("user", os.userInfo().username, "home", os.homedir());
`)
	res, err := build.Run(t.Context(), build.Spec{Dir: wt, Command: "npm ci --no-audit --no-fund && npm run build", Sandbox: b})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if !strings.Contains(res.Tail, "home "+SandboxHome) {
		t.Errorf("output %q: want node to run with HOME %s", res.Tail, SandboxHome)
	}
	if got, err := os.ReadFile(filepath.Join(wt, "dist", "app.js")); err != nil || string(got) != "App({})\n" {
		t.Errorf("dist/app.js = %q, %v", got, err)
	}
}

// TestBwrapLocalhostOffline: without the network, a build can still serve
// and reach itself on localhost (test servers, pre-rendering).
func TestBwrapLocalhostOffline(t *testing.T) {
	b := requireBwrap(t)
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	script := `const http = require("http");
const srv = http.createServer((q, r) => r.end("local-ok")).listen(0, "localhost", () => {
  http.get({host: "localhost", port: srv.address().port}, res => {
    res.on("data", d => { console.log(String(d)); srv.close(); });
  }).on("error", e => { console.log("error " + e.message); process.exit(1); });
});`
	dir := t.TempDir()
	write(t, filepath.Join(dir, "local.js"), script)
	res, err := build.Run(t.Context(), build.Spec{Dir: dir, Command: "node local.js", Sandbox: b})
	if err != nil || res.Tail != "local-ok" {
		t.Fatalf("build: %v, output %q", err, res.Tail)
	}
}

// TestBwrapGit: a build in a linked worktree of a bare mirror, as the bot
// makes them, can run git rev-parse; with NoGit it cannot; either way it
// cannot change the repository.
func TestBwrapGit(t *testing.T) {
	b := requireBwrap(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	root := t.TempDir()
	src, mirror, wt := filepath.Join(root, "src"), filepath.Join(root, "mirrors", "shop.git"), filepath.Join(root, "jobs", "7", "head")
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write(t, filepath.Join(src, "app.json"), "{}\n")
	git(src, "init", "-q", "-b", "main")
	git(src, "add", ".")
	git(src, "commit", "-q", "-m", "first")
	head := git(src, "rev-parse", "HEAD")
	git(root, "clone", "-q", "--bare", src, mirror)
	git(mirror, "worktree", "add", "-q", "--detach", wt, head)
	secret := marker(t, "next-to-mirror")
	write(t, filepath.Join(root, "mirrors", "other.git", "config"), secret)

	tests := []struct {
		name  string
		noGit bool
		want  string
	}{
		{"metadata bound", false, "rev " + head},
		{"NoGit", true, "NO-GIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := *b
			sb.NoGit = tt.noGit
			res, err := build.Run(t.Context(), build.Spec{Dir: wt, Sandbox: &sb,
				Command: fmt.Sprintf(`r=$(git rev-parse HEAD 2>/dev/null) && echo "rev $r" || echo NO-GIT
git tag evil 2>/dev/null && echo TAGGED
cat %s 2>/dev/null || true`, filepath.Join(root, "mirrors", "other.git", "config"))})
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			if !strings.Contains(res.Tail, tt.want) || strings.Contains(res.Tail, "TAGGED") || strings.Contains(res.Tail, secret) {
				t.Errorf("output %q: want %q, no tag and nothing of the other mirror", res.Tail, tt.want)
			}
		})
	}
}
