package queue

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"

	_ "modernc.org/sqlite" // registers "sqlite"
)

// SQLite statement cache.
//
// River's SQLite driver and the store run every query through
// database/sql's QueryContext/ExecContext, and modernc.org/sqlite prepares
// (parses and plans) the statement anew on each call. Under webhook load
// that was the server's largest cost: River's completer marks each finished
// event job with its own UPDATE, and preparing it took more CPU than
// running it (sqlite3_prepare_v2 was 23% of the server's CPU at 500
// deliveries/s). The connections of the queue's pool therefore keep the
// statements they prepared, by SQL text, and reuse them: a statement is
// reset (its bindings cleared) when its rows are closed, as for any
// database/sql prepared statement. A statement whose rows are still open is
// not shared: a second query with the same text meanwhile prepares its own.

// stmtCacheSize bounds the statements kept per connection. River's queries
// are a few dozen texts; an insert of n jobs has a text per n, so the
// cache is emptied rather than grown past the bound.
const stmtCacheSize = 256

// stmtCacheConnector opens modernc.org/sqlite connections that cache their
// statements.
type stmtCacheConnector struct {
	dsn string
	drv driver.Driver
}

// newStmtCacheConnector opens connections with the driver registered as
// "sqlite", so that its connection hooks (sqlite.RegisterConnectionHook)
// apply as they do to sql.Open("sqlite", dsn).
func newStmtCacheConnector(dsn string) (stmtCacheConnector, error) {
	db, err := sql.Open("sqlite", dsn) // connects to nothing
	if err != nil {
		return stmtCacheConnector{}, err
	}
	drv := db.Driver()
	_ = db.Close()
	return stmtCacheConnector{dsn: dsn, drv: drv}, nil
}

func (c stmtCacheConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(sqliteConn)
	if !ok {
		_ = conn.Close()
		return nil, errors.New("queue: the sqlite driver's connection lacks a method the statement cache needs: " + reflect.TypeOf(conn).String())
	}
	return &cachingConn{sqliteConn: sc, stmts: map[string]*cachedStmt{}}, nil
}

func (c stmtCacheConnector) Driver() driver.Driver { return c.drv }

// sqliteConn is what a modernc.org/sqlite connection implements and
// database/sql uses.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachedStmt is a prepared statement and whether rows of it are open.
type cachedStmt struct {
	stmt interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	busy bool
}

// cachingConn is a connection that reuses its prepared statements.
// database/sql uses a connection from one goroutine at a time (rows
// included), so it needs no lock.
type cachingConn struct {
	sqliteConn
	stmts map[string]*cachedStmt
}

// cached returns the idle cached statement for query, preparing it on
// first use; nil when rows of it are open or it cannot be kept (the
// caller then runs the query uncached, with its own error if it fails).
func (c *cachingConn) cached(ctx context.Context, query string) *cachedStmt {
	if cs, ok := c.stmts[query]; ok {
		if cs.busy {
			return nil
		}
		return cs
	}
	s, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	ss, ok := s.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		_ = s.Close()
		return nil
	}
	if len(c.stmts) >= stmtCacheSize {
		c.dropIdle()
	}
	cs := &cachedStmt{stmt: ss}
	c.stmts[query] = cs
	return cs
}

// dropIdle closes the cached statements that no rows use.
func (c *cachingConn) dropIdle() {
	for q, cs := range c.stmts {
		if !cs.busy {
			_ = cs.stmt.Close()
			delete(c.stmts, q)
		}
	}
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs := c.cached(ctx, query)
	if cs == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return cs.stmt.ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs := c.cached(ctx, query)
	if cs == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	r, err := cs.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: r, cs: cs}, nil
}

// Close closes the cached statements, then the connection.
func (c *cachingConn) Close() error {
	for q, cs := range c.stmts {
		_ = cs.stmt.Close()
		delete(c.stmts, q)
	}
	return c.sqliteConn.Close()
}

// cachedRows gives its statement back when closed. It passes on the
// column type methods of modernc.org/sqlite's rows.
type cachedRows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.cs != nil {
		r.cs.busy = false
		r.cs = nil
	}
	return err
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
