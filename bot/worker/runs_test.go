package worker

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
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

// TestRecordRun: the worker records each finished evaluation in its store;
// a store that fails is logged and the evaluation goes on.
func TestRecordRun(t *testing.T) {
	b, st, _ := newTestBot(t, newFakeForge(), true)
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	res := compare.NewResult(&compare.Comparison{Project: "shop", Head: &checks.Report{}})
	b.recordRun(context.Background(), testRepo, "abc", 3, bot.ConclusionSuccess, res, log)
	if len(st.recorded) != 1 || st.recorded[0].SHA != "abc" || st.recorded[0].PR != 3 || st.recorded[0].Conclusion != bot.ConclusionSuccess {
		t.Fatalf("recorded %+v, want the run of abc in #3", st.recorded)
	}
	st.recordErr = errors.New("disk full")
	b.recordRun(context.Background(), testRepo, "def", 0, bot.ConclusionFailure, res, log)
	if len(st.recorded) != 1 {
		t.Errorf("recorded %+v after a failure", st.recorded)
	}
	if !strings.Contains(logs.String(), "could not record the run") || !strings.Contains(logs.String(), "disk full") {
		t.Errorf("the failure was not logged: %q", logs.String())
	}
}
