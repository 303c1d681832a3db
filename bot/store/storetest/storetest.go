// Package storetest gives tests the databases the store and the queue run
// on: always a SQLite file in a temporary directory, and PostgreSQL when
// MPGATE_TEST_DATABASE_URL is set (for example
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable). Each PostgreSQL
// use gets a fresh schema, selected through search_path and dropped when the
// test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/mpgate/mpgate/bot/store"
)

// EnvDatabaseURL names the variable holding the PostgreSQL test server URL.
const EnvDatabaseURL = "MPGATE_TEST_DATABASE_URL"

// Backend is a database to run a test on.
type Backend struct {
	Name    string
	Dialect store.Dialect
}

// Backends lists SQLite and, when MPGATE_TEST_DATABASE_URL is set,
// PostgreSQL.
func Backends() []Backend {
	b := []Backend{{Name: "sqlite", Dialect: store.SQLite}}
	if os.Getenv(EnvDatabaseURL) != "" {
		b = append(b, Backend{Name: "postgres", Dialect: store.Postgres})
	}
	return b
}

// SQLiteDSN is the DSN the project opens SQLite files with: WAL journal,
// a busy timeout, foreign keys on.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)&_txlock=immediate"
}

// PostgresURL creates a fresh schema on the server in MPGATE_TEST_DATABASE_URL
// and returns a URL whose search_path selects it. The schema is dropped when
// the test ends. The test is skipped when the variable is unset.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDatabaseURL)
	if base == "" {
		t.Skipf("%s not set", EnvDatabaseURL)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "mpgate_t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgxpool.New(ctx, base)
	if err != nil {
		t.Fatalf("postgres %s: %v", base, err)
	}
	defer admin.Close()
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		p, err := pgxpool.New(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer p.Close()
		if _, err := p.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvDatabaseURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenDB opens an empty database of the backend's dialect for the test and
// closes it when the test ends.
func OpenDB(t testing.TB, b Backend) *sql.DB {
	t.Helper()
	if b.Dialect == store.Postgres {
		pool, err := pgxpool.New(context.Background(), PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		db := stdlib.OpenDBFromPool(pool)
		t.Cleanup(func() {
			_ = db.Close()
			pool.Close()
		})
		return db
	}
	db, err := sql.Open("sqlite", SQLiteDSN(filepath.Join(t.TempDir(), "mpgate.db")))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	return db
}
