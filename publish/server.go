package publish

import (
	"slices"
	"strings"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
)

// What the server's options add to a check: the changelog gate's own
// check (SplitChangelog) and the "Approve size" button (ApproveSizeAction).

// splitChangelog returns res without GATE-CHANGELOG, judged again, and the
// gate; nil when res has none or the gate is off. res itself is left as
// it is.
func splitChangelog(res *compare.Result) (*compare.Result, *checks.Gate) {
	i := slices.IndexFunc(res.Gates, func(g checks.Gate) bool { return g.Rule == checks.GateChangelog })
	if i < 0 {
		return res, nil
	}
	g := res.Gates[i]
	rest := *res
	rest.Gates = slices.Delete(slices.Clone(res.Gates), i, i+1)
	rest.Finish()
	if g.Status == checks.GateSkip {
		return &rest, nil
	}
	return &rest, &g
}

// changelogCheck is the conclusion and output of the changelog gate's own
// check.
func changelogCheck(g checks.Gate) (string, bot.CheckOutput) {
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
	return conclusion, bot.CheckOutput{Title: title, Summary: g.Summary + "\n\nComment `/changelog` on the request to see what would be written; the `no-changelog` label (or the one configured) skips the gate."}
}

// approveSize is the button of a check a size gate failed.
var approveSize = bot.CheckAction{Label: "Approve size", Description: "Pass the size gate (write access)", Identifier: bot.ActionApproveSize}

func sizeGateFailed(res *compare.Result) bool {
	for _, p := range res.Projects {
		for _, g := range p.Gates {
			if strings.HasPrefix(g.Name, "size") && g.Status == checks.GateFail {
				return true
			}
		}
	}
	return false
}
