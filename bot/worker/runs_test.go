package worker

import (
	"reflect"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
)

func TestRunRecordOf(t *testing.T) {
	at := time.UnixMilli(1_700_000_000_000)
	repo := bot.Repo{Forge: bot.ForgeGitHub, Owner: "o", Name: "r"}
	res := compare.NewResult(
		&compare.Comparison{Project: "shop", Head: &checks.Report{SizeBasis: "uploadBytes",
			Packages: []checks.Package{{Name: "__APP__", Bytes: 10, UploadBytes: 8, Limit: 100}}},
			Gates: []checks.Gate{{Name: "size", Status: checks.GateFail, Summary: "over"}}},
		compare.HeadFailed("admin", errText("npm install failed")),
	)
	res.Gates = []checks.Gate{{Name: "coverage", Status: checks.GatePass, Informational: true}}
	res.Coverage = &compare.CoverageSummary{Head: 75.5}
	got := RunRecordOf(repo, "abc", 4, bot.ConclusionFailure, res, at)
	cov := 75.5
	want := bot.RunRecord{Repo: repo, SHA: "abc", PR: 4, Conclusion: bot.ConclusionFailure, Coverage: &cov, BuildFailed: true, FinishedAt: at,
		Gates: []bot.GateRecord{{Name: "coverage", Status: checks.GatePass, Informational: true},
			{Project: "shop", Name: "size", Status: checks.GateFail, Summary: "over"}},
		Packages: []bot.PackageRecord{{Project: "shop", Name: "__APP__", Bytes: 10, UploadBytes: 8, Limit: 100, Basis: "uploadBytes"}},
	}
	// HeadFailed adds its own gate; keep the ones this test set up.
	var gates []bot.GateRecord
	for _, g := range got.Gates {
		if g.Project != "admin" {
			gates = append(gates, g)
		}
	}
	got.Gates = gates
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RunRecordOf =\n%+v\nwant\n%+v", got, want)
	}
	if r := RunRecordOf(repo, "abc", 0, bot.ConclusionSuccess, nil, at); r.BuildFailed || r.Gates != nil {
		t.Errorf("nil result = %+v", r)
	}
}

type errText string

func (e errText) Error() string { return string(e) }
