package health

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/mpgate/mpgate/bot/queue"
	"github.com/mpgate/mpgate/bot/store"
)

// ErrNoDatabase is returned by OpenStore when the data directory holds no
// server database.
var ErrNoDatabase = errors.New("no mpgate server database")

// OpenStore opens the database of `mpgate serve` as its flags name it:
// PostgreSQL when databaseURL is a postgres:// URL, else the SQLite file in
// dataDir (which must exist: an empty database is not created). The store's
// migrations run as they do when the server starts. close releases it.
func OpenStore(ctx context.Context, dataDir, databaseURL string) (s *store.Store, closeFn func(), err error) {
	if queue.IsPostgresURL(databaseURL) {
		pool, err := pgxpool.New(ctx, databaseURL)
		if err != nil {
			return nil, nil, fmt.Errorf("opening the PostgreSQL database: %w", err)
		}
		db := stdlib.OpenDBFromPool(pool)
		closeFn = func() { _ = db.Close(); pool.Close() }
		s, err := store.Open(ctx, db, store.Postgres)
		if err != nil {
			closeFn()
			return nil, nil, err
		}
		return s, closeFn, nil
	}
	if databaseURL != "" {
		return nil, nil, fmt.Errorf("--database-url: only postgres:// or postgresql:// URLs are supported (leave it empty for SQLite in --data-dir)")
	}
	path := filepath.Join(dataDir, queue.DBFile)
	if _, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("%s: %w (is --data-dir the server's?): %v", path, ErrNoDatabase, err)
	}
	db, err := sql.Open("sqlite", queue.SQLiteDSN(path))
	if err != nil {
		return nil, nil, fmt.Errorf("opening %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	s, err = store.Open(ctx, db, store.SQLite)
	if err != nil {
		_ = db.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, func() { _ = db.Close() }, nil
}
