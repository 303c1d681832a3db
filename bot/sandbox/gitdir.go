package sandbox

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
)

// maxGitFile bounds what is read of a .git file or a commondir file; both
// hold one path.
const maxGitFile = 4096

// GitDirs returns the directories a linked worktree's git commands need
// besides the worktree: the repository's common directory (a bare mirror)
// and the worktree's own administrative directory when it lies outside
// that. It returns nil when the worktree's .git is a directory (already
// inside the worktree) or missing, when the files do not parse, and when a
// directory is not absolute, does not exist, is / or contains the worktree
// (binding it would show the build what lies next to the worktree).
//
// The .git file is in the worktree, which a build writes: an install step
// could point it anywhere before the build step is wrapped. So the
// administrative directory must point back at this worktree (its gitdir
// file names this .git, as git writes it); no other directory on the host
// does.
func GitDirs(worktree string) []string {
	wt := filepath.Clean(worktree)
	gitFile := filepath.Join(wt, ".git")
	st, err := os.Lstat(gitFile)
	if err != nil || !st.Mode().IsRegular() {
		return nil
	}
	gitdir, ok := parseGitFile(readSmall(gitFile))
	if !ok {
		return nil
	}
	if !filepath.IsAbs(gitdir) {
		gitdir = filepath.Join(wt, gitdir)
	}
	gitdir = filepath.Clean(gitdir)
	if !pointsBack(gitdir, gitFile) {
		return nil
	}
	common := gitdir
	if c, ok := parseCommondir(readSmall(filepath.Join(gitdir, "commondir"))); ok {
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitdir, c)
		}
		common = filepath.Clean(c)
	}
	var out []string
	for _, d := range []string{common, gitdir} {
		if covered(d, out) || within(d, wt) { // already bound
			continue
		}
		if d == "/" || within(wt, d) {
			return nil
		}
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return nil
		}
		out = append(out, d)
	}
	return out
}

// pointsBack reports whether the administrative directory gitdir names
// gitFile in its own gitdir file (gitrepository-layout(5): worktrees/<id>/gitdir).
func pointsBack(gitdir, gitFile string) bool {
	fi, err := os.Lstat(filepath.Join(gitdir, "gitdir"))
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	back, ok := oneLine(readSmall(filepath.Join(gitdir, "gitdir")))
	if !ok || !filepath.IsAbs(back) {
		return false
	}
	a, err1 := os.Stat(back)
	b, err2 := os.Stat(gitFile)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

func readSmall(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	b := make([]byte, maxGitFile+1)
	n, _ := f.Read(b)
	if n > maxGitFile {
		return nil
	}
	return b[:n]
}

// parseGitFile reads a linked worktree's .git file: "gitdir: PATH", one
// line, as git writes it (see gitrepository-layout(5)).
func parseGitFile(b []byte) (string, bool) {
	line, ok := oneLine(b)
	if !ok {
		return "", false
	}
	path, found := strings.CutPrefix(line, "gitdir: ")
	if !found || strings.TrimSpace(path) == "" {
		return "", false
	}
	return path, true
}

// parseCommondir reads a worktree administrative directory's commondir
// file: one path, usually "../..".
func parseCommondir(b []byte) (string, bool) {
	line, ok := oneLine(b)
	if !ok || strings.TrimSpace(line) == "" {
		return "", false
	}
	return line, true
}

// oneLine is b's single line without its line ending; false for empty
// input, several lines or a NUL byte.
func oneLine(b []byte) (string, bool) {
	if len(b) == 0 || bytes.IndexByte(b, 0) >= 0 {
		return "", false
	}
	s := strings.TrimSuffix(string(b), "\n")
	s = strings.TrimSuffix(s, "\r")
	if strings.ContainsAny(s, "\n\r") {
		return "", false
	}
	return s, true
}
