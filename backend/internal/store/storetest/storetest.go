// Package storetest gives tests of any package a fresh, migrated database
// of each engine: SQLite always, MySQL/MariaDB when
// AUTHBRIDGE_TEST_MYSQL_URL points at a server (scripts/mariadb.sh starts
// a throwaway one; make test does it for you).
package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/authbridge/authbridge/backend/internal/store"
)

// EnvMySQL names the server used for MySQL cases, e.g.
// mysql://root:secret@127.0.0.1:33061/ (no database: each test makes its own).
const EnvMySQL = "AUTHBRIDGE_TEST_MYSQL_URL"

// EnvMySQLSocket names the same server reached through its Unix socket,
// e.g. mysql://user:secret@/?socket=/tmp/mdb/sock (scripts/mariadb.sh
// prints both).
const EnvMySQLSocket = "AUTHBRIDGE_TEST_MYSQL_SOCKET_URL"

// Engines lists the engines to run against: "sqlite", and "mysql" when
// EnvMySQL is set. Under CI=true a missing MySQL server fails the test
// instead of being left out.
func Engines(tb testing.TB) []string {
	tb.Helper()
	if os.Getenv(EnvMySQL) != "" {
		return []string{store.SQLite, store.MySQL}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("CI=true but %s is not set: the MySQL cases cannot run (make test starts MariaDB; by hand: export \"$(scripts/mariadb.sh start DIR)\")", EnvMySQL)
	}
	tb.Logf("%s is not set: MySQL cases left out of this local run (CI requires them; scripts/mariadb.sh start DIR prints the variable)", EnvMySQL)
	return []string{store.SQLite}
}

// urls remembers the URL each store from New was opened with, for URL.
var urls sync.Map // *store.Store → string

// New opens a fresh, migrated database of engine ("sqlite" or "mysql"),
// closed and removed when tb ends.
func New(tb testing.TB, engine string) *store.Store {
	tb.Helper()
	var raw string
	switch engine {
	case store.SQLite:
		raw = "sqlite:" + filepath.Join(tb.TempDir(), "test.db")
	case store.MySQL:
		raw = NewURL(tb)
	default:
		tb.Fatalf("storetest: unknown engine %q", engine)
	}
	st, err := store.Open(context.Background(), raw, store.Options{})
	if err != nil {
		tb.Fatalf("storetest: open %s: %v", engine, err)
	}
	urls.Store(st, raw)
	tb.Cleanup(func() {
		urls.Delete(st)
		st.Close()
	})
	return st
}

// URL answers the database URL of a store made by New, so a test can open
// the same database again (a second replica, a restart).
func URL(tb testing.TB, st *store.Store) string {
	tb.Helper()
	raw, ok := urls.Load(st)
	if !ok {
		tb.Fatal("storetest: URL of a store not made by storetest.New")
	}
	return raw.(string)
}

// NewURL creates an empty MySQL database on the server of EnvMySQL and
// answers its URL; the database is dropped when tb ends.
func NewURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvMySQL)
	if base == "" {
		tb.Fatalf("%s is not set (CI requires MySQL; make test starts MariaDB)", EnvMySQL)
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "mysql" {
		tb.Fatalf("%s: malformed URL (want mysql://user:pass@127.0.0.1:PORT/)", EnvMySQL) // never print it: it holds a password
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
	name := "authbridge_test_" + store.NewID()[:16] // [0-9a-f] only: safe to splice into DDL
	if err := admin("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		tb.Fatalf("storetest: create test database: %v", err)
	}
	tb.Cleanup(func() {
		if err := admin("DROP DATABASE IF EXISTS " + name); err != nil {
			tb.Logf("storetest: drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// The rows below are written by the product only inside a sign-in's
// transaction (store.SignIn); tests of other packages make them directly.

// dbTime is how the store writes a time, on both engines.
func dbTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000000") }

// CreateUser stores u, a user with no linked account yet.
func CreateUser(tb testing.TB, st *store.Store, u store.User) {
	tb.Helper()
	var disabled any
	if u.DisabledAt != nil {
		disabled = dbTime(*u.DisabledAt)
	}
	_, err := st.DB().ExecContext(context.Background(),
		"INSERT INTO users (id, name, email, email_canonical, email_verified, avatar_url, disabled_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		u.ID, u.Name, u.Email, u.EmailCanonical, u.EmailVerified, u.AvatarURL, disabled, dbTime(u.CreatedAt), dbTime(u.UpdatedAt))
	if err != nil {
		tb.Fatalf("storetest: create user: %v", err)
	}
}

// CreateFamily stores f, a session as a sign-in opens it (f.Generation and
// f.Secret are those of its first refresh token), for tests that need a
// signed-in user without running a sign-in.
func CreateFamily(tb testing.TB, st *store.Store, f store.Family) {
	tb.Helper()
	_, err := st.DB().ExecContext(context.Background(),
		"INSERT INTO refresh_families (id, user_id, provider, user_agent, ip, created_at, last_used_at, expires_at, revoked_at, revoke_reason, generation, secret, rotated_at)"+
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, '', ?, ?, NULL)",
		f.ID, f.UserID, f.Provider, f.UserAgent, f.IP, dbTime(f.CreatedAt), dbTime(f.LastUsedAt), dbTime(f.ExpiresAt), f.Generation, f.Secret)
	if err != nil {
		tb.Fatalf("storetest: create family: %v", err)
	}
}

// Family reads the family with id as it is stored now, with its
// generation, secret and last rotation.
func Family(tb testing.TB, st *store.Store, id string) store.Family {
	tb.Helper()
	var f store.Family
	err := st.DB().GetContext(context.Background(), &f,
		"SELECT id, user_id, provider, user_agent, ip, created_at, last_used_at, expires_at, revoked_at, revoke_reason, generation, secret, rotated_at FROM refresh_families WHERE id = ?", id)
	if err != nil {
		tb.Fatalf("storetest: family %s: %v", id, err)
	}
	return f
}
