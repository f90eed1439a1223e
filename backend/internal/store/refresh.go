package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

const familyColumns = "id, user_id, provider, user_agent, ip, created_at, last_used_at, expires_at, revoked_at, revoke_reason"

// Revoke reasons the store writes itself.
const (
	RevokeReuse = "reuse" // a spent refresh token came back outside the grace window
)

// CreateFamily opens a session with its first refresh token, atomically,
// together with the login events given (the sign-in that opened it).
func (s *Store) CreateFamily(ctx context.Context, f Family, firstTokenHash []byte, events ...LoginEvent) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		return insertFamily(ctx, tx, f, firstTokenHash, events)
	})
	if err != nil {
		return fmt.Errorf("store: create family: %w", err)
	}
	return nil
}

// insertFamily writes a family, its first token and the events in tx.
func insertFamily(ctx context.Context, tx *sqlx.Tx, f Family, firstTokenHash []byte, events []LoginEvent) error {
	return runStmts(ctx, tx, familyStmts(f, firstTokenHash, events))
}

// presented is the presented token joined with its family.
type presented struct {
	TokenSpentAt *time.Time `db:"token_spent_at"`
	Family
}

// RotateRefresh spends p.OldHash and records p.NewHash in its family, all in
// one transaction that also runs p.Mint. Outcomes:
//   - unknown token: ErrNotFound;
//   - family revoked: ErrFamilyRevoked; past its absolute or idle lifetime:
//     ErrFamilyExpired; its user disabled: ErrUserDisabled;
//   - unspent token: spent, NewHash becomes its child;
//   - spent token whose child is still unspent, within p.Grace of being
//     spent (two tabs refreshing at once): NewHash becomes another child,
//     in the same family;
//   - any other spent token: the family is revoked, that revocation is
//     committed, and the answer is ErrTokenReused.
//
// The token and family rows are locked (FOR UPDATE on MySQL; SQLite's
// IMMEDIATE transaction holds the database's write lock), so rotations of
// one family run one after the other. When p.Mint fails nothing is
// written and the old token stays unspent. p.Mint may read the store.
func (s *Store) RotateRefresh(ctx context.Context, p RotateParams) (Family, User, error) {
	for attempt := 0; ; attempt++ {
		fam, user, reused, err := s.rotate(ctx, p)
		if err != nil && isRetryable(err) && attempt < maxRetries {
			s.retry(ctx, attempt)
			continue
		}
		switch {
		case err == nil && reused:
			return Family{}, User{}, ErrTokenReused
		case err == nil:
			return fam, user, nil
		case errors.Is(err, ErrNotFound), errors.Is(err, ErrFamilyRevoked), errors.Is(err, ErrFamilyExpired), errors.Is(err, ErrUserDisabled):
			return Family{}, User{}, err
		default:
			return Family{}, User{}, fmt.Errorf("store: rotate refresh: %w", err)
		}
	}
}

// rotate is one attempt of RotateRefresh. reused with a nil error means the
// family's revocation was committed.
func (s *Store) rotate(ctx context.Context, p RotateParams) (fam Family, user User, reused bool, err error) {
	if s.rot != nil {
		return s.rot.rotate(ctx, p)
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		fam, user, reused, err = s.rotateTx(ctx, tx, p)
		return err
	})
	return fam, user, reused, err
}

// rotateTx is one rotation inside tx. An error means nothing of it may be
// kept; reused with a nil error means the family's revocation is to be
// committed.
func (s *Store) rotateTx(ctx context.Context, tx *sqlx.Tx, p RotateParams) (fam Family, user User, reused bool, err error) {
	err = func() error {
		// One statement finds and locks the token and its family, in that
		// order (every transaction that locks both takes them so).
		var row presented
		err := tx.GetContext(ctx, &row, `SELECT t.spent_at AS token_spent_at,
			f.id, f.user_id, f.provider, f.user_agent, f.ip, f.created_at, f.last_used_at, f.expires_at, f.revoked_at, f.revoke_reason
			FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
			WHERE t.token_hash = ?`+s.forUpdate(), p.OldHash)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		fam = row.Family
		familyTouched := false
		switch {
		case fam.RevokedAt != nil:
			return ErrFamilyRevoked
		case !p.Now.Before(fam.ExpiresAt), p.IdleTTL > 0 && !p.Now.Before(fam.LastUsedAt.Add(p.IdleTTL)):
			return ErrFamilyExpired
		}
		// The user from the read pool's short-lived cache, not a locked
		// read in the transaction: one statement fewer per rotation.
		// Disabling a user drops this process's entry at once; another
		// replica sees it within the cache's 2 s (usercache.go).
		u, err := s.GetUser(ctx, fam.UserID)
		if err != nil {
			return fmt.Errorf("family's user: %w", err)
		}
		user = u
		if user.DisabledAt != nil {
			return ErrUserDisabled
		}
		if spent := row.TokenSpentAt; spent != nil {
			// Grace: the immediate predecessor of a live token, presented
			// again shortly after it was spent (two tabs at once). Anything
			// older is a replay: end the session.
			var liveChildren int
			if err := tx.GetContext(ctx, &liveChildren,
				"SELECT COUNT(*) FROM refresh_tokens WHERE parent_hash = ? AND spent_at IS NULL", p.OldHash); err != nil {
				return err
			}
			if liveChildren == 0 || !p.Now.Before(spent.Add(p.Grace)) {
				if _, err := tx.ExecContext(ctx, "UPDATE refresh_families SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL",
					ts(p.Now), RevokeReuse, fam.ID); err != nil {
					return err
				}
				reused = true
				return nil // commit the revocation
			}
		} else if s.dialect == MySQL {
			// One round trip spends the token and touches its family (both
			// rows are locked already). Rows matched, not changed, are
			// counted (clientFoundRows): 2 when the token was unspent.
			res, err := tx.ExecContext(ctx, `UPDATE refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
				SET t.spent_at = ?, f.last_used_at = ?, f.ip = ? WHERE t.token_hash = ? AND t.spent_at IS NULL`,
				ts(p.Now), ts(p.Now), p.IP, p.OldHash)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 2 {
				return fmt.Errorf("spend token: %d rows matched (%v)", n, err)
			}
			familyTouched = true
		} else {
			res, err := tx.ExecContext(ctx, "UPDATE refresh_tokens SET spent_at = ? WHERE token_hash = ? AND spent_at IS NULL", ts(p.Now), p.OldHash)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				// Cannot happen under the row lock; refuse rather than fork.
				return fmt.Errorf("spend token: %d rows changed (%v)", n, err)
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO refresh_tokens (token_hash, family_id, parent_hash, created_at, spent_at) VALUES (?, ?, ?, ?, NULL)",
			p.NewHash, fam.ID, p.OldHash, ts(p.Now)); err != nil {
			return fmt.Errorf("insert successor: %w", err)
		}
		if !familyTouched {
			if _, err := tx.ExecContext(ctx, "UPDATE refresh_families SET last_used_at = ?, ip = ? WHERE id = ?", ts(p.Now), p.IP, fam.ID); err != nil {
				return err
			}
		}
		fam.LastUsedAt = p.Now
		fam.IP = p.IP
		if p.Mint != nil {
			if err := p.Mint(fam, user); err != nil {
				return fmt.Errorf("mint: %w", err)
			}
		}
		return nil
	}()
	return fam, user, reused, err
}

// GetFamily answers one family, or ErrNotFound.
func (s *Store) GetFamily(ctx context.Context, id string) (Family, error) {
	var f Family
	err := s.rdb.GetContext(ctx, &f, "SELECT "+familyColumns+" FROM refresh_families WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return Family{}, ErrNotFound
	}
	if err != nil {
		return Family{}, fmt.Errorf("store: get family: %w", err)
	}
	return f, nil
}

// RevokeFamily revokes one of the user's live families. ErrNotFound: no
// such family, another user's, or already revoked.
func (s *Store) RevokeFamily(ctx context.Context, userID, familyID, reason string, now time.Time) error {
	n, err := s.exec(ctx, "UPDATE refresh_families SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
		ts(now), Clip(reason, 32), familyID, userID)
	if err != nil {
		return fmt.Errorf("store: revoke family: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// RevokeUserFamilies revokes every live family of the user and answers how
// many it revoked.
func (s *Store) RevokeUserFamilies(ctx context.Context, userID, reason string, now time.Time) (int64, error) {
	n, err := s.exec(ctx, "UPDATE refresh_families SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL",
		ts(now), Clip(reason, 32), userID)
	if err != nil {
		return 0, fmt.Errorf("store: revoke user families: %w", err)
	}
	return n, nil
}

// ListActiveFamilies answers the user's sessions that are not revoked nor
// past their absolute or idle lifetime (the rules of RotateRefresh), most
// recently used first. idleTTL ≤ 0 means no idle lifetime.
func (s *Store) ListActiveFamilies(ctx context.Context, userID string, now time.Time, idleTTL time.Duration) ([]Family, error) {
	q := "SELECT " + familyColumns + " FROM refresh_families WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?"
	args := []any{userID, ts(now)}
	if idleTTL > 0 {
		q += " AND last_used_at > ?"
		args = append(args, ts(now.Add(-idleTTL)))
	}
	fams := []Family{}
	if err := s.rdb.SelectContext(ctx, &fams, q+" ORDER BY last_used_at DESC, id", args...); err != nil {
		return nil, fmt.Errorf("store: list families: %w", err)
	}
	return fams, nil
}

// endedFamilyRetention is how long a revoked or expired family (and its
// spent tokens) stays after it ended: long enough to answer "session
// revoked" rather than "unknown token", and to look into a reuse.
const endedFamilyRetention = 24 * time.Hour

// deleteBatch bounds the rows one housekeeping transaction deletes.
const deleteBatch = 500

// DeleteExpired is housekeeping: it deletes flows, handoff codes, connect
// tickets and credential nonces past their expiry (spent or not), and
// families that were revoked or reached their absolute expiry more than a
// day before now, with their tokens. It answers how many rows of those
// tables (tokens not counted) it deleted. Safe to run on every replica.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for _, table := range []string{"auth_flows", "handoff_codes", "connect_tickets", "credential_nonces", "used_credentials"} {
		res, err := s.db.ExecContext(ctx, "DELETE FROM "+table+" WHERE expires_at < ?", ts(now))
		if err != nil {
			return total, fmt.Errorf("store: delete expired %s: %w", table, err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	cutoff := ts(now.Add(-endedFamilyRetention))
	for {
		// Pick a batch without locks, then delete tokens before families
		// (no reliance on ON DELETE CASCADE, which some MySQL-compatible
		// engines lack), each batch in its own short transaction.
		var ids []string
		if err := s.rdb.SelectContext(ctx, &ids, "SELECT id FROM refresh_families WHERE expires_at < ? OR revoked_at < ? ORDER BY id LIMIT ?",
			cutoff, cutoff, deleteBatch); err != nil {
			return total, fmt.Errorf("store: delete ended families: %w", err)
		}
		if len(ids) == 0 {
			return total, nil
		}
		var n int64
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			q, args, err := sqlx.In("DELETE FROM refresh_tokens WHERE family_id IN (?)", ids)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
			// The condition again: a family is deleted only if it is still
			// ended (a revocation cannot be undone, an expiry never moves).
			q, args, err = sqlx.In("DELETE FROM refresh_families WHERE id IN (?) AND (expires_at < ? OR revoked_at < ?)", ids, cutoff, cutoff)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, q, args...)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("store: delete ended families: %w", err)
		}
		total += n
		if len(ids) < deleteBatch {
			return total, nil
		}
	}
}
