package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
)

// TestMigrationKeysSignFromCreation: signing keys stored before migration
// 0004 sign from their creation, so the newest one stays current and the
// one before it is published until the tokens it signed expire.
func TestMigrationKeysSignFromCreation(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			raw, db := schemaAt(t, engine, 3)
			for i, kid := range []string{"old", "new"} {
				if _, err := db.ExecContext(ctx, `INSERT INTO signing_keys (kid, alg, private_key, encrypted, public_jwk, created_at)
					VALUES (?, 'ES256', ?, 0, '{}', ?)`, kid, []byte{1}, time.Date(2026, 11, 1+i, 0, 0, 0, 0, time.UTC).Format("2006-01-02 15:04:05.000000")); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			s, err := store.Open(ctx, raw, store.Options{})
			if err != nil {
				t.Fatalf("open the old database: %v", err)
			}
			defer s.Close()
			keys, err := s.ListSigningKeys(ctx)
			if err != nil || len(keys) != 2 {
				t.Fatalf("keys = %+v, %v", keys, err)
			}
			for _, k := range keys {
				if !k.SignsFrom.Equal(k.CreatedAt) {
					t.Fatalf("key %s signs from %v, created %v", k.KID, k.SignsFrom, k.CreatedAt)
				}
			}
			if keys[0].KID != "new" {
				t.Fatalf("latest first: %s", keys[0].KID)
			}
		})
	}
}

// schemaAt makes a database of engine with the migrations up to version
// applied (as an older release left it) and answers its URL for
// store.Open and a plain connection to fill it.
func schemaAt(tb testing.TB, engine string, version int) (string, *sql.DB) {
	tb.Helper()
	var raw string
	var db *sql.DB
	var err error
	switch engine {
	case store.SQLite:
		path := filepath.Join(tb.TempDir(), "old.db")
		raw = "sqlite:" + path
		db, err = sql.Open("sqlite", "file:"+path)
	case store.MySQL:
		raw = storetest.NewURL(tb)
		u, perr := url.Parse(raw)
		if perr != nil {
			tb.Fatal(perr)
		}
		cfg := mysql.NewConfig()
		cfg.Net, cfg.Addr, cfg.DBName = "tcp", u.Host, strings.TrimPrefix(u.Path, "/")
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
		conn, cerr := mysql.NewConnector(cfg)
		if cerr != nil {
			tb.Fatal(cerr)
		}
		db = sql.OpenDB(conn)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	exec := func(q string) {
		tb.Helper()
		if _, err := db.Exec(q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	exec("CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at DATETIME NOT NULL)")
	files, err := filepath.Glob(filepath.Join("migrations", engine, "*.sql"))
	if err != nil {
		tb.Fatal(err)
	}
	for v := 1; v <= version; v++ {
		var body []byte
		for _, f := range files {
			if strings.HasPrefix(filepath.Base(f), fmt.Sprintf("%04d_", v)) {
				if body, err = os.ReadFile(f); err != nil {
					tb.Fatal(err)
				}
			}
		}
		var stmts []string
		for _, line := range strings.Split(string(body), "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), "--") {
				stmts = append(stmts, line)
			}
		}
		for _, q := range strings.Split(strings.Join(stmts, "\n"), ";\n") {
			if q = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(q), ";")); q != "" {
				exec(q)
			}
		}
		exec(fmt.Sprintf("INSERT INTO schema_migrations (version, applied_at) VALUES (%d, '2026-11-01 00:00:00')", v))
	}
	return raw, db
}
