// Package analyze runs the whole engine on one mini-program: it reads the
// project settings and the manifest, walks the files, scans every reference,
// builds the dependency graph, assigns files to packages, measures them and
// applies every rule of the catalog.
package analyze

import (
	"context"
	"errors"
	"log/slog"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/platform"
)

// Options of a run. The zero value analyses a native WeChat project with the
// platform's default limits.
type Options struct {
	// Platform to use; empty detects it from the files.
	Platform platform.ID
	// Root is the mini-program root relative to the directory; empty reads it
	// from the project settings (miniprogramRoot), else the directory itself.
	Root string
	// Limits override the platform's defaults field by field (zero = default).
	Limits checks.Limits
	// IncludeFiles fills Report.Files.
	IncludeFiles bool
	// Progress, when set, is called as stages start; done/total count files.
	Progress func(stage string, done, total int)
	Logger   *slog.Logger
}

// ErrNotADirectory is returned when the directory cannot be read at all.
var ErrNotADirectory = errors.New("not a readable directory")

// Run analyses the mini-program in dir. Problems of the mini-program itself
// are diagnostics in the report; an error means dir could not be analysed at
// all (missing, unreadable), which the CLI reports as a usage error.
func Run(ctx context.Context, dir string, opt Options) (*checks.Report, error) {
	return nil, errors.New("analyze: not implemented yet")
}
