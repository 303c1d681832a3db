package queue

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func openCached(t *testing.T) *sql.DB {
	t.Helper()
	connector, err := newStmtCacheConnector(SQLiteDSN(filepath.Join(t.TempDir(), "c.db")))
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := db.Exec(`INSERT INTO t (id, v) VALUES (?, ?)`, i, fmt.Sprint("v", i)); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// cachedTexts returns the SQL texts the pool's one connection keeps.
func cachedTexts(t *testing.T, db *sql.DB) []string {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var out []string
	if err := conn.Raw(func(dc any) error {
		for q := range dc.(*cachingConn).stmts {
			out = append(out, q)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// A statement is prepared once and reused, for queries and for exec, with
// the results of an uncached run.
func TestStmtCacheReuses(t *testing.T) {
	t.Parallel()
	db := openCached(t)
	const q = `SELECT v FROM t WHERE id = ?`
	for i := range 5 {
		var v string
		if err := db.QueryRow(q, i).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprint("v", i); v != want {
			t.Errorf("id %d: got %q, want %q", i, v, want)
		}
	}
	n := 0
	for _, text := range cachedTexts(t, db) {
		if text == q {
			n++
		}
	}
	if n != 1 {
		t.Errorf("query cached %d times, want once: %q", n, cachedTexts(t, db))
	}
	// The insert's statement was cached by the five inserts above and
	// still inserts what it is given.
	if _, err := db.Exec(`INSERT INTO t (id, v) VALUES (?, ?)`, 9, "nine"); err != nil {
		t.Fatal(err)
	}
	var v string
	if err := db.QueryRow(q, 9).Scan(&v); err != nil || v != "nine" {
		t.Errorf("after a cached insert: %q, %v", v, err)
	}
}

// A query run again while rows of the same text are open (on the same
// connection, in a transaction) gets a statement of its own: both rows
// read their own results.
func TestStmtCacheNestedSameQuery(t *testing.T) {
	t.Parallel()
	db := openCached(t)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = `SELECT id FROM t WHERE id >= ? ORDER BY id`
	outer, err := tx.Query(q, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for outer.Next() {
		var id int
		if err := outer.Scan(&id); err != nil {
			t.Fatal(err)
		}
		inner, err := tx.Query(q, id)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for inner.Next() {
			var j int
			if err := inner.Scan(&j); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, fmt.Sprint(j))
		}
		if err := inner.Close(); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d:%s", id, strings.Join(ids, ",")))
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	want := "0:0,1,2,3,4 1:1,2,3,4 2:2,3,4 3:3,4 4:4"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("got %q, want %q", g, want)
	}
}

// Errors come back as without the cache; the cache stays bounded.
func TestStmtCacheErrorsAndBound(t *testing.T) {
	t.Parallel()
	db := openCached(t)
	if _, err := db.Exec(`INSERT INTO nosuchtable VALUES (1)`); err == nil || !strings.Contains(err.Error(), "no such table") {
		t.Errorf("exec on a missing table: %v, want no such table", err)
	}
	if _, err := db.Query(`SELEC 1`); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Errorf("bad SQL: %v, want a syntax error", err)
	}
	if _, err := db.Exec(`INSERT INTO t (id, v) VALUES (?, ?)`, 0, "dup"); err == nil {
		t.Error("a duplicate primary key was inserted")
	}
	for i := range stmtCacheSize + 10 {
		var n int
		if err := db.QueryRow(fmt.Sprintf(`SELECT count(*) + %d FROM t`, i)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 5+i {
			t.Fatalf("query %d: %d, want %d", i, n, 5+i)
		}
	}
	if n := len(cachedTexts(t, db)); n > stmtCacheSize {
		t.Errorf("%d statements cached, at most %d", n, stmtCacheSize)
	}
}
