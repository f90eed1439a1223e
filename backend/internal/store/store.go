package store

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/authbridge/authbridge/backend/internal/store/internal/engine"
)

// Dialects.
const (
	MySQL  = "mysql"
	SQLite = "sqlite"
)

// Options configure Open.
type Options struct {
	DataDir string // where the embedded SQLite database lives; default ./data
	Logger  *slog.Logger
}

// Store is the database. It is safe for concurrent use.
type Store struct {
	db    *sqlx.DB      // writes and transactions
	rdb   *sqlx.DB      // plain reads: read-only connections on SQLite, db itself on MySQL
	multi *sqlx.DB      // MySQL: connections that allow multi-statement queries (inOneQuery)
	eng   engine.Engine // what differs between MySQL and SQLite
	log   *slog.Logger
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

// Dialect is "mysql" or "sqlite".
func (s *Store) Dialect() string { return s.eng.Name }

// ts is how every time is bound: UTC with fixed-width microseconds, so
// SQLite's text comparisons order like MySQL's DATETIME(6).
func ts(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000000") }

func tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// DB exposes the write handle for tests and maintenance tools in this
// module.
func (s *Store) DB() *sqlx.DB { return s.db }
