package bot

import (
	"context"
	"time"
)

// RunRecord is what the server's pages and the health report read of one
// evaluation: a pull-request head's (PR > 0) or a default-branch push's
// (PR == 0), its conclusion, gates, coverage and package sizes.
type RunRecord struct {
	Repo Repo
	SHA  string
	// PR is the pull request, 0 for a push to the default branch.
	PR int
	// Conclusion is the check's (Conclusion*); a push's is its verdict
	// mapped the same way (success or failure).
	Conclusion string
	// Coverage is the head's line coverage in percent, nil when none was read.
	Coverage *float64
	// BuildFailed says a project's head could not be built or analysed.
	BuildFailed bool
	Gates       []GateRecord
	Packages    []PackageRecord
	FinishedAt  time.Time
}

// GateRecord is one gate's result in a run (Project "" for the
// repository-wide gates).
type GateRecord struct {
	Project       string `json:"project,omitempty"`
	Name          string `json:"name"`
	Status        string `json:"status"`
	Summary       string `json:"summary,omitempty"`
	Informational bool   `json:"informational,omitempty"`
}

// PackageRecord is one package's size at the run's head.
type PackageRecord struct {
	Project     string `json:"project,omitempty"`
	Name        string `json:"name"`
	Bytes       int64  `json:"bytes"`
	UploadBytes int64  `json:"uploadBytes"`
	// Limit is the package's limit, judged on Basis ("bytes" or
	// "uploadBytes"); 0 when it has none.
	Limit int64  `json:"limit"`
	Basis string `json:"basis,omitempty"`
}

// RunRecorder is optionally implemented by a Store: the bot records every
// finished evaluation there (the server's pages and `mpgate report health`
// read them). Without it nothing is recorded.
type RunRecorder interface {
	RecordRun(ctx context.Context, r RunRecord) error
}
