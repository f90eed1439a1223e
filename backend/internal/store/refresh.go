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

// rotationColumns are a family's columns with those a rotation needs.
const rotationColumns = familyColumns + ", generation, secret, rotated_at"

// Revoke reasons the store writes itself.
const (
	RevokeReuse = "reuse" // an earlier generation came back outside the grace window
)

// maxRotationReads bounds how often a rotation reads its family again
// after another rotation of it won the conditional update. The second read
// sees the winner's generation, which is a grace-window replay (or, with no
// grace, reuse): more than two reads means something keeps moving it.
const maxRotationReads = 4

// verdict is what the rules make of a presented generation.
type verdict int

const (
	rotate verdict = iota // the live token: move to the next generation
	replay                // the previous one, inside the grace window: answer the current token
	reuse                 // anything older, or the previous one after the grace: revoke
)

// judge holds every rule of a rotation, for both engines. f is the
// presented token's family as read now, u its user; errors are the
// refusals that change nothing.
func judge(f Family, u User, presented uint64, p RotateParams) (verdict, error) {
	switch {
	case u.DisabledAt != nil:
		// First: disabling revokes every session, and the holder of a
		// real token (its MAC held) learns why, not only that it ended.
		return 0, ErrUserDisabled
	case f.RevokedAt != nil:
		return 0, ErrFamilyRevoked
	case !p.Now.Before(f.ExpiresAt), p.IdleTTL > 0 && !p.Now.Before(f.LastUsedAt.Add(p.IdleTTL)):
		return 0, ErrFamilyExpired
	case presented == f.Generation:
		return rotate, nil
	case presented > f.Generation:
		// A generation never issued, yet its MAC holds: only a database
		// restored from an older backup does that. Refuse, change nothing.
		return 0, ErrNotFound
	case presented == f.Generation-1 && f.RotatedAt != nil && p.Now.Before(f.RotatedAt.Add(p.Grace)):
		return replay, nil
	default:
		return reuse, nil
	}
}

// RotateRefresh judges a presented refresh token (p.FamilyID,
// p.Generation) and acts on it. Outcomes:
//   - unknown family, or a MAC that does not verify (p.Verify): ErrNotFound,
//     and nothing is written: nobody can revoke a family without one of
//     its real tokens;
//   - its user disabled: ErrUserDisabled (even when the family was
//     revoked or expired: disabling revokes them all); family revoked:
//     ErrFamilyRevoked; past its absolute or idle lifetime: ErrFamilyExpired;
//   - the current generation: p.Sign, then one conditional UPDATE moves
//     the family to the next generation. If another rotation (a second
//     tab, another replica) moved it first, the family is read again and
//     judged again, which then makes this a replay;
//   - the previous generation within p.Grace of the rotation: p.Sign, and
//     the answer is the current generation (the same token the rotation
//     handed out, so there is never a second chain); nothing is written;
//   - anything older, or the previous one after the grace: the family is
//     revoked (reason "reuse") and p.Reuse recorded, in one transaction,
//     and the answer is ErrTokenReused with the family and user.
//
// No transaction is held while p.Sign runs.
func (s *Store) RotateRefresh(ctx context.Context, p RotateParams) (Rotation, error) {
	for range maxRotationReads {
		r, err := s.rotateOnce(ctx, p)
		if !errors.Is(err, errLostRace) {
			return r, err
		}
	}
	return Rotation{}, fmt.Errorf("store: rotate refresh: family %s kept moving under %d reads", p.FamilyID, maxRotationReads)
}

// errLostRace: another rotation moved the family between the read and the
// conditional update.
var errLostRace = errors.New("store: rotation lost a race")

func (s *Store) rotateOnce(ctx context.Context, p RotateParams) (Rotation, error) {
	var f Family
	err := s.rdb.GetContext(ctx, &f, "SELECT "+rotationColumns+" FROM refresh_families WHERE id = ?", p.FamilyID)
	if errors.Is(err, sql.ErrNoRows) {
		return Rotation{}, ErrNotFound
	}
	if err != nil {
		return Rotation{}, fmt.Errorf("store: rotate refresh: read family: %w", err)
	}
	if p.Verify == nil || !p.Verify(f.Secret) {
		return Rotation{}, ErrNotFound
	}
	// The user from the short-lived cache: disabling a user drops this
	// process's entry at once; another replica sees it within the cache's
	// 2 s (usercache.go).
	u, err := s.GetUser(ctx, f.UserID)
	if err != nil {
		return Rotation{}, fmt.Errorf("store: rotate refresh: family's user: %w", err)
	}
	v, err := judge(f, u, p.Generation, p)
	if err != nil {
		return Rotation{}, err
	}
	r := Rotation{Family: f, User: u, Generation: f.Generation}
	switch v {
	case reuse:
		return r, s.revokeReused(ctx, f, p)
	case replay:
		if err := sign(p, f, u); err != nil {
			return Rotation{}, err
		}
		return r, nil
	}
	f.LastUsedAt, f.IP = p.Now, p.IP
	if err := sign(p, f, u); err != nil {
		return Rotation{}, err
	}
	n, err := s.exec(ctx, `UPDATE refresh_families SET generation = ?, rotated_at = ?, last_used_at = ?, ip = ?
		WHERE id = ? AND generation = ? AND revoked_at IS NULL`,
		f.Generation+1, ts(p.Now), ts(p.Now), p.IP, f.ID, f.Generation)
	if err != nil {
		return Rotation{}, fmt.Errorf("store: rotate refresh: %w", err)
	}
	if n == 0 {
		return Rotation{}, errLostRace
	}
	f.Generation++
	f.RotatedAt = &p.Now
	return Rotation{Family: f, User: u, Generation: f.Generation, Rotated: true}, nil
}

func sign(p RotateParams, f Family, u User) error {
	if p.Sign == nil {
		return nil
	}
	return p.Sign(f, u)
}

// revokeReused revokes f for reuse and records p.Reuse in the same
// transaction; it answers ErrTokenReused once that is committed. When the
// family was revoked in between (another reuse, a logout), nothing more is
// written.
func (s *Store) revokeReused(ctx context.Context, f Family, p RotateParams) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		n, err := rowsAffected(tx.ExecContext(ctx, "UPDATE refresh_families SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL",
			ts(p.Now), RevokeReuse, f.ID))
		if err != nil || n == 0 {
			return err
		}
		e := p.Reuse
		e.UserID, e.Provider = &f.UserID, Clip(f.Provider, 64)
		_, err = tx.ExecContext(ctx, loginEventInsert, loginEventArgs(e)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: revoke reused family: %w", err)
	}
	return ErrTokenReused
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

// endedFamilyRetention is how long a revoked or expired family stays after
// it ended: long enough to answer "session revoked" rather than "unknown
// token", and to look into a reuse.
const endedFamilyRetention = 24 * time.Hour

// deleteBatch bounds the rows one housekeeping transaction deletes.
const deleteBatch = 500

// DeleteExpired is housekeeping: it deletes flows, handoff codes, connect
// tickets, credential nonces, passkey ceremonies and pending links past their expiry (spent or not), and
// families that were revoked or reached their absolute expiry more than a
// day before now. It answers how many rows of those tables it deleted.
// Safe to run on every replica.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for _, table := range []string{"auth_flows", "handoff_codes", "connect_tickets", "credential_nonces", "used_credentials", "passkey_ceremonies", "pending_links"} {
		res, err := s.db.ExecContext(ctx, "DELETE FROM "+table+" WHERE expires_at < ?", ts(now))
		if err != nil {
			return total, fmt.Errorf("store: delete expired %s: %w", table, err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	cutoff := ts(now.Add(-endedFamilyRetention))
	for {
		// Pick a batch without locks, then delete it in a short
		// transaction of its own.
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
			// The condition again: a family is deleted only if it is still
			// ended (a revocation cannot be undone, an expiry never moves).
			q, args, err := sqlx.In("DELETE FROM refresh_families WHERE id IN (?) AND (expires_at < ? OR revoked_at < ?)", ids, cutoff, cutoff)
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
