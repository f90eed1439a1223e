package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// The product's storetest package is internal to the backend module, so
// this module keeps its own copy of the two helpers its server test needs:
// the same variable, the same CI rule, a fresh database per case.

// envMySQL names the server used for MySQL cases, e.g.
// mysql://root:secret@127.0.0.1:33061/ (no database: each test makes its own).
const envMySQL = "AUTHBRIDGE_TEST_MYSQL_URL"

// engines lists the engines to run against: "sqlite", and "mysql" when
// envMySQL is set. Under CI=true a missing MySQL server fails the test
// instead of being left out.
func engines(tb testing.TB) []string {
	tb.Helper()
	if os.Getenv(envMySQL) != "" {
		return []string{"sqlite", "mysql"}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("CI=true but %s is not set: the MySQL cases cannot run (make test starts MariaDB; by hand: export \"$(scripts/mariadb.sh start DIR)\")", envMySQL)
	}
	tb.Logf("%s is not set: MySQL cases left out of this local run (CI requires them; scripts/mariadb.sh start DIR prints the variable)", envMySQL)
	return []string{"sqlite"}
}

// newMySQLURL creates an empty database on the envMySQL server, dropped
// when tb ends, and answers its URL.
func newMySQLURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(envMySQL)
	if base == "" {
		tb.Fatalf("%s is not set (CI requires MySQL; make test starts MariaDB)", envMySQL)
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "mysql" {
		tb.Fatalf("%s: malformed URL (want mysql://user:pass@127.0.0.1:PORT/)", envMySQL) // never print it: it holds a password
	}
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr = "tcp", u.Host
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Timeout = 10 * time.Second
	admin := func(stmt string) error {
		conn, err := mysql.NewConnector(cfg)
		if err != nil {
			return err
		}
		db := sql.OpenDB(conn)
		defer db.Close()
		_, err = db.Exec(stmt)
		return err
	}
	// [0-9a-f] only: safe to splice into DDL. crypto/rand.Read never
	// returns an error (it panics instead).
	b := make([]byte, 8)
	rand.Read(b)
	name := "authbridge_test_" + hex.EncodeToString(b)
	if err := admin("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		if err := admin("DROP DATABASE IF EXISTS " + name); err != nil {
			tb.Logf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
