package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Stamped by the release build (.goreleaser.yaml):
//
//	go build -ldflags "-X main.version=v1.2.3 -X main.commit=0123abc… -X main.date=2026-12-05T20:00:00Z"
//
// Left empty, readBuild takes them from the binary's build information
// (go install …@v1.2.3 records the module version; a build in a git
// checkout records the revision and its time).
var (
	version = ""
	commit  = ""
	date    = ""
)

// buildInfo is what `mpgate version` prints.
type buildInfo struct {
	Version  string // v1.2.3, or "devel"
	Commit   string // full revision, "-dirty" appended for a modified tree; "" when unknown
	Date     string // RFC 3339; "" when unknown
	Go       string // go1.26.8
	Platform string // linux/amd64
}

// readBuild combines the stamped values with debug.ReadBuildInfo.
func readBuild() buildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return resolveBuild(version, commit, date, bi)
}

// resolveBuild prefers the stamped values, then the build information's.
func resolveBuild(v, rev, when string, bi *debug.BuildInfo) buildInfo {
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
	return buildInfo{Version: v, Commit: rev, Date: when, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
}

// long is `mpgate version`'s output: one "key: value" line each, so
// scripts can grep it.
func (b buildInfo) long() string {
	unknown := func(s string) string {
		if s == "" {
			return "unknown"
		}
		return s
	}
	return fmt.Sprintf("mpgate %s\ncommit: %s\ndate: %s\ngo: %s %s\n", b.Version, unknown(b.Commit), unknown(b.Date), b.Go, b.Platform)
}

// short is "mpgate VERSION (GOVERSION, COMMIT12)" for logs.
func (b buildInfo) short() string {
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

// versionString is readBuild().short().
func versionString() string { return readBuild().short() }
