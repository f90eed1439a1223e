package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Retention says how long DeleteRetained keeps rows that are over.
type Retention struct {
	// LoginHistory: login events older than this are deleted (≤ 0: kept).
	// The audit trail is not login history: it is never deleted here.
	LoginHistory time.Duration
	// SessionIdle is the sessions' idle lifetime (≤ 0: none): a family
	// unused this long has ended, and is deleted a day later, as a revoked
	// one (endedFamilyRetention).
	SessionIdle time.Duration
}

// DeleteRetained is housekeeping next to DeleteExpired: it deletes login
// events past r.LoginHistory and sessions a day past their idle lifetime,
// in batches, and answers how many rows it deleted. Safe to run on every
// replica.
func (s *Store) DeleteRetained(ctx context.Context, now time.Time, r Retention) (int64, error) {
	var total int64
	if r.LoginHistory > 0 {
		n, err := s.deleteBatches(ctx, "login_events", "created_at < ?", ts(now.Add(-r.LoginHistory)))
		total += n
		if err != nil {
			return total, fmt.Errorf("store: delete old login events: %w", err)
		}
	}
	if r.SessionIdle > 0 {
		n, err := s.deleteBatches(ctx, "refresh_families", "last_used_at < ?", ts(now.Add(-r.SessionIdle-endedFamilyRetention)))
		total += n
		if err != nil {
			return total, fmt.Errorf("store: delete idle families: %w", err)
		}
	}
	return total, nil
}

// deleteBatches deletes the rows of table (keyed by id) matching cond, a
// batch per short transaction; cond is checked again in the delete, so a
// row that changed in between (a family used again) stays.
func (s *Store) deleteBatches(ctx context.Context, table, cond string, arg any) (int64, error) {
	var total int64
	for {
		var ids []string
		if err := s.rdb.SelectContext(ctx, &ids, "SELECT id FROM "+table+" WHERE "+cond+" ORDER BY id LIMIT ?", arg, deleteBatch); err != nil {
			return total, err
		}
		if len(ids) == 0 {
			return total, nil
		}
		var n int64
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			q, args, err := sqlx.In("DELETE FROM "+table+" WHERE id IN (?) AND "+cond, ids, arg)
			if err != nil {
				return err
			}
			n, err = rowsAffected(tx.ExecContext(ctx, q, args...))
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if len(ids) < deleteBatch {
			return total, nil
		}
	}
}
