// Command readall reads every regular file under a directory once with
// os.ReadFile, one goroutine per core, and prints the count and bytes. It is
// the floor the benchmark compares mpgate's analysis with.
//
//	go run ./internal/synth/cmd/readall DIR
package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: readall DIR")
		os.Exit(2)
	}
	files, bytes, err := readAll(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "readall:", err)
		os.Exit(1)
	}
	fmt.Printf("read %d files, %d bytes\n", files, bytes)
}

func readAll(root string) (int64, int64, error) {
	paths := make(chan string, 256)
	var files, bytes atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range paths {
				b, err := os.ReadFile(p)
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("read %s: %w", p, err) })
					continue
				}
				files.Add(1)
				bytes.Add(int64(len(b)))
			}
		}()
	}
	walkErr := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			paths <- p
		}
		return nil
	})
	close(paths)
	wg.Wait()
	if walkErr != nil {
		return 0, 0, fmt.Errorf("walk %s: %w", root, walkErr)
	}
	return files.Load(), bytes.Load(), firstErr
}
