package worker

import (
	"context"
	"github.com/mpgate/mpgate/bot"
	"slices"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
)

// splitChangelogGate takes GATE-CHANGELOG out of the result (and re-judges
// the result without it) so that it gets its own check run. It returns the
// gate, ok false when the result has none or the gate is off.
func splitChangelogGate(res *compare.Result) (checks.Gate, bool) {
	i := slices.IndexFunc(res.Gates, func(g checks.Gate) bool { return g.Rule == checks.GateChangelog })
	if i < 0 {
		return checks.Gate{}, false
	}
	g := res.Gates[i]
	res.Gates = slices.Delete(res.Gates, i, i+1)
	res.Finish()
	return g, g.Status != checks.GateSkip
}

// postChangelogCheck reports the changelog gate as its own completed check
// run on sha.
func (b *Worker) postChangelogCheck(ctx context.Context, f Forge, repo bot.Repo, sha string, pr int, g checks.Gate) error {
	conclusion, title := bot.ConclusionSuccess, "Every module the request touches has a changelog entry"
	switch g.Status {
	case checks.GateFail:
		conclusion, title = bot.ConclusionFailure, "A changelog entry is missing"
	case checks.GateError:
		conclusion, title = bot.ConclusionFailure, "The changelog gate could not be evaluated"
	}
	if g.Informational && conclusion == bot.ConclusionFailure {
		conclusion = bot.ConclusionNeutral // gates.changelog.informational
	}
	out := bot.CheckOutput{Title: title, Summary: g.Summary + "\n\nComment `/changelog` on the request to see what would be written; the `no-changelog` label (or the one configured) skips the gate."}
	return b.conclude(ctx, f, bot.CheckRef{Repo: repo, SHA: sha, Name: bot.ChangelogCheckName, PR: pr}, conclusion, out)
}
