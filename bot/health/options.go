package health

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// ErrUsage marks errors of Options the user fixes (exit code 2): the
// period, the format, a database that cannot be opened.
var ErrUsage = errors.New("usage")

type usage struct{ msg string }

func (u usage) Error() string { return u.msg }

func (u usage) Is(target error) bool { return target == ErrUsage }

// Options are `mpgate report health`'s flags.
type Options struct {
	// Since is the period (ParseSince); Format markdown or json.
	Since, Format string
	// DataDir and DatabaseURL name the server's database (OpenStore).
	DataDir, DatabaseURL string
}

// Report builds the report of the period up to now from the server's
// database. Errors of the options are ErrUsage.
func (o Options) Report(ctx context.Context, now time.Time) (*Report, error) {
	since, err := ParseSince(o.Since)
	if err != nil {
		return nil, usage{err.Error()}
	}
	if o.Format != "markdown" && o.Format != "json" {
		return nil, usage{fmt.Sprintf("--format %q: want markdown or json", o.Format)}
	}
	s, closeDB, err := OpenStore(ctx, o.DataDir, o.DatabaseURL)
	if err != nil {
		return nil, usage{err.Error()}
	}
	defer closeDB()
	return Build(ctx, s, now.Add(-since), now, nil)
}

// Write writes r in the options' format.
func (o Options) Write(w io.Writer, r *Report) error {
	if o.Format == "json" {
		return WriteJSON(w, r)
	}
	return WriteMarkdown(w, r)
}
