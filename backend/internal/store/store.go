package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // the "sqlite" driver
)

// Dialects.
const (
	MySQL  = "mysql"
	SQLite = "sqlite"
)

//go:embed migrations
var migrations embed.FS

// Options configure Open.
type Options struct {
	DataDir string // where the embedded SQLite database lives; default ./data
	Logger  *slog.Logger
}

// Store is the database. It is safe for concurrent use.
type Store struct {
	db      *sqlx.DB
	dialect string
	log     *slog.Logger
}

// NewID returns a fresh random id: 16 bytes, lower-case hex.
func NewID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("store: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// Open connects to databaseURL and applies pending migrations. An empty URL
// opens the embedded SQLite database in opts.DataDir.
func Open(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.DataDir == "" {
		opts.DataDir = "./data"
	}
	var (
		s   *Store
		err error
	)
	switch {
	case databaseURL == "":
		s, err = openSQLite(filepath.Join(opts.DataDir, "authbridge.db"))
	case strings.HasPrefix(databaseURL, "sqlite:"):
		s, err = openSQLite(strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "//"))
	case strings.HasPrefix(databaseURL, "mysql://"):
		s, err = openMySQL(databaseURL)
	default:
		return nil, errors.New("store: database URL must start with mysql:// or sqlite:")
	}
	if err != nil {
		return nil, err
	}
	s.log = opts.Logger
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, s.inUse(fmt.Errorf("store: connect: %w", err))
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, s.inUse(err)
	}
	return s, nil
}

// inUse explains a locked embedded database.
func (s *Store) inUse(err error) error {
	if s.dialect == SQLite && isRetryable(err) {
		return fmt.Errorf("store: the embedded database is in use by another AuthBridge process (stop it first, or use MySQL for several processes): %w", err)
	}
	return err
}

func openSQLite(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: sqlite: empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: sqlite: create data dir: %w", err)
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sqlx.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: sqlite: %w", err)
	}
	// Several connections: WAL lets reads run beside the one writer, and a
	// transaction's callback (RotateParams.Mint signs a token, which may
	// reload keys from the store) must be able to read on another
	// connection. One connection here deadlocks that callback.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	return &Store{db: db, dialect: SQLite}, nil
}

// mysqlConfig turns mysql://user:pass@host:port/db?param=v into a driver
// config. Errors never include the password.
func mysqlConfig(raw string) (*mysql.Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("store: mysql: malformed database URL")
	}
	cfg := mysql.NewConfig()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = u.Host + ":3306"
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.Collation = "utf8mb4_unicode_ci"
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	for k, v := range u.Query() {
		cfg.Params[k] = v[0]
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
	db := sqlx.NewDb(sql.OpenDB(conn), "mysql")
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxLifetime(5 * time.Minute)
	return &Store{db: db, dialect: MySQL}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Dialect is "mysql" or "sqlite".
func (s *Store) Dialect() string { return s.dialect }

// migrate applies the embedded migrations not applied yet, in order. On
// MySQL a named lock keeps two replicas starting at once from racing.
func (s *Store) migrate(ctx context.Context) error {
	if s.dialect == SQLite {
		// DDL is transactional in SQLite and an IMMEDIATE transaction holds
		// the write lock, so concurrent starts apply each migration once.
		return s.inTx(ctx, func(tx *sqlx.Tx) error { return s.applyMigrations(ctx, tx) })
	}
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Close()
	var got sql.NullInt64
	if err := conn.GetContext(ctx, &got, "SELECT GET_LOCK('authbridge_migrate', 60)"); err != nil || got.Int64 != 1 {
		return fmt.Errorf("store: migrate: take lock: %v", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK('authbridge_migrate')")
	return s.applyMigrations(ctx, conn)
}

type migrator interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

func (s *Store) applyMigrations(ctx context.Context, conn migrator) error {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY,
		applied_at VARCHAR(32) NOT NULL)`); err != nil {
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
	dir := "migrations/" + s.dialect
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		var version int
		if _, err := fmt.Sscanf(e.Name(), "%04d_", &version); err != nil {
			return fmt.Errorf("store: migrate: bad file name %q", e.Name())
		}
		if done[version] {
			continue
		}
		body, err := fs.ReadFile(migrations, dir+"/"+e.Name())
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		for _, stmt := range splitStatements(string(body)) {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("store: migrate %s: %w", e.Name(), err)
			}
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
			version, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("store: migrate %s: record: %w", e.Name(), err)
		}
		s.log.Info("applied migration", "file", e.Name(), "dialect", s.dialect)
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

// ts is how every time is bound: UTC with fixed-width microseconds, so
// SQLite's text comparisons order like MySQL's DATETIME(6).
func ts(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000000") }

func tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// forUpdate is the row-lock suffix: InnoDB locks the row; SQLite's
// IMMEDIATE transactions already hold the single write lock.
func (s *Store) forUpdate() string {
	if s.dialect == MySQL {
		return " FOR UPDATE"
	}
	return ""
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// isDuplicate reports a unique-key violation on either engine.
func isDuplicate(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// isRetryable reports a deadlock or lock wait timeout (MySQL) or a busy
// database (SQLite): the transaction may simply run again.
func isRetryable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 || me.Number == 1205
	}
	return err != nil && (strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked"))
}

// maxRetries bounds how often a deadlocked or busy transaction runs again.
const maxRetries = 8

// backoff waits a little, more each attempt, with jitter so the
// transactions that collided do not collide again.
func backoff(ctx context.Context, attempt int) {
	d := time.Duration(1+mrand.IntN(1<<min(attempt, 5))) * time.Millisecond
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// DB exposes the handle for tests and maintenance tools in this module.
func (s *Store) DB() *sqlx.DB { return s.db }
