// Package engine holds what differs between the store's two database
// engines, MySQL/MariaDB and SQLite: the SQL fragments, the transaction
// options, how the store connects and how errors are classified. The
// store's use cases are written once against an Engine and never ask which
// one it is.
package engine

import (
	"database/sql"
	"time"
)

// Engine is one database engine's share of the store.
type Engine struct {
	// Name is the store's Dialect: "mysql" or "sqlite".
	Name string
	// MigrationDir is the engine's folder of the store's embedded migrations.
	MigrationDir string
	// TimeType is the column type the store's own tables give a time.
	TimeType string
	// ForUpdate ends a SELECT that must lock the rows it reads until the
	// transaction ends: InnoDB locks the row; SQLite's IMMEDIATE
	// transactions already hold the single write lock.
	ForUpdate string
	// InsertIgnore begins an INSERT that skips, without an error, a row
	// whose key is taken.
	InsertIgnore string
	// ReadCommitted are the options of a transaction that looks a row up
	// by a unique key before inserting it when absent (Store's
	// inTxReadCommitted); nil where the engine has a single isolation.
	ReadCommitted *sql.TxOptions
	// TransactionalDDL: a schema change rolls back with its transaction,
	// so a migration and its record commit together. Otherwise each DDL
	// statement commits on its own and migrations run under a named lock.
	TransactionalDDL bool
	// OneWriter: the engine writes from one connection at a time, so the
	// store batches write transactions into group commits.
	OneWriter bool
	// LockedHint explains, on an embedded engine, a database that stayed
	// locked at start: another process holds the file. Empty for a server.
	LockedHint string
}

// MySQL is MySQL 8 or MariaDB 10.11 (InnoDB).
var MySQL = Engine{
	Name:          "mysql",
	MigrationDir:  "mysql",
	TimeType:      "DATETIME(6)",
	ForUpdate:     " FOR UPDATE",
	InsertIgnore:  "INSERT IGNORE",
	ReadCommitted: &sql.TxOptions{Isolation: sql.LevelReadCommitted},
}

// SQLite is the embedded SQLite database, in WAL mode.
var SQLite = Engine{
	Name:             "sqlite",
	MigrationDir:     "sqlite",
	TimeType:         "DATETIME",
	InsertIgnore:     "INSERT OR IGNORE",
	TransactionalDDL: true,
	OneWriter:        true,
	LockedHint:       "the embedded database stayed locked by another process (another AuthBridge with the same data dir?)",
}

// Pool sizes a connection pool.
type Pool struct {
	Conns    int           // open and idle at most
	Lifetime time.Duration // a connection is replaced after this long; 0: never
	IdleTime time.Duration // an idle connection is closed after this long; 0: never
}

// Apply sets p on db.
func (p Pool) Apply(db *sql.DB) {
	db.SetMaxOpenConns(p.Conns)
	db.SetMaxIdleConns(p.Conns)
	db.SetConnMaxLifetime(p.Lifetime)
	db.SetConnMaxIdleTime(p.IdleTime)
}
