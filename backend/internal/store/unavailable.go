package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// ErrUnavailable marks failures of the database itself (gone, closed,
// unreachable), as opposed to a refused statement: the request may
// succeed later.
var ErrUnavailable = errors.New("store: database unavailable")

// IsUnavailable reports whether err means the database could not be used
// at all.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.Is(err, ErrUnavailable), errors.Is(err, sql.ErrConnDone), errors.Is(err, driver.ErrBadConn),
		errors.Is(err, mysql.ErrInvalidConn), errors.As(err, &oe), errors.As(err, &ne):
		return true
	case errors.Is(err, context.DeadlineExceeded):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "sql: database is closed") || strings.Contains(msg, "connection refused") ||
		strings.Contains(msg, "unable to open database file")
}
