package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Auth is how a mirror authenticates to the forge over HTTPS. The token goes
// to git in its environment only (as an http.<origin>.extraHeader set through
// GIT_CONFIG_COUNT): never on a command line, in a URL, in the mirror's
// config on disk or in an error.
type Auth struct {
	// Username for HTTP basic auth. Empty means "x-access-token" (GitHub App
	// installation tokens); GitLab tokens use "oauth2".
	Username string
	// Token is the password; empty means anonymous.
	Token string
}

// fetchSpecs are the refs a mirror keeps: branches, tags, GitHub pull
// request heads and GitLab merge request heads.
var fetchSpecs = []string{
	"+refs/heads/*:refs/heads/*",
	"+refs/tags/*:refs/tags/*",
	"+refs/pull/*/head:refs/pull/*/head",
	"+refs/merge-requests/*/head:refs/merge-requests/*/head",
}

// fetchedRefPrefix is where FetchRef keeps commits fetched by object name,
// so that they stay reachable.
const fetchedRefPrefix = "refs/mpgate/fetched/"

// Mirror is a bare repository that mirrors one remote repository under a
// cache directory. Fetches and worktree additions of one mirror are
// serialised (in this process and across processes sharing the cache); the
// worktrees are then used in parallel.
type Mirror struct {
	Dir string // absolute path of the bare repository

	url  string // clone URL without credentials
	auth Auth
}

// OpenMirror returns the mirror of cloneURL under cacheDir, cloning it the
// first time and fetching it (branches, tags, pull and merge request heads,
// pruned) when it exists. cloneURL is an https, ssh or file URL or a local
// path; credentials belong in auth, never in the URL.
func OpenMirror(ctx context.Context, cacheDir, cloneURL string, auth Auth) (*Mirror, error) {
	u, err := normaliseURL(cloneURL)
	if err != nil {
		return nil, fmt.Errorf("open mirror: %w", err)
	}
	if auth.Token != "" && !isHTTPURL(u) {
		return nil, fmt.Errorf("open mirror of %s: a token needs an http(s) URL", u)
	}
	cache, err := filepath.Abs(cacheDir)
	if err != nil {
		return nil, fmt.Errorf("open mirror of %s: %w", u, err)
	}
	if err := os.MkdirAll(cache, 0o700); err != nil {
		return nil, fmt.Errorf("open mirror of %s: %w", u, err)
	}
	m := &Mirror{Dir: filepath.Join(cache, MirrorName(u)), url: u, auth: auth}
	unlock, err := lockDir(ctx, m.Dir)
	if err != nil {
		return nil, fmt.Errorf("open mirror of %s: %w", u, err)
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(m.Dir, "HEAD")); err == nil {
		if err := m.update(ctx); err != nil {
			return nil, fmt.Errorf("update mirror of %s: %w", u, err)
		}
		return m, nil
	}
	if err := m.clone(ctx, cache); err != nil {
		return nil, fmt.Errorf("clone mirror of %s: %w", u, err)
	}
	return m, nil
}

// clone creates the bare repository beside its final place, fetches into it
// and renames it, so a failed clone leaves nothing behind.
func (m *Mirror) clone(ctx context.Context, cache string) error {
	if err := os.RemoveAll(m.Dir); err != nil { // a broken leftover without HEAD
		return err
	}
	tmp, err := os.MkdirTemp(cache, filepath.Base(m.Dir)+".tmp-")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			_ = os.RemoveAll(tmp)
		}
	}()
	steps := [][]string{
		{"init", "--bare", "--quiet", "--template=", tmp},
		{"-C", tmp, "config", "remote.origin.url", m.url},
		{"-C", tmp, "config", "core.logAllRefUpdates", "false"},
	}
	for _, spec := range fetchSpecs {
		steps = append(steps, []string{"-C", tmp, "config", "--add", "remote.origin.fetch", spec})
	}
	for _, args := range steps {
		if _, err := git(ctx, cache, args...); err != nil {
			return err
		}
	}
	tm := &Mirror{Dir: tmp, url: m.url, auth: m.auth}
	if err := tm.fetch(ctx, fetchSpecs); err != nil {
		return err
	}
	if err := tm.syncHEAD(ctx); err != nil {
		return err
	}
	if err := os.Rename(tmp, m.Dir); err != nil {
		return err
	}
	ok = true
	return nil
}

// Update fetches the mirror again. Like OpenMirror on an existing mirror it
// also follows a change of the remote's default branch once the old one is
// gone.
func (m *Mirror) Update(ctx context.Context) error {
	unlock, err := lockDir(ctx, m.Dir)
	if err != nil {
		return fmt.Errorf("update mirror of %s: %w", m.url, err)
	}
	defer unlock()
	if err := m.update(ctx); err != nil {
		return fmt.Errorf("update mirror of %s: %w", m.url, err)
	}
	return nil
}

// update fetches and repairs a HEAD left pointing at a deleted branch.
func (m *Mirror) update(ctx context.Context) error {
	if err := m.fetch(ctx, fetchSpecs); err != nil {
		return err
	}
	if _, err := git(ctx, m.Dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"); err != nil {
		return m.syncHEAD(ctx)
	}
	return nil
}

// syncHEAD points the mirror's HEAD at the remote's default branch, as a
// clone would. A remote without one (an empty repository) leaves HEAD alone.
func (m *Mirror) syncHEAD(ctx context.Context) error {
	env, secrets, err := m.authEnv()
	if err != nil {
		return err
	}
	in := &invocation{dir: m.Dir, args: []string{"-c", "credential.helper=", "ls-remote", "--symref", "origin", "HEAD"}, env: env, redact: secrets}
	out, err := in.run(ctx)
	if err != nil {
		return fmt.Errorf("find the default branch: %w", err)
	}
	target := parseSymref(string(out))
	if target == "" {
		return nil
	}
	if _, err := git(ctx, m.Dir, "symbolic-ref", "HEAD", target); err != nil {
		return fmt.Errorf("set HEAD to %s: %w", target, err)
	}
	return nil
}

// parseSymref reads "ref: refs/heads/main\tHEAD" from ls-remote --symref.
func parseSymref(out string) string {
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(line, "ref: ")
		if !ok {
			continue
		}
		target, name, ok := strings.Cut(rest, "\t")
		if ok && name == "HEAD" && strings.HasPrefix(target, "refs/heads/") && checkRev(target) == nil {
			return target
		}
	}
	return ""
}

// DefaultBranch returns the branch the mirror's HEAD names ("main"), which
// follows the remote's default branch.
func (m *Mirror) DefaultBranch(ctx context.Context) (string, error) {
	out, err := git(ctx, m.Dir, "symbolic-ref", "--short", "HEAD")
	if err != nil {
		return "", fmt.Errorf("default branch of the mirror of %s: %w", m.url, err)
	}
	return out, nil
}

// FetchRef fetches one more ref or commit the regular refspecs do not cover
// (or that appeared since): a full ref name ("refs/pull/7/merge"), a branch
// name ("main" means refs/heads/main) or a full object name. A commit fetched
// by name is kept under refs/mpgate/fetched/. Nothing is fetched when a
// named commit is already present.
func (m *Mirror) FetchRef(ctx context.Context, ref string) error {
	if err := checkRev(ref); err != nil {
		return fmt.Errorf("fetch %q into mirror of %s: %w", ref, m.url, err)
	}
	if strings.ContainsAny(ref, ":*^~?[\\ \t") || strings.Contains(ref, "..") || strings.HasSuffix(ref, "/") {
		return fmt.Errorf("fetch %q into mirror of %s: not a ref name or object name", ref, m.url)
	}
	var spec string
	switch {
	case isHexName(strings.ToLower(ref)):
		sha := strings.ToLower(ref)
		if _, err := git(ctx, m.Dir, "cat-file", "-e", sha+"^{commit}"); err == nil {
			return nil
		}
		spec = "+" + sha + ":" + fetchedRefPrefix + sha
	case strings.HasPrefix(ref, "refs/"):
		spec = "+" + ref + ":" + ref
	default:
		spec = "+refs/heads/" + ref + ":refs/heads/" + ref
	}
	unlock, err := lockDir(ctx, m.Dir)
	if err != nil {
		return fmt.Errorf("fetch %q into mirror of %s: %w", ref, m.url, err)
	}
	defer unlock()
	if err := m.fetch(ctx, []string{spec}); err != nil {
		return fmt.Errorf("fetch %q into mirror of %s: %w", ref, m.url, err)
	}
	return nil
}

// Worktree checks rev out of the mirror, detached, into dir. It waits for a
// fetch of the mirror in progress (git cannot do both at once).
func (m *Mirror) Worktree(ctx context.Context, dir, rev string) (*Worktree, error) {
	return addWorktree(ctx, m.Dir, dir, rev, true)
}

// fetch runs git fetch with the credentials in the environment. The caller
// holds the lock.
func (m *Mirror) fetch(ctx context.Context, specs []string) error {
	env, secrets, err := m.authEnv()
	if err != nil {
		return err
	}
	args := []string{
		"-c", "credential.helper=", // no helper from anywhere
		"-c", "gc.autoDetach=false",
		"fetch", "--prune", "--no-tags", "--quiet", "--no-write-fetch-head", "--no-recurse-submodules",
		"origin",
	}
	args = append(args, specs...)
	in := &invocation{dir: m.Dir, args: args, env: env, redact: secrets}
	if _, err = in.run(ctx); err != nil {
		var ge *GitError
		if errors.As(err, &ge) && isAuthFailure(ge.Stderr) {
			if m.auth.Token == "" {
				return fmt.Errorf("%w (the repository needs credentials and none were given)", err)
			}
			return fmt.Errorf("%w (the token was refused: check that it is valid and can read the repository)", err)
		}
		return err
	}
	return nil
}

// isAuthFailure recognises git's messages for rejected or missing HTTP
// credentials (with prompts disabled, a 401 shows as a failed prompt).
func isAuthFailure(stderr string) bool {
	for _, s := range []string{"could not read Username", "could not read Password", "Authentication failed", "The requested URL returned error: 403", "The requested URL returned error: 401"} {
		if strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}

// authEnv returns the environment that carries the token, and the strings to
// redact from errors.
func (m *Mirror) authEnv() (env, secrets []string, err error) {
	if m.auth.Token == "" {
		return nil, nil, nil
	}
	u, err := url.Parse(m.url)
	if err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", m.url, err)
	}
	user := m.auth.Username
	if user == "" {
		user = "x-access-token"
	}
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + m.auth.Token))
	header := "Authorization: Basic " + basic
	origin := u.Scheme + "://" + u.Host + "/"
	env = []string{
		"GIT_CONFIG_COUNT=1",
		"GIT_CONFIG_KEY_0=http." + origin + ".extraHeader",
		"GIT_CONFIG_VALUE_0=" + header,
	}
	return env, []string{header, basic, m.auth.Token}, nil
}

// URL returns the clone URL the mirror fetches from (without credentials).
func (m *Mirror) URL() string { return m.url }

func isHTTPURL(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// normaliseURL checks cloneURL and returns the form stored in the mirror's
// config: http(s) URLs without user info, local paths absolute.
func normaliseURL(cloneURL string) (string, error) {
	s := strings.TrimSpace(cloneURL)
	switch {
	case s == "":
		return "", errors.New("empty clone URL")
	case strings.HasPrefix(s, "-"):
		return "", fmt.Errorf("clone URL %q starts with '-'", s)
	case strings.ContainsAny(s, "\x00\n\r"):
		return "", errors.New("clone URL contains a control character")
	}
	if helper := strings.Index(s, "::"); helper >= 0 {
		if sep := strings.Index(s, "://"); sep < 0 || helper < sep {
			return "", fmt.Errorf("clone URL: unsupported scheme %q (remote helpers are not allowed)", s[:helper])
		}
	}
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return "", fmt.Errorf("bad clone URL: %w", errors.New(strings.ReplaceAll(err.Error(), s, "<url>")))
		}
		if _, hasPass := u.User.Password(); hasPass {
			return "", fmt.Errorf("clone URL %s carries a password: pass the token as Auth instead", u.Redacted())
		}
		switch u.Scheme {
		case "http", "https":
			if u.User != nil {
				return "", fmt.Errorf("clone URL %s carries a user name: pass it as Auth.Username instead", u.Redacted())
			}
			if err := checkHost(u); err != nil {
				return "", fmt.Errorf("clone URL %s: %w", u.Redacted(), err)
			}
		case "ssh", "git":
			if err := checkHost(u); err != nil {
				return "", fmt.Errorf("clone URL %s: %w", u.Redacted(), err)
			}
		case "file":
		default:
			return "", fmt.Errorf("clone URL %s: unsupported scheme %q", u.Redacted(), u.Scheme)
		}
		if !strings.HasPrefix(s, u.Scheme+"://") {
			return "", fmt.Errorf("clone URL %s is not scheme://host/path", u.Redacted())
		}
		if len(u.Path) > 1 {
			s = strings.TrimRight(s, "/")
		}
		return s, nil
	}
	if isSCPLike(s) {
		return s, nil // user@host:path
	}
	abs, err := filepath.Abs(s)
	if err != nil {
		return "", fmt.Errorf("clone path %s: %w", s, err)
	}
	return abs, nil
}

// checkHost accepts a host name (letters, digits, '.', '-', '_') or a
// bracketed IPv6 address, with an optional numeric port ("ssh://::" has
// neither).
func checkHost(u *url.URL) error {
	h := u.Hostname()
	if h == "" {
		return errors.New("no host")
	}
	if strings.HasPrefix(u.Host, "[") {
		if ip := net.ParseIP(h); ip == nil || ip.To4() != nil {
			return fmt.Errorf("host %q is not an IPv6 address", u.Host)
		}
	} else {
		for _, r := range h {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
				return fmt.Errorf("host %q holds %q", h, r)
			}
		}
	}
	for _, r := range u.Port() {
		if r < '0' || r > '9' {
			return fmt.Errorf("port %q is not a number", u.Port())
		}
	}
	return nil
}

// isSCPLike reports git's "host:path" form: a colon before any slash.
func isSCPLike(s string) bool {
	colon := strings.IndexByte(s, ':')
	slash := strings.IndexByte(s, '/')
	return colon > 0 && (slash < 0 || colon < slash)
}

// MirrorName is the directory name of the mirror of a (normalised) clone
// URL: a readable part of the URL made of [A-Za-z0-9_-] and a hash of the
// whole URL, so that distinct URLs never share a directory and no URL can
// name a path outside the cache.
func MirrorName(cloneURL string) string {
	sum := sha256.Sum256([]byte(cloneURL))
	readable := cloneURL
	if i := strings.Index(readable, "://"); i >= 0 {
		readable = readable[i+3:]
	}
	readable = strings.TrimSuffix(strings.TrimRight(readable, "/"), ".git")
	var b strings.Builder
	lastSep := true
	for _, r := range readable {
		ok := r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-')
		if ok {
			b.WriteRune(r)
			lastSep = false
		} else if !lastSep {
			b.WriteByte('_')
			lastSep = true
		}
		if b.Len() >= 80 {
			break
		}
	}
	name := strings.Trim(b.String(), "_")
	if name == "" {
		name = "repo"
	}
	return name + "-" + hex.EncodeToString(sum[:6]) + ".git"
}
