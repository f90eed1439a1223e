package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/authbridge/authbridge/backend/internal/store/internal/engine"
)

func openMySQL(raw string) (*Store, error) {
	cfg, err := engine.MySQLConfig(raw)
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
	engine.MySQLPool.Apply(db.DB)
	multi := sqlx.NewDb(sql.OpenDB(mconn), "mysql")
	mp := engine.MySQLPool
	mp.Conns = multiSignIns
	mp.Apply(multi.DB)
	return &Store{db: db, rdb: db, multi: multi, eng: engine.MySQL, migrateLock: Clip("authbridge_migrate:"+cfg.DBName, 64)}, nil
}
