//go:build linux

package build

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// watchEvery is how often the watchdog counts the build's processes and
// memory; the disk is measured at most every second, and less often when
// measuring takes long (a tenth of the time at most).
const (
	watchEvery    = 100 * time.Millisecond
	diskEveryMin  = time.Second
	diskCostShare = 10
)

// watchdog polls a running step: the tasks and resident memory of every
// process descending from root, and the growth of dir. When one goes over
// its limit it kills the step's process group (a sandbox's PID namespace
// dies with it) and remembers why.
type watchdog struct {
	lim      Limits
	root     int
	pgid     int
	dir      string
	baseDisk int64
	stop     chan struct{}
	done     chan struct{}
	mu       sync.Mutex
	over     string
}

// diskUsage is the size of the files under dir, each hard-linked file once
// (pnpm links its store into node_modules). Links are not followed.
func diskUsage(dir string) int64 {
	var total int64
	seen := map[[2]uint64]bool{}
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // vanished meanwhile, or unreadable: not the build's bytes to count
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			if st.Nlink > 1 && !fi.IsDir() {
				k := [2]uint64{uint64(st.Dev), st.Ino}
				if seen[k] {
					return nil
				}
				seen[k] = true
			}
			total += st.Blocks * 512
			return nil
		}
		total += fi.Size()
		return nil
	})
	return total
}

func startWatch(lim Limits, root, pgid int, dir string, baseDisk int64) *watchdog {
	w := &watchdog{lim: lim, root: root, pgid: pgid, dir: dir, baseDisk: baseDisk,
		stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *watchdog) run() {
	defer close(w.done)
	tick := time.NewTicker(watchEvery)
	defer tick.Stop()
	nextDisk := time.Now().Add(diskEveryMin)
	for {
		select {
		case <-w.stop:
			return
		case <-tick.C:
		}
		if w.lim.Processes > 0 || w.lim.Memory > 0 {
			tasks, rss, ok := treeUsage(w.root)
			switch {
			case !ok:
			// At the limit, not over it: where RLIMIT_NPROC holds, forks fail
			// there and the count never goes over.
			case w.lim.Processes > 0 && tasks >= w.lim.Processes:
				w.kill(fmt.Sprintf("the build reached its limit of %d processes and threads (it had %d)", w.lim.Processes, tasks))
				return
			case w.lim.Memory > 0 && rss > w.lim.Memory:
				w.kill(fmt.Sprintf("the build went over its memory limit of %s (its processes held %s)", FormatBytes(w.lim.Memory), FormatBytes(rss)))
				return
			}
		}
		if w.lim.Disk > 0 && !time.Now().Before(nextDisk) {
			start := time.Now()
			if over := w.diskOver(); over != "" {
				w.kill(over)
				return
			}
			nextDisk = time.Now().Add(max(diskEveryMin, diskCostShare*time.Since(start)))
		}
	}
}

func (w *watchdog) diskOver() string {
	if grown := diskUsage(w.dir) - w.baseDisk; grown > w.lim.Disk {
		return fmt.Sprintf("the build went over its disk limit of %s (it wrote %s in %s)", FormatBytes(w.lim.Disk), FormatBytes(grown), w.dir)
	}
	return ""
}

func (w *watchdog) kill(why string) {
	w.mu.Lock()
	w.over = why
	w.mu.Unlock()
	killGroup(w.pgid)
}

// finish stops the watchdog, measures the disk a last time (a build that
// wrote too much and exited before the next poll still fails) and returns
// why the step was killed, or went over, "" when it stayed within limits.
func (w *watchdog) finish() string {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.over == "" && w.lim.Disk > 0 {
		w.over = w.diskOver()
	}
	return w.over
}

// treeUsage sums the tasks (threads) and resident memory of root and every
// process descending from it; ok is false when /proc cannot be read.
func treeUsage(root int) (tasks int, rss int64, ok bool) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, 0, false
	}
	type proc struct {
		ppid, threads int
		rss           int64
	}
	procs := make(map[int]proc, len(entries))
	children := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // exited meanwhile
		}
		ppid, threads, pages, err := parseStatUsage(b)
		if err != nil {
			continue
		}
		procs[pid] = proc{ppid, threads, pages * int64(os.Getpagesize())}
		children[ppid] = append(children[ppid], pid)
	}
	if _, found := procs[root]; !found {
		return 0, 0, true
	}
	queue := []int{root}
	seen := map[int]bool{root: true}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		tasks += procs[p].threads
		rss += procs[p].rss
		for _, c := range children[p] {
			if !seen[c] {
				seen[c] = true
				queue = append(queue, c)
			}
		}
	}
	return tasks, rss, true
}

// parseStatUsage reads the parent, the thread count and the resident pages
// from /proc/PID/stat (fields 4, 20 and 24; comm may hold spaces and ')').
func parseStatUsage(b []byte) (ppid, threads int, rssPages int64, err error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, 0, errors.New("no comm")
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state).
	if len(f) < 22 {
		return 0, 0, 0, errors.New("short stat")
	}
	if ppid, err = strconv.Atoi(f[1]); err != nil {
		return 0, 0, 0, err
	}
	if threads, err = strconv.Atoi(f[17]); err != nil {
		return 0, 0, 0, err
	}
	if rssPages, err = strconv.ParseInt(f[21], 10, 64); err != nil {
		return 0, 0, 0, err
	}
	return ppid, threads, rssPages, nil
}
