package store

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// mysqlOwned are URL parameters the store sets itself: times are UTC and
// parsed, text is utf8mb4, one statement per query, matched rows counted.
var mysqlOwned = []string{"parseTime", "loc", "time_zone", "charset", "collation", "interpolateParams", "multiStatements", "clientFoundRows"}

// mysqlConfig turns mysql://user:pass@host:port/db?param=v into a driver
// config, or mysql://user:pass@/db?socket=/path into one that connects
// through the server's Unix socket. Driver options (tls, timeout,
// readTimeout, ...) and server variables are passed through; the ones in
// mysqlOwned are forced. Errors never include the password.
func mysqlConfig(raw string) (*mysql.Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "mysql" {
		return nil, errors.New("store: mysql: malformed database URL (want mysql://user:pass@host:port/db)")
	}
	q := u.Query()
	for _, k := range mysqlOwned {
		q.Del(k)
	}
	socket := q.Get("socket")
	q.Del("socket")
	switch {
	case socket != "" && u.Host != "" && u.Hostname() != "localhost":
		return nil, errors.New("store: mysql: the database URL names both a host and a socket (want mysql://user:pass@/db?socket=/path)")
	case socket != "" && !filepath.IsAbs(socket):
		return nil, errors.New("store: mysql: the database URL's socket is not an absolute path")
	case socket == "" && u.Host == "":
		return nil, errors.New("store: mysql: malformed database URL (want mysql://user:pass@host:port/db)")
	}
	// Parse only the options: user, password and database name are set as
	// fields, so no character in them can be mistaken for DSN syntax.
	dsn := "/"
	if len(q) > 0 {
		dsn += "?" + q.Encode()
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: mysql: database URL parameters: %w", err)
	}
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	if socket != "" {
		cfg.Net = "unix"
		cfg.Addr = socket
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.Collation = "utf8mb4_unicode_ci"
	// One round trip per statement instead of prepare + execute. Safe with
	// utf8mb4 (the driver refuses it with the multi-byte charsets where
	// escaping is unsafe) and it tracks NO_BACKSLASH_ESCAPES.
	cfg.InterpolateParams = true
	// RowsAffected counts the rows an UPDATE matched, as SQLite does, not
	// only those whose values changed (an update to the same value is
	// still a hit).
	cfg.ClientFoundRows = true
	// One statement per query: a text that reached a query can never
	// append a statement of its own (only the multi pool allows more, for
	// queries the store builds itself).
	cfg.MultiStatements = false
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	return cfg, nil
}

func openMySQL(raw string) (*Store, error) {
	cfg, err := mysqlConfig(raw)
	if err != nil {
		return nil, err
	}
	if cfg.DBName == "" {
		return nil, errors.New("store: mysql: the database URL names no database")
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("store: mysql: %w", err)
	}
	// A returning sign-in sends its writes as one multi-statement query
	// (stmts.go); only these connections allow it. Every value in those
	// queries is a parameter the driver escapes.
	mcfg := cfg.Clone()
	mcfg.MultiStatements = true
	mconn, err := mysql.NewConnector(mcfg)
	if err != nil {
		return nil, fmt.Errorf("store: mysql: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(conn), "mysql")
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxLifetime(5 * time.Minute) // follow failovers and DNS changes
	db.SetConnMaxIdleTime(time.Minute)
	multi := sqlx.NewDb(sql.OpenDB(mconn), "mysql")
	multi.SetMaxOpenConns(multiSignIns)
	multi.SetMaxIdleConns(multiSignIns)
	multi.SetConnMaxLifetime(5 * time.Minute)
	multi.SetConnMaxIdleTime(time.Minute)
	return &Store{db: db, rdb: db, multi: multi, dialect: MySQL, migrateLock: Clip("authbridge_migrate:"+cfg.DBName, 64)}, nil
}
