// Package buildinfo says which mpgate is running: the version, commit and
// date stamped by the release build, else those the Go toolchain recorded
// in the binary (a go install of a tag, a build in a git checkout).
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Info is what `mpgate version` prints.
type Info struct {
	Version  string // v1.2.3, or "devel"
	Commit   string // full revision, "-dirty" appended for a modified tree; "" when unknown
	Date     string // RFC 3339; "" when unknown
	Go       string // go1.26.8
	Platform string // linux/amd64
}

// Read combines the values stamped at build time (version, commit and
// date; "" when not stamped) with debug.ReadBuildInfo.
func Read(version, commit, date string) Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return Resolve(version, commit, date, bi)
}

// Resolve prefers the stamped values, then the build information's.
func Resolve(v, rev, when string, bi *debug.BuildInfo) Info {
	dirty := false
	if bi != nil {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" {
					rev = s.Value
				}
			case "vcs.time":
				if when == "" {
					when = s.Value
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	if dirty && rev != "" && !strings.HasSuffix(rev, "-dirty") {
		rev += "-dirty"
	}
	return Info{Version: v, Commit: rev, Date: when, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
}

// Long is `mpgate version`'s output: one "key: value" line each, so
// scripts can grep it.
func (b Info) Long() string {
	unknown := func(s string) string {
		if s == "" {
			return "unknown"
		}
		return s
	}
	return fmt.Sprintf("mpgate %s\ncommit: %s\ndate: %s\ngo: %s %s\n", b.Version, unknown(b.Commit), unknown(b.Date), b.Go, b.Platform)
}

// Short is "mpgate VERSION (GOVERSION, COMMIT12)" for logs.
func (b Info) Short() string {
	details := []string{b.Go}
	if b.Commit != "" {
		rev, dirty := strings.CutSuffix(b.Commit, "-dirty")
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if dirty {
			rev += "-dirty"
		}
		details = append(details, rev)
	}
	return "mpgate " + b.Version + " (" + strings.Join(details, ", ") + ")"
}

// UserAgent is the forge clients' User-Agent: mpgate/VERSION, or mpgate
// when the version is not stamped.
func UserAgent(version string) string {
	if version == "" {
		return "mpgate"
	}
	return "mpgate/" + version
}
