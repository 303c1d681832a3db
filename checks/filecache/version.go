package filecache

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"runtime/debug"
	"sync"
)

var (
	versionOnce sync.Once
	version     string
)

// BuildVersion names the running build of mpgate for Options.Version: the
// module version and VCS revision of a release, or for a development build
// with local changes (or none recorded) a digest of the executable itself,
// so that a rebuilt binary never trusts the results of the previous one.
func BuildVersion() string {
	versionOnce.Do(func() {
		version = "unknown"
		bi, ok := debug.ReadBuildInfo()
		if !ok {
			version += "+" + exeDigest()
			return
		}
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		version = bi.Main.Version + "+" + rev
		if bi.Main.Version == "" || bi.Main.Version == "(devel)" || rev == "" || modified == "true" {
			version += "+" + exeDigest()
		}
	})
	return version
}

func exeDigest() string {
	p, err := os.Executable()
	if err != nil {
		return "noexe"
	}
	f, err := os.Open(p)
	if err != nil {
		return "noexe"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "noexe"
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}
