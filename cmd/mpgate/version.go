package main

import "github.com/mpgate/mpgate/internal/buildinfo"

// Stamped by the release build (.goreleaser.yaml):
//
//	go build -ldflags "-X main.version=v1.2.3 -X main.commit=0123abc… -X main.date=2026-12-05T20:00:00Z"
//
// Left empty, buildinfo.Read takes them from the binary's build information
// (go install …@v1.2.3 records the module version; a build in a git
// checkout records the revision and its time).
var (
	version = ""
	commit  = ""
	date    = ""
)

// readBuild is the running binary's build information.
func readBuild() buildinfo.Info { return buildinfo.Read(version, commit, date) }

// versionString is readBuild().Short().
func versionString() string { return readBuild().Short() }
