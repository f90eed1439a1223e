package store

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// The MySQL pool Store.multi allows multi-statement queries, for the
// queries the store builds itself (inOneQuery); every value in them is a
// parameter the driver escapes.

// discard closes c without returning it to the pool.
func discard(c *sqlx.Conn) {
	_ = c.Raw(func(any) error { return driver.ErrBadConn })
	_ = c.Close()
}

// execAll runs a multi-statement query on c and answers the rows each
// statement affected. The server stops at the first statement that fails.
func execAll(ctx context.Context, c *sqlx.Conn, query string, args []any) ([]int64, error) {
	var counts []int64
	err := c.Raw(func(dc any) error {
		ex, ok := dc.(driver.ExecerContext)
		if !ok {
			return fmt.Errorf("execAll: driver connection %T cannot exec", dc)
		}
		nv := make([]driver.NamedValue, len(args))
		for i, a := range args {
			nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
			if ch, ok := dc.(driver.NamedValueChecker); ok {
				if err := ch.CheckNamedValue(&nv[i]); err != nil {
					return err
				}
			}
		}
		res, err := ex.ExecContext(ctx, query, nv)
		if err != nil {
			return err
		}
		r, ok := res.(mysql.Result)
		if !ok {
			return fmt.Errorf("execAll: driver result %T has no counts", res)
		}
		counts = r.AllRowsAffected()
		return nil
	})
	return counts, err
}
