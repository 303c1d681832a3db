package store

import (
	"context"
	"errors"
	"time"

	"github.com/mpgate/mpgate/bot"
)

// ForBot adapts the store to the worker's ports (bot/worker): check runs,
// reports, approvals, installations and latest heads, in the bot's types.
func (s *Store) ForBot() BotStore { return BotStore{s: s} }

// BotStore is the store in the bot's types (bot.Repo, bot.CheckRecord).
type BotStore struct{ s *Store }

// LatestHead is the head last queued for evaluation of a pull request, ok
// false when none (never queued, or the request was closed).
func (b BotStore) LatestHead(ctx context.Context, repo bot.Repo, number int) (string, bool, error) {
	hd, err := b.s.LatestHead(ctx, PRKey{Repo: RepoKey(repo), Number: number})
	if errors.Is(err, ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return hd.SHA, true, nil
}

func (b BotStore) PutCheckRun(ctx context.Context, c bot.CheckRecord) error {
	if err := b.s.PutRepo(ctx, c.Repo); err != nil {
		return err
	}
	status := CheckInProgress
	if c.Completed {
		status = CheckCompleted
	}
	return b.s.PutCheckRun(ctx, CheckRun{Repo: RepoKey(c.Repo), SHA: c.SHA, Name: c.Name, RunID: c.RunID, Status: status, PR: c.PR, Delivery: c.Delivery})
}

func (b BotStore) CompleteCheckRun(ctx context.Context, repo bot.Repo, sha, name string) error {
	return b.s.CompleteCheckRun(ctx, RepoKey(repo), sha, name)
}

func (b BotStore) CheckRuns(ctx context.Context, repo bot.Repo, sha string) ([]bot.CheckRecord, error) {
	runs, err := b.s.CheckRuns(ctx, RepoKey(repo), sha)
	if err != nil {
		return nil, err
	}
	return b.records(ctx, runs)
}

func (b BotStore) PendingChecks(ctx context.Context, olderThan time.Duration) ([]bot.CheckRecord, error) {
	runs, err := b.s.PendingChecks(ctx, olderThan)
	if err != nil {
		return nil, err
	}
	return b.records(ctx, runs)
}

// records turns check runs into the bot's records, with each repository's
// full identity (after the rows are read: SQLite has one connection).
func (b BotStore) records(ctx context.Context, runs []CheckRun) ([]bot.CheckRecord, error) {
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
			Completed: c.Status == CheckCompleted, Delivery: c.Delivery, UpdatedAt: c.UpdatedAt})
	}
	return out, nil
}

func (b BotStore) PutReport(ctx context.Context, repo bot.Repo, sha, project string, report []byte) error {
	return b.s.PutReport(ctx, RepoKey(repo), sha, project, report)
}

func (b BotStore) Report(ctx context.Context, repo bot.Repo, sha, project string) ([]byte, bool, error) {
	r, err := b.s.Report(ctx, RepoKey(repo), sha, project)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return r, true, nil
}

func (b BotStore) Approve(ctx context.Context, repo bot.Repo, number int, headSHA string, kind bot.ApprovalKind, by, reason string) error {
	return b.s.Approve(ctx, Approval{Key: PRKey{Repo: RepoKey(repo), Number: number}, HeadSHA: headSHA,
		Kind: ApprovalKind(kind), By: by, Reason: reason})
}

func (b BotStore) Approval(ctx context.Context, repo bot.Repo, number int, headSHA string, kind bot.ApprovalKind) (string, string, bool, error) {
	a, err := b.s.Approval(ctx, PRKey{Repo: RepoKey(repo), Number: number}, headSHA, ApprovalKind(kind))
	if errors.Is(err, ErrNotFound) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	return a.By, a.Reason, true, nil
}

func (b BotStore) PutInstallation(ctx context.Context, repo bot.Repo, installationID int64) error {
	return b.s.PutInstallation(ctx, repo, installationID)
}

func (b BotStore) Installation(ctx context.Context, repo bot.Repo) (int64, bool, error) {
	_, id, err := b.s.Repo(ctx, RepoKey(repo))
	if errors.Is(err, ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return id, id != 0, nil
}

func (b BotStore) Revoke(ctx context.Context, repo bot.Repo, number int, headSHA string, kind bot.ApprovalKind) error {
	return b.s.Revoke(ctx, PRKey{Repo: RepoKey(repo), Number: number}, headSHA, ApprovalKind(kind))
}
