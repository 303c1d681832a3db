package cilog

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/mpgate/mpgate/publish"
)

// DefaultBuildLogDir is where the build logs are kept without --build-log:
// next to the JSON result on GitHub Actions ($RUNNER_TEMP, which the Action
// uploads), next to the Code Quality report on GitLab CI ($CI_PROJECT_DIR,
// for the job's artifacts); "" elsewhere (a temporary directory, removed).
func DefaultBuildLogDir(getenv func(string) string) string {
	switch publish.DetectCI(getenv) {
	case publish.GitHubActions:
		if d := getenv("RUNNER_TEMP"); d != "" {
			return filepath.Join(d, "mpgate-build-logs")
		}
	case publish.GitLabCI:
		if d := getenv("CI_PROJECT_DIR"); d != "" {
			return filepath.Join(d, "mpgate-build-logs")
		}
	}
	return ""
}

// MaxGroupBytes is how much of a build log a CI log shows (its end); the
// file has it all.
const MaxGroupBytes = 1 << 20

// Log writes the progress of `check --base` to stderr: one line per
// phase on any output (a CI log is no terminal and was silent for minutes),
// and each build's output in a collapsible group on GitHub Actions
// (::group::) and GitLab CI (section_start).
type Log struct {
	w       io.Writer
	service publish.CI
	keep    bool // the logs outlive the run: print their paths
	now     func() time.Time
	token   func() string // GitHub's stop-commands token
	n       int           // sections opened
}

func New(w io.Writer, getenv func(string) string, keep bool) *Log {
	return &Log{w: w, service: publish.DetectCI(getenv), keep: keep, now: time.Now, token: randomToken}
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// phase prints one progress line.
func (l *Log) Phase(msg string) {
	fmt.Fprintln(l.w, "mpgate: "+oneLine(msg))
}

// oneLine folds whitespace runs (a progress line, a group's title).
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// escapeWorkflowData escapes a workflow command's value.
func escapeWorkflowData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

var sectionName = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// build shows a build's log: in a folded group on GitHub and GitLab, else
// (a terminal, a plain log) one line with where the log is.
func (l *Log) Build(title, logPath string) {
	title = oneLine(title)
	switch l.service {
	case publish.GitHubActions:
		// The build's output may hold workflow commands (::add-mask::,
		// ::error::…): they are not obeyed between stop-commands and
		// its token.
		tok := l.token()
		fmt.Fprintf(l.w, "::group::mpgate: %s\n::stop-commands::%s\n", escapeWorkflowData(title), tok)
		l.copyLog(logPath)
		fmt.Fprintf(l.w, "::%s::\n::endgroup::\n", tok)
	case publish.GitLabCI:
		l.n++
		name := sectionName.ReplaceAllString(fmt.Sprintf("mpgate_build_%d", l.n), "_")
		fmt.Fprintf(l.w, "\x1b[0Ksection_start:%d:%s[collapsed=true]\r\x1b[0Kmpgate: %s\n", l.now().Unix(), name, title)
		l.copyLog(logPath)
		fmt.Fprintf(l.w, "\x1b[0Ksection_end:%d:%s\r\x1b[0K\n", l.now().Unix(), name)
	}
	if l.keep {
		fmt.Fprintf(l.w, "mpgate: %s; full log: %s\n", title, logPath)
	} else if l.service == publish.NoCI {
		fmt.Fprintf(l.w, "mpgate: %s\n", title)
	}
}

// copyLog writes the end of the log (at most MaxGroupBytes), ending with a
// newline.
func (l *Log) copyLog(path string) {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(l.w, "(the build log cannot be read: %v)\n", err)
		return
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > MaxGroupBytes {
		fmt.Fprintf(l.w, "(the first %d bytes are only in %s)\n", st.Size()-MaxGroupBytes, path)
		if _, err := f.Seek(st.Size()-MaxGroupBytes, io.SeekStart); err != nil {
			fmt.Fprintf(l.w, "(the build log cannot be read: %v)\n", err)
			return
		}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxGroupBytes))
	if err != nil {
		fmt.Fprintf(l.w, "(the build log cannot be read: %v)\n", err)
	}
	if len(data) == 0 {
		fmt.Fprintln(l.w, "(no output)")
		return
	}
	_, _ = l.w.Write(data)
	if data[len(data)-1] != '\n' {
		fmt.Fprintln(l.w)
	}
}
