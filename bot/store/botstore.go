package store

import (
	"context"
	"errors"
	"time"

	"github.com/mpgate/mpgate/bot"
)

// ForBot adapts the store to the bot's port (bot.Store).
func (s *Store) ForBot() bot.Store { return botStore{s: s} }

type botStore struct{ s *Store }

func (b botStore) PutCheckRun(ctx context.Context, c bot.CheckRecord) error {
	if err := b.s.PutRepo(ctx, c.Repo); err != nil {
		return err
	}
	status := CheckInProgress
	if c.Completed {
		status = CheckCompleted
	}
	return b.s.PutCheckRun(ctx, CheckRun{Repo: RepoKey(c.Repo), SHA: c.SHA, Name: c.Name, RunID: c.RunID, Status: status, PR: c.PR})
}

func (b botStore) CompleteCheckRun(ctx context.Context, repo bot.Repo, sha, name string) error {
	return b.s.CompleteCheckRun(ctx, RepoKey(repo), sha, name)
}

func (b botStore) CheckRuns(ctx context.Context, repo bot.Repo, sha string) ([]bot.CheckRecord, error) {
	runs, err := b.s.CheckRuns(ctx, RepoKey(repo), sha)
	if err != nil {
		return nil, err
	}
	return b.records(ctx, runs)
}

func (b botStore) PendingChecks(ctx context.Context, olderThan time.Duration) ([]bot.CheckRecord, error) {
	runs, err := b.s.PendingChecks(ctx, olderThan)
	if err != nil {
		return nil, err
	}
	return b.records(ctx, runs)
}

// records turns check runs into the bot's records, with each repository's
// full identity (after the rows are read: SQLite has one connection).
func (b botStore) records(ctx context.Context, runs []CheckRun) ([]bot.CheckRecord, error) {
	repos := map[string]bot.Repo{}
	out := make([]bot.CheckRecord, 0, len(runs))
	for _, c := range runs {
		r, ok := repos[c.Repo]
		if !ok {
			var err error
			r, _, err = b.s.Repo(ctx, c.Repo)
			if errors.Is(err, ErrNotFound) {
				r, _ = ParseRepoKey(c.Repo)
			} else if err != nil {
				return nil, err
			}
			repos[c.Repo] = r
		}
		out = append(out, bot.CheckRecord{Repo: r, SHA: c.SHA, Name: c.Name, RunID: c.RunID, PR: c.PR,
			Completed: c.Status == CheckCompleted, UpdatedAt: c.UpdatedAt})
	}
	return out, nil
}

func (b botStore) PutReport(ctx context.Context, repo bot.Repo, sha, project string, report []byte) error {
	return b.s.PutReport(ctx, RepoKey(repo), sha, project, report)
}

func (b botStore) Report(ctx context.Context, repo bot.Repo, sha, project string) ([]byte, bool, error) {
	r, err := b.s.Report(ctx, RepoKey(repo), sha, project)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return r, true, nil
}

func (b botStore) Approve(ctx context.Context, repo bot.Repo, number int, headSHA string, kind bot.ApprovalKind, by, reason string) error {
	return b.s.Approve(ctx, Approval{Key: PRKey{Repo: RepoKey(repo), Number: number}, HeadSHA: headSHA,
		Kind: ApprovalKind(kind), By: by, Reason: reason})
}

func (b botStore) Approval(ctx context.Context, repo bot.Repo, number int, headSHA string, kind bot.ApprovalKind) (string, string, bool, error) {
	a, err := b.s.Approval(ctx, PRKey{Repo: RepoKey(repo), Number: number}, headSHA, ApprovalKind(kind))
	if errors.Is(err, ErrNotFound) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	return a.By, a.Reason, true, nil
}

func (b botStore) PutInstallation(ctx context.Context, repo bot.Repo, installationID int64) error {
	return b.s.PutInstallation(ctx, repo, installationID)
}

func (b botStore) Installation(ctx context.Context, repo bot.Repo) (int64, bool, error) {
	_, id, err := b.s.Repo(ctx, RepoKey(repo))
	if errors.Is(err, ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return id, id != 0, nil
}

func (b botStore) Revoke(ctx context.Context, repo bot.Repo, number int, headSHA string, kind bot.ApprovalKind) error {
	return b.s.Revoke(ctx, PRKey{Repo: RepoKey(repo), Number: number}, headSHA, ApprovalKind(kind))
}
