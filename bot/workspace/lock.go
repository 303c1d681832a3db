package workspace

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
)

// dirLocks holds one semaphore per mirror directory, so that two jobs in
// this process never fetch the same mirror at once. A file lock (flock on
// Unix) does the same across processes; the in-process semaphore lets a
// waiting job honour its context without polling.
var dirLocks sync.Map // string -> chan struct{}

// lockDir takes the lock of a mirror directory: the in-process semaphore,
// then an exclusive lock on the file dir+".lock". It gives up when ctx is
// done.
func lockDir(ctx context.Context, dir string) (unlock func(), err error) {
	return lockRepo(ctx, dir, true)
}

// lockRepo takes the in-process semaphore of key (an absolute repository
// directory) and, when withFile is set, the file lock key+".lock" too. Git
// itself does not tolerate two worktree additions at once, nor a fetch while
// a worktree is half made ("failed to read .git/worktrees/x/commondir"), so
// every such change to one repository goes through here.
func lockRepo(ctx context.Context, key string, withFile bool) (unlock func(), err error) {
	v, _ := dirLocks.LoadOrStore(key, make(chan struct{}, 1))
	sem := v.(chan struct{})
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the lock of %s: %w", key, ctx.Err())
	}
	if !withFile {
		return func() { <-sem }, nil
	}
	unlockFile, err := lockFile(ctx, key+".lock")
	if err != nil {
		<-sem
		return nil, fmt.Errorf("lock %s: %w", key, err)
	}
	return func() {
		unlockFile()
		<-sem
	}, nil
}

// repoKey is the lock key of a repository directory.
func repoKey(repoDir string) string {
	if abs, err := filepath.Abs(repoDir); err == nil {
		return abs
	}
	return filepath.Clean(repoDir)
}
