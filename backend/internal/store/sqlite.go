package store

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite" // registers the "sqlite" driver
)

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
