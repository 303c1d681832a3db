package workspace

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// ErrCloneSource: a clone URL the server will not fetch from (a host other
// than the forge's, a local path, a malformed repository name).
var ErrCloneSource = errors.New("clone source refused")

// ClonePolicy decides where a forge's repository is fetched from, so that
// the forge's token only ever goes to that forge. A repository is cloned
// from its forge's configured web base and its full name; the clone URL a
// webhook payload names is only checked (it must be on the same host) and
// otherwise ignored, unless it starts with one of the Allow prefixes the
// server's operator configured (tests: a local directory, a loopback
// server).
type ClonePolicy struct {
	// Bases maps a forge ("github", "gitlab") to the web base its
	// repositories are cloned from, e.g. "https://github.com/" (see
	// GitHubWebBase). A forge without a base clones nothing.
	Bases map[string]string
	// Allow are clone URL or local path prefixes a payload's clone URL is
	// used as it is when it starts with (after normalisation). Tokens are
	// sent to an allowed http(s) URL.
	Allow []string
}

// Source returns the URL to fetch forge's repository fullPath
// ("owner/name", GitLab "group/sub/name") from, and whether the forge's
// token may be sent with it. payloadURL is the clone URL the webhook named
// (may be empty).
func (p *ClonePolicy) Source(forge, fullPath, payloadURL string) (cloneURL string, token bool, err error) {
	if payloadURL != "" {
		if norm, nerr := normaliseURL(payloadURL); nerr == nil && p.allowed(norm) {
			return norm, isHTTPURL(norm), nil
		}
	}
	base, ok := p.Bases[forge]
	if !ok || base == "" {
		return "", false, fmt.Errorf("%w: no %s server configured to clone %s from", ErrCloneSource, forge, fullPath)
	}
	if err := checkFullPath(fullPath); err != nil {
		return "", false, err
	}
	bu, err := url.Parse(base)
	if err != nil || (bu.Scheme != "https" && bu.Scheme != "http") || bu.Host == "" {
		return "", false, fmt.Errorf("%w: %s base %q is not an http(s) URL", ErrCloneSource, forge, base)
	}
	if payloadURL != "" {
		pu, perr := url.Parse(strings.TrimSpace(payloadURL))
		if perr != nil || !strings.Contains(payloadURL, "://") || !sameOrigin(bu, pu) {
			return "", false, fmt.Errorf("%w: the delivery names the clone URL %s, which is not on %s (the %s this repository belongs to); only the configured forge gets its token",
				ErrCloneSource, redactURL(payloadURL), bu.Scheme+"://"+bu.Host, forge)
		}
	}
	return strings.TrimRight(base, "/") + "/" + fullPath + ".git", true, nil
}

// allowed reports whether the normalised clone URL starts with an Allow
// prefix, at a path boundary.
func (p *ClonePolicy) allowed(norm string) bool {
	for _, a := range p.Allow {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if na, err := normaliseURL(a); err == nil {
			a = na
		}
		if norm == a || strings.HasPrefix(norm, strings.TrimRight(a, "/")+"/") {
			return true
		}
	}
	return false
}

// sameOrigin compares scheme, host and port; the default port may be
// spelt out or not.
func sameOrigin(a, b *url.URL) bool {
	if !strings.EqualFold(a.Scheme, b.Scheme) || !strings.EqualFold(a.Hostname(), b.Hostname()) {
		return false
	}
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if strings.EqualFold(u.Scheme, "https") {
			return "443"
		}
		return "80"
	}
	return port(a) == port(b)
}

// checkFullPath accepts "owner/name" and GitLab's "group/sub/name": path
// segments of letters, digits, '.', '_' and '-' that are neither "." nor
// ".." and do not start with '-'.
func checkFullPath(p string) error {
	segs := strings.Split(p, "/")
	if len(segs) < 2 || len(p) > 512 {
		return fmt.Errorf("%w: repository name %q is not owner/name", ErrCloneSource, p)
	}
	for _, s := range segs {
		if s == "" || s == "." || s == ".." || strings.HasPrefix(s, "-") {
			return fmt.Errorf("%w: repository name %q is not owner/name", ErrCloneSource, p)
		}
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
				return fmt.Errorf("%w: repository name %q holds %q", ErrCloneSource, p, r)
			}
		}
	}
	return nil
}

// redactURL shows a URL without its user info (a payload may carry one).
func redactURL(s string) string {
	if u, err := url.Parse(strings.TrimSpace(s)); err == nil && u.Scheme != "" {
		return u.Redacted()
	}
	if filepath.IsAbs(s) {
		return "a local path"
	}
	return fmt.Sprintf("%q", s)
}

// GitHubWebBase derives the web base repositories are cloned from out of a
// GitHub REST API URL: https://api.github.com/ → https://github.com/, a
// GitHub Enterprise Cloud data-residency api.SUBDOMAIN.ghe.com →
// SUBDOMAIN.ghe.com, a GitHub Enterprise Server https://HOST/api/v3/ →
// https://HOST/, and any other URL (a test server) → its own origin and
// path.
func GitHubWebBase(apiURL string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(apiURL))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("GitHub API URL %q is not an http(s) URL", apiURL)
	}
	host := strings.ToLower(u.Host)
	switch {
	case host == "api.github.com":
		return "https://github.com/", nil
	case strings.HasPrefix(host, "api.") && strings.HasSuffix(host, ".ghe.com"):
		return u.Scheme + "://" + strings.TrimPrefix(host, "api.") + "/", nil
	}
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, "/api/v3")
	return u.Scheme + "://" + u.Host + p + "/", nil
}
