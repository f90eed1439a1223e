package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/jmoiron/sqlx"
)

// inTx runs fn in a transaction, committing when it returns nil.
// inTxReadCommitted is inTx at READ COMMITTED on MySQL (SQLite has one
// isolation). For transactions that look a row up by a unique key before
// inserting it when absent: at REPEATABLE READ the lookup of an absent key
// locks the gap around it, so two such transactions for different keys in
// one gap deadlock on each other's insert; at READ COMMITTED there is no
// gap lock and the unique index alone settles a race for the same key (the
// loser sees a duplicate key and runs again).
func (s *Store) inTxReadCommitted(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return s.inTxWith(ctx, s.eng.ReadCommitted, fn)
}

func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return s.inTxWith(ctx, nil, fn)
}

func (s *Store) inTxWith(ctx context.Context, opts *sql.TxOptions, fn func(tx *sqlx.Tx) error) error {
	if s.rot != nil {
		// One writer (SQLite): the transaction joins the next group
		// commit (groupcommit.go), at the engine's one isolation.
		return s.rot.do(ctx, fn)
	}
	return s.runTx(ctx, opts, fn)
}

// spend marks one single-use row spent with a conditional UPDATE; the row
// it matched proves this caller is the one that spent it. Expired and
// already spent rows are ErrNotFound. With one writer (SQLite) the UPDATE
// returns the row and joins the group commit. Otherwise (MySQL, MariaDB:
// no UPDATE ... RETURNING) it commits on its own and the row
// is then read: its other columns never change, so no transaction has to
// hold the two together (two round trips instead of four).
func (s *Store) spend(ctx context.Context, table, keyCol string, key []byte, now time.Time, dest any, cols string) error {
	update, args := spendUpdate(table, keyCol, key, now, "")
	if dest != nil && s.rot != nil {
		// One statement in the group commit: the row comes back with the
		// update (MariaDB has no UPDATE ... RETURNING).
		err := s.rot.do(ctx, func(tx *sqlx.Tx) error {
			// Not interrupted by its caller leaving, as in exec.
			return tx.GetContext(context.WithoutCancel(ctx), dest, update+" RETURNING "+cols, args...)
		})
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	}
	if n, err := s.exec(ctx, update, args...); err != nil {
		return err
	} else if n != 1 {
		return ErrNotFound
	}
	if dest == nil {
		return nil
	}
	err := s.rdb.GetContext(ctx, dest, "SELECT "+cols+" FROM "+table+" WHERE "+keyCol+" = ?", key)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound // purged in between: as good as expired
	}
	return err
}

// spendUpdate is the one conditional UPDATE that spends a single-use row
// (flows, handoff codes, tickets, nonces, ceremonies, pending links): live
// means not spent and not expired at now. and adds conditions (with their
// arguments appended by the caller), e.g. the browser binding.
func spendUpdate(table, keyCol string, key []byte, now time.Time, and string) (string, []any) {
	q := "UPDATE " + table + " SET spent_at = ? WHERE " + keyCol + " = ? AND spent_at IS NULL AND expires_at > ?"
	if and != "" {
		q += " AND " + and
	}
	return q, []any{ts(now), key, ts(now)}
}

// spendTx is spend inside the caller's transaction, for use cases whose
// other writes must commit or roll back with the spend. dest receives the
// spent row. ErrNotFound: unknown, expired, spent, or and not met.
func spendTx(ctx context.Context, tx *sqlx.Tx, table, keyCol string, key []byte, now time.Time, dest any, cols, and string, andArgs ...any) error {
	update, args := spendUpdate(table, keyCol, key, now, and)
	n, err := rowsAffected(tx.ExecContext(ctx, update, append(args, andArgs...)...))
	if err != nil {
		return err
	}
	if n != 1 {
		return ErrNotFound
	}
	return tx.GetContext(ctx, dest, "SELECT "+cols+" FROM "+table+" WHERE "+keyCol+" = ?", key)
}

// exec runs one write statement and answers how many rows it changed. With
// one writer (SQLite) it joins the writer's next group commit (groupcommit.go) instead of
// committing on its own: a lone commit writes its pages to the log by
// itself and waits between batches for the one write connection.
// Elsewhere the statement is autocommitted.
func (s *Store) exec(ctx context.Context, query string, args ...any) (int64, error) {
	if s.rot != nil {
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
