package gate

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/analyze"
	"github.com/mpgate/mpgate/checks/config"
)

// ReportCache keeps the reports of merge-bases analysed before, by what
// they were analysed from (baseKey), so that the base of a pull request
// whose merge-base did not move since the last run — every push to the
// request but the first, and any request on a commit analysed before — is
// neither checked out nor analysed again. *filecache.Cache is one: its
// version (the mpgate build) is part of every key, and an entry that fails
// its checksum is not returned.
type ReportCache interface {
	Get(key [32]byte) ([]byte, bool)
	Put(key [32]byte, val []byte)
}

// maxCachedReport bounds a cached report compressed (a filecache value is
// at most 4 MiB), maxReportJSON its JSON.
const (
	maxCachedReport = 4 << 20
	maxReportJSON   = 128 << 20
)

// sideOptions are the analysis options of a project's side.
func sideOptions(p config.Project, b *analyze.Boundaries) analyze.Options {
	return analyze.Options{Platform: p.Platform, Limits: limits(p), BuildOutput: p.Build != "", IncludeFiles: true, Boundaries: b}
}

// baseKey is the cache key of project p's report at the merge-base rev, or
// ok false when the report may not be cached: a build (its output depends
// on more than the commit: the network, the tools), a coverage report to
// read from the base checkout, a checkout filter. Everything else a base
// report depends on is in the key: the checkout (workspace.CheckoutKey: the
// commit's tree, the repository's settings that change the files written),
// where the project is (s.Subdir, p), the analysis options, and s.BaseCacheSalt
// (the options the caller's Analyze adds). The report is the same as a
// checkout's, byte for byte (TestBaseReportCacheSameAsCheckout).
//
// One thing a checkout's analysis sees is not in it: project settings up to
// three directories above a mini-program root analysed directly
// (analyze.Run's parentProject), which for the base lie outside the
// temporary checkout, in directories no commit decides.
func baseKey(ctx context.Context, s Spec, cfg *config.Config, p config.Project, rev string) ([32]byte, bool, error) {
	if p.Build != "" || cfg.Gates.Coverage.Report != "" {
		return [32]byte{}, false, nil
	}
	ck, deterministic, err := workspace.CheckoutKey(ctx, s.RepoDir, rev)
	if err != nil || !deterministic {
		return [32]byte{}, false, err
	}
	// Every option that changes a report; Progress, Logger and Cache do
	// not (analyze.Options.Cache: the same report with and without).
	o := sideOptions(p, analyze.BoundariesOf(cfg, p.Root))
	desc, err := json.Marshal(struct {
		Salt, Subdir, Platform, Root string
		Project                      config.Project
		Limits                       checks.Limits
		BuildOutput, Files, Brotli   bool
		MaxReadBytes                 int64
		Boundaries                   *analyze.Boundaries
	}{s.BaseCacheSalt, filepath.ToSlash(s.Subdir), string(o.Platform), o.Root, p, o.Limits, o.BuildOutput, o.IncludeFiles, o.Brotli, o.MaxReadBytes, o.Boundaries})
	if err != nil {
		return [32]byte{}, false, fmt.Errorf("base cache key: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "mpgate.gate.base/v1\x00%d\x00", len(desc))
	h.Write(desc)
	h.Write(ck)
	var k [32]byte
	h.Sum(k[:0])
	return k, true, nil
}

// encodeReport is the cached form of a report: its JSON, gzipped.
func encodeReport(r *checks.Report) ([]byte, error) {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	if err := json.NewEncoder(zw).Encode(r); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if b.Len() > maxCachedReport {
		return nil, fmt.Errorf("report of %d bytes compressed, over %d", b.Len(), maxCachedReport)
	}
	return b.Bytes(), nil
}

// decodeReport reads a cached report; anything but a whole report of this
// schema is an error (the entry is then analysed again and rewritten).
func decodeReport(val []byte) (*checks.Report, error) {
	zr, err := gzip.NewReader(bytes.NewReader(val))
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxReportJSON+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxReportJSON {
		return nil, fmt.Errorf("over %d bytes", maxReportJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r checks.Report
	if err := dec.Decode(&r); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("data after the report")
	}
	if r.Schema != checks.Schema || r.Verdict == "" {
		return nil, fmt.Errorf("not a %s report", checks.Schema)
	}
	return &r, nil
}

// baseFromCache takes the base side b's report from s.BaseCache when it is
// there (b.stored: not checked out, not analysed), else notes the key its
// report is to be cached under. A key that cannot be computed leaves the
// side to the checkout, as without a cache.
func baseFromCache(ctx context.Context, s Spec, cfg *config.Config, b *side, rev string, say func(string, ...any)) {
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	k, ok, err := baseKey(ctx, s, cfg, b.project, rev)
	if err != nil {
		log.Debug("base report cache off", "project", b.project.Name, "err", err)
		return
	}
	if !ok {
		return
	}
	if val, hit := s.BaseCache.Get(k); hit {
		r, err := decodeReport(val)
		if err == nil {
			name := cmp.Or(b.project.Name, "project")
			say("the report of %s (base) from the cache (%.12s analysed before)", name, rev)
			b.report, b.stored = r, true
			return
		}
		log.Debug("cached base report ignored", "project", b.project.Name, "err", err)
	}
	b.cacheKey = &k
}

// cacheBase puts the report of the base side sd in s.BaseCache once it is
// analysed, or an empty value when it could not be (never decoded: a miss
// next time), which also wakes another evaluation waiting in Get for the
// same merge-base.
func cacheBase(s Spec, sd *side, log *slog.Logger) {
	if sd.cacheKey == nil {
		return
	}
	var val []byte
	if sd.report != nil && sd.err == nil {
		var err error
		if val, err = encodeReport(sd.report); err != nil {
			log.Debug("base report not cached", "project", sd.project.Name, "err", err)
		}
	}
	s.BaseCache.Put(*sd.cacheKey, val)
}
