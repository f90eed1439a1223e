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

// CreateFamily opens a session with its first refresh token, atomically,
// together with the login events given (the sign-in that opened it).
func (s *Store) CreateFamily(ctx context.Context, f Family, firstTokenHash []byte, events ...LoginEvent) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, e := range events {
			if err := insertLoginEvent(ctx, tx, e); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO refresh_families ("+familyColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, '')",
			f.ID, f.UserID, f.Provider, f.UserAgent, f.IP, ts(f.CreatedAt), ts(f.LastUsedAt), ts(f.ExpiresAt)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO refresh_tokens (token_hash, family_id, parent_hash, created_at, spent_at) VALUES (?, ?, NULL, ?, NULL)",
			firstTokenHash, f.ID, ts(f.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create family: %w", err)
	}
	return nil
}

type tokenRow struct {
	FamilyID string     `db:"family_id"`
	SpentAt  *time.Time `db:"spent_at"`
}

// RotateRefresh spends p.OldHash and records p.NewHash in its family, all in
// one transaction that also runs p.Mint. See RotateParams and the errors of
// this package for every outcome. A reuse outside the grace window commits
// the family's revocation before it answers ErrTokenReused.
func (s *Store) RotateRefresh(ctx context.Context, p RotateParams) (Family, User, error) {
	var (
		fam    Family
		user   User
		reused bool
	)
	for attempt := 0; ; attempt++ {
		reused = false
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			var tok tokenRow
			err := tx.GetContext(ctx, &tok, "SELECT family_id, spent_at FROM refresh_tokens WHERE token_hash = ?"+s.forUpdate(), p.OldHash)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			if err := tx.GetContext(ctx, &fam, "SELECT "+familyColumns+" FROM refresh_families WHERE id = ?"+s.forUpdate(), tok.FamilyID); err != nil {
				return err
			}
			switch {
			case fam.RevokedAt != nil:
				return ErrFamilyRevoked
			case !p.Now.Before(fam.ExpiresAt), p.IdleTTL > 0 && !p.Now.Before(fam.LastUsedAt.Add(p.IdleTTL)):
				return ErrFamilyExpired
			}
			if err := tx.GetContext(ctx, &user, "SELECT "+userColumns+" FROM users WHERE id = ?", fam.UserID); err != nil {
				return err
			}
			if user.DisabledAt != nil {
				return ErrUserDisabled
			}
			if tok.SpentAt != nil {
				// Grace: the immediate predecessor of a live token, presented
				// again shortly after it was spent (two tabs at once).
				var liveChildren int
				if err := tx.GetContext(ctx, &liveChildren,
					"SELECT COUNT(*) FROM refresh_tokens WHERE parent_hash = ? AND spent_at IS NULL", p.OldHash); err != nil {
					return err
				}
				if liveChildren == 0 || !p.Now.Before(tok.SpentAt.Add(p.Grace)) {
					now := ts(p.Now)
					if _, err := tx.ExecContext(ctx, "UPDATE refresh_families SET revoked_at = ?, revoke_reason = 'reuse' WHERE id = ? AND revoked_at IS NULL",
						now, fam.ID); err != nil {
						return err
					}
					reused = true
					return nil // commit the revocation
				}
			} else {
				res, err := tx.ExecContext(ctx, "UPDATE refresh_tokens SET spent_at = ? WHERE token_hash = ? AND spent_at IS NULL", ts(p.Now), p.OldHash)
				if err != nil {
					return err
				}
				if n, err := res.RowsAffected(); err != nil || n != 1 {
					return fmt.Errorf("spend token: %d rows, %v", n, err)
				}
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO refresh_tokens (token_hash, family_id, parent_hash, created_at, spent_at) VALUES (?, ?, ?, ?, NULL)",
				p.NewHash, fam.ID, p.OldHash, ts(p.Now)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE refresh_families SET last_used_at = ?, ip = ? WHERE id = ?", ts(p.Now), p.IP, fam.ID); err != nil {
				return err
			}
			fam.LastUsedAt = p.Now
			fam.IP = p.IP
			if p.Mint != nil {
				if err := p.Mint(fam, user); err != nil {
					return fmt.Errorf("mint: %w", err)
				}
			}
			return nil
		})
		if err != nil && isRetryable(err) && attempt < maxRetries {
			backoff(ctx, attempt)
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

// GetFamily answers one family.
func (s *Store) GetFamily(ctx context.Context, id string) (Family, error) {
	var f Family
	err := s.db.GetContext(ctx, &f, "SELECT "+familyColumns+" FROM refresh_families WHERE id = ?", id)
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
	res, err := s.db.ExecContext(ctx, "UPDATE refresh_families SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
		ts(now), reason, familyID, userID)
	if err != nil {
		return fmt.Errorf("store: revoke family: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// RevokeUserFamilies revokes every live family of the user.
func (s *Store) RevokeUserFamilies(ctx context.Context, userID, reason string, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, "UPDATE refresh_families SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL",
		ts(now), reason, userID)
	if err != nil {
		return 0, fmt.Errorf("store: revoke user families: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// ListActiveFamilies answers the user's sessions that are not revoked nor
// past their absolute or idle lifetime, most recently used first.
func (s *Store) ListActiveFamilies(ctx context.Context, userID string, now time.Time, idleTTL time.Duration) ([]Family, error) {
	fams := []Family{}
	err := s.db.SelectContext(ctx, &fams, "SELECT "+familyColumns+` FROM refresh_families
		WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? AND last_used_at > ?
		ORDER BY last_used_at DESC, id`, userID, ts(now), ts(now.Add(-idleTTL)))
	if err != nil {
		return nil, fmt.Errorf("store: list families: %w", err)
	}
	return fams, nil
}

// DeleteExpired removes single-use rows past their lifetime and families
// that ended more than a day ago (with their tokens).
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for _, q := range []string{
		"DELETE FROM auth_flows WHERE expires_at < ?",
		"DELETE FROM handoff_codes WHERE expires_at < ?",
		"DELETE FROM connect_tickets WHERE expires_at < ?",
		"DELETE FROM credential_nonces WHERE expires_at < ?",
	} {
		res, err := s.db.ExecContext(ctx, q, ts(now))
		if err != nil {
			return total, fmt.Errorf("store: delete expired: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	cutoff := ts(now.Add(-24 * time.Hour))
	res, err := s.db.ExecContext(ctx, "DELETE FROM refresh_families WHERE expires_at < ? OR revoked_at < ?", cutoff, cutoff)
	if err != nil {
		return total, fmt.Errorf("store: delete ended families: %w", err)
	}
	n, _ := res.RowsAffected()
	return total + n, nil
}
