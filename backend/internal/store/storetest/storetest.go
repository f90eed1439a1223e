// Package storetest gives tests of any package a fresh, migrated database
// of each engine: SQLite always, MySQL/MariaDB when
// AUTHBRIDGE_TEST_MYSQL_URL points at a server (make test starts one).
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/authbridge/authbridge/backend/internal/store"
)

// EnvMySQL names the server used for MySQL cases, e.g.
// mysql://root:secret@127.0.0.1:33061/ (no database: each test makes its own).
const EnvMySQL = "AUTHBRIDGE_TEST_MYSQL_URL"

// Engines lists the engines to run against. Under CI=true a missing MySQL
// server fails the test instead of being left out.
func Engines(tb testing.TB) []string {
	tb.Helper()
	if os.Getenv(EnvMySQL) != "" {
		return []string{store.SQLite, store.MySQL}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("CI=true but %s is not set: the MySQL cases cannot run (make test starts MariaDB)", EnvMySQL)
	}
	tb.Logf("%s is not set: MySQL cases left out of this local run (CI requires them)", EnvMySQL)
	return []string{store.SQLite}
}

// New opens a fresh, migrated database of engine, removed when tb ends.
func New(tb testing.TB, engine string) *store.Store {
	tb.Helper()
	var raw string
	switch engine {
	case store.SQLite:
		raw = "sqlite:" + tb.TempDir() + "/test.db"
	case store.MySQL:
		raw = NewURL(tb)
	default:
		tb.Fatalf("unknown engine %q", engine)
	}
	st, err := store.Open(context.Background(), raw, store.Options{})
	if err != nil {
		tb.Fatalf("open %s: %v", engine, err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// NewURL creates an empty MySQL database and answers its URL; it is
// dropped when tb ends.
func NewURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvMySQL)
	if base == "" {
		tb.Fatalf("%s is not set (CI requires MySQL; make test starts MariaDB)", EnvMySQL)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: malformed URL", EnvMySQL)
	}
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr = "tcp", u.Host
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	name := "t_" + strings.ReplaceAll(store.NewID()[:16], "-", "")
	if _, err := db.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4"); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("mysql", cfg.FormatDSN())
		if err == nil {
			db.Exec("DROP DATABASE IF EXISTS " + name)
			db.Close()
		}
	})
	u.Path = "/" + name
	return fmt.Sprint(u)
}
