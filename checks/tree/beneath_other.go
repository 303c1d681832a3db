//go:build !linux

package tree

import "os"

// beneathDir: only Linux opens a path beneath a directory in one call.
type beneathDir struct{}

func openBeneathDir(*os.Root) *beneathDir { return nil }

func (*beneathDir) close() {}

func (*beneathDir) open(string) (*os.File, bool) { return nil, false }

func (*beneathDir) readFile(string, int64) ([]byte, bool) { return nil, false }

func (*beneathDir) openDir(string) (*os.File, bool) { return nil, false }

func statEntries(_ *os.File, entries []os.DirEntry) []os.DirEntry { return entries }
