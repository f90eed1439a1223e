package engine

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// mysqlOwned are URL parameters the store sets itself: times are UTC and
// parsed, text is utf8mb4, one statement per query, matched rows counted.
var mysqlOwned = []string{"parseTime", "loc", "time_zone", "charset", "collation", "interpolateParams", "multiStatements", "clientFoundRows"}

// MySQLConfig turns mysql://user:pass@host:port/db?param=v into a driver
// config, or mysql://user:pass@/db?socket=/path into one that connects
// through the server's Unix socket. Driver options (tls, timeout,
// readTimeout, ...) and server variables are passed through; the ones in
// mysqlOwned are forced. Errors never include the password.
func MySQLConfig(raw string) (*mysql.Config, error) {
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

// MySQLPool sizes the pool of plain connections: replaced every few
// minutes to follow failovers and DNS changes.
var MySQLPool = Pool{Conns: 32, Lifetime: 5 * time.Minute, IdleTime: time.Minute}
