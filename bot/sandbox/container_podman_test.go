//go:build linux

package sandbox

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot/build"
	"github.com/mpgate/mpgate/internal/podmantest"
)

// The TestPodman tests run real builds in real containers (internal/podmantest: podman with a busybox
// image made on the spot) through Container and build.Run, and look from inside the container for what the
// fake runtime of TestContainerRun can only take on trust: the user, the network, the read-only file
// systems, the environment, and the runtime's limits.

// podmanContainer is a Container on p's runtime and image with a fixed name (to find it in podman ps).
func podmanContainer(p *podmantest.Podman, name string) *Container {
	return &Container{Runtime: p.Path, Image: podmantest.Image, Name: func() string { return name }}
}

// TestPodmanBuild: what the build writes in the worktree belongs to mpgate's uid and gid; there is no
// network interface but lo; the root file system and the repository the worktree links to are read-only;
// secret-looking variables of mpgate's environment are not there, even when the build asks for them.
func TestPodmanBuild(t *testing.T) {
	p := podmantest.New(t)
	t.Logf("%s", p.Version)
	root := t.TempDir()
	mirror := filepath.Join(root, "mirrors", "shop.git")
	admin := filepath.Join(mirror, "worktrees", "head")
	wt := filepath.Join(root, "jobs", "1", "head")
	for _, d := range []string{admin, wt} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(admin, "commondir"), "../..\n")
	write(t, filepath.Join(admin, "gitdir"), filepath.Join(wt, ".git")+"\n")
	write(t, filepath.Join(wt, ".git"), "gitdir: "+admin+"\n")
	write(t, filepath.Join(mirror, "HEAD"), "ref: refs/heads/main\n")
	const secret = "s3cr3t-value-of-the-server"
	t.Setenv("MPGATE_TEST_SECRET", secret)
	t.Setenv("API_TOKEN", secret)
	t.Setenv("BUILD_FLAVOUR", "plain")

	log := filepath.Join(t.TempDir(), "build.log")
	c := podmanContainer(p, "mpgate-build-podman-test")
	res, err := build.Run(t.Context(), build.Spec{Dir: wt, LogPath: log, Sandbox: c,
		Env: []string{"API_TOKEN", "MPGATE_TEST_SECRET", "BUILD_FLAVOUR"},
		Command: `echo "uid=$(id -u) gid=$(id -g)"
echo made > made.txt
echo "net: $(ls /sys/class/net | tr '\n' ' ')"
ip -o link
touch /rootfs-write 2>/dev/null && echo ROOT-WRITABLE
echo evil > ` + mirror + `/HEAD 2>/dev/null && echo MIRROR-WRITABLE
echo "head: $(cat ` + mirror + `/HEAD)"
echo "flavour=$BUILD_FLAVOUR"
echo "env:"; env`})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	t.Logf("output:\n%s", out)
	uid, gid := os.Getuid(), os.Getgid()
	for _, want := range []string{
		"uid=" + strconv.Itoa(uid) + " gid=" + strconv.Itoa(gid),
		"net: lo \n",
		"head: ref: refs/heads/main",
		"flavour=plain",
		"HOSTNAME=" + Hostname,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.HasSuffix(f[0], ":") && f[1] != "lo:" {
			if _, err := strconv.Atoi(strings.TrimSuffix(f[0], ":")); err == nil {
				t.Errorf("a network interface other than lo: %q", line)
			}
		}
	}
	for _, bad := range []string{"ROOT-WRITABLE", "MIRROR-WRITABLE", secret, "API_TOKEN", "MPGATE_TEST_SECRET"} {
		if strings.Contains(out, bad) {
			t.Errorf("output has %q", bad)
		}
	}
	if !strings.Contains(strings.Join(res.Dropped, " "), "API_TOKEN") {
		t.Errorf("dropped %q, want API_TOKEN named", res.Dropped)
	}
	st, err := os.Stat(filepath.Join(wt, "made.txt"))
	if err != nil {
		t.Fatalf("the build's file: %v", err)
	}
	if s := st.Sys().(*syscall.Stat_t); int(s.Uid) != uid || int(s.Gid) != gid {
		t.Errorf("made.txt belongs to %d:%d, want mpgate's %d:%d", s.Uid, s.Gid, uid, gid)
	}
	if h, _ := os.ReadFile(filepath.Join(mirror, "HEAD")); string(h) != "ref: refs/heads/main\n" {
		t.Errorf("the mirror's HEAD is %q", h)
	}
	if left := p.Containers(t); len(left) > 0 {
		t.Errorf("containers left: %q", left)
	}
}

// TestPodmanLimits: a build that goes over one of the container's limits fails, and the error the user
// sees names the limit, from the kernel's counts inside the container.
func TestPodmanLimits(t *testing.T) {
	p := podmantest.New(t)
	tests := []struct {
		name    string
		c       Container
		command string
		want    []string
	}{
		{"memory", Container{Memory: 64 << 20},
			// tr holds the whole string in the shell's memory: 128 MiB, twice the limit.
			`x=$(head -c 134217728 /dev/zero | tr '\0' a); echo "survived ${#x}"`,
			[]string{"mpgate: the build went over its memory limit of 64 MiB (--build-memory)"}},
		{"processes", Container{Processes: 16},
			`for i in $(seq 1 40); do sleep 30 & done; wait`,
			[]string{"can't fork", "mpgate: the build reached its limit of 16 processes and threads (--build-processes)"}},
		{"tmp", Container{TmpSize: 8 << 20},
			`dd if=/dev/zero of=/tmp/big bs=1M count=32`,
			[]string{"No space left on device", "mpgate: /tmp is full: it holds at most 8 MiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.Runtime, c.Image = p.Path, podmantest.Image
			start := time.Now()
			res, err := build.Run(t.Context(), build.Spec{Dir: t.TempDir(), Sandbox: &c, Command: tt.command, Timeout: 2 * time.Minute})
			t.Logf("%s in %s: %v", tt.name, time.Since(start).Round(time.Millisecond), err)
			if !errors.Is(err, build.ErrFailed) {
				t.Fatalf("err = %v, want a failed build", err)
			}
			if strings.Contains(res.Tail, "survived") {
				t.Errorf("the build went past the limit: %q", res.Tail)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if left := p.Containers(t); len(left) > 0 {
		t.Errorf("containers left: %q", left)
	}
}

// TestPodmanNoLimitNoNote: a build that fails on its own gets no note about a limit it did not reach.
func TestPodmanNoLimitNoNote(t *testing.T) {
	p := podmantest.New(t)
	c := &Container{Runtime: p.Path, Image: podmantest.Image, Memory: 64 << 20, Processes: 64, TmpSize: 8 << 20}
	res, err := build.Run(t.Context(), build.Spec{Dir: t.TempDir(), Sandbox: c, Command: "echo broken; exit 3"})
	var be *build.Error
	if !errors.As(err, &be) || be.ExitCode != 3 {
		t.Fatalf("err = %v, want exit 3", err)
	}
	if res.Tail != "broken" {
		t.Errorf("output %q, want only the build's", res.Tail)
	}
}

// TestPodmanTimeoutRemovesContainer: a build killed on its time limit leaves no container behind, running
// or stopped.
func TestPodmanTimeoutRemovesContainer(t *testing.T) {
	p := podmantest.New(t)
	c := podmanContainer(p, "mpgate-build-podman-slow")
	wt := t.TempDir()
	start := time.Now()
	res, err := build.Run(t.Context(), build.Spec{Dir: wt, Sandbox: c, Timeout: 5 * time.Second, Grace: 5 * time.Second,
		Command: "echo started > started; sleep 300"})
	took := time.Since(start)
	if strings.TrimSpace(res.Tail) != "" {
		t.Logf("output: %q", res.Tail)
	}
	if !errors.Is(err, build.ErrTimedOut) {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if _, err := os.Stat(filepath.Join(wt, "started")); err != nil {
		t.Fatalf("the container never started within the time limit: %v", err)
	}
	t.Logf("timed out and returned after %s", took.Round(time.Millisecond))
	// The client removes the container (--rm) once it is killed; give it a moment.
	var left []string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if left = p.Containers(t); len(left) == 0 {
			break
		}
	}
	if len(left) > 0 {
		out, _ := p.Run("ps", "--all")
		t.Errorf("containers left after the timeout: %q\n%s", left, out)
	}
	if took > 5*time.Second+5*time.Second+5*time.Second {
		t.Errorf("the timed-out build took %s to return", took)
	}
}
