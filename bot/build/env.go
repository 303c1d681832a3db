package build

import (
	"fmt"
	"sort"
	"strings"
)

// allowedEnv are the variables of mpgate's own environment a build sees:
// what package managers and toolchains need to find themselves, their caches
// and the network. docs/builds.md lists them; keep both in step.
var allowedEnv = map[string]bool{
	"PATH": true, "HOME": true, "USER": true, "LOGNAME": true, "SHELL": true,
	"LANG": true, "LANGUAGE": true, "TERM": true, "TZ": true,
	"TMPDIR": true, "TMP": true, "TEMP": true, "CI": true,
	"XDG_CACHE_HOME": true, "XDG_CONFIG_HOME": true, "XDG_DATA_HOME": true,
	// Node and its package managers.
	"NODE_OPTIONS": true, "NODE_EXTRA_CA_CERTS": true,
	"npm_config_cache": true, "NPM_CONFIG_CACHE": true,
	"npm_config_registry": true, "NPM_CONFIG_REGISTRY": true,
	"NVM_DIR": true, "NVM_BIN": true, "PNPM_HOME": true,
	"YARN_CACHE_FOLDER": true, "YARN_REGISTRY": true,
	"COREPACK_HOME": true, "COREPACK_NPM_REGISTRY": true,
	// Go and Java toolchains.
	"GOPATH": true, "GOCACHE": true, "GOMODCACHE": true, "GOFLAGS": true,
	"GOPROXY": true, "GOTOOLCHAIN": true, "JAVA_HOME": true,
	// Network.
	"HTTP_PROXY": true, "HTTPS_PROXY": true, "NO_PROXY": true, "ALL_PROXY": true,
	"http_proxy": true, "https_proxy": true, "no_proxy": true, "all_proxy": true,
	"SSL_CERT_FILE": true, "SSL_CERT_DIR": true,
}

// allowedPrefixes are families of allowed variables.
var allowedPrefixes = []string{"LC_"}

// secretParts make a variable secret-looking wherever they occur in its name
// (compared in upper case); secretPrefixes when its name starts with them.
// A secret-looking variable never reaches a build, even when Spec.Env names it.
var (
	secretParts    = []string{"TOKEN", "SECRET", "KEY", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "JWT", "AUTH", "COOKIE", "SESSION"}
	secretPrefixes = []string{"GITHUB_", "GITLAB_", "ACTIONS_", "RUNNER_", "MPGATE_", "CI_JOB_"}
)

// IsSecretName reports whether an environment variable's name looks like it
// holds a credential (see docs/builds.md).
func IsSecretName(name string) bool {
	up := strings.ToUpper(name)
	for _, p := range secretPrefixes {
		if strings.HasPrefix(up, p) {
			return true
		}
	}
	for _, p := range secretParts {
		if strings.Contains(up, p) {
			return true
		}
	}
	return false
}

// IsAllowedName reports whether a build sees the variable name from mpgate's
// own environment without being asked.
func IsAllowedName(name string) bool {
	if IsSecretName(name) {
		return false
	}
	if allowedEnv[name] {
		return true
	}
	for _, p := range allowedPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// Environ returns a build's environment: the allowed variables of parent
// (normally os.Environ()), then extra, whose entries are "NAME=value" (set
// or override) or a bare "NAME" (pass NAME from parent when it is set).
// Secret-looking names are dropped from both and returned in dropped
// (the names of extra entries only; parent's are dropped silently). The
// result is sorted by name, one entry per name.
func Environ(parent, extra []string) (env, dropped []string, err error) {
	vars := map[string]string{}
	parentVars := map[string]string{}
	for _, kv := range parent {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		parentVars[k] = v
		if IsAllowedName(k) {
			vars[k] = v
		}
	}
	for _, e := range extra {
		k, v, hasValue := strings.Cut(e, "=")
		if k == "" || strings.ContainsAny(k, "\x00 \t\n") || strings.ContainsRune(v, 0) {
			return nil, nil, fmt.Errorf("build environment entry %q: want NAME=value or NAME", e)
		}
		if IsSecretName(k) {
			dropped = append(dropped, k)
			continue
		}
		if hasValue {
			vars[k] = v
		} else if pv, ok := parentVars[k]; ok {
			vars[k] = pv
		}
	}
	env = make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env, dropped, nil
}
