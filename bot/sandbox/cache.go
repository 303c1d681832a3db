package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// repoCache returns the package cache of the repository wt is a linked
// worktree of, CacheDir/<name>-<hash>, created 0700; "" when wt is not a
// linked worktree (GitDirs finds no repository). The name comes from the
// repository's directory (the bot's mirror), the hash from its full path,
// so two mirrors never share a cache.
func repoCache(cacheDir, wt string) (string, error) {
	if !filepath.IsAbs(cacheDir) {
		return "", fmt.Errorf("cache directory %q is not absolute", cacheDir)
	}
	dirs := GitDirs(wt)
	if len(dirs) == 0 {
		return "", nil
	}
	repo := dirs[0] // the common directory: the mirror
	sum := sha256.Sum256([]byte(repo))
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, strings.TrimSuffix(filepath.Base(repo), ".git"))
	if len(name) > 60 {
		name = name[:60]
	}
	dir := filepath.Join(filepath.Clean(cacheDir), strings.TrimLeft(name, ".")+"-"+hex.EncodeToString(sum[:6]))
	if within(wt, dir) || within(dir, wt) {
		return "", fmt.Errorf("cache %s and worktree %s overlap", dir, wt)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}

// packageCacheEnv points the package managers at dir.
func packageCacheEnv(dir string) []string {
	return []string{
		"npm_config_cache=" + filepath.Join(dir, "npm"),
		"YARN_CACHE_FOLDER=" + filepath.Join(dir, "yarn"),          // Yarn 1
		"YARN_GLOBAL_FOLDER=" + filepath.Join(dir, "yarn-berry"),   // Yarn 2+: its global cache
		"npm_config_store_dir=" + filepath.Join(dir, "pnpm-store"), // pnpm
		"BUN_INSTALL_CACHE_DIR=" + filepath.Join(dir, "bun"),
		"COREPACK_HOME=" + filepath.Join(dir, "corepack"),
	}
}

// withCaches sets the cache variables of caches in env, unless env already
// has a value inside a writable directory (the operator's own cache).
func withCaches(env, caches, writable []string) []string {
	if len(caches) == 0 {
		return env
	}
	names := map[string]bool{}
	for _, kv := range caches {
		k, _, _ := strings.Cut(kv, "=")
		names[k] = true
	}
	var keep []string
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if names[strings.ToLower(k)] || names[k] || names[strings.ToUpper(k)] {
			if filepath.IsAbs(v) && covered(v, writable) {
				keep = append(keep, kv)
				continue
			}
			continue // not writable in the sandbox: ours instead
		}
		keep = append(keep, kv)
	}
	return withDefaults(keep, caches)
}
