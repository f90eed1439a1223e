package store_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/authbridge/authbridge/backend/internal/store"
)

func TestIsUnavailable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"bad connection", fmt.Errorf("store: x: %w", driver.ErrBadConn), true},
		{"invalid connection", fmt.Errorf("store: x: %w", mysql.ErrInvalidConn), true},
		{"closed pool", errors.New("sql: database is closed"), true},
		{"connection refused", errors.New("dial tcp 127.0.0.1:3306: connect: connection refused"), true},
		{"deadline", fmt.Errorf("store: x: %w", context.DeadlineExceeded), true},
		{"server shutdown 1053", fmt.Errorf("store: x: %w", &mysql.MySQLError{Number: 1053, Message: "Server shutdown in progress"}), true},
		{"connection killed 1927", fmt.Errorf("store: x: %w", &mysql.MySQLError{Number: 1927, Message: "Connection was killed"}), true},
		{"read-only 1290", fmt.Errorf("store: x: %w", &mysql.MySQLError{Number: 1290, Message: "The MariaDB server is running with the --read-only option"}), true},
		{"server gone 2006", fmt.Errorf("store: x: %w", &mysql.MySQLError{Number: 2006, Message: "MySQL server has gone away"}), true},
		{"lost connection 2013", fmt.Errorf("store: x: %w", &mysql.MySQLError{Number: 2013, Message: "Lost connection to MySQL server during query"}), true},
		{"duplicate key is the statement's fault", fmt.Errorf("store: x: %w", &mysql.MySQLError{Number: 1062, Message: "Duplicate entry"}), false},
		{"deadlock is retried, not an outage", &mysql.MySQLError{Number: 1213, Message: "Deadlock found"}, false},
		{"no rows", sql.ErrNoRows, false},
		{"plain failure", errors.New("disk on fire"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.IsUnavailable(tt.err); got != tt.want {
				t.Fatalf("IsUnavailable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
