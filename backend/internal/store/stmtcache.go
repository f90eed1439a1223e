package store

import (
	"context"
	"database/sql/driver"
	"errors"
)

// The embedded SQLite driver prepares every statement again on each call
// (its conn.ExecContext/QueryContext compile the SQL text each time); on the
// single write connection that compilation is spent while every other writer
// waits. cachingConnector keeps each connection's prepared statements by
// their SQL text instead. database/sql never uses a connection from two
// goroutines at once, so the per-connection map needs no lock.

// maxCachedStmts bounds each connection's cache; the store's SQL is a fixed
// set of strings, far fewer than this.
const maxCachedStmts = 256

// cachingConnector opens connections of drv that cache their statements.
type cachingConnector struct {
	drv driver.Driver
	dsn string
}

func (c cachingConnector) Connect(context.Context) (driver.Conn, error) {
	cn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	if _, ok := cn.(driver.ConnPrepareContext); !ok {
		cn.Close()
		return nil, errors.New("store: the sqlite driver cannot prepare with a context")
	}
	return &cachingConn{Conn: cn, stmts: map[string]driver.Stmt{}}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.drv }

// cachingConn deliberately does not implement driver.ExecerContext or
// driver.QueryerContext, so database/sql prepares through PrepareContext,
// which answers the cached statement.
type cachingConn struct {
	driver.Conn
	stmts map[string]driver.Stmt
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return cachedStmt{st}, nil
	}
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil || len(c.stmts) >= maxCachedStmts {
		return st, err
	}
	c.stmts[query] = st
	return cachedStmt{st}, nil
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // only for drivers without BeginTx
}

func (c *cachingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// Close finalizes the cached statements, then closes the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for q, st := range c.stmts {
		errs = append(errs, st.Close())
		delete(c.stmts, q)
	}
	errs = append(errs, c.Conn.Close())
	return errors.Join(errs...)
}

// cachedStmt is a statement the connection keeps: database/sql's Close of
// it is a no-op, the connection finalizes it when it closes.
type cachedStmt struct {
	driver.Stmt
}

func (cachedStmt) Close() error { return nil }

func (s cachedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := s.Stmt.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	return nil, errors.New("store: the sqlite driver cannot execute with a context")
}

func (s cachedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	return nil, errors.New("store: the sqlite driver cannot query with a context")
}
