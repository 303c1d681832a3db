package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
)

// dirLocks holds one semaphore per mirror directory, so that two jobs in
// this process never fetch the same mirror at once. flock (below) does the
// same across processes; the in-process semaphore lets a waiting job honour
// its context without polling.
var dirLocks sync.Map // string -> chan struct{}

// lockPoll is how often a job waiting for another process's fetch retries.
const lockPoll = 50 * time.Millisecond

// lockDir takes the lock of dir: the in-process semaphore, then an exclusive
// flock on dir+".lock". It gives up when ctx is done.
func lockDir(ctx context.Context, dir string) (unlock func(), err error) {
	v, _ := dirLocks.LoadOrStore(dir, make(chan struct{}, 1))
	sem := v.(chan struct{})
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the lock of %s: %w", dir, ctx.Err())
	}
	release := func() { <-sem }

	f, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		release()
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			release()
			return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		t := time.NewTimer(lockPoll)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			_ = f.Close()
			release()
			return nil, fmt.Errorf("wait for the lock of %s (held by another process): %w", dir, ctx.Err())
		}
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
		release()
	}, nil
}
