package release

import (
	"fmt"
	"path"

	"github.com/mpgate/mpgate/checks"
)

// Credit credits a project's report (with its files, analyze's
// IncludeFiles) to the modules: the bytes of every counted file go to the
// module holding it (upload bytes when the project minifies, as the size
// gate counts them), and each module gets the first error finding on its
// files as the reason to hold it back. A package-wide finding (a package
// over its limit) belongs to the module holding the package's root.
// projectRoot is the project's root in the repository ("." or "mp").
func Credit(router *Router, projectRoot string, rep *checks.Report, sizes map[string]int64, failing map[string]string) {
	for _, d := range rep.Diagnostics {
		if d.Severity != checks.SeverityError {
			continue
		}
		where := path.Join(projectRoot, rep.Root, d.File)
		if d.Package != "" && d.Package != checks.MainPackage {
			where = path.Join(projectRoot, rep.Root, d.Package, "x")
		}
		if m := router.Module(path.Clean(where)); m != nil && failing[m.Name] == "" {
			failing[m.Name] = fmt.Sprintf("%s on the default branch: %s", d.Rule, d.Message)
		}
	}
	for _, f := range rep.Files {
		if m := router.Module(path.Clean(path.Join(projectRoot, rep.Root, f.Path))); m != nil {
			n := f.Bytes
			if rep.SizeBasis == checks.BasisUploadBytes {
				n = f.UploadBytes
			}
			sizes[m.Name] += n
		}
	}
}
