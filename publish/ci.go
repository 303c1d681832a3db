package publish

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// CI is the continuous-integration system a process runs in.
type CI int

// The CI systems mpgate publishes from.
const (
	NoCI CI = iota
	GitHubActions
	GitLabCI
)

func (c CI) String() string {
	switch c {
	case GitHubActions:
		return "GitHub Actions"
	case GitLabCI:
		return "GitLab CI"
	}
	return "no CI"
}

// DetectCI tells the CI system from its variables: GITHUB_ACTIONS=true is
// GitHub Actions, GITLAB_CI=true GitLab CI (GitHub first, as a GitLab
// runner never sets GITHUB_ACTIONS).
func DetectCI(getenv func(string) string) CI {
	switch {
	case getenv("GITHUB_ACTIONS") == "true":
		return GitHubActions
	case getenv("GITLAB_CI") == "true":
		return GitLabCI
	}
	return NoCI
}

// ErrUsage marks errors of the environment or the arguments (a variable
// missing or malformed, a base commit not fetched): the caller's to fix,
// nothing was posted.
var ErrUsage = errors.New("publish: usage")

type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == ErrUsage }

// Usagef returns an error matching ErrUsage whose message is the
// formatted text alone.
func Usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// Request is what the changelog gate reads of a pull or merge request.
type Request struct {
	Title, Body string
	Labels      []string
}

// IsZeroSHA: a push that created a branch has before = 000…0.
func IsZeroSHA(s string) bool { return strings.Trim(s, "0") == "" }

// SafeFileName keeps letters, digits, '-', '_' and '.' of s (a project's
// name in a file name).
func SafeFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// ReadToken reads a token file, trimmed; what names the command in errors.
func ReadToken(path, what string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", Usagef("%s: --token-file: %v", what, err)
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		return "", Usagef("%s: --token-file %s is empty", what, path)
	}
	return token, nil
}

// Mark returns err, also matching sentinel (ErrForbidden, ErrUnauthorized):
// how a Target maps its forge's errors without changing their text. A nil
// err stays nil.
func Mark(err, sentinel error) error {
	if err == nil {
		return nil
	}
	return &marked{err: err, sentinel: sentinel}
}

type marked struct{ err, sentinel error }

func (m *marked) Error() string   { return m.err.Error() }
func (m *marked) Unwrap() []error { return []error{m.err, m.sentinel} }

// CommentEnabled reads MPGATE_COMMENT (the action's comment input): true
// unless it says false.
func CommentEnabled(getenv func(string) string) (bool, error) {
	v := getenv("MPGATE_COMMENT")
	if v == "" {
		return true, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, Usagef("MPGATE_COMMENT=%q: want true or false", v)
	}
	return b, nil
}
