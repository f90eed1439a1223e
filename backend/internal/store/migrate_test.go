package store_test

import (
	"context"
	"database/sql"
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

// TestMigrationEndsOldSessions: a database of the first schema, with a live
// session of the old token format (a row per refresh token), moves to
// constant-size families: the session is revoked with the reason
// token_format (its user signs in again), an already ended one keeps its
// reason, and the token table is gone.
func TestMigrationEndsOldSessions(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			var raw string
			var db *sql.DB
			switch engine {
			case store.SQLite:
				path := filepath.Join(t.TempDir(), "old.db")
				raw = "sqlite:" + path
				var err error
				if db, err = sql.Open("sqlite", "file:"+path); err != nil {
					t.Fatal(err)
				}
			case store.MySQL:
				raw = storetest.NewURL(t)
				u, err := url.Parse(raw)
				if err != nil {
					t.Fatal(err)
				}
				cfg := mysql.NewConfig()
				cfg.Net, cfg.Addr, cfg.DBName = "tcp", u.Host, strings.TrimPrefix(u.Path, "/")
				cfg.User = u.User.Username()
				cfg.Passwd, _ = u.User.Password()
				conn, err := mysql.NewConnector(cfg)
				if err != nil {
					t.Fatal(err)
				}
				db = sql.OpenDB(conn)
			}
			defer db.Close()
			body, err := os.ReadFile(filepath.Join("migrations", engine, "0001_init.sql"))
			if err != nil {
				t.Fatal(err)
			}
			var stmts []string
			for _, line := range strings.Split(string(body), "\n") {
				if !strings.HasPrefix(strings.TrimSpace(line), "--") {
					stmts = append(stmts, line)
				}
			}
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := db.ExecContext(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			for _, q := range strings.Split(strings.Join(stmts, "\n"), ";\n") {
				if q = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(q), ";")); q != "" {
					exec(q)
				}
			}
			exec("CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at DATETIME NOT NULL)")
			exec("INSERT INTO schema_migrations (version, applied_at) VALUES (1, '2026-11-01 00:00:00')")
			exec("INSERT INTO users (id, name, created_at, updated_at) VALUES ('u1', 'U', '2026-11-01 00:00:00', '2026-11-01 00:00:00')")
			far := time.Now().Add(24 * time.Hour).UTC().Format("2006-01-02 15:04:05")
			exec("INSERT INTO refresh_families (id, user_id, created_at, last_used_at, expires_at) VALUES ('live', 'u1', '2026-11-01 00:00:00', '2026-11-01 00:00:00', ?)", far)
			exec("INSERT INTO refresh_families (id, user_id, created_at, last_used_at, expires_at, revoked_at, revoke_reason) VALUES ('gone', 'u1', '2026-11-01 00:00:00', '2026-11-01 00:00:00', ?, '2026-11-02 00:00:00', 'logout')", far)
			exec("INSERT INTO refresh_tokens (token_hash, family_id, created_at) VALUES (?, 'live', '2026-11-01 00:00:00')", h("old"))
			db.Close()

			before := time.Now().Add(-time.Second)
			s, err := store.Open(ctx, raw, store.Options{})
			if err != nil {
				t.Fatalf("open the old database: %v", err)
			}
			defer s.Close()
			live, err := s.GetFamily(ctx, "live")
			if err != nil || live.RevokedAt == nil || live.RevokedAt.Before(before) || live.RevokeReason != "token_format" {
				t.Fatalf("the live old session after the migration = %+v, %v; want revoked now, reason token_format", live, err)
			}
			gone, err := s.GetFamily(ctx, "gone")
			if err != nil || gone.RevokeReason != "logout" {
				t.Fatalf("the ended old session = %+v, %v; want its reason kept", gone, err)
			}
			if fs, err := s.ListActiveFamilies(ctx, "u1", time.Now(), 0); err != nil || len(fs) != 0 {
				t.Fatalf("active sessions after the migration = %+v, %v", fs, err)
			}
			var n int
			if err := s.DB().GetContext(ctx, &n, "SELECT COUNT(*) FROM refresh_tokens"); err == nil {
				t.Fatal("refresh_tokens is still there")
			}
		})
	}
}
