package filecache

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
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
// with local changes (or none recorded) a digest of the Go build ID the
// linker wrote into the executable (else of the executable itself), so that
// a rebuilt binary never trusts the results of the previous one.
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
	if id := goBuildID(p); id != "" {
		return id
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

// goBuildID returns a digest of the Go build ID in the ELF executable at p
// (its .note.go.buildid note), or "" when it has none (another format, or
// linked with an empty -buildid). The build ID's last part is the go
// command's hash of the linked output, so it names the build as the whole
// file's digest does, for the price of reading a page instead of hashing
// the whole executable (56 MB: 5–10% of the CPU of a cached run, every run).
func goBuildID(p string) string {
	f, err := elf.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := f.Section(".note.go.buildid")
	if s == nil || s.Size > 1<<10 {
		return ""
	}
	b, err := s.Data()
	// The note: name size, description size, type (4 bytes each), the
	// name "Go\x00\x00", then the build ID.
	const head = 16
	if err != nil || len(b) <= head || !bytes.Equal(b[12:16], []byte("Go\x00\x00")) {
		return ""
	}
	id := bytes.TrimRight(b[head:], "\x00")
	if len(id) == 0 {
		return ""
	}
	sum := sha256.Sum256(id)
	return "buildid-" + hex.EncodeToString(sum[:12])
}
