package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

//go:embed migrations
var migrations embed.FS

// migrate applies the embedded migrations not applied yet, in order.
func (s *Store) migrate(ctx context.Context) error {
	if s.eng.TransactionalDDL {
		// DDL is transactional in SQLite and an IMMEDIATE transaction holds
		// the write lock, so concurrent starts apply each migration once.
		return s.inTx(ctx, func(tx *sqlx.Tx) error { return s.applyMigrations(ctx, tx) })
	}
	// MySQL commits each DDL statement on its own: a named lock (held by
	// this connection) keeps two replicas starting at once from applying
	// a migration twice.
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Close()
	lock := s.migrateLock
	var got sql.NullInt64
	if err := conn.GetContext(ctx, &got, "SELECT GET_LOCK(?, 120)", lock); err != nil {
		return fmt.Errorf("store: migrate: take lock: %w", err)
	}
	if got.Int64 != 1 {
		return errors.New("store: migrate: another process held the migration lock for 2 minutes")
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK(?)", lock)
	return s.applyMigrations(ctx, conn)
}

type migrator interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// migration is one embedded file.
type migration struct {
	version int
	name    string
}

func (s *Store) migrationFiles() ([]migration, error) {
	dir := "migrations/" + s.eng.MigrationDir
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		var version int
		if _, err := fmt.Sscanf(e.Name(), "%04d_", &version); err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("bad migration file name %q", e.Name())
		}
		out = append(out, migration{version, dir + "/" + e.Name()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("two migrations numbered %d", out[i].version)
		}
	}
	return out, nil
}

func (s *Store) applyMigrations(ctx context.Context, conn migrator) error {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY,
		applied_at `+s.eng.TimeType+` NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: create schema_migrations: %w", err)
	}
	var applied []int
	if err := conn.SelectContext(ctx, &applied, "SELECT version FROM schema_migrations"); err != nil {
		return fmt.Errorf("store: migrate: read versions: %w", err)
	}
	done := map[int]bool{}
	for _, v := range applied {
		done[v] = true
	}
	files, err := s.migrationFiles()
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	known := map[int]bool{}
	for _, m := range files {
		known[m.version] = true
		if done[m.version] {
			continue
		}
		body, err := fs.ReadFile(migrations, m.name)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		for _, stmt := range splitStatements(string(body)) {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("store: migrate %s: %w", m.name, err)
			}
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
			m.version, ts(time.Now())); err != nil {
			return fmt.Errorf("store: migrate %s: record: %w", m.name, err)
		}
		s.log.Info("applied migration", "file", m.name, "dialect", s.eng.Name)
	}
	for _, v := range applied {
		if !known[v] {
			// A newer release migrated this database (rolling upgrade, or a
			// rollback): its migrations only add, so carry on.
			s.log.Warn("the database has a migration this binary does not know", "version", v)
		}
	}
	return nil
}

// splitStatements splits a migration on semicolons at line ends and drops
// comment lines.
func splitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}
