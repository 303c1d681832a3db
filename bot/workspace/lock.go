package workspace

import (
	"context"
	"fmt"
	"sync"
)

// dirLocks holds one semaphore per mirror directory, so that two jobs in
// this process never fetch the same mirror at once. A file lock (flock on
// Unix) does the same across processes; the in-process semaphore lets a
// waiting job honour its context without polling.
var dirLocks sync.Map // string -> chan struct{}

// lockDir takes the lock of dir: the in-process semaphore, then an exclusive
// lock on the file dir+".lock". It gives up when ctx is done.
func lockDir(ctx context.Context, dir string) (unlock func(), err error) {
	v, _ := dirLocks.LoadOrStore(dir, make(chan struct{}, 1))
	sem := v.(chan struct{})
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the lock of %s: %w", dir, ctx.Err())
	}
	unlockFile, err := lockFile(ctx, dir+".lock")
	if err != nil {
		<-sem
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return func() {
		unlockFile()
		<-sem
	}, nil
}
