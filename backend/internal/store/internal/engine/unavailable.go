package engine

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// unavailableCodes are MySQL/MariaDB error numbers that mean the server,
// not the statement, is the problem: retrying later (or on the new primary)
// may work.
var unavailableCodes = map[uint16]bool{
	1053: true, // ER_SERVER_SHUTDOWN: shutdown in progress
	1290: true, // ER_OPTION_PREVENTS_STATEMENT: --read-only (a demoted primary)
	1927: true, // ER_CONNECTION_KILLED (MariaDB)
	2006: true, // CR_SERVER_GONE_ERROR: server has gone away
	2013: true, // CR_SERVER_LOST: lost connection during query
}

// IsUnavailable reports whether err, from either engine or the network,
// means the database could not be used at all, as opposed to a refused
// statement.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.Is(err, sql.ErrConnDone), errors.Is(err, driver.ErrBadConn),
		errors.Is(err, mysql.ErrInvalidConn), errors.As(err, &oe), errors.As(err, &ne):
		return true
	case errors.Is(err, context.DeadlineExceeded):
		return true
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) && unavailableCodes[me.Number] {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "sql: database is closed") || strings.Contains(msg, "connection refused") ||
		strings.Contains(msg, "unable to open database file")
}
