//go:build linux

// Package podmantest gives tests a real Podman: a private store, run state and configuration under the
// temporary directory of the test's own (nothing of the host's podman is read or changed) and a tiny image made on the
// spot from a static busybox, with no registry. The sandbox tests run real builds in it, so that the
// container sandbox's limits are shown by the runtime that enforces them, not by a script that pretends.
//
// It needs podman (with runc or crun) and a static busybox: Debian `apt-get install --no-install-recommends
// podman runc catatonit busybox-static`, run as root (rootless podman also needs uidmap and
// /etc/subuid). Without them a test skips with a message saying what to install, except when `CI=true`:
// there it fails, so CI cannot pass by testing nothing (`.ci/run` installs them).
//
// The configuration reaches podman through CONTAINERS_CONF and CONTAINERS_STORAGE_CONF, which New sets
// for the test (t.Setenv): the variables mpgate's container sandbox passes on to the runtime's client.
//
// Linux only: podman elsewhere runs its containers in a virtual machine.
package podmantest

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Image is the name of the test image: busybox as /bin/busybox with its applets linked in /bin.
const Image = "localhost/mpgate-test:busybox"

// applets are the busybox commands the image links in /bin.
var applets = []string{"sh", "cat", "echo", "dd", "head", "tail", "tr", "sleep", "ls", "id", "ip", "mkdir",
	"touch", "rm", "stat", "df", "grep", "env", "true", "false", "seq", "printf", "wc", "mount"}

// rlimitNproc is Linux's RLIMIT_NPROC, which package syscall does not name.
const rlimitNproc = 6

// Podman is a private podman for one test.
type Podman struct {
	// Path is the podman binary.
	Path string
	// Version is what `podman --version` says ("podman version 4.3.1").
	Version string
	dir     string
}

// New checks for podman and a static busybox, writes a private configuration and store under
// t.TempDir(), sets CONTAINERS_CONF and CONTAINERS_STORAGE_CONF to them for t, and imports Image. When t
// ends, every container left in the private store is removed. Without podman or busybox it skips t, or
// fails it when CI=true.
func New(t testing.TB) *Podman {
	t.Helper()
	path, busybox, err := find()
	if err != nil {
		unavailable(t, err)
	}
	// Not t.TempDir(): its long name (the test's) makes the paths of the
	// containers' sockets too long for a Unix socket, and podman run then
	// waits 20 s after its container has exited.
	dir, err := os.MkdirTemp("", "podman")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("podmantest: %v", err)
		}
	})
	p := &Podman{Path: path, dir: dir}
	if err := p.configure(); err != nil {
		t.Fatalf("podmantest: %v", err)
	}
	t.Setenv("CONTAINERS_CONF", filepath.Join(dir, "containers.conf"))
	t.Setenv("CONTAINERS_STORAGE_CONF", filepath.Join(dir, "storage.conf"))
	// Runs before the directory's removal (cleanups run last first): a
	// container's mounts would make it impossible to remove.
	t.Cleanup(func() {
		if out, err := p.Run("rm", "--all", "--force", "--time", "0"); err != nil {
			t.Errorf("podmantest: removing the containers: %v: %s", err, out)
		}
		if out, err := p.Run("system", "prune", "--force"); err != nil {
			t.Logf("podmantest: prune: %v: %s", err, out)
		}
	})
	v, err := exec.Command(path, "--version").Output()
	if err != nil {
		unavailable(t, fmt.Errorf("%s --version: %w", path, err))
	}
	p.Version = strings.TrimSpace(string(v))
	image, err := imageTar(busybox)
	if err != nil {
		t.Fatalf("podmantest: image: %v", err)
	}
	cmd := p.Command("import", "-", Image)
	cmd.Stdin = bytes.NewReader(image)
	if out, err := cmd.CombinedOutput(); err != nil {
		unavailable(t, fmt.Errorf("podman import: %w: %s", err, out))
	}
	// The first container shows whether this host can run any at all.
	if out, err := p.Run("run", "--rm", "--network", "none", Image, "true"); err != nil {
		unavailable(t, fmt.Errorf("podman cannot run a container here: %w: %s", err, out))
	}
	return p
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	const install = "apt-get install --no-install-recommends podman runc catatonit busybox-static"
	if os.Getenv("CI") == "true" {
		t.Fatalf("podmantest: %v; CI=true, so the podman tests must run (.ci/run installs: %s)", err, install)
	}
	t.Skipf("podmantest: %v; skipping the podman test (to run it: %s, as root)", err, install)
}

// find returns podman's path and a static busybox's.
func find() (podman, busybox string, err error) {
	podman, err = exec.LookPath("podman")
	if err != nil {
		return "", "", fmt.Errorf("podman not found: %w", err)
	}
	for _, c := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		if static(c) {
			return podman, c, nil
		}
	}
	return "", "", errors.New("no static busybox (/bin/busybox from busybox-static)")
}

// static reports whether path is an ELF executable with no interpreter (it runs alone in an image).
func static(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}

// configure writes containers.conf and storage.conf: the vfs driver (works on any file system, no
// fuse-overlayfs), cgroupfs (no systemd needed), events to a file, runc, and ulimits no higher than this
// process's own (runc cannot raise them where root lacks CAP_SYS_RESOURCE, in some VMs and containers).
func (p *Podman) configure() error {
	for _, d := range []string{"root", "runroot", "tmp"} {
		if err := os.MkdirAll(filepath.Join(p.dir, d), 0o700); err != nil {
			return err
		}
	}
	var nofile, nproc syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &nofile); err != nil {
		return err
	}
	if err := syscall.Getrlimit(rlimitNproc, &nproc); err != nil {
		return err
	}
	// podman lowers its own (and so conmon's and runc's) process limit to at most 32768.
	procs := min(nproc.Max, 32768)
	conf := fmt.Sprintf(`[containers]
default_ulimits = ["nofile=%d:%d", "nproc=%d:%d"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = %q
runtime = "runc"
tmp_dir = %q
`, nofile.Max, nofile.Max, procs, procs, filepath.Join(p.dir, "events.log"), filepath.Join(p.dir, "tmp"))
	storage := fmt.Sprintf("[storage]\ndriver = \"vfs\"\ngraphroot = %q\nrunroot = %q\n",
		filepath.Join(p.dir, "root"), filepath.Join(p.dir, "runroot"))
	if err := os.WriteFile(filepath.Join(p.dir, "containers.conf"), []byte(conf), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(p.dir, "storage.conf"), []byte(storage), 0o600)
}

// Command is podman with args in the private configuration.
func (p *Podman) Command(args ...string) *exec.Cmd {
	cmd := exec.Command(p.Path, args...)
	cmd.Env = append(os.Environ(), "CONTAINERS_CONF="+filepath.Join(p.dir, "containers.conf"),
		"CONTAINERS_STORAGE_CONF="+filepath.Join(p.dir, "storage.conf"))
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// Run runs podman with args and returns its combined output.
func (p *Podman) Run(args ...string) (string, error) {
	out, err := p.Command(args...).CombinedOutput()
	return string(out), err
}

// Containers lists the names of the private store's containers, running or not (podman ps --all).
func (p *Podman) Containers(t testing.TB) []string {
	t.Helper()
	out, err := p.Run("ps", "--all", "--format", "{{.Names}}")
	if err != nil {
		t.Fatalf("podman ps: %v: %s", err, out)
	}
	return strings.Fields(out)
}

// imageTar is a root file system with busybox and its applets, as a tar for podman import.
func imageTar(busybox string) ([]byte, error) {
	bin, err := os.ReadFile(busybox)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mod := time.Unix(0, 0)
	add := func(h *tar.Header, body io.Reader) error {
		h.ModTime, h.Format = mod, tar.FormatPAX
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if body != nil {
			_, err := io.Copy(tw, body)
			return err
		}
		return nil
	}
	for _, d := range []string{"bin/", "tmp/", "etc/", "proc/", "sys/", "dev/"} {
		mode := int64(0o755)
		if d == "tmp/" {
			mode = 0o1777
		}
		if err := add(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: mode}, nil); err != nil {
			return nil, err
		}
	}
	if err := add(&tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: int64(len(bin))}, bytes.NewReader(bin)); err != nil {
		return nil, err
	}
	for _, a := range applets {
		if err := add(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + a, Linkname: "busybox", Mode: 0o777}, nil); err != nil {
			return nil, err
		}
	}
	passwd := "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
	if err := add(&tar.Header{Typeflag: tar.TypeReg, Name: "etc/passwd", Mode: 0o644, Size: int64(len(passwd))}, strings.NewReader(passwd)); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
