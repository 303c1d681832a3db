package checkrun

import (
	"context"
	"log/slog"

	"github.com/mpgate/mpgate/bot/gate"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/analyze"
	"github.com/mpgate/mpgate/checks/filecache"
)

// OpenCache opens the per-file analysis cache in dir (the user cache
// directory when empty). A cache that cannot be opened is no error: the
// run goes on without it, and says why at debug level.
func OpenCache(dir string, maxBytes int64, log *slog.Logger) *filecache.Cache {
	if dir == "" {
		d, err := filecache.Dir()
		if err != nil {
			log.Debug("analysis cache off", "err", err)
			return nil
		}
		dir = d
	}
	c, err := filecache.Open(dir, filecache.Options{Version: filecache.BuildVersion(), MaxBytes: maxBytes, Logger: log})
	if err != nil {
		log.Warn("analysis cache off", "err", err)
		return nil
	}
	return c
}

// Cached runs the engine with the cache c (nil: without) and writes
// what it added when it is done; base and head analysed at once share c,
// so the second side computes only the files that differ.
func Cached(c *filecache.Cache, an gate.AnalyzeFunc, log *slog.Logger) gate.AnalyzeFunc {
	if an == nil {
		an = analyze.Run
	}
	if c == nil {
		return an
	}
	return func(ctx context.Context, dir string, opt analyze.Options) (*checks.Report, error) {
		opt.Cache = c
		rep, err := an(ctx, dir, opt)
		if ferr := c.Flush(); ferr != nil {
			log.Warn("analysis cache not written", "err", ferr)
		}
		return rep, err
	}
}
