package engine

import (
	"fmt"
	"net/url"
	"runtime"
	"time"
)

// sqliteBusyTimeout is how long a connection waits for another process's
// write lock before it answers SQLITE_BUSY.
const sqliteBusyTimeout = 10 * time.Second

// SQLiteConns are the data source names and pools of the three pools the
// store opens on one SQLite file.
type SQLiteConns struct {
	Write, Read, Checkpoint        string
	WritePool, ReadPool, CheckPool Pool
}

// SQLiteDSNs answers the connections for the SQLite file at path (which
// holds no '?' or '#').
func SQLiteDSNs(path string) SQLiteConns {
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
	// writer waits. The store's checkpointer does it beside the writes.
	w.Add("_pragma", "wal_autocheckpoint(0)")
	// The group commit runs each job in a savepoint; SQLite keeps a
	// savepoint's page copies in a sub-journal that spills to a temporary
	// file past 64 KiB, which a batch did: a third of the writer's pwrite
	// calls went there. In memory, they are never written.
	w.Add("_pragma", "temp_store(MEMORY)")

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
	readers := max(4, 2*runtime.GOMAXPROCS(0))

	file := "file:" + path + "?"
	return SQLiteConns{
		Write: file + w.Encode(), Read: file + r.Encode(), Checkpoint: file + common.Encode(),
		WritePool: Pool{Conns: 1}, ReadPool: Pool{Conns: readers}, CheckPool: Pool{Conns: 1},
	}
}
