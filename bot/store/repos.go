package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/mpgate/mpgate/bot"
)

// PutRepo records the forge identity of r under RepoKey(r), keeping the
// installation already recorded.
func (s *Store) PutRepo(ctx context.Context, r bot.Repo) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO mpgate_repos (repo, forge, owner, name, repo_id, installation_id, updated_at)
VALUES ($1, $2, $3, $4, $5, 0, $6)
ON CONFLICT (repo) DO UPDATE SET forge = excluded.forge, owner = excluded.owner, name = excluded.name,
  repo_id = CASE WHEN excluded.repo_id <> 0 THEN excluded.repo_id ELSE mpgate_repos.repo_id END,
  updated_at = excluded.updated_at`,
		RepoKey(r), r.Forge, r.Owner, r.Name, r.ID, s.millis(s.now()))
	if err != nil {
		return fmt.Errorf("store: put repo %s: %w", RepoKey(r), err)
	}
	return nil
}

// PutInstallation records r and the installation (GitHub App installation
// id) that reaches it.
func (s *Store) PutInstallation(ctx context.Context, r bot.Repo, installationID int64) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO mpgate_repos (repo, forge, owner, name, repo_id, installation_id, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (repo) DO UPDATE SET forge = excluded.forge, owner = excluded.owner, name = excluded.name,
  repo_id = CASE WHEN excluded.repo_id <> 0 THEN excluded.repo_id ELSE mpgate_repos.repo_id END,
  installation_id = excluded.installation_id, updated_at = excluded.updated_at`,
		RepoKey(r), r.Forge, r.Owner, r.Name, r.ID, installationID, s.millis(s.now()))
	if err != nil {
		return fmt.Errorf("store: put installation of %s: %w", RepoKey(r), err)
	}
	return nil
}

// Repo returns the repository recorded under key and its installation (0
// when unknown), or ErrNotFound.
func (s *Store) Repo(ctx context.Context, key string) (bot.Repo, int64, error) {
	var r bot.Repo
	var inst int64
	err := s.db.QueryRowContext(ctx, `SELECT forge, owner, name, repo_id, installation_id FROM mpgate_repos WHERE repo = $1`, key).
		Scan(&r.Forge, &r.Owner, &r.Name, &r.ID, &inst)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Repo{}, 0, fmt.Errorf("store: repo %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return bot.Repo{}, 0, fmt.Errorf("store: repo %s: %w", key, err)
	}
	return r, inst, nil
}

// ParseRepoKey splits a RepoKey back into forge, owner and name (GitLab's
// project id is not in the key: see Repo).
func ParseRepoKey(key string) (bot.Repo, bool) {
	forge, full, ok := strings.Cut(key, ":")
	if !ok {
		return bot.Repo{}, false
	}
	i := strings.LastIndex(full, "/")
	if i <= 0 || i == len(full)-1 {
		return bot.Repo{}, false
	}
	return bot.Repo{Forge: forge, Owner: full[:i], Name: full[i+1:]}, true
}
