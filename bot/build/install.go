package build

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// InstallAuto is the value of a project's `install` that asks for the
// install command to be chosen from the lockfile (see InstallCommand).
const InstallAuto = "auto"

// ErrNoLockfile is the error of InstallCommand when `install: auto` finds
// no lockfile, or several without a packageManager to choose between them.
var ErrNoLockfile = errors.New("no lockfile to choose the install command")

// lockfiles map a lockfile to its package manager, in the order they are
// looked for.
var lockfiles = []struct{ file, manager string }{
	{"pnpm-lock.yaml", "pnpm"},
	{"yarn.lock", "yarn"},
	{"package-lock.json", "npm"},
	{"npm-shrinkwrap.json", "npm"},
	{"bun.lock", "bun"},
	{"bun.lockb", "bun"},
}

// maxManifest bounds what is read of package.json and of yarn.lock's head.
const maxManifest = 1 << 20

// InstallCommand returns the command of an install step in dir: install
// itself, or for InstallAuto the frozen install of the package manager whose
// lockfile dir holds:
//
//	pnpm-lock.yaml               pnpm install --frozen-lockfile
//	yarn.lock (Yarn 2 and later) yarn install --immutable
//	yarn.lock (Yarn 1)           yarn install --frozen-lockfile
//	package-lock.json            npm ci
//	npm-shrinkwrap.json          npm ci
//	bun.lock, bun.lockb          bun install --frozen-lockfile
//
// With several lockfiles, package.json's packageManager chooses. Only
// regular files count: a link is never followed (the checkout is untrusted).
func InstallCommand(dir, install string) (string, error) {
	install = strings.TrimSpace(install)
	if install != InstallAuto {
		return install, nil
	}
	managers := map[string]string{} // manager -> its lockfile
	var order []string
	for _, l := range lockfiles {
		if !regularFile(filepath.Join(dir, l.file)) {
			continue
		}
		if _, seen := managers[l.manager]; !seen {
			order = append(order, l.manager)
			managers[l.manager] = l.file
		}
	}
	manager := ""
	switch len(order) {
	case 0:
		return "", fmt.Errorf("%w: install is auto but %s has none of %s; commit the lockfile or name the command (install: npm ci)",
			ErrNoLockfile, dir, lockfileNames())
	case 1:
		manager = order[0]
	default:
		pm := packageManager(filepath.Join(dir, "package.json"))
		if _, ok := managers[pm]; !ok {
			var files []string
			for _, m := range order {
				files = append(files, managers[m])
			}
			return "", fmt.Errorf("%w: install is auto and %s has several lockfiles (%s) and no packageManager in package.json naming one of them; remove the stale lockfiles or name the command",
				ErrNoLockfile, dir, strings.Join(files, ", "))
		}
		manager = pm
	}
	switch manager {
	case "pnpm":
		return "pnpm install --frozen-lockfile", nil
	case "yarn":
		if yarnClassic(filepath.Join(dir, "yarn.lock")) {
			return "yarn install --frozen-lockfile", nil
		}
		return "yarn install --immutable", nil
	case "bun":
		return "bun install --frozen-lockfile", nil
	default:
		return "npm ci", nil
	}
}

func lockfileNames() string {
	var names []string
	for _, l := range lockfiles {
		names = append(names, l.file)
	}
	return strings.Join(names, ", ")
}

// regularFile reports whether path is a regular file, not following links.
func regularFile(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode().IsRegular()
}

// readHead reads up to max bytes of a regular file (never through a link).
func readHead(path string, max int64) []byte {
	if !regularFile(path) {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return nil
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(f, max))
	return b
}

// packageManager is the manager named by package.json's packageManager
// ("pnpm@9.1.0" gives "pnpm"), "" when there is none.
func packageManager(path string) string {
	var pkg struct {
		PackageManager string `json:"packageManager"`
	}
	if json.Unmarshal(readHead(path, maxManifest), &pkg) != nil {
		return ""
	}
	name, _, _ := strings.Cut(strings.TrimSpace(pkg.PackageManager), "@")
	return name
}

// yarnClassic reports whether a yarn.lock was written by Yarn 1, whose
// lockfiles say so in their header ("# yarn lockfile v1"); Yarn 2 and later
// write YAML with a __metadata entry.
func yarnClassic(path string) bool {
	return strings.Contains(string(readHead(path, 4096)), "# yarn lockfile v1")
}
