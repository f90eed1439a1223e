// Package store keeps everything AuthBridge persists, in MySQL 8 / MariaDB
// 10.11 (sqlx + go-sql-driver/mysql) or in an embedded SQLite database
// (modernc.org/sqlite). Both engines get the same tables from versioned,
// embedded migrations applied by Open.
//
// Rules that hold for every query here:
//   - portable SQL only: no RETURNING, no engine-specific functions, no
//     triggers or stored procedures (the schema stays usable on Vitess/TiDB);
//   - times are UTC, DATETIME(6) on MySQL;
//   - subjects, canonical emails and token hashes are binary (VARBINARY /
//     BLOB), compared byte for byte;
//   - single-use values (states, codes, tickets, refresh tokens) are stored
//     hashed and spent with a conditional UPDATE whose RowsAffected proves it.
package store
