//go:build unix

package build

import (
	"os"
	"os/exec"
	"syscall"
)

const supported = true

// ownGroup starts cmd as the leader of a new process group, keeping
// whatever else a sandbox wrapper set.
func ownGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pgid = 0
}

func termGroup(pgid int) { _ = syscall.Kill(-pgid, syscall.SIGTERM) }
func killGroup(pgid int) { _ = syscall.Kill(-pgid, syscall.SIGKILL) }

// exitSignal names the signal that ended the process, "" when it exited.
func exitSignal(ee *exec.ExitError) string {
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ws.Signal().String()
	}
	return ""
}

// groupAlive reports whether any process is left running in the group.
// Killed members stay zombies until their new parent reaps them, and an init
// that does not reap (or none: mpgate as PID 1 in a container) leaves them
// for good, so on Linux the group counts as alive only while /proc shows a
// member that is not a zombie.
func groupAlive(pgid int) bool {
	if syscall.Kill(-pgid, 0) != nil {
		return false
	}
	running, ok := procGroupRunning(pgid)
	return !ok || running
}

// procGroupRunning scans /proc for a non-zombie process in group pgid; ok is
// false when /proc cannot be read.
func procGroupRunning(pgid int) (running, ok bool) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return false, false
	}
	for _, e := range entries {
		name := e.Name()
		if name == "" || name[0] < '1' || name[0] > '9' {
			continue
		}
		b, err := os.ReadFile("/proc/" + name + "/stat")
		if err != nil {
			continue // exited meanwhile
		}
		state, group, ok := parseStat(b)
		if ok && group == pgid && state != 'Z' && state != 'X' {
			return true, true
		}
	}
	return false, true
}
