package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/checks/compare"
)

// RunRecordOf summarises res, an evaluation of sha that concluded with
// conclusion.
func RunRecordOf(repo bot.Repo, sha string, pr int, conclusion string, res *compare.Result, at time.Time) bot.RunRecord {
	r := bot.RunRecord{Repo: repo, SHA: sha, PR: pr, Conclusion: conclusion, FinishedAt: at}
	if res == nil {
		return r
	}
	if res.Coverage != nil {
		c := res.Coverage.Head
		r.Coverage = &c
	}
	for _, g := range res.Gates {
		r.Gates = append(r.Gates, bot.GateRecord{Name: g.Name, Status: g.Status, Summary: g.Summary, Informational: g.Informational})
	}
	for _, p := range res.Projects {
		if p.HeadError != "" || p.Head == nil {
			r.BuildFailed = true
		}
		for _, g := range p.Gates {
			r.Gates = append(r.Gates, bot.GateRecord{Project: p.Project, Name: g.Name, Status: g.Status, Summary: g.Summary, Informational: g.Informational})
		}
		if p.Head == nil {
			continue
		}
		for _, pk := range p.Head.Packages {
			r.Packages = append(r.Packages, bot.PackageRecord{Project: p.Project, Name: pk.Name, Bytes: pk.Bytes,
				UploadBytes: pk.UploadBytes, Limit: pk.Limit, Basis: p.Head.SizeBasis})
		}
	}
	return r
}

// recordRun records the evaluation when the store keeps runs; a failure is
// logged, never the evaluation's (the check is concluded already).
func (b *Worker) recordRun(ctx context.Context, repo bot.Repo, sha string, pr int, conclusion string, res *compare.Result, log *slog.Logger) {
	rr, ok := b.cfg.Store.(bot.RunRecorder)
	if !ok {
		return
	}
	if err := rr.RecordRun(ctx, RunRecordOf(repo, sha, pr, conclusion, res, time.Now())); err != nil {
		log.Warn("could not record the run", "err", err)
	}
}
