package store

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/authbridge/authbridge/backend/internal/store/internal/engine"
)

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

	c := engine.SQLiteDSNs(path)
	db := openCachingSQLite(c.Write, c.WritePool)
	rdb := openCachingSQLite(c.Read, c.ReadPool)
	ck := openCachingSQLite(c.Checkpoint, c.CheckPool)
	return &Store{db: db, rdb: rdb, eng: engine.SQLite, ckpt: newCheckpointer(ck, checkpointEvery)}, nil
}

// openCachingSQLite opens a pool whose connections keep their prepared
// statements (stmtcache.go).
func openCachingSQLite(dsn string, p engine.Pool) *sqlx.DB {
	db := sqlx.NewDb(sql.OpenDB(cachingConnector{drv: &sqlite.Driver{}, dsn: dsn}), "sqlite")
	p.Apply(db.DB)
	return db
}
