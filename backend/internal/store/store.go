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
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
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
	db      *sqlx.DB // writes and transactions
	rdb     *sqlx.DB // plain reads: read-only connections on SQLite, db itself on MySQL
	multi   *sqlx.DB // MySQL: connections that allow multi-statement queries (inOneQuery)
	dialect string
	log     *slog.Logger
	// migrateLock names the MySQL lock migrations run under: one per
	// database, so test databases on one server do not queue.
	migrateLock string
	// ckpt copies the SQLite write-ahead log into the database file in the
	// background (nil on MySQL).
	ckpt *checkpointer
	// users is GetUser's short-lived cache (usercache.go).
	users *userCache
	// retries counts transactions run again (Retries).
	retries atomic.Int64
	// rot batches SQLite's write transactions into shared ones (nil on
	// MySQL).
	rot *groupCommit
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
// opens the embedded SQLite database DataDir/authbridge.db; "sqlite:PATH"
// opens another SQLite file; "mysql://user:pass@host:port/db?param=value"
// opens MySQL or MariaDB. Errors never include the password.
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
		// Name the scheme only: the rest may hold a password.
		what := "database URL"
		if scheme, _, ok := strings.Cut(databaseURL, "://"); ok && isScheme(scheme) {
			what = fmt.Sprintf("database URL scheme %q", scheme)
		}
		return nil, fmt.Errorf("store: unsupported %s: use mysql://user:pass@host:port/db, sqlite:/path/file.db, or nothing for the embedded SQLite", what)
	}
	if err != nil {
		return nil, err
	}
	s.log = opts.Logger
	s.users = newUserCache()
	if err := s.db.PingContext(ctx); err != nil {
		s.Close()
		return nil, s.inUse(fmt.Errorf("store: connect: %w", err))
	}
	if err := s.rdb.PingContext(ctx); err != nil {
		s.Close()
		return nil, s.inUse(fmt.Errorf("store: connect (reads): %w", err))
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, s.inUse(err)
	}
	if s.ckpt != nil {
		s.ckpt.start(s.log)
	}
	if s.dialect == SQLite {
		s.rot = newGroupCommit(s)
	}
	return s, nil
}

func isScheme(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// inUse explains a database another process keeps locked.
func (s *Store) inUse(err error) error {
	if s.dialect == SQLite && isRetryable(err) {
		return fmt.Errorf("store: the embedded database stayed locked by another process (another AuthBridge with the same data dir?): %w", err)
	}
	return err
}

// sqliteBusyTimeout is how long a connection waits for another process's
// write lock before it answers SQLITE_BUSY.
const sqliteBusyTimeout = 10 * time.Second

func openSQLite(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: sqlite: empty path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, errors.New("store: sqlite: the path may not contain '?' or '#'")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: sqlite: create data dir: %w", err)
	}
	// The file holds signing keys: create it private. SQLite gives its -wal
	// and -shm files the mode of the database file.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: sqlite: %w", err)
	}
	f.Close()

	common := url.Values{}
	common.Set("_busy_timeout", fmt.Sprint(sqliteBusyTimeout.Milliseconds()))
	common.Set("_foreign_keys", "1")
	common.Set("_synchronous", "NORMAL") // with WAL: durable across crashes of the process; a power loss may drop the last commits

	// Writes: one connection. SQLite has one writer at a time anyway; in
	// the process, database/sql's queue orders writers without SQLite's
	// sleeping busy handler. Transactions begin IMMEDIATE so they take the
	// write lock up front and never fail to upgrade a read lock halfway.
	// Another process (a second server on the same file, a maintenance
	// command) waits up to the busy timeout.
	w := url.Values{}
	for k, v := range common {
		w[k] = v
	}
	w.Set("_journal_mode", "WAL")
	w.Set("_txlock", "immediate")
	// No checkpoint in the committing writer: it fsyncs while every other
	// writer waits. The checkpointer below does it beside the writes.
	w.Add("_pragma", "wal_autocheckpoint(0)")
	// The group commit runs each job in a savepoint; SQLite keeps a
	// savepoint's page copies in a sub-journal that spills to a temporary
	// file past 64 KiB, which a batch did: a third of the writer's pwrite
	// calls went there. In memory, they are never written.
	w.Add("_pragma", "temp_store(MEMORY)")
	db := openCachingSQLite("file:" + path + "?" + w.Encode())
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)

	// Reads: WAL lets readers run beside the writer, each on a consistent
	// snapshot. A read never waits for the write connection, so a caller
	// may read the store while it is inside a write transaction.
	r := url.Values{}
	for k, v := range common {
		r[k] = v
	}
	r.Set("_query_only", "1")
	// Readers look up rows by key; a small page cache each keeps the
	// process small (the writer keeps SQLite's default 2 MiB).
	r.Add("_pragma", "cache_size(-512)")
	rdb := openCachingSQLite("file:" + path + "?" + r.Encode())
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	rdb.SetMaxOpenConns(readers)
	rdb.SetMaxIdleConns(readers)
	rdb.SetConnMaxLifetime(0)
	ck := openCachingSQLite("file:" + path + "?" + common.Encode())
	ck.SetMaxOpenConns(1)
	ck.SetMaxIdleConns(1)
	ck.SetConnMaxLifetime(0)
	return &Store{db: db, rdb: rdb, dialect: SQLite, ckpt: newCheckpointer(ck, checkpointEvery)}, nil
}

// openCachingSQLite opens a pool whose connections keep their prepared
// statements (stmtcache.go).
func openCachingSQLite(dsn string) *sqlx.DB {
	return sqlx.NewDb(sql.OpenDB(cachingConnector{drv: &sqlite.Driver{}, dsn: dsn}), "sqlite")
}

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

// Close closes the database.
func (s *Store) Close() error {
	var err error
	if s.rot != nil {
		s.rot.close()
	}
	if s.ckpt != nil {
		err = s.ckpt.close() // before the pools: it truncates the log once writes stopped
	}
	err = errors.Join(err, s.db.Close())
	if s.multi != nil {
		err = errors.Join(err, s.multi.Close())
	}
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	return err
}

// Ping checks that the database answers. On SQLite it uses a read
// connection, so a long write does not make the server look unready.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Dialect is "mysql" or "sqlite".
func (s *Store) Dialect() string { return s.dialect }

// migrate applies the embedded migrations not applied yet, in order.
func (s *Store) migrate(ctx context.Context) error {
	if s.dialect == SQLite {
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
	dir := "migrations/" + s.dialect
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
	timeType := "DATETIME(6)"
	if s.dialect == SQLite {
		timeType = "DATETIME"
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY,
		applied_at `+timeType+` NOT NULL)`); err != nil {
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
		s.log.Info("applied migration", "file", m.name, "dialect", s.dialect)
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
// inTxReadCommitted is inTx at READ COMMITTED on MySQL (SQLite has one
// isolation). For transactions that look a row up by a unique key before
// inserting it when absent: at REPEATABLE READ the lookup of an absent key
// locks the gap around it, so two such transactions for different keys in
// one gap deadlock on each other's insert; at READ COMMITTED there is no
// gap lock and the unique index alone settles a race for the same key (the
// loser sees a duplicate key and runs again).
func (s *Store) inTxReadCommitted(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if s.dialect != MySQL {
		return s.inTx(ctx, fn)
	}
	return s.runTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted}, fn)
}

func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if s.dialect == SQLite && s.rot != nil {
		// SQLite's one writer: the transaction joins the next group
		// commit (groupcommit.go).
		return s.rot.do(ctx, fn)
	}
	return s.runTx(ctx, nil, fn)
}

// exec runs one write statement and answers how many rows it changed. On
// SQLite it joins the writer's next group commit (groupcommit.go) instead of
// committing on its own: a lone commit writes its pages to the log by
// itself and waits between batches for the one write connection.
// Elsewhere the statement is autocommitted.
func (s *Store) exec(ctx context.Context, query string, args ...any) (int64, error) {
	if s.dialect == SQLite && s.rot != nil {
		var n int64
		err := s.rot.do(ctx, func(tx *sqlx.Tx) error {
			// A caller that leaves mid-statement must not interrupt it: that
			// would roll back the batch it shares with others (one short
			// statement; a caller gone before its turn is skipped).
			var err error
			n, err = rowsAffected(tx.ExecContext(context.WithoutCancel(ctx), query, args...))
			return err
		})
		return n, err
	}
	return rowsAffected(s.db.ExecContext(ctx, query, args...))
}

func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// runTx runs fn in a transaction of its own: committed when fn succeeds,
// rolled back otherwise.
func (s *Store) runTx(ctx context.Context, opts *sql.TxOptions, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, opts)
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
		return me.Number == 1062 // ER_DUP_ENTRY
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isRetryable reports a deadlock or lock wait timeout (MySQL) or a busy
// database (SQLite): the transaction may simply run again.
func isRetryable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 || me.Number == 1205 // ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		primary := se.Code() & 0xff
		return primary == sqlite3.SQLITE_BUSY || primary == sqlite3.SQLITE_LOCKED
	}
	return false
}

// maxRetries bounds how often a deadlocked or busy transaction runs again.
const maxRetries = 8

// Retries answers how many transactions this store has run again after a
// deadlock, a lock wait timeout, a busy database or a unique-key race:
// for monitoring, and for tests that a workload runs without collisions.
func (s *Store) Retries() int64 { return s.retries.Load() }

// retry counts a transaction about to run again and waits a little before
// it (backoff).
func (s *Store) retry(ctx context.Context, attempt int) {
	s.retries.Add(1)
	backoff(ctx, attempt)
}

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

// DB exposes the write handle for tests and maintenance tools in this
// module.
func (s *Store) DB() *sqlx.DB { return s.db }
